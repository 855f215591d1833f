package io.prescient.operators;

import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;

/** Reads a user's policy state as stored in a test harness's keyed state backend. */
final class PolicyStateReads {
  private PolicyStateReads() {}

  /** The user's stored record, after the policy's cached records were written (a barrier's). */
  static PolicyUser user(KeyedBroadcastOperatorTestHarness<String, ?, ?, ?> h, String user)
      throws Exception {
    h.prepareSnapshotPreBarrier(0);
    return storedUser(h, user);
  }

  /** The user's record as the state holds it now, without writing what the cache holds. */
  static PolicyUser storedUser(KeyedBroadcastOperatorTestHarness<String, ?, ?, ?> h, String user)
      throws Exception {
    ValueState<PolicyUser> s =
        backend(h, user)
            .getPartitionedState(
                VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, PolicyState.user());
    return s.value();
  }

  /** The user's held-decisions entry for {@code decisionId}, or null. */
  static HeldDecision held(
      KeyedBroadcastOperatorTestHarness<String, ?, ?, ?> h, String user, String decisionId)
      throws Exception {
    MapState<String, HeldDecision> s =
        backend(h, user)
            .getPartitionedState(
                VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, PolicyState.held());
    return s.get(decisionId);
  }

  private static KeyedStateBackend<String> backend(
      KeyedBroadcastOperatorTestHarness<String, ?, ?, ?> h, String user) {
    KeyedStateBackend<String> backend = h.getOperator().getKeyedStateBackend();
    backend.setCurrentKey(user);
    return backend;
  }
}

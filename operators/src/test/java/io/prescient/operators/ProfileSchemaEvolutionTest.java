package io.prescient.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.models.rules.CartAbandonmentRule;
import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import io.prescient.state.profile.Metric;
import io.prescient.state.profile.ProfileUpdater;
import io.prescient.state.profile.UserProfile;
import io.prescient.state.profile.Window;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;

/**
 * State written by the previous profile version (commit 35dc51a: no activity windows, affinities,
 * purchase history or recent views, and the POJO serializer) restores into the current one: the
 * profiles are read with that version's POJO serializer, its missing fields get their defaults, and
 * they are rewritten by {@link UserProfileSerializer}; the cart and the pending timer survive. The
 * snapshot in src/test/resources/migration was written by that version's code (u1: a view and a
 * cart add, u2: two purchases, watermark before both).
 */
class ProfileSchemaEvolutionTest {
  static final long T0 = 1_300_000_020_000L;

  @Test
  void restoresStateWrittenBeforeFieldsWereAdded() throws Exception {
    OperatorSubtaskState v1 =
        OperatorSnapshotUtil.readStateHandle(
            Path.of(
                    ProfileSchemaEvolutionTest.class
                        .getResource("/migration/profile-v1-heap.snapshot")
                        .toURI())
                .toString());
    ProfileFunction fn =
        new ProfileFunction(
            new CartAbandonmentRule(3_600_000L, 7 * 86_400_000L),
            Duration.ofMinutes(10),
            Duration.ofMinutes(1),
            Duration.ofDays(400),
            1024,
            ProfileUpdater.Settings.defaults());
    try (KeyedOneInputStreamOperatorTestHarness<String, Envelope, PolicyInput> h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(fn), Envelope::userId, Types.STRING)) {
      h.setStateBackend(new HashMapStateBackend());
      h.initializeState(v1);
      h.open();

      UserProfile u2 = profileOf(h, "u2");
      assertThat(u2.purchases).isEqualTo(2);
      assertThat(u2.revenue).isEqualTo(40.0);
      assertThat(u2.windows).isNotNull();
      assertThat(u2.recentPurchases).isEmpty();

      // The restored profile keeps growing, now with the new fields.
      Event e = new Event("b3", "u2", EventType.PURCHASE, T0 + 120_000);
      e.productId = "p7";
      e.price = 5.0;
      h.processElement(new StreamRecord<>(Envelope.of(e, "events", 0, 0), e.timestamp));
      u2 = profileOf(h, "u2");
      assertThat(u2.purchases).isEqualTo(3);
      assertThat(u2.windows.sum(Window.LIFETIME, Metric.PURCHASES, T0 + 120_000)).isEqualTo(1);
      assertThat(u2.recentPurchases).containsExactly(T0 + 120_000);

      // u1's cart and its timer survived: the reminder is decided, named after the v1 event.
      h.processWatermark(new Watermark(T0 + 3 * 3_600_000L));
      assertThat(h.extractOutputValues())
          .filteredOn(c -> c.kind == PolicyInput.Kind.CANDIDATE)
          .extracting(
              c -> c.candidate.decision.userId + ":" + c.candidate.decision.triggeringEventId)
          .containsExactly("u1:c1");
    }
  }

  private static UserProfile profileOf(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, PolicyInput> h, String user)
      throws Exception {
    KeyedStateBackend<String> backend = h.getOperator().getKeyedStateBackend();
    backend.setCurrentKey(user);
    ValueState<UserProfile> state =
        backend.getPartitionedState(
            VoidNamespace.INSTANCE,
            VoidNamespaceSerializer.INSTANCE,
            ProfileState.profile(Duration.ofDays(400)));
    return state.value();
  }
}

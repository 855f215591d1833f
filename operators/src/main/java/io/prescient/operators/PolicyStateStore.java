package io.prescient.operators;

import io.prescient.state.contract.Feedback;
import io.prescient.state.contract.Outcome;
import io.prescient.state.profile.KeyedStore;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;

/** The user's keyed state in RocksDB (the current key is the user). */
record PolicyStateStore(
    ValueState<PolicyUser> userState,
    KeyedStore<HeldDecision> held,
    KeyedStore<Feedback> open,
    KeyedStore<Outcome> buffered,
    KeyedStore<long[]> sends,
    KeyedStore<long[]> shown)
    implements PolicyCore.Store {
  /** The policy's keyed states of this operator ({@link PolicyState}). */
  static PolicyStateStore of(RuntimeContext rc) {
    return new PolicyStateStore(
        rc.getState(PolicyState.user()),
        new MapStateStore<>(rc.getMapState(PolicyState.held())),
        new MapStateStore<>(rc.getMapState(PolicyState.open())),
        new MapStateStore<>(rc.getMapState(PolicyState.outcomes())),
        new MapStateStore<>(rc.getMapState(PolicyState.sends())),
        new MapStateStore<>(rc.getMapState(PolicyState.shown())));
  }

  @Override
  public PolicyUser user() throws Exception {
    return userState.value();
  }

  @Override
  public void putUser(PolicyUser user) throws Exception {
    userState.update(user);
  }

  @Override
  public void clearUser() {
    userState.clear();
  }
}

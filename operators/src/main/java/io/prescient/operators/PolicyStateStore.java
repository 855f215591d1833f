package io.prescient.operators;

import io.prescient.state.contract.Feedback;
import io.prescient.state.contract.Outcome;
import io.prescient.state.profile.KeyedStore;
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

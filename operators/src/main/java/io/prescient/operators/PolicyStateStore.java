package io.prescient.operators;

import io.prescient.state.contract.Feedback;
import io.prescient.state.contract.Outcome;
import io.prescient.state.profile.KeyedStore;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;

/**
 * The user's keyed state in RocksDB (the current key is the user). Within one input the user record
 * and the message and shown histories are read from RocksDB once ({@link MemoStore}): settling and
 * deciding both read the record, the caps and the recommendations read a history that the release
 * then appends to. {@link #newInput} before each input.
 */
final class PolicyStateStore implements PolicyCore.Store {
  private final ValueState<PolicyUser> userState;
  private final KeyedStore<HeldDecision> held;
  private final KeyedStore<Feedback> open;
  private final KeyedStore<Outcome> buffered;
  private final MemoStore<long[]> sends;
  private final MemoStore<long[]> shown;

  /** The user record as read or written in this input, when {@link #userKnown}. */
  private PolicyUser user;

  private boolean userKnown;

  private PolicyStateStore(
      ValueState<PolicyUser> userState,
      KeyedStore<HeldDecision> held,
      KeyedStore<Feedback> open,
      KeyedStore<Outcome> buffered,
      KeyedStore<long[]> sends,
      KeyedStore<long[]> shown) {
    this.userState = userState;
    this.held = held;
    this.open = open;
    this.buffered = buffered;
    this.sends = new MemoStore<>(sends, long[]::clone);
    this.shown = new MemoStore<>(shown, long[]::clone);
  }

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

  /** Forgets what the last input read: this one may be another user's. */
  void newInput() {
    userKnown = false;
    user = null;
    sends.newInput();
    shown.newInput();
  }

  /**
   * The user's record: the same object for every read of one input until it is put, so a change
   * made and not put is seen by the next read of the same input (the core puts every change it
   * means to keep, and reads the record again only after putting it).
   */
  @Override
  public PolicyUser user() throws Exception {
    if (!userKnown) {
      user = userState.value();
      userKnown = true;
    }
    return user;
  }

  @Override
  public void putUser(PolicyUser u) throws Exception {
    userState.update(u);
    user = u;
    userKnown = true;
  }

  @Override
  public void clearUser() {
    userState.clear();
    user = null;
    userKnown = true;
  }

  @Override
  public KeyedStore<HeldDecision> held() {
    return held;
  }

  @Override
  public KeyedStore<Feedback> open() {
    return open;
  }

  @Override
  public KeyedStore<Outcome> buffered() {
    return buffered;
  }

  @Override
  public KeyedStore<long[]> sends() {
    return sends;
  }

  @Override
  public KeyedStore<long[]> shown() {
    return shown;
  }
}

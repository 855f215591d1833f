package io.prescient.operators;

import io.prescient.state.contract.Feedback;
import io.prescient.state.contract.Outcome;
import io.prescient.state.profile.KeyedStore;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * The user's keyed state in RocksDB (the current key is the user), with a heap cache of the user
 * records ({@link PolicyUser}) in front of the {@code policy-user} state.
 *
 * <p>Every input of the policy reads the user's record (to find what is due), so without the cache
 * each one costs a RocksDB read and a deserialization, and each change a serialization and a write.
 * Under {@link PolicyOperator} ({@link #writeBehind}) the cache is write-behind: a changed record
 * is written when the cache evicts it, under its own user's key, and every changed record before a
 * checkpoint barrier and at the end of input ({@link #writeCached}). Without it the cache is off.
 * The other states (held decisions, open feedback, message history) are read and written as they
 * are: they are touched only by decisions and their settling.
 *
 * <p>A record handed out by {@link #user} is the cached one: the core changes it and then puts it
 * ({@link PolicyCore} does on every path that changes one), as with the profile.
 */
final class PolicyStateStore implements PolicyCore.Store {
  private final ValueState<PolicyUser> userState;
  private final KeyedStore<HeldDecision> held;
  private final KeyedStore<Feedback> open;
  private final KeyedStore<Outcome> buffered;
  private final KeyedStore<long[]> sends;
  private final KeyedStore<long[]> shown;
  private final UserCache<PolicyUser> cache;
  private final Counter cacheHits;
  private KeyContext keys;

  /**
   * The policy's keyed states of this operator ({@link PolicyState}), with up to {@code cacheSize}
   * records cached.
   */
  PolicyStateStore(RuntimeContext rc, int cacheSize, Counter cacheHits) {
    userState = rc.getState(PolicyState.user());
    held = new MapStateStore<>(rc.getMapState(PolicyState.held()));
    open = new MapStateStore<>(rc.getMapState(PolicyState.open()));
    buffered = new MapStateStore<>(rc.getMapState(PolicyState.outcomes()));
    sends = new MapStateStore<>(rc.getMapState(PolicyState.sends()));
    shown = new MapStateStore<>(rc.getMapState(PolicyState.shown()));
    cache = new UserCache<>(cacheSize, 0); // policy state has no TTL
    this.cacheHits = cacheHits;
  }

  /** Turns the cache on, write-behind (see the class comment). */
  void writeBehind(KeyContext keys) {
    this.keys = keys;
  }

  private boolean cached() {
    return keys != null && cache.enabled();
  }

  @Override
  public PolicyUser user() throws Exception {
    if (!cached()) {
      return userState.value();
    }
    String user = (String) keys.getCurrentKey();
    UserCache.Entry<PolicyUser> e = cache.lookup(user, 0);
    if (e != null) {
      cacheHits.inc();
      return e.value;
    }
    PolicyUser stored = userState.value();
    keep(user, stored, false); // null too: a user without a record is not read again
    return stored;
  }

  @Override
  public void putUser(PolicyUser user) throws Exception {
    if (cached()) {
      keep((String) keys.getCurrentKey(), user, true);
    } else {
      userState.update(user);
    }
  }

  @Override
  public void clearUser() throws Exception {
    userState.clear();
    if (cached()) {
      keep((String) keys.getCurrentKey(), null, false);
    }
  }

  /** Caches the user's record; a changed one the cache evicts is written now, under its key. */
  private void keep(String user, PolicyUser value, boolean dirty) throws Exception {
    UserCache.Unwritten<PolicyUser> evicted = cache.put(user, value, 0, dirty);
    if (evicted != null) {
      keys.setCurrentKey(evicted.user());
      write(evicted.value());
      keys.setCurrentKey(user);
    }
  }

  /** Writes every cached record changed since its last write, each under its own key. */
  void writeCached() throws Exception {
    if (!cached()) {
      return;
    }
    Object current = keys.getCurrentKey();
    for (UserCache.Unwritten<PolicyUser> u : cache.takeDirty()) {
      keys.setCurrentKey(u.user());
      write(u.value());
    }
    if (current != null) {
      keys.setCurrentKey(current);
    }
  }

  private void write(PolicyUser value) throws Exception {
    if (value == null) {
      userState.clear();
    } else {
      userState.update(value);
    }
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

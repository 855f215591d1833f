package io.prescient.operators;

import io.prescient.state.contract.Feedback;
import io.prescient.state.contract.Outcome;
import io.prescient.state.profile.KeyedStore;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * The user's keyed state in RocksDB (the current key is the user). Within one input the user record
 * and the message and shown histories are read from RocksDB once ({@link MemoStore}): settling and
 * deciding both read the record, the caps and the recommendations read a history that the release
 * then appends to. {@link #newInput} before each input.
 *
 * <p>Across inputs the user records ({@link PolicyUser}: consent, last purchase, the due-time
 * index) of the users seen last stay on the heap ({@link UserCache}), since every input of the
 * policy reads one to find what is due. Under {@link PolicyOperator} ({@link #writeBehind}) the
 * cache is write-behind: a changed record is written when the cache evicts it, under its own user's
 * key, and every changed record before a checkpoint barrier and at the end of input ({@link
 * #writeCached}), and, with a write-after age, records changed that long ago a few per input
 * ({@link #newInput}). Without it (Flink's own operator, as in some tests) records are read and
 * written as they are.
 */
final class PolicyStateStore implements PolicyCore.Store {
  private final ValueState<PolicyUser> userState;
  private final KeyedStore<HeldDecision> held;
  private final KeyedStore<Feedback> open;
  private final KeyedStore<Outcome> buffered;
  private final MemoStore<long[]> sends;
  private final MemoStore<long[]> shown;
  private final UserCache<PolicyUser> cache;
  private final Counter cacheHits;

  /** Set by {@link #writeBehind}: the cache is on. */
  private KeyContext keys;

  private long writeAfterMs;

  /** Set by {@link #historiesFollowRecord}: a user without a record has no message history. */
  private boolean historiesFollowRecord;

  /** The user record as read or written in this input, when {@link #userKnown}. */
  private PolicyUser user;

  private boolean userKnown;

  private PolicyStateStore(
      ValueState<PolicyUser> userState,
      KeyedStore<HeldDecision> held,
      KeyedStore<Feedback> open,
      KeyedStore<Outcome> buffered,
      KeyedStore<long[]> sends,
      KeyedStore<long[]> shown,
      int cacheSize,
      Counter cacheHits) {
    this.userState = userState;
    this.held = held;
    this.open = open;
    this.buffered = buffered;
    this.sends = new MemoStore<>(sends, long[]::clone);
    this.shown = new MemoStore<>(shown, long[]::clone);
    this.cache = new UserCache<>(cacheSize, 0); // policy state has no TTL
    this.cacheHits = cacheHits;
  }

  /** The policy's keyed states of this operator ({@link PolicyState}). */
  static PolicyStateStore of(RuntimeContext rc, int cacheSize, Counter cacheHits) {
    return new PolicyStateStore(
        rc.getState(PolicyState.user()),
        new MapStateStore<>(rc.getMapState(PolicyState.held())),
        new MapStateStore<>(rc.getMapState(PolicyState.open())),
        new MapStateStore<>(rc.getMapState(PolicyState.outcomes())),
        new MapStateStore<>(rc.getMapState(PolicyState.sends())),
        new MapStateStore<>(rc.getMapState(PolicyState.shown())),
        cacheSize,
        cacheHits);
  }

  /**
   * Turns the cache on, write-behind (see the class comment); records changed {@code writeAfterMs}
   * ago or longer are written before the barrier, a few per input (0: only when evicted and at
   * barriers).
   */
  void writeBehind(KeyContext keys, long writeAfterMs) {
    this.keys = keys;
    this.writeAfterMs = writeAfterMs;
  }

  /**
   * Whether every user with a message or shown history has a record (state format 2 and later: a
   * release appends to the histories and puts the record in the same input, and only erase removes
   * a record, with the histories). Then a user found without a record (a new one) has their
   * histories answered without RocksDB reads for the rest of the input.
   */
  void historiesFollowRecord(boolean follow) {
    this.historiesFollowRecord = follow;
  }

  private boolean cached() {
    return keys != null && cache.enabled();
  }

  /**
   * Forgets what the last input read (this one may be another user's), and writes a few cached
   * records that have waited the write-after age, before the input reads or changes any.
   */
  void newInput() throws Exception {
    userKnown = false;
    user = null;
    sends.newInput();
    shown.newInput();
    if (cached() && writeAfterMs > 0) {
      Object current = keys.getCurrentKey();
      int wrote =
          cache.writeStale(
              keys,
              userState,
              System.currentTimeMillis(),
              writeAfterMs,
              ProfileStateStore.STALE_WRITES_PER_INPUT);
      if (wrote > 0) {
        keys.setCurrentKey(current);
      }
    }
  }

  /**
   * The user's record: the same object for every read of one input until it is put, so a change
   * made and not put is seen by the next read of the same input (the core puts every change it
   * means to keep, and reads the record again only after putting it). With the cache on it is the
   * cached object, which the next input reads too: the core puts what it changes before the input
   * ends.
   */
  @Override
  public PolicyUser user() throws Exception {
    if (!userKnown) {
      user = load();
      userKnown = true;
      if (user == null && historiesFollowRecord) {
        sends.knownEmpty();
        shown.knownEmpty();
      }
    }
    return user;
  }

  private PolicyUser load() throws Exception {
    if (!cached()) {
      return userState.value();
    }
    String key = (String) keys.getCurrentKey();
    UserCache.Entry<PolicyUser> e = cache.lookup(key, 0);
    if (e != null) {
      cacheHits.inc();
      return e.value;
    }
    PolicyUser stored = userState.value();
    keep(key, stored, false); // null too: a user without a record is not read again
    return stored;
  }

  @Override
  public void putUser(PolicyUser u) throws Exception {
    user = u;
    userKnown = true;
    if (cached()) {
      keep((String) keys.getCurrentKey(), u, true);
    } else {
      userState.update(u);
    }
  }

  @Override
  public void clearUser() throws Exception {
    userState.clear();
    user = null;
    userKnown = true;
    if (cached()) {
      keep((String) keys.getCurrentKey(), null, false);
    }
  }

  /** Caches the user's record; a changed one the cache evicts is written now, under its key. */
  private void keep(String key, PolicyUser value, boolean dirty) throws Exception {
    cache.put(keys, userState, key, value, System.currentTimeMillis(), dirty);
  }

  /** Writes every cached record changed since its last write, each under its own user's key. */
  void writeCached() throws Exception {
    if (!cached()) {
      return;
    }
    Object current = keys.getCurrentKey();
    cache.writeDirty(keys, userState);
    if (current != null) {
      keys.setCurrentKey(current);
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

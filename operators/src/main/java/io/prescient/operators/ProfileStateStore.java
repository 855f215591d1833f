package io.prescient.operators;

import io.prescient.state.contract.Effect;
import io.prescient.state.profile.Affinity;
import io.prescient.state.profile.BrowseSession;
import io.prescient.state.profile.CartLine;
import io.prescient.state.profile.KeyedStore;
import io.prescient.state.profile.LifecycleState;
import io.prescient.state.profile.UserProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.LongConsumer;
import java.util.function.UnaryOperator;
import org.apache.flink.api.common.functions.RuntimeContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * The profile operator's keyed state in RocksDB (the current key is the user), with the heap cache
 * of recent profiles in front of the profile state.
 *
 * <p>Without the operator's {@link KeyContext} the cache is write-through: every profile change is
 * written to RocksDB at once. With it (set by {@link ProfileOperator}) it is write-behind: a
 * profile is written when the cache evicts it, under its own user's key, and every changed profile
 * before a checkpoint barrier and at the end of input ({@link #writeCached}). With a write-after
 * age, values changed that long ago are written a few per input ({@link #newInput}), so that a
 * barrier writes only those changed since.
 */
final class ProfileStateStore {
  /** Values of each cache written per input at most, once they have waited the write-after age. */
  static final int STALE_WRITES_PER_INPUT = 2;

  private final ValueState<UserProfile> profileState;
  private final ValueState<BrowseSession> browseState;
  private final ValueState<LifecycleState> lifecycleState;
  private final MemoStore<CartLine> cart;
  // Before profile format 2 the event ids and affinities were map states of their own: still
  // registered, so that state restored from then is merged into the profile and erase clears it.
  private final MapState<String, Long> legacyEventIds;
  private final MapState<String, Affinity> legacyAffinities;
  private final UserCache<UserProfile> cache;
  private final UserCache<BrowseSession> browseCache;
  private final UserCache<LifecycleState> lifecycleCache;
  private final Counter cacheHits;
  private KeyContext keys;
  private long writeAfterMs;

  ProfileStateStore(RuntimeContext rc, Duration stateTtl, int cacheSize, Counter cacheHits) {
    profileState = rc.getState(ProfileState.profile(stateTtl));
    browseState = rc.getState(ProfileState.browse(stateTtl));
    lifecycleState = rc.getState(ProfileState.lifecycle(stateTtl));
    cart =
        new MemoStore<>(
            new MapStateStore<>(rc.getMapState(ProfileState.cart(stateTtl))), CartLine::copy);
    legacyEventIds = rc.getMapState(ProfileState.seenEventIds(stateTtl));
    legacyAffinities = rc.getMapState(ProfileState.affinities(stateTtl));
    long ttlMs = stateTtl == null || stateTtl.isNegative() ? 0 : stateTtl.toMillis();
    cache = new UserCache<>(cacheSize, ttlMs);
    browseCache = new UserCache<>(cacheSize, ttlMs);
    lifecycleCache = new UserCache<>(cacheSize, ttlMs);
    this.cacheHits = cacheHits;
  }

  /**
   * Makes the cache write-behind (see the class comment); values changed {@code writeAfterMs} ago
   * or longer are written before the barrier, a few per input (0: only when evicted and at
   * barriers).
   */
  void writeBehind(KeyContext keys, long writeAfterMs) {
    this.keys = keys;
    this.writeAfterMs = writeAfterMs;
  }

  /**
   * The user's cart: read from RocksDB once per input however often the triggers, the rule and the
   * features ask ({@link MemoStore}).
   */
  KeyedStore<CartLine> cart() {
    return cart;
  }

  /**
   * Forgets what the last input read of the cart (this one may be another user's), and writes a few
   * of the cached values that have waited the write-after age. Called before the input reads or
   * changes anything, so no value written here is half changed.
   */
  void newInput() throws Exception {
    cart.newInput();
    if (keys == null || writeAfterMs <= 0) {
      return;
    }
    long now = System.currentTimeMillis();
    Object current = keys.getCurrentKey();
    int n = STALE_WRITES_PER_INPUT;
    int wrote =
        cache.writeStale(keys, profileState, now, writeAfterMs, n)
            + browseCache.writeStale(keys, browseState, now, writeAfterMs, n)
            + lifecycleCache.writeStale(keys, lifecycleState, now, writeAfterMs, n);
    if (wrote > 0) {
      keys.setCurrentKey(current);
    }
  }

  /** The user's browse session (a copy: changing it changes nothing until {@link #putBrowse}). */
  BrowseSession browse(String user) throws Exception {
    return read(user, browseState, browseCache, BrowseSession::copy);
  }

  void putBrowse(String user, BrowseSession s) throws Exception {
    write(user, s, browseState, browseCache, BrowseSession::copy);
  }

  /** The user's order history (a copy, as {@link #browse}). */
  LifecycleState lifecycle(String user) throws Exception {
    return read(user, lifecycleState, lifecycleCache, LifecycleState::copy);
  }

  void putLifecycle(String user, LifecycleState s) throws Exception {
    write(user, s, lifecycleState, lifecycleCache, LifecycleState::copy);
  }

  /**
   * The user's value from the cache, or from state. Cached values are copies handed out as copies,
   * so a value changed and not put is not kept, as with RocksDB alone.
   */
  private static <T> T read(String user, ValueState<T> state, UserCache<T> c, UnaryOperator<T> copy)
      throws Exception {
    UserCache.Entry<T> e = c.lookup(user, System.currentTimeMillis());
    if (e != null) {
      return e.value == null ? null : copy.apply(e.value);
    }
    return state.value();
  }

  /**
   * Keeps the user's value (null: none) as the latest: in the cache only under write-behind,
   * written to state at once otherwise. A dirty value the cache evicts is written now, under its
   * own user's key.
   */
  private <T> void write(
      String user, T value, ValueState<T> state, UserCache<T> c, UnaryOperator<T> copy)
      throws Exception {
    boolean behind = keys != null && c.enabled();
    if (!behind) {
      UserCache.write(state, value);
    }
    c.put(
        keys,
        state,
        user,
        value == null ? null : copy.apply(value),
        System.currentTimeMillis(),
        behind);
  }

  /** A new user's profile: it holds its affinities and event ids itself. */
  static UserProfile newProfile() {
    UserProfile p = new UserProfile();
    p.mapsMerged = true;
    return p;
  }

  /**
   * The user's profile, or null for a new user. A profile restored from state written before
   * profile format 2 gets the affinities and event ids kept then in their own map states merged in,
   * once: the maps are cleared and the profile written at once.
   */
  UserProfile profile(String user) throws Exception {
    UserProfile p = cache.get(user, System.currentTimeMillis());
    if (p != null) {
      cacheHits.inc();
      return p; // cached profiles are merged: they were written since the restore
    }
    p = profileState.value();
    if (p != null && ProfileState.mergeLegacyMaps(p, legacyAffinities, legacyEventIds)) {
      legacyAffinities.clear();
      legacyEventIds.clear();
      write(user, p);
    }
    return p;
  }

  /**
   * An event of a user without a profile ({@link #profile} gave null): the user has no browse
   * session either, and the cache records it as absent, so that neither this input nor the next
   * reads it from RocksDB (every event reads it; under {@code bench-latency}, where every user is
   * new, those reads were about 5% of the task's CPU). Each input that writes a browse session
   * writes the profile too, under the same TTL; but written behind, each reaches RocksDB on its own
   * (eviction, age, the next barrier), so the profile may expire up to about one checkpoint
   * interval before the session (without checkpoints, up to the cache's turnover). A user returning
   * in that window after a TTL of inactivity starts a new session instead of reading the expiring
   * one. Erase reads state whatever the cache marks ({@link #erase}). Only events mark: onsite
   * requests of unknown visitors do not fill the cache. The order history is read only after a
   * purchase, so it is not marked (a mark would take a cache slot for every new user).
   */
  void newUser(String user) throws Exception {
    long now = System.currentTimeMillis();
    if (browseCache.enabled() && browseCache.lookup(user, now) == null) {
      browseCache.put(keys, browseState, user, null, now, false);
    }
  }

  /**
   * Keeps the profile as the user's latest (see {@link #write(String, Object, ValueState,
   * UserCache, UnaryOperator)}); profiles are not copied.
   */
  void write(String user, UserProfile p) throws Exception {
    write(user, p, profileState, cache, UnaryOperator.identity());
  }

  /**
   * Writes every cached profile, browse session and order history changed since its last write
   * (before a checkpoint barrier).
   */
  void writeCached() throws Exception {
    if (keys == null) {
      return;
    }
    Object current = keys.getCurrentKey();
    cache.writeDirty(keys, profileState);
    browseCache.writeDirty(keys, browseState);
    lifecycleCache.writeDirty(keys, lifecycleState);
    if (current != null) {
      keys.setCurrentKey(current);
    }
  }

  /**
   * Removes every trace of the current user: profile (cached or not), cart, browse session, order
   * history, the state kept before profile format 2, and their timers.
   *
   * @param deleteTimer deletes one of the user's event-time timers
   * @return what was removed, for the audit receipt (nothing_stored for an unknown user)
   */
  List<Effect> erase(String user, LongConsumer deleteTimer) throws Exception {
    List<Effect> effects = new ArrayList<>();
    UserProfile p = profile(user);
    if (p != null) {
      effects.add(Effect.of("profile"));
      if (p.pendingTimer != 0) {
        deleteTimer.accept(p.pendingTimer);
        effects.add(Effect.count("trigger_timers", 1));
      }
    }
    int lines = 0;
    for (Map.Entry<String, CartLine> ignored : cart.entries()) {
      lines++;
    }
    if (lines > 0) {
      effects.add(Effect.count("cart_products", lines));
    }
    int ids = p == null ? 0 : p.recentEventIds.size();
    if (ids > 0) {
      effects.add(Effect.count("event_ids", ids));
    }
    int categories = p == null ? 0 : p.affinityScores.size();
    if (categories > 0) {
      effects.add(Effect.count("category_affinities", categories));
    }
    // What erase reports is read from state: an absent mark of the cache is an inference.
    browseCache.dropAbsent(user);
    BrowseSession browse = browse(user);
    if (browse != null) {
      effects.add(Effect.of("browse_session"));
      if (browse.pendingTimer != 0) {
        deleteTimer.accept(browse.pendingTimer);
        effects.add(Effect.count("browse_timers", 1));
      }
    }
    LifecycleState life = lifecycle(user);
    if (life != null) {
      effects.add(Effect.of("order_history"));
      if (life.pendingTimer != 0) {
        deleteTimer.accept(life.pendingTimer);
        effects.add(Effect.count("lifecycle_timers", 1));
      }
    }
    browseState.clear();
    lifecycleState.clear();
    profileState.clear();
    cache.remove(user);
    browseCache.remove(user);
    lifecycleCache.remove(user);
    cart.clear();
    legacyEventIds.clear(); // empty once merged into the profile; cleared in any case
    legacyAffinities.clear();
    if (effects.isEmpty()) {
      effects.add(Effect.of("nothing_stored"));
    }
    return effects;
  }
}

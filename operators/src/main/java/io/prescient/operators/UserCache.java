package io.prescient.operators;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.streaming.api.operators.KeyContext;

/**
 * One keyed value of the users a task saw last (the profile, the browse session and the order
 * history in {@link ProfileStateStore}; the policy's user record in {@link PolicyStateStore}), so
 * that a user's next input skips the RocksDB read and the deserialization. Each entry is either
 * written to keyed state already (clean) or changed since (dirty): under {@link ProfileOperator}
 * and {@link PolicyOperator} the task writes dirty values when they are evicted and before every
 * checkpoint barrier (write-behind), otherwise every change is written at once (write-through).
 * Either way a checkpoint or savepoint holds every value in full, and a restored task starts with
 * the cache empty.
 *
 * <p>An entry older than the state TTL (by wall clock, which is what Flink's TTL uses) is dropped
 * instead of served. Least recently used entries go first beyond {@code capacity}; capacity 0 turns
 * the cache off.
 *
 * <p>Under write-behind a barrier writes every value changed since the last one, in the task
 * thread, while the records behind it wait: with many users changed per checkpoint that is a stall
 * the decisions feel. {@link #takeStale} hands out the values that have waited longest, so that the
 * stores write them a few per input, and a barrier finds only those changed recently.
 */
final class UserCache<T> {
  /** A cached value; null: the user has none (known, not to be read again). */
  static final class Entry<T> {
    final T value;
    final long writtenAt;
    boolean dirty;

    /** When the value first differed from state, since its last write (wall clock, ms). */
    long dirtySince;

    Entry(T value, long writtenAt, boolean dirty) {
      this.value = value;
      this.writtenAt = writtenAt;
      this.dirty = dirty;
    }
  }

  /** A value leaving the cache that still has to be written to state (null: cleared). */
  record Unwritten<T>(String user, T value) {}

  private final int capacity;
  private final long ttlMs;
  private final LinkedHashMap<String, Entry<T>> entries = new LinkedHashMap<>(16, 0.75f, true);

  /**
   * The dirty entries, in the order they became dirty (a change to a dirty one keeps its place).
   */
  private final LinkedHashMap<String, Entry<T>> dirtyOrder = new LinkedHashMap<>();

  /**
   * @param ttlMs the state TTL in milliseconds, or 0 for none
   */
  UserCache(int capacity, long ttlMs) {
    this.capacity = Math.max(0, capacity);
    this.ttlMs = ttlMs;
  }

  boolean enabled() {
    return capacity > 0;
  }

  /** The user's latest value, or null when it is not cached (or too old to serve). */
  T get(String user, long now) {
    Entry<T> e = lookup(user, now);
    return e == null ? null : e.value;
  }

  /** The user's entry, or null when nothing of the user is cached (or too old to serve). */
  Entry<T> lookup(String user, long now) {
    if (capacity == 0) {
      return null;
    }
    Entry<T> e = entries.get(user);
    if (e == null) {
      return null;
    }
    if (ttlMs > 0 && now - e.writtenAt >= ttlMs) { // the state would have expired
      entries.remove(user);
      dirtyOrder.remove(user);
      return null;
    }
    return e;
  }

  /**
   * Records the user's latest value, {@code dirty} when it is not written to state yet. Returns the
   * least recently used value it evicted to stay within capacity if that one is dirty (the caller
   * writes it), else null.
   */
  Unwritten<T> put(String user, T value, long now, boolean dirty) {
    if (capacity == 0) {
      return null;
    }
    Entry<T> e = new Entry<>(value, now, dirty);
    entries.put(user, e);
    if (dirty) {
      Entry<T> was = dirtyOrder.put(user, e); // a key already there keeps its place
      e.dirtySince = was == null ? now : was.dirtySince;
    } else {
      dirtyOrder.remove(user);
    }
    if (entries.size() <= capacity) {
      return null;
    }
    Iterator<Map.Entry<String, Entry<T>>> eldest = entries.entrySet().iterator();
    Map.Entry<String, Entry<T>> out = eldest.next();
    eldest.remove();
    if (!out.getValue().dirty) {
      return null;
    }
    dirtyOrder.remove(out.getKey());
    return new Unwritten<>(out.getKey(), out.getValue().value);
  }

  /**
   * {@link #put}, and a dirty value evicted to make room is written to {@code state} at once, under
   * its own user's key; {@code user}'s key is current again afterwards.
   */
  void put(KeyContext keys, ValueState<T> state, String user, T value, long now, boolean dirty)
      throws Exception {
    Unwritten<T> evicted = put(user, value, now, dirty);
    if (evicted != null) {
      write(keys, state, evicted);
      keys.setCurrentKey(user);
    }
  }

  /** The dirty values, which are clean from then on (the caller writes them all). */
  List<Unwritten<T>> takeDirty() {
    List<Unwritten<T>> out = new ArrayList<>(dirtyOrder.size());
    for (Map.Entry<String, Entry<T>> e : dirtyOrder.entrySet()) {
      out.add(new Unwritten<>(e.getKey(), e.getValue().value));
      e.getValue().dirty = false;
    }
    dirtyOrder.clear();
    return out;
  }

  /**
   * At most {@code max} of the values dirty since {@code ageMs} or longer before {@code now}, the
   * longest waiting first; they are clean from then on (the caller writes them).
   */
  List<Unwritten<T>> takeStale(long now, long ageMs, int max) {
    List<Unwritten<T>> out = List.of();
    Iterator<Map.Entry<String, Entry<T>>> it = dirtyOrder.entrySet().iterator();
    while (out.size() < max && it.hasNext()) {
      Map.Entry<String, Entry<T>> e = it.next();
      if (now - e.getValue().dirtySince < ageMs) {
        break;
      }
      if (out.isEmpty()) {
        out = new ArrayList<>(max);
      }
      out.add(new Unwritten<>(e.getKey(), e.getValue().value));
      e.getValue().dirty = false;
      it.remove();
    }
    return out;
  }

  /**
   * Writes at most {@code max} values dirty for {@code ageMs} or longer to {@code state}, each
   * under its own user's key (the last one's is left set); returns how many it wrote.
   */
  int writeStale(KeyContext keys, ValueState<T> state, long now, long ageMs, int max)
      throws Exception {
    if (dirtyOrder.isEmpty()) {
      return 0;
    }
    List<Unwritten<T>> stale = takeStale(now, ageMs, max);
    for (Unwritten<T> u : stale) {
      write(keys, state, u);
    }
    return stale.size();
  }

  /** How many values are dirty. */
  int dirtyCount() {
    return dirtyOrder.size();
  }

  /**
   * Writes every dirty value to {@code state}, each under its own user's key (the last one's is
   * left set); they are clean from then on.
   */
  void writeDirty(KeyContext keys, ValueState<T> state) throws Exception {
    for (Unwritten<T> u : takeDirty()) {
      write(keys, state, u);
    }
  }

  /**
   * Writes a value leaving the cache to {@code state} under its user's key (which it leaves set).
   */
  static <T> void write(KeyContext keys, ValueState<T> state, Unwritten<T> u) throws Exception {
    keys.setCurrentKey(u.user());
    write(state, u.value());
  }

  /** Writes {@code value} to {@code state} under the current key; null clears it. */
  static <T> void write(ValueState<T> state, T value) throws Exception {
    if (value == null) {
      state.clear();
    } else {
      state.update(value);
    }
  }

  /**
   * Drops the user's entry if it holds no value and nothing unwritten (so the next read goes to
   * state).
   */
  void dropAbsent(String user) {
    Entry<T> e = entries.get(user);
    if (e != null && e.value == null && !e.dirty) {
      entries.remove(user);
    }
  }

  /** The user's state was cleared: whatever was cached of them is gone. */
  void remove(String user) {
    entries.remove(user);
    dirtyOrder.remove(user);
  }

  int size() {
    return entries.size();
  }
}

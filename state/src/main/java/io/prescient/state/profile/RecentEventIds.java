package io.prescient.state.profile;

import java.util.Arrays;

/**
 * The ids of a user's recent events, for de-duplication: a 64-bit hash of each id with the event's
 * time. Kept inside the profile, so checking an event costs no state lookup of its own. Ids are
 * dropped once their event time is behind the lateness bound (a repeat would be rejected as late
 * before it reaches the duplicate check) and, beyond {@link #MAX} ids, oldest first.
 *
 * <p>Two different ids of one user within the lateness horizon collide with probability about
 * n²/2⁶⁵ (n ids kept): 3·10⁻¹² at 10,000 ids.
 */
public final class RecentEventIds {
  /** At most this many ids per user; more within the lateness horizon drop the oldest. */
  public static final int MAX = 10_000;

  /** What {@link #firstSeenAt} answers for an id it does not hold. */
  public static final long NONE = Long.MIN_VALUE;

  private long[] hashes = new long[0];
  private long[] times = new long[0];
  private int size;

  public int size() {
    return size;
  }

  /** The hash of entry {@code i} (0 .. size - 1), in insertion order. */
  public long hashAt(int i) {
    return hashes[i];
  }

  /** The event time of entry {@code i}. */
  public long timeAt(int i) {
    return times[i];
  }

  /** The event time of an earlier event with this id, or {@link #NONE}. */
  public long firstSeenAt(String eventId) {
    long h = hash(eventId);
    for (int i = 0; i < size; i++) {
      if (hashes[i] == h) {
        return times[i];
      }
    }
    return NONE;
  }

  /**
   * Remembers an id (its hash). Returns false if the id could only be kept by forgetting the oldest
   * one (more than {@link #MAX} ids within the horizon).
   */
  public boolean add(String eventId, long eventTime) {
    return addHash(hash(eventId), eventTime);
  }

  /** Remembers a hash as {@link #add} does (for serializers and for merging older state). */
  public boolean addHash(long hash, long eventTime) {
    boolean kept = true;
    if (size == MAX) {
      removeAt(oldest());
      kept = false;
    }
    if (size == hashes.length) {
      int capacity = Math.min(MAX, Math.max(4, size * 2));
      hashes = Arrays.copyOf(hashes, capacity);
      times = Arrays.copyOf(times, capacity);
    }
    hashes[size] = hash;
    times[size] = eventTime;
    size++;
    return kept;
  }

  /** Makes room for {@code n} ids at once (a serializer reading a profile). */
  public void ensureCapacity(int n) {
    if (n > hashes.length) {
      int capacity = Math.min(MAX, n);
      hashes = Arrays.copyOf(hashes, capacity);
      times = Arrays.copyOf(times, capacity);
    }
  }

  /** Forgets every id whose event time is before {@code bound}; returns how many. */
  public int pruneBefore(long bound) {
    int kept = 0;
    for (int i = 0; i < size; i++) {
      if (times[i] >= bound) {
        hashes[kept] = hashes[i];
        times[kept] = times[i];
        kept++;
      }
    }
    int dropped = size - kept;
    size = kept;
    return dropped;
  }

  public void clear() {
    size = 0;
    hashes = new long[0];
    times = new long[0];
  }

  /** Equal when they hold the same ids with the same times in the same order. */
  @Override
  public boolean equals(Object o) {
    return o instanceof RecentEventIds r
        && r.size == size
        && Arrays.equals(hashes, 0, size, r.hashes, 0, size)
        && Arrays.equals(times, 0, size, r.times, 0, size);
  }

  @Override
  public int hashCode() {
    int h = size;
    for (int i = 0; i < size; i++) {
      h = 31 * h + Long.hashCode(hashes[i]) + 17 * Long.hashCode(times[i]);
    }
    return h;
  }

  private int oldest() {
    int at = 0;
    for (int i = 1; i < size; i++) {
      if (times[i] < times[at]) {
        at = i;
      }
    }
    return at;
  }

  private void removeAt(int i) {
    System.arraycopy(hashes, i + 1, hashes, i, size - i - 1);
    System.arraycopy(times, i + 1, times, i, size - i - 1);
    size--;
  }

  /**
   * A 64-bit hash of an event id: FNV-1a over the UTF-16 code units, finished with the SplitMix64
   * mixer so that ids differing in one character spread over all 64 bits. Part of the state format:
   * it never changes.
   */
  public static long hash(String id) {
    long h = 0xcbf29ce484222325L;
    for (int i = 0; i < id.length(); i++) {
      h ^= id.charAt(i);
      h *= 0x100000001b3L;
    }
    h ^= h >>> 30;
    h *= 0xbf58476d1ce4e5b9L;
    h ^= h >>> 27;
    h *= 0x94d049bb133111ebL;
    h ^= h >>> 31;
    return h;
  }
}

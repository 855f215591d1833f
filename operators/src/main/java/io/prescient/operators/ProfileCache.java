package io.prescient.operators;

import io.prescient.state.profile.UserProfile;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The profiles of the users a profile task saw last, as it last wrote them to keyed state: a
 * write-through cache, so a user's next input skips the RocksDB read and the deserialization. Every
 * change is still written to state at once, so checkpoints, savepoints and restores never depend on
 * it; a restored task starts with it empty.
 *
 * <p>Only the owner of the keyed state may use it, and it must put every profile it writes and
 * remove every profile it clears. An entry older than the state TTL (by wall clock, which is what
 * Flink's TTL uses) is dropped instead of served, as the state would have expired. Least recently
 * used entries are evicted beyond {@code capacity}; capacity 0 turns it off.
 */
final class ProfileCache {
  private record Entry(UserProfile profile, long writtenAt) {}

  private final int capacity;
  private final long ttlMs;
  private final Map<String, Entry> entries;

  /**
   * @param ttlMs the state TTL in milliseconds, or 0 for none
   */
  ProfileCache(int capacity, long ttlMs) {
    this.capacity = Math.max(0, capacity);
    this.ttlMs = ttlMs;
    this.entries =
        new LinkedHashMap<>(16, 0.75f, true) {
          @Override
          protected boolean removeEldestEntry(Map.Entry<String, Entry> eldest) {
            return size() > ProfileCache.this.capacity;
          }
        };
  }

  /** The profile as last written for this user, or null when it is not cached (or too old). */
  UserProfile get(String user, long now) {
    if (capacity == 0) {
      return null;
    }
    Entry e = entries.get(user);
    if (e == null) {
      return null;
    }
    if (ttlMs > 0 && now - e.writtenAt >= ttlMs) {
      entries.remove(user);
      return null;
    }
    return e.profile;
  }

  /** Records the profile just written to state for this user. */
  void put(String user, UserProfile profile, long now) {
    if (capacity > 0) {
      entries.put(user, new Entry(profile, now));
    }
  }

  /** The user's state was cleared. */
  void remove(String user) {
    entries.remove(user);
  }

  int size() {
    return entries.size();
  }
}

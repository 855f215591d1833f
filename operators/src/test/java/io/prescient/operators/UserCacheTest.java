package io.prescient.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.state.profile.UserProfile;
import org.junit.jupiter.api.Test;

class UserCacheTest {
  @Test
  void servesWhatWasPutAndEvictsTheLeastRecentlyUsed() {
    UserCache<UserProfile> cache = new UserCache<>(2, 0);
    UserProfile a = new UserProfile();
    UserProfile b = new UserProfile();
    assertThat(cache.put("a", a, 0, false)).isNull();
    assertThat(cache.put("b", b, 0, false)).isNull();
    assertThat(cache.get("a", 1)).isSameAs(a); // a is now the most recently used
    assertThat(cache.put("c", new UserProfile(), 2, false)).isNull(); // b evicted, clean
    assertThat(cache.get("b", 3)).isNull();
    assertThat(cache.get("a", 3)).isSameAs(a);
    assertThat(cache.size()).isEqualTo(2);
    cache.remove("a");
    assertThat(cache.get("a", 4)).isNull();
  }

  @Test
  void anEvictedDirtyProfileIsHandedBackToBeWritten() {
    UserCache<UserProfile> cache = new UserCache<>(1, 0);
    UserProfile a = new UserProfile();
    cache.put("a", a, 0, true);
    UserCache.Unwritten<UserProfile> out = cache.put("b", new UserProfile(), 1, true);
    assertThat(out.user()).isEqualTo("a");
    assertThat(out.value()).isSameAs(a);
  }

  @Test
  void dropAbsentDropsOnlyAnAbsentMarkNeverAValueOrAnUnwrittenClear() {
    UserCache<UserProfile> cache = new UserCache<>(10, 0);
    cache.put("absent", null, 0, false);
    cache.put("cleared", null, 0, true); // cleared in the cache, not yet in state
    cache.put("value", new UserProfile(), 0, false);
    for (String user : new String[] {"absent", "cleared", "value", "unknown"}) {
      cache.dropAbsent(user);
    }
    assertThat(cache.lookup("absent", 1)).isNull(); // the next read goes to state
    assertThat(cache.lookup("cleared", 1)).isNotNull();
    assertThat(cache.lookup("cleared", 1).value).isNull();
    assertThat(cache.dirtyCount()).isEqualTo(1);
    assertThat(cache.get("value", 1)).isNotNull();
  }

  @Test
  void takeDirtyHandsOutEachChangeOnce() {
    UserCache<UserProfile> cache = new UserCache<>(10, 0);
    cache.put("a", new UserProfile(), 0, true);
    cache.put("b", new UserProfile(), 0, false);
    cache.put("c", new UserProfile(), 0, true);
    assertThat(cache.takeDirty()).extracting(UserCache.Unwritten::user).containsExactly("a", "c");
    assertThat(cache.takeDirty()).isEmpty();
    assertThat(cache.get("a", 1)).isNotNull(); // still served, now clean
  }

  @Test
  void takeStaleHandsOutWhatWaitedLongestFirstAndOnlyOnce() {
    UserCache<UserProfile> cache = new UserCache<>(10, 0);
    cache.put("a", new UserProfile(), 1_000, true);
    cache.put("b", new UserProfile(), 2_000, true);
    cache.put("c", new UserProfile(), 2_500, false); // clean: never stale
    UserProfile a2 = new UserProfile();
    cache.put("a", a2, 2_900, true); // changed again: still dirty since 1,000
    cache.put("d", new UserProfile(), 3_000, true);
    assertThat(cache.dirtyCount()).isEqualTo(3);

    assertThat(cache.takeStale(1_999, 1_000, 10)).isEmpty(); // a has waited 999 ms
    var first = cache.takeStale(3_000, 1_000, 1); // at most one
    assertThat(first).extracting(UserCache.Unwritten::user).containsExactly("a");
    assertThat(first.get(0).value()).isSameAs(a2); // its latest value
    assertThat(cache.takeStale(3_000, 1_000, 10))
        .extracting(UserCache.Unwritten::user)
        .containsExactly("b"); // d has waited 0 ms
    assertThat(cache.takeStale(3_000, 1_000, 10)).isEmpty();
    assertThat(cache.takeDirty()).extracting(UserCache.Unwritten::user).containsExactly("d");
    assertThat(cache.get("a", 3_001)).isSameAs(a2); // written, still served
  }

  @Test
  void aValueWrittenOrGoneIsNotStale() {
    UserCache<UserProfile> cache = new UserCache<>(2, 0);
    cache.put("a", new UserProfile(), 0, true);
    cache.put("b", new UserProfile(), 0, true);
    cache.takeDirty(); // both written at a barrier
    cache.put("b", new UserProfile(), 10, true); // b changed after it: dirty since 10
    cache.remove("b"); // erased
    cache.put("c", new UserProfile(), 20, true);
    cache.put("d", new UserProfile(), 30, true); // evicts a (clean)
    assertThat(cache.put("e", new UserProfile(), 40, false).user()).isEqualTo("c"); // evicted
    assertThat(cache.takeStale(1_000, 0, 10))
        .extracting(UserCache.Unwritten::user)
        .containsExactly("d");
  }

  @Test
  void anEntryAsOldAsTheStateTtlIsNotServed() {
    UserCache<UserProfile> cache = new UserCache<>(10, 1_000);
    cache.put("a", new UserProfile(), 5_000, false);
    assertThat(cache.get("a", 5_999)).isNotNull();
    assertThat(cache.get("a", 6_000)).isNull();
    assertThat(cache.size()).isZero();
  }

  @Test
  void sizeZeroKeepsNothing() {
    UserCache<UserProfile> cache = new UserCache<>(0, 0);
    assertThat(cache.enabled()).isFalse();
    assertThat(cache.put("a", new UserProfile(), 0, true)).isNull();
    assertThat(cache.get("a", 0)).isNull();
    assertThat(cache.size()).isZero();
  }
}

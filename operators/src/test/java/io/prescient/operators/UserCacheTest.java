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

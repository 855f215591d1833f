package io.prescient.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.state.profile.UserProfile;
import org.junit.jupiter.api.Test;

class ProfileCacheTest {
  @Test
  void servesWhatWasWrittenAndEvictsTheLeastRecentlyUsed() {
    ProfileCache cache = new ProfileCache(2, 0);
    UserProfile a = new UserProfile();
    UserProfile b = new UserProfile();
    cache.put("a", a, 0);
    cache.put("b", b, 0);
    assertThat(cache.get("a", 1)).isSameAs(a); // a is now the most recently used
    cache.put("c", new UserProfile(), 2);
    assertThat(cache.get("b", 3)).isNull();
    assertThat(cache.get("a", 3)).isSameAs(a);
    assertThat(cache.size()).isEqualTo(2);
    cache.remove("a");
    assertThat(cache.get("a", 4)).isNull();
  }

  @Test
  void anEntryAsOldAsTheStateTtlIsNotServed() {
    ProfileCache cache = new ProfileCache(10, 1_000);
    cache.put("a", new UserProfile(), 5_000);
    assertThat(cache.get("a", 5_999)).isNotNull();
    assertThat(cache.get("a", 6_000)).isNull();
    assertThat(cache.size()).isZero();
  }

  @Test
  void sizeZeroKeepsNothing() {
    ProfileCache cache = new ProfileCache(0, 0);
    cache.put("a", new UserProfile(), 0);
    assertThat(cache.get("a", 0)).isNull();
    assertThat(cache.size()).isZero();
  }
}

package io.prescient.state.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class RecentEventIdsTest {
  @Test
  void knowsTheIdsItHoldsWithTheirTimes() {
    RecentEventIds ids = new RecentEventIds();
    assertThat(ids.firstSeenAt("e1")).isEqualTo(RecentEventIds.NONE);
    ids.add("e1", 100);
    ids.add("e2", 200);
    assertThat(ids.firstSeenAt("e1")).isEqualTo(100);
    assertThat(ids.firstSeenAt("e2")).isEqualTo(200);
    assertThat(ids.firstSeenAt("e3")).isEqualTo(RecentEventIds.NONE);
    assertThat(ids.firstSeenAt("E1")).isEqualTo(RecentEventIds.NONE);
  }

  @Test
  void pruningForgetsOnlyWhatIsBehindTheBound() {
    RecentEventIds ids = new RecentEventIds();
    ids.add("a", 100);
    ids.add("b", 300);
    ids.add("c", 200);
    assertThat(ids.pruneBefore(200)).isEqualTo(1);
    assertThat(ids.size()).isEqualTo(2);
    assertThat(ids.firstSeenAt("a")).isEqualTo(RecentEventIds.NONE);
    assertThat(ids.firstSeenAt("b")).isEqualTo(300);
    assertThat(ids.firstSeenAt("c")).isEqualTo(200);
  }

  @Test
  void beyondTheLimitTheOldestIsForgottenAndTheCallerTold() {
    RecentEventIds ids = new RecentEventIds();
    for (int i = 0; i < RecentEventIds.MAX; i++) {
      assertThat(ids.add("e" + i, 1_000 + (i == 5 ? -1 : i))).isTrue();
    }
    assertThat(ids.add("new", 50_000)).isFalse();
    assertThat(ids.size()).isEqualTo(RecentEventIds.MAX);
    assertThat(ids.firstSeenAt("e5")).isEqualTo(RecentEventIds.NONE); // the oldest time
    assertThat(ids.firstSeenAt("e0")).isEqualTo(1_000);
    assertThat(ids.firstSeenAt("new")).isEqualTo(50_000);
  }

  @Test
  void hashesOfSimilarIdsDoNotCollide() {
    Set<Long> seen = new HashSet<>();
    for (int order = 0; order < 2_000; order++) {
      for (int line = 0; line < 50; line++) {
        seen.add(RecentEventIds.hash("or-" + (536_365 + order) + "-" + line));
      }
    }
    assertThat(seen).hasSize(100_000);
  }

  @Test
  void equalByContentNotByCapacity() {
    RecentEventIds a = new RecentEventIds();
    RecentEventIds b = new RecentEventIds();
    b.ensureCapacity(64);
    for (int i = 0; i < 5; i++) {
      a.add("e" + i, i);
      b.add("e" + i, i);
    }
    assertThat(a).isEqualTo(b).hasSameHashCodeAs(b);
    b.add("e9", 9);
    assertThat(a).isNotEqualTo(b);
  }
}

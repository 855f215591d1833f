package io.prescient.state.profile;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import org.junit.jupiter.api.Test;

class ActivityWindowsTest {
  private static final long T = Instant.parse("2011-06-15T12:00:00Z").toEpochMilli();
  private static final long MIN = 60_000L;
  private static final long HOUR = 60 * MIN;
  private static final long DAY = 24 * HOUR;

  @Test
  void eachWindowCountsWhatFallsInsideItsBuckets() {
    ActivityWindows w = new ActivityWindows();
    w.add(T - 120 * DAY, Metric.PURCHASES, 1); // only lifetime
    w.add(T - 60 * DAY, Metric.PURCHASES, 1); // 90d
    w.add(T - 20 * DAY, Metric.PURCHASES, 1); // 30d
    w.add(T - 3 * DAY, Metric.PURCHASES, 1); // 7d
    w.add(T - 5 * HOUR, Metric.PURCHASES, 1); // 24h
    w.add(T - 10 * MIN, Metric.PURCHASES, 1); // 1h
    assertThat(w.sum(Window.H1, Metric.PURCHASES, T)).isEqualTo(1);
    assertThat(w.sum(Window.H24, Metric.PURCHASES, T)).isEqualTo(2);
    assertThat(w.sum(Window.D7, Metric.PURCHASES, T)).isEqualTo(3);
    assertThat(w.sum(Window.D30, Metric.PURCHASES, T)).isEqualTo(4);
    assertThat(w.sum(Window.D90, Metric.PURCHASES, T)).isEqualTo(5);
    assertThat(w.sum(Window.LIFETIME, Metric.PURCHASES, T)).isEqualTo(6);
    assertThat(w.sum(Window.D90, Metric.VIEWS, T)).isZero();
  }

  @Test
  void windowsSlideWithTheQueryTime() {
    ActivityWindows w = new ActivityWindows();
    w.add(T, Metric.VIEWS, 2);
    assertThat(w.sum(Window.H1, Metric.VIEWS, T + 30 * MIN)).isEqualTo(2);
    assertThat(w.sum(Window.H1, Metric.VIEWS, T + 2 * HOUR)).isZero();
    assertThat(w.sum(Window.H24, Metric.VIEWS, T + 23 * HOUR)).isEqualTo(2);
    assertThat(w.sum(Window.H24, Metric.VIEWS, T + 25 * HOUR)).isZero();
    assertThat(w.sum(Window.D7, Metric.VIEWS, T + 6 * DAY)).isEqualTo(2);
    assertThat(w.sum(Window.D7, Metric.VIEWS, T + 8 * DAY)).isZero();
    assertThat(w.sum(Window.LIFETIME, Metric.VIEWS, T + 800 * DAY)).isEqualTo(2);
  }

  @Test
  void lateAndOutOfOrderEventsLandInTheBucketOfTheirOwnTime() {
    ActivityWindows w = new ActivityWindows();
    w.add(T, Metric.EVENTS, 1);
    w.add(T - 2 * HOUR, Metric.EVENTS, 1); // late: not in the last hour, but in the last 24 h
    w.add(T - 10 * DAY, Metric.EVENTS, 1); // late by days: in 30d, not in 7d
    assertThat(w.sum(Window.H1, Metric.EVENTS, T)).isEqualTo(1);
    assertThat(w.sum(Window.H24, Metric.EVENTS, T)).isEqualTo(2);
    assertThat(w.sum(Window.D7, Metric.EVENTS, T)).isEqualTo(2);
    assertThat(w.sum(Window.D30, Metric.EVENTS, T)).isEqualTo(3);
  }

  @Test
  void storesOnlyReachableNonEmptyBuckets() {
    ActivityWindows w = new ActivityWindows();
    for (int day = 0; day < 365; day++) {
      w.add(T + day * DAY, Metric.EVENTS, 1);
    }
    // 12 five-minute and 24 hourly buckets reach back less than a day: only the last event;
    // the daily ring keeps the 90 days the 90d window reads.
    assertThat(w.fiveMinIdx).hasSize(1);
    assertThat(w.hourIdx).hasSize(1);
    assertThat(w.dayIdx).hasSize(90);
    assertThat(w.sum(Window.D90, Metric.EVENTS, T + 364 * DAY)).isEqualTo(90);
    assertThat(w.sum(Window.LIFETIME, Metric.EVENTS, T + 364 * DAY)).isEqualTo(365);
  }

  @Test
  void readsStateWrittenBeforeAMetricWasAdded() {
    ActivityWindows w = new ActivityWindows();
    // As stored by a version with 3 metrics: one daily bucket with counters {5, 1, 0}.
    w.dayIdx = new int[] {(int) (T / DAY)};
    w.dayCounts = new int[] {5, 1, 0};
    w.lifetime = new long[] {5, 1, 0};
    w.latest = T;
    assertThat(w.sum(Window.D7, Metric.EVENTS, T)).isEqualTo(5);
    assertThat(w.sum(Window.D7, Metric.SESSIONS, T)).isZero();
    w.add(T, Metric.SESSIONS, 1);
    assertThat(w.sum(Window.D7, Metric.EVENTS, T)).isEqualTo(5);
    assertThat(w.sum(Window.D7, Metric.SESSIONS, T)).isEqualTo(1);
    assertThat(w.sum(Window.LIFETIME, Metric.SESSIONS, T)).isEqualTo(1);
  }
}

package io.prescient.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class LatencyBenchmarkTest {
  @Test
  void slowestSecondsAreTheFiveWithTheLargestLatencyInTimeOrder() {
    List<long[]> timed = new ArrayList<>();
    long t0 = 1_796_000_000_000L; // 2026-11-30T00:53:20Z
    for (int s = 0; s < 30; s++) {
      for (int i = 0; i < 10; i++) {
        timed.add(new long[] {t0 + s * 1000L + i * 100, 50 + i});
      }
    }
    timed.add(new long[] {t0 + 25_500, 900}); // slowest, received last
    timed.add(new long[] {t0 + 5_100, 700});
    timed.add(new long[] {t0 + 15_900, 800});
    timed.add(new long[] {t0 + 3_000, 61});
    timed.add(new long[] {t0 + 29_999, 60});
    assertThat(LatencyBenchmark.slowestSeconds(timed))
        .isEqualTo(
            "00:53:23 61 ms, 00:53:25 700 ms, 00:53:35 800 ms, 00:53:45 900 ms, 00:53:49 60 ms");
  }
}

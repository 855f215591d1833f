package io.prescient.job.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prescient.job.cli.CommandOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchmarkReportTest {

  @TempDir Path dir;

  private static Map<String, Object> round(int round, long pass, long full) {
    return Map.of(
        "round",
        round,
        "passthrough_events_per_second",
        pass,
        "full_events_per_second",
        full,
        "ratio",
        (double) full / pass);
  }

  /** A round of the steady-state bench-job, with its start-up apart. */
  private static Map<String, Object> steadyRound(int round, long pass, long full) {
    Map<String, Object> r = new java.util.LinkedHashMap<>(round(round, pass, full));
    r.put("passthrough_steady_seconds", 61.5);
    r.put("passthrough_startup_seconds", 2.5);
    r.put("full_steady_seconds", 70.0);
    r.put("full_startup_seconds", 1.5);
    // CPU of the steady state: 61.5 s * 1.6 cores, 70 s * 1.9 cores
    r.put("passthrough_cpu_seconds", 98.4);
    r.put("full_cpu_seconds", 133.0);
    r.put("passthrough_events_per_cpu_second", 125_000);
    r.put("full_events_per_cpu_second", 15_000);
    return r;
  }

  private Path report(Path results) throws Exception {
    Path out = dir.resolve("out").resolve("BENCHMARKS.md");
    Files.createDirectories(out.getParent());
    BenchmarkReport.main(
        new String[] {
          "--results", results.toString(),
          "--template", Path.of("..", "docs", "benchmarks", "TEMPLATE.md").toString(),
          "--output", out.toString(),
          "--charts", dir.resolve("out").resolve("charts").toString(),
          "--commit", "abc1234"
        });
    return out;
  }

  @Test
  void theCheckedInTemplateRendersWithNoResultsAndSaysWhatWasNotMeasured() throws Exception {
    Path results = Files.createDirectories(dir.resolve("empty"));
    String doc = Files.readString(report(results));
    assertThat(doc).doesNotContain("{{").contains("abc1234");
    assertThat(doc).contains("_Not measured in this run: `job.json` is missing");
    assertThat(doc).contains("| sweep | not measured in this run |");
    assertThat(doc).doesNotContain("**met**");
  }

  @Test
  void goalsAreJudgedFromTheFiguresRoundByRound() throws Exception {
    Path results = Files.createDirectories(dir.resolve("r"));
    BenchResults.write(
        results.resolve("job.json"),
        Map.of(
            "input",
            "taobao.jsonl",
            "copies",
            2,
            "events",
            1000,
            "event_types_per_copy",
            Map.of("view", 400, "purchase", 100),
            "parallelism",
            2,
            // round 1 meets both goals (30,000 per core, ratio 0.6); round 2 meets neither
            "rounds",
            List.of(steadyRound(1, 100_000, 60_000), round(2, 100_000, 40_000))));
    String doc = Files.readString(report(results));
    assertThat(doc)
        .contains(
            "| 1 | 100,000 (50,000) | 60,000 (30,000) | 0.60 | 61.5 (2.5), 70.0 (1.5) |"
                + " 125,000 (1.60), 15,000 (1.90) | -, - |")
        .contains(
            "| 2 | 100,000 (50,000) | 40,000 (20,000) | 0.40 | - (start-up included) | - | -, - |")
        .contains(
            "- full job >= 25,000 events/s per core: **not met**: met in 1 of 2 rounds (20,000 to"
                + " 30,000 per core)")
        .contains("- ratio full / passthrough >= 0.5: **not met**: met in 1 of 2 rounds");
    assertThat(dir.resolve("out").resolve("charts").resolve("throughput.png")).isNotEmptyFile();
    assertThat(doc).contains("![throughput per core, files](charts/throughput.png)");
  }

  @Test
  void latencyGoalsUseTheRunAtHalfTheMaximum() throws Exception {
    Path results = Files.createDirectories(dir.resolve("l"));
    List<long[]> lat = new java.util.ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      lat.add(new long[] {i, 10 + i / 25}); // p99 = 49 ms
    }
    BenchResults.write(
        results.resolve("latency-load.json"),
        Map.of(
            "delivery",
            "at-least-once",
            "checkpoint_interval_seconds",
            10,
            "rates",
            List.of(
                LatencyBenchmark.phase("50%", 1500, 1500, lat),
                LatencyBenchmark.phase("80%", 2400, 2400, steady(3, 80)))));
    List<long[]> slower = new java.util.ArrayList<>();
    for (int i = 0; i < 1000; i++) {
      slower.add(new long[] {i, 100 + i / 5}); // p99 = 297 ms
    }
    writeAt5ms(
        results.resolve("latency-load-5ms.json"),
        LatencyBenchmark.phase("50%", 1500, 1500, slower));
    // The same buffer timeout with web-page requests beside it: a row and a chart series of its
    // own.
    Map<String, Object> withRequests = LatencyBenchmark.phase("50%", 1500, 1500, slower);
    withRequests.put(
        "requests", Map.of("rate", 50, "answered", 1500, "p50_ms", 20, "p99_ms", 90, "max_ms", 95));
    writeAt5ms(results.resolve("latency-load-5ms-requests.json"), withRequests);
    String doc = Files.readString(report(results));
    assertThat(doc)
        .contains(
            "| load-5ms-requests | at-least-once | 10 s | 5ms, 50 web-page requests/s | 50% |")
        .contains(
            "- at-least-once at 50% load, buffer timeout 20 ms (default): p99 49 ms at 1,500"
                + " events/s; p99 <= 200 ms: **met**; p99 <= 50 ms (the goal): **met**")
        .contains(
            "- at-least-once at 50% load, buffer timeout 5ms: p99 297 ms at 1,500 events/s;"
                + " p99 <= 200 ms: **not met**; p99 <= 50 ms (the goal): **not met**")
        .contains("- at-least-once at 50% load, buffer timeout (latency-load-100ms): not measured")
        .contains("| load-5ms | at-least-once | 10 s | 5ms | 50% |");
    assertThat(dir.resolve("out").resolve("charts").resolve("latency.png")).isNotEmptyFile();
  }

  /** An at-least-once latency run at a 5 ms buffer timeout with one measured rate. */
  private static void writeAt5ms(Path file, Map<String, Object> phase) throws Exception {
    BenchResults.write(
        file,
        Map.of(
            "delivery",
            "at-least-once",
            "checkpoint_interval_seconds",
            10,
            "flink_overrides",
            Map.of("execution.buffer-timeout.interval", "5ms"),
            "rates",
            List.of(phase)));
  }

  /** {@code n} decisions, one a second, all {@code ms} late. */
  private static List<long[]> steady(int n, long ms) {
    List<long[]> l = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      l.add(new long[] {i * 1000L, ms});
    }
    return l;
  }

  /** {@code n} decisions whose latency grows by {@code step} ms each: a backlog building. */
  private static List<long[]> growing(int n, long step) {
    List<long[]> l = new java.util.ArrayList<>();
    for (int i = 0; i < n; i++) {
      l.add(new long[] {i * 1000L, 100 + i * step});
    }
    return l;
  }

  @Test
  void theMaximumRateIsTheLargestAchievedThatTheJobKeptUpWith() {
    List<Map<String, Object>> sweep =
        List.of(
            LatencyBenchmark.phase("1000", 1000, 1000, steady(30, 150)),
            LatencyBenchmark.phase("2000", 2000, 1999, steady(30, 900)), // slower, but steady
            LatencyBenchmark.phase("3000", 3000, 3000, growing(30, 100)), // falls behind
            LatencyBenchmark.phase("4000", 4000, 3000, steady(30, 150)), // not achieved
            LatencyBenchmark.phase("5000", 5000, 5000, steady(30, 2400))); // a backlog carried
    assertThat(sweep.get(2)).containsEntry("kept_up", false);
    assertThat(sweep.get(4)).containsEntry("kept_up", true); // relatively steady, seconds late
    assertThat(sweep.stream().map(m -> m.get("sustained")))
        .containsExactly(
            "yes",
            "yes",
            "no (p50 500 -> 2,500 ms)",
            "no (generator reached 3,000)",
            "no (steady, but p50 2,400 ms > 1,000 ms)");
    // Exactly-once decisions wait for the checkpoint: 2 s checkpoints allow a p50 of 3 s.
    assertThat(LatencyBenchmark.sustained(sweep.get(4), 3000)).isEqualTo("yes");
    assertThat(LatencyBenchmark.maxSustained(sweep)).isEqualTo(2000);
    assertThat(LatencyBenchmark.maxSustained(sweep.subList(2, 5))).isNull();
  }

  @Test
  void anUnknownPlaceholderIsAnError() {
    assertThatThrownBy(() -> BenchmarkReport.fill("a {{nope}} b", Map.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("nope");
  }

  @Test
  void aMistypedOptionOrAMissingTemplateIsOneLine() throws Exception {
    assertThatThrownBy(() -> BenchmarkReport.run(new String[] {"--result", dir.toString()}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient bench-report: unknown argument --result (did you mean --results?)");
    assertThatThrownBy(
            () ->
                BenchmarkReport.run(
                    new String[] {
                      "--results", dir.toString(), "--template", dir.resolve("none.md").toString()
                    }))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage(
            "prescient bench-report: --template " + dir.resolve("none.md") + " is not a file");
  }
}

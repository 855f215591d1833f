package io.prescient.job.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prescient.job.cli.CommandOptions;
import io.prescient.job.cli.CommandOptions.Opt;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The benchmarks' command lines: every call deploy/bench-suite makes still parses (Flink options,
 * job options, an option given twice), and a bad value is one line, not a stack trace.
 */
class BenchCommandLineTest {
  @TempDir Path dir;

  private static CommandOptions.Parsed parse(String command, List<Opt> options, String... args) {
    return CommandOptions.parse(command, "d", options, CommandOptions.Rest.JOB_OPTIONS, args);
  }

  @Test
  void flinkAndJobOptionsArePassedOn() {
    CommandOptions.Parsed p =
        parse(
            LatencyBenchmark.COMMAND,
            LatencyBenchmark.OPTIONS,
            "--kafka-classpath-file",
            "deploy/local-kafka/target/kafka.classpath",
            "--rates",
            "50%",
            "--max-from",
            "w/results/latency-sweep.json",
            "--execution.buffer-timeout.interval",
            "5ms",
            "--prescient.state.changelog",
            "true",
            "--requests",
            "50",
            "--state.backend.rocksdb.use-bloom-filter=true",
            "--prescient.parallelism=1");
    assertThat(p.get("--requests")).isEqualTo("50");
    assertThat(p.get("--max-from")).isEqualTo("w/results/latency-sweep.json");
    assertThat(p.checkedJobOptions())
        .containsEntry("prescient.state.changelog", "true")
        .containsEntry("prescient.parallelism", "1")
        .containsEntry("execution.buffer-timeout.interval", "5ms")
        .containsEntry("state.backend.rocksdb.use-bloom-filter", "true")
        .hasSize(4);
  }

  @Test
  void everyBenchSuiteCallParses() {
    // deploy/bench-suite, its latency sweep: --prewarm-seconds twice, the last one counts
    CommandOptions.Parsed sweep =
        parse(
            LatencyBenchmark.COMMAND,
            LatencyBenchmark.OPTIONS,
            "--kafka-classpath-file",
            "k.classpath",
            "--rates",
            "1000,2000,3000,4000",
            "--warmup",
            "5",
            "--seconds",
            "10",
            "--prewarm-seconds",
            "60",
            "--work-dir",
            ".local/bench-suite/latency",
            "--prewarm-seconds",
            "20",
            "--results",
            ".local/bench-suite/results/latency-sweep.json");
    assertThat(sweep.get("--prewarm-seconds")).isEqualTo("20");
    assertThat(sweep.get("--rates")).isEqualTo("1000,2000,3000,4000");
    assertThat(sweep.get("--delivery")).isEqualTo("at-least-once"); // a default
    String[] exactlyOnce = {
      "--rates",
      "50%",
      "--max-from",
      "s.json",
      "--delivery",
      "exactly-once",
      "--checkpoint-interval",
      "2",
      "--execution.buffer-timeout.interval",
      "20ms"
    };
    CommandOptions.Parsed once =
        parse(LatencyBenchmark.COMMAND, LatencyBenchmark.OPTIONS, exactlyOnce);
    assertThat(once.get("--delivery")).isEqualTo("exactly-once");
    assertThat(once.jobOptions())
        .containsExactly(Map.entry("execution.buffer-timeout.interval", "20ms"));
    CommandOptions.Parsed job =
        parse(
            JobBenchmark.COMMAND,
            JobBenchmark.OPTIONS,
            "--input",
            ".local/data/taobao.jsonl",
            "--copies",
            "3",
            "--passthrough-copies",
            "30",
            "--rounds",
            "2",
            "--warmup-copies",
            "1",
            "--work",
            "w/job",
            "--results",
            "w/results/job.json");
    assertThat(job.get("--parallelism")).isEqualTo("2");
    assertThat(job.get("--via")).isEqualTo("files"); // a default
    assertThat(job.getInt("--passthrough-copies", 1, 1000)).isEqualTo(30);
    assertThat(job.getInt("--warmup-copies", 0, 1000)).isEqualTo(1);
    CommandOptions.Parsed jobKafka =
        parse(
            JobBenchmark.COMMAND,
            JobBenchmark.OPTIONS,
            "--via",
            "kafka",
            "--input",
            ".local/data/taobao.jsonl",
            "--copies",
            "3",
            "--passthrough-copies",
            "30",
            "--rounds",
            "2",
            "--warmup-copies",
            "1",
            "--work",
            "w/job-kafka",
            "--results",
            "w/results/job-kafka.json");
    assertThat(jobKafka.get("--via")).isEqualTo("kafka");
    CommandOptions.Parsed state =
        parse(
            StateScaleBenchmark.COMMAND,
            StateScaleBenchmark.OPTIONS,
            "--kafka-classpath-file",
            "k.classpath",
            "--users",
            "50000",
            "--work-dir",
            "w/state",
            "--results",
            "w/results/state.json");
    assertThat(state.getLong("--users")).isEqualTo(50_000);
    CommandOptions.Parsed profile =
        parse(
            ProfileBenchmark.COMMAND,
            ProfileBenchmark.OPTIONS,
            "--input",
            ".local/data/online-retail.jsonl",
            "--copies",
            "1",
            "--rounds",
            "2",
            "--results",
            "w/results/profile.json");
    assertThat(profile.get("--copies")).isEqualTo("1");
    CommandOptions.Parsed scoring =
        CommandOptions.parse(
            ScoringBenchmark.COMMAND,
            "d",
            ScoringBenchmark.OPTIONS,
            CommandOptions.Rest.NONE,
            new String[] {"--scores", "200000", "--results", "w/results/scoring.json"});
    assertThat(scoring.getLong("--scores")).isEqualTo(200_000);
  }

  @Test
  void badValuesAreOneLineErrors() throws Exception {
    Path cp = Files.writeString(dir.resolve("kafka.classpath"), "x.jar");
    assertThatThrownBy(
            () ->
                LatencyBenchmark.run(
                    new String[] {"--kafka-classpath-file", cp.toString(), "--rate", "100"}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient bench-latency: unknown argument --rate (did you mean --rates?)");
    assertThatThrownBy(
            () ->
                LatencyBenchmark.run(
                    new String[] {"--kafka-classpath-file", cp.toString(), "--rates", "fast"}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient bench-latency: --rates takes events/s or N%, not fast");
    assertThatThrownBy(
            () ->
                LatencyBenchmark.run(
                    new String[] {"--kafka-classpath-file", cp.toString(), "--rates", "50%"}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessageContaining("needs --max-from");
    assertThatThrownBy(
            () ->
                LatencyBenchmark.run(
                    new String[] {"--kafka-classpath-file", cp.toString(), "--seconds", "ten"}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient bench-latency: --seconds needs a whole number, not 'ten'");
    assertThatThrownBy(
            () ->
                LatencyBenchmark.run(
                    new String[] {
                      "--kafka-classpath-file", cp.toString(), "--prescient.no-such-option", "1"
                    }))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessageStartingWith(
            "prescient bench-latency: unknown option 'prescient.no-such-option'");
    assertThatThrownBy(
            () ->
                LatencyBenchmark.run(
                    new String[] {
                      "--kafka-classpath-file", cp.toString(), "--execution.buffer-timeout.interval"
                    }))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient bench-latency: --execution.buffer-timeout.interval needs a value");
    assertThatThrownBy(() -> JobBenchmark.run(new String[] {"--input", dir.toString()}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient bench-job: --input must name an events file");
    Path events = Files.writeString(dir.resolve("e.jsonl"), "{}\n");
    assertThatThrownBy(
            () -> JobBenchmark.run(new String[] {"--input", events.toString(), "--copies", "0"}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage(
            "prescient bench-job: --copies must be a whole number from 1 to 2147483647, not 0");
    assertThatThrownBy(
            () ->
                JobBenchmark.run(
                    new String[] {
                      "--input", events.toString(), "--prescient.delivery-guarantee", "exactly-once"
                    }))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessageContaining("exactly-once needs checkpointing");
    assertThatThrownBy(
            () -> JobBenchmark.run(new String[] {"--input", events.toString(), "--via", "http"}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient bench-job: --via must be files or kafka, not 'http'");
    assertThatThrownBy(
            () ->
                JobBenchmark.run(
                    new String[] {
                      "--input",
                      events.toString(),
                      "--via",
                      "kafka",
                      "--kafka-classpath-file",
                      dir.resolve("none").toString()
                    }))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessageContaining("is not a file");
    assertThatThrownBy(() -> StateScaleBenchmark.run(new String[] {"--input", events.toString()}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessageContaining("--kafka-classpath-file is required");
    assertThatThrownBy(
            () -> ProfileBenchmark.run(new String[] {"--input", dir.resolve("none").toString()}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessageContaining("not found: convert a dataset first");
    assertThatThrownBy(() -> ScoringBenchmark.run(new String[] {"--predict-calls", "1e9"}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient bench-scoring: --predict-calls needs a whole number, not '1e9'");
  }
}

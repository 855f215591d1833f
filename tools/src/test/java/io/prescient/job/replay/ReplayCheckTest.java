package io.prescient.job.replay;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prescient.job.cli.CommandOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code prescient check-replay}'s command line: its options, help and one-line errors. */
class ReplayCheckTest {
  @Test
  void theOptionsKeepTheirNamesAndDefaultsAndJobOptionsPassOn() {
    CommandOptions.Parsed p =
        ReplayCheck.parse(
            "--kafka-classpath-file", "k.cp", "--port=19092", "--prescient.policy.epsilon", "0.2");
    assertThat(p.get("--events")).isEqualTo(Path.of(".local/data/online-retail.jsonl").toString());
    assertThat(p.get("--work-dir")).isEqualTo(Path.of(".local/check-replay").toString());
    assertThat(p.getLong("--port")).isEqualTo(19092);
    assertThat(p.get("--kafka-classpath-file")).isEqualTo("k.cp");
    assertThat(p.checkedJobOptions()).containsEntry("prescient.policy.epsilon", "0.2");
  }

  @Test
  void aMistypedOptionABadNumberAMissingFileOrABadJobOptionIsOneLine(@TempDir Path tmp)
      throws Exception {
    assertThatThrownBy(() -> ReplayCheck.parse("--evnets", "x"))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient check-replay: unknown argument --evnets (did you mean --events?)");
    assertThatThrownBy(
            () -> ReplayCheck.run(new String[] {"--events", tmp.resolve("none.jsonl").toString()}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessageContaining("none.jsonl not found");
    Path events = Files.writeString(tmp.resolve("events.jsonl"), "");
    assertThatThrownBy(
            () -> ReplayCheck.run(new String[] {"--events", events.toString(), "--port", "x"}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient check-replay: --port needs a whole number, not 'x'");
    assertThatThrownBy(
            () ->
                ReplayCheck.run(
                    new String[] {
                      "--events",
                      events.toString(),
                      "--kafka-classpath-file",
                      tmp.resolve("kafka.classpath").toString()
                    }))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessageContaining("--kafka-classpath-file")
        .hasMessageContaining("is not a file");
    Path cp = Files.writeString(tmp.resolve("kafka.classpath"), "x.jar");
    assertThatThrownBy(
            () ->
                ReplayCheck.run(
                    new String[] {
                      "--events",
                      events.toString(),
                      "--kafka-classpath-file",
                      cp.toString(),
                      "--prescient.policy.epsilon",
                      "7"
                    }))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessageStartingWith("prescient check-replay: prescient.policy.epsilon = '7'");
  }

  @Test
  void helpListsEveryOptionAndWhatItWrites() {
    PrintStream out = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      assertThat(ReplayCheck.parse("--help")).isNull();
    } finally {
      System.setOut(out);
    }
    assertThat(buffer.toString(StandardCharsets.UTF_8).replaceAll("\\s+", " "))
        .contains("Usage: prescient check-replay")
        .contains("--events", "--work-dir", "--port", "--kafka-classpath-file")
        .contains("./prescient convert --dataset online-retail")
        .contains("WORK-DIR/live-decisions.jsonl", "exits 1 when the decisions differ");
  }
}

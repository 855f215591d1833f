package io.prescient.job.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prescient.job.cli.CommandOptions;
import io.prescient.models.artifact.ModelManifest;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Training reads any log by the job's own input rules: another retailer's log from the 1990s is
 * refused with the counts per reason and a hint under the defaults, and trains once the input rules
 * say 1990 is in range.
 */
class TrainOnOtherLogsTest {
  @TempDir Path dir;

  private static final long DAY = 86_400_000L;

  /**
   * 400 customers buying every 7 to 30 days from early 1995; every third stops in August 1995 (a
   * churner at the October cut-off), the others buy on into 1996.
   */
  private Path nineties() throws Exception {
    long start = Instant.parse("1995-01-02T10:00:00Z").toEpochMilli();
    long stop = Instant.parse("1995-08-01T00:00:00Z").toEpochMilli();
    long end = Instant.parse("1996-04-01T00:00:00Z").toEpochMilli();
    List<String> lines = new ArrayList<>();
    for (int c = 0; c < 400; c++) {
      long gap = (7 + c % 24) * DAY;
      int n = 0;
      for (long t = start + (c % 50) * DAY; t < (c % 3 == 0 ? stop : end); t += gap) {
        lines.add(
            String.format(
                "{\"event_id\":\"c%d-%d\",\"user_id\":\"c%d\",\"type\":\"purchase\","
                    + "\"timestamp\":\"%s\",\"product_id\":\"p%d\",\"category\":\"toys\","
                    + "\"price\":%d.5,\"quantity\":1}",
                c, n++, c, Instant.ofEpochMilli(t), c % 40, 3 + c % 20));
      }
    }
    Path log = dir.resolve("nineties.jsonl");
    Files.write(log, lines);
    return log;
  }

  private Map<String, String> options(Path log, String... more) {
    Map<String, String> o = TrainChurn.defaults();
    o.put("--events", log.toString());
    o.put("--train-cutoffs", "1995-06-01,1995-08-01");
    o.put("--test-cutoff", "1995-10-01");
    o.put("--quick", "true");
    o.put("--threads", "1");
    o.put("--output", dir.resolve("models").toString());
    for (int i = 0; i < more.length; i += 2) {
      o.put(more[i], more[i + 1]);
    }
    return o;
  }

  @Test
  void aLogFromThe1990sIsRefusedWithTheCountsThenTrainsWithTheJobsInputRule() throws Exception {
    Path log = nineties();
    long records = Files.readAllLines(log).size();
    assertThatThrownBy(() -> TrainChurn.train(options(log)))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessageContaining("every record of " + log)
        .hasMessageContaining("{out_of_range=" + records + "}")
        .hasMessageContaining("--prescient.input.min-timestamp");

    Path manifest =
        TrainChurn.train(options(log, "--prescient.input.min-timestamp", "1990-01-01T00:00:00Z"));
    ModelManifest m = ModelManifest.parse(Files.readString(manifest));
    assertThat(m.name()).isEqualTo("churn");
    assertThat(m.metrics().get("test_roc_auc")).isBetween(0.5, 1.0);
  }

  @Test
  void theCommandLineTakesTheOptionsTheJobsInputRulesAndSuggestsForATypo() {
    Map<String, String> o =
        TrainingCli.parse(
            "churn",
            "d",
            TrainChurn.OPTIONS,
            new String[] {
              "--events",
              "x.jsonl",
              "--prescient.input.min-timestamp",
              "1990-01-01T00:00:00Z",
              "--quick",
              "--test-cutoff=1995-10-01"
            });
    assertThat(o)
        .containsEntry("--events", "x.jsonl")
        .containsEntry("--prescient.input.min-timestamp", "1990-01-01T00:00:00Z")
        .containsEntry("--quick", "true")
        .containsEntry("--test-cutoff", "1995-10-01")
        .containsEntry("--horizon-days", "90"); // a default
    assertThatThrownBy(
            () ->
                TrainingCli.parse("churn", "d", TrainChurn.OPTIONS, new String[] {"--evnets", "x"}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage(
            "prescient train churn: unknown argument --evnets (did you mean" + " --events?)");
  }

  @Test
  void cutOffsOutsideTheLogAndBadInputRulesAreOneLineErrors() throws Exception {
    Path log = nineties();
    Map<String, String> defaults =
        options(log, "--prescient.input.min-timestamp", "1990-01-01T00:00:00Z");
    defaults.put("--train-cutoffs", "2011-03-01");
    defaults.put("--test-cutoff", "2011-09-01");
    assertThatThrownBy(() -> TrainChurn.train(defaults))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessageContaining("must fall within the log's events (1995-01-02 .. 1996-03-");
    Map<String, String> reversed = options(log);
    reversed.put("--train-cutoffs", "1995-12-01");
    assertThatThrownBy(() -> TrainChurn.train(reversed))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage(
            "prescient train churn: every training cut-off must be before the test cut-off");
    assertThatThrownBy(
            () -> TrainChurn.train(options(log, "--prescient.input.min-timestamp", "last year")))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessageContaining("prescient.input.min-timestamp");
  }

  @Test
  void badNumbersDatesAndEventTypesOfTrainItemsAreOneLineErrors() throws Exception {
    String[][] cases = {
      {"--horizon-days", "abc"},
      {"--bootstrap", "-1"},
      {"--neighbours", "0"},
      {"--test-cutoff", "2011-13-01"},
      {"--history", "view,add_to_favorites"},
    };
    String[] expected = {
      "prescient train items: --horizon-days needs a whole number, not 'abc'",
      "prescient train items: --bootstrap must be a whole number from 0 to 1000000, not -1",
      "prescient train items: --neighbours must be a whole number from 1 to 10000, not 0",
      "prescient train items: --test-cutoff needs a date yyyy-MM-dd, not '2011-13-01'",
      "prescient train items: unknown event type 'add_to_favorites' (one of view, dwell,",
    };
    String log = nineties().toString();
    for (int i = 0; i < cases.length; i++) {
      String[] args = {"--events", log, cases[i][0], cases[i][1]};
      assertThatThrownBy(() -> TrainItems.run(args))
          .isInstanceOf(CommandOptions.UsageError.class)
          .hasMessageStartingWith(expected[i]);
    }
  }
}

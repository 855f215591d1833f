package io.prescient.job.evaluate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prescient.job.cli.CommandOptions;
import io.prescient.offline.eval.FeedbackLog;
import io.prescient.state.contract.CopyIds;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The report says what its intervals resample, and how many of them there were. */
class EvaluateCommandTest {
  static List<FeedbackLog.Row> log(int sources, int copies) {
    List<FeedbackLog.Row> rows = new ArrayList<>();
    String[] arms = {"model", "rules", "control"};
    for (int s = 0; s < sources; s++) {
      for (int c = 0; c < copies; c++) {
        String user = CopyIds.of("tb-" + s, c);
        String arm = arms[(s + c) % 3];
        boolean control = arm.equals("control");
        rows.add(
            new FeedbackLog.Row(
                user + "/1",
                user,
                "cart_abandonment",
                arm,
                arm,
                control ? null : "a",
                control ? "none" : "reminder",
                "email",
                0.9,
                s % 4 == 0,
                List.of("a", "b"),
                Map.of("a", 0.2, "b", 0.1),
                Map.of("a", 2.0, "b", 1.0),
                0L,
                0L,
                null,
                s % 2 == 0,
                s % 2 == 0 ? 30 : 0,
                Map.of()));
      }
    }
    return rows;
  }

  @Test
  void withCopiesTheUnitIsTheSourceUser() {
    String report = EvaluateCommand.report(log(30, 4), 100, 7);
    assertThat(report)
        .contains("Arm intervals: bootstrap over 30 source users (clusters; 120 users are copies")
        .contains("| model | 40 | 40 | 30 |")
        .contains("lift model - rules: ")
        .contains("revenue per user, lift model - rules: ")
        .contains("model-policy decisions (explored 11); intervals over 30 source users:");
    String naive = EvaluateCommand.report(log(30, 4), 100, 7, false);
    assertThat(naive)
        .contains("Arm intervals: bootstrap over 120 users")
        .contains("copies of 30 source users, which this ignores")
        .contains("| model | 40 | 40 | 40 |")
        .contains("intervals over 40 decisions:");
  }

  @Test
  void withoutCopiesTheUnitIsTheUserAsBefore() {
    String report = EvaluateCommand.report(log(30, 1), 100, 7);
    assertThat(report)
        .contains("Arm intervals: bootstrap over 30 users (clusters: a user's decisions")
        .doesNotContain("source users")
        .contains("intervals over 10 decisions:");
    assertThat(report).isEqualTo(EvaluateCommand.report(log(30, 1), 100, 7, false));
  }

  @TempDir Path dir;

  @Test
  void badArgumentsAreOneLineErrors() throws Exception {
    Path feedback = Files.writeString(dir.resolve("feedback.jsonl"), "");
    String f = feedback.toString();
    assertThatThrownBy(
            () -> EvaluateCommand.run(new String[] {"--feedback", f, "--resampels", "9"}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient evaluate: unknown argument --resampels (did you mean --resamples?)");
    assertThatThrownBy(() -> EvaluateCommand.run(new String[] {"--feedback", f, "--seed", "x"}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient evaluate: --seed needs a whole number, not 'x'");
    assertThatThrownBy(() -> EvaluateCommand.run(new String[] {"--feedback", f, "--unit", "day"}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient evaluate: --unit is source-user or user, not day");
    assertThatThrownBy(() -> EvaluateCommand.run(new String[] {"--resamples", "9"}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient evaluate: --feedback is required");
    assertThatThrownBy(
            () -> EvaluateCommand.run(new String[] {"--feedback", dir.resolve("no").toString()}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessageEndingWith("no is not a file");
    assertThatThrownBy(() -> SimulateCommand.run(new String[] {"--feedback", f}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient simulate: --feedback and --outcomes are required");
    assertThatThrownBy(
            () ->
                SimulateCommand.run(
                    new String[] {"--feedback", f, "--outcomes", "o.jsonl", "--seed", "1.5"}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient simulate: --seed needs a whole number, not '1.5'");
  }
}

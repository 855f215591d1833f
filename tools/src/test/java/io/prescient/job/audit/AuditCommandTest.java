package io.prescient.job.audit;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prescient.job.cli.CommandOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code ./prescient audit}: a bad argument is one line (exit status 2), never a stack trace. */
class AuditCommandTest {
  @TempDir Path dir;

  @Test
  void badArgumentsAreOneLineErrors() throws Exception {
    String scores = Files.writeString(dir.resolve("scores.csv"), "user_id,score\n").toString();
    String users =
        Files.writeString(dir.resolve("users.csv"), "user_id,country\nu1,FR\n").toString();
    assertThatThrownBy(
            () ->
                AuditCommand.run(
                    new String[] {"--scores", scores, "--decisions", scores, "--users", users}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient audit: give exactly one of --decisions and --scores");
    assertThatThrownBy(() -> AuditCommand.run(new String[] {"--scores", scores}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient audit: give exactly one of --users and --online-retail");
    assertThatThrownBy(
            () ->
                AuditCommand.run(
                    new String[] {"--scores", scores, "--users", users, "--offer-at", "half"}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient audit: --offer-at needs a number, not 'half'");
    assertThatThrownBy(
            () ->
                AuditCommand.run(
                    new String[] {"--scores", scores, "--users", users, "--min-groop", "5"}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient audit: unknown argument --min-groop (did you mean --min-group?)");
    assertThatThrownBy(
            () ->
                AuditCommand.run(
                    new String[] {"--scores", scores, "--users", users, "--attribute", "segment"}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient audit: " + users + ": needs columns user_id and segment");
    assertThatThrownBy(
            () -> AuditCommand.run(new String[] {"--scores", scores + ".none", "--users", users}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient audit: --scores " + scores + ".none is not a file");
  }
}

package io.prescient.job.savepoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prescient.job.cli.CommandOptions;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code prescient export-savepoint}'s command line: its options and one-line errors. */
class ExportSavepointTest {
  @Test
  void thePathComesFirstThenOptionsAndJobOptions() {
    CommandOptions.Parsed p =
        ExportSavepoint.parse(
            "sp", "--as-of", "2011-12-01T00:00:00Z", "--prescient.state.ttl", "30 d");
    assertThat(p.get("PATH")).isEqualTo("sp");
    assertThat(p.get("--output")).isEqualTo(Path.of(".local/export").toString());
    assertThat(p.get("--as-of")).isEqualTo("2011-12-01T00:00:00Z");
    assertThat(p.jobOptions()).containsEntry("prescient.state.ttl", "30 d");
  }

  @Test
  void jobOptionsMayComeBeforeThePathAndAsKeyEqualsValue() {
    CommandOptions.Parsed p =
        ExportSavepoint.parse(
            "--prescient.state.ttl", "30 d", "--config", "c.yaml", "sp", "--prescient.x.y=1 s");
    assertThat(p.get("PATH")).isEqualTo("sp");
    assertThat(p.jobArgs())
        .containsExactly(
            "--prescient.state.ttl", "30 d", "--config", "c.yaml", "--prescient.x.y", "1 s");
  }

  @Test
  void aMissingPathABadInstantOrABadJobOptionIsOneLine(@TempDir Path tmp) throws Exception {
    assertThatThrownBy(() -> ExportSavepoint.parse("--output", "x"))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient export-savepoint: PATH is required");
    assertThatThrownBy(() -> ExportSavepoint.parse("sp", "--ouptut", "x"))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage(
            "prescient export-savepoint: unknown argument --ouptut (did you mean --output?)");
    assertThatThrownBy(() -> ExportSavepoint.run(new String[] {tmp.resolve("none").toString()}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessageEndingWith("none not found");
    assertThatThrownBy(() -> ExportSavepoint.run(new String[] {tmp.toString()}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessageContaining("has no _metadata file");
    Files.writeString(tmp.resolve("_metadata"), "");
    assertThatThrownBy(
            () -> ExportSavepoint.run(new String[] {tmp.toString(), "--as-of", "yesterday"}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage(
            "prescient export-savepoint: --as-of needs an ISO-8601 instant"
                + " (2011-12-01T00:00:00Z), not 'yesterday'");
    assertThatThrownBy(
            () ->
                ExportSavepoint.run(
                    new String[] {tmp.toUri().toString(), "--prescient.state.ttl", "never"}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessageStartingWith("prescient export-savepoint: prescient.state.ttl = 'never'");
  }
}

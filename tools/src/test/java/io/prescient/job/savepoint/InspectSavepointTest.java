package io.prescient.job.savepoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prescient.job.cli.CommandOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectSavepointTest {
  @Test
  void registeredTimersAreBrokenDownIntoArmedSharedAndNoOp() {
    InspectSavepoint.Summary s =
        InspectSavepoint.summarize(
            List.of(
                // cart and browse due at the same rounded time: one registration for two triggers
                "a: profile=true cart=2 seen=3 affinities=1 timers=1 triggers=2 no_op_timers=0",
                // a lifecycle timer superseded by an earlier one: two registered, one armed
                "b: profile=true cart=0 seen=1 affinities=1 timers=2 triggers=1 no_op_timers=1",
                "c: profile=false cart=0 seen=0 affinities=0 timers=0 triggers=0 no_op_timers=0"));
    assertThat(s.users()).isEqualTo(3);
    assertThat(s.profiles()).isEqualTo(2);
    assertThat(s.cartLines()).isEqualTo(2);
    assertThat(s.timers()).isEqualTo(3);
    assertThat(s.triggers()).isEqualTo(3);
    assertThat(s.noOpTimers()).isEqualTo(1);
    assertThat(s.sharedTimers()).isEqualTo(1);
    assertThat(s.timers()).isEqualTo(s.triggers() - s.sharedTimers() + s.noOpTimers());
  }

  @Test
  void aLineInAnotherFormatIsAnError() {
    assertThatThrownBy(() -> InspectSavepoint.summarize(List.of("a: profile=true timers=1")))
        .hasMessageContaining("unexpected line");
  }

  @Test
  void theCommandLineTakesAPathAndUsersAndSaysWhatIsWrongInOneLine(@TempDir Path tmp)
      throws Exception {
    CommandOptions.Parsed p = InspectSavepoint.parse("file:///sp", "--users", "u.txt");
    assertThat(p.get("PATH")).isEqualTo("file:///sp");
    assertThat(p.get("--users")).isEqualTo("u.txt");
    assertThatThrownBy(() -> InspectSavepoint.parse())
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient inspect-savepoint: PATH is required");
    assertThatThrownBy(() -> InspectSavepoint.parse("sp", "--user", "u.txt"))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient inspect-savepoint: unknown argument --user (did you mean --users?)");
    assertThatThrownBy(() -> InspectSavepoint.parse("sp", "--prescient.state.ttl", "1 d"))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessageContaining("unknown argument --prescient.state.ttl");
    assertThatThrownBy(() -> InspectSavepoint.run(new String[] {tmp.resolve("none").toString()}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessageEndingWith("none not found");
    assertThatThrownBy(() -> InspectSavepoint.run(new String[] {tmp.toUri().toString()}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessageContaining("has no _metadata file");
    Files.writeString(tmp.resolve("_metadata"), "");
    CommandOptions.Parsed sp = InspectSavepoint.parse(tmp.toString());
    assertThat(InspectSavepoint.checkSavepoint(sp, tmp.toString())).isEqualTo(tmp.toString());
    assertThat(InspectSavepoint.checkSavepoint(sp, "s3://bucket/savepoint-1"))
        .isEqualTo("s3://bucket/savepoint-1");
  }

  @Test
  void helpPrintsTheUsage() {
    PrintStream out = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      assertThat(InspectSavepoint.parse("--help")).isNull();
    } finally {
      System.setOut(out);
    }
    assertThat(buffer.toString(StandardCharsets.UTF_8).replaceAll("\\s+", " "))
        .contains("Usage: prescient inspect-savepoint")
        .contains("PATH", "file:// URI or path", "--users", "one line per user");
  }
}

package io.prescient.job.cli;

import static io.prescient.job.cli.CommandOptions.flag;
import static io.prescient.job.cli.CommandOptions.opt;
import static io.prescient.job.cli.CommandOptions.positional;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prescient.job.cli.CommandOptions.Opt;
import io.prescient.job.cli.CommandOptions.Rest;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CommandOptionsTest {
  private static final List<Opt> OPTIONS =
      List.of(
          positional("SAVEPOINT", "the savepoint"),
          opt("--output", "DIR", "out", "where it goes"),
          opt("--limit", "N", null, "at most N rows"),
          flag("--quick", "fewer rows"));

  private static CommandOptions.Parsed parse(Rest rest, String... args) {
    return CommandOptions.parse("prescient x", "does x", OPTIONS, rest, args);
  }

  @Test
  void valuesDefaultsFlagsAndPositionalsAreParsed() {
    CommandOptions.Parsed p = parse(Rest.NONE, "sp1", "--limit=1,000", "--quick");
    assertThat(p.get("SAVEPOINT")).isEqualTo("sp1");
    assertThat(p.get("--output")).isEqualTo("out");
    assertThat(p.getLong("--limit")).isEqualTo(1000);
    assertThat(p.flag("--quick")).isTrue();
    assertThat(parse(Rest.NONE, "sp1").has("--limit")).isFalse();
    assertThat(parse(Rest.NONE, "sp1").flag("--quick")).isFalse();
  }

  @Test
  void userErrorsAreOneLineWithASuggestion() {
    assertThatThrownBy(() -> parse(Rest.NONE, "sp1", "--ouptut", "d"))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient x: unknown argument --ouptut (did you mean --output?)");
    assertThatThrownBy(() -> parse(Rest.NONE, "--quick"))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient x: SAVEPOINT is required");
    assertThatThrownBy(() -> parse(Rest.NONE, "sp1", "--limit", "ten").getLong("--limit"))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient x: --limit needs a whole number, not 'ten'");
    assertThatThrownBy(() -> parse(Rest.NONE, "sp1", "--output"))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessageStartingWith("prescient x: Missing required parameter for option '--output'");
    // Job options only where the command takes them.
    assertThatThrownBy(() -> parse(Rest.NONE, "sp1", "--prescient.parallelism", "2"))
        .isInstanceOf(CommandOptions.UsageError.class);
    assertThatThrownBy(() -> parse(Rest.JOB_OPTIONS, "sp1", "--prescient.parallelism"))
        .hasMessage("prescient x: --prescient.parallelism needs a value");
  }

  @Test
  void jobAndFlinkOptionsAreHandedOnAsGiven() {
    CommandOptions.Parsed p =
        parse(
            Rest.JOB_OPTIONS,
            "sp1",
            "--prescient.parallelism",
            "4",
            "--execution.buffer-timeout.interval=5ms",
            "--config",
            "job.yaml");
    assertThat(p.jobArgs())
        .containsExactly(
            "--prescient.parallelism",
            "4",
            "--execution.buffer-timeout.interval",
            "5ms",
            "--config",
            "job.yaml");
    assertThat(p.jobOptions())
        .isEqualTo(
            Map.of("prescient.parallelism", "4", "execution.buffer-timeout.interval", "5ms"));
    // Anywhere: before a positional parameter, its value is not taken for the parameter.
    CommandOptions.Parsed before =
        parse(Rest.JOB_OPTIONS, "--prescient.parallelism", "4", "sp1", "--output", "--x.y");
    assertThat(before.get("SAVEPOINT")).isEqualTo("sp1");
    assertThat(before.get("--output"))
        .isEqualTo("--x.y"); // a declared option's value stays its own
    assertThat(before.jobOptions()).isEqualTo(Map.of("prescient.parallelism", "4"));
    // Input rules only: a general job option is not one of them.
    assertThat(
            parse(
                    Rest.INPUT_RULES,
                    "sp1",
                    "--prescient.input.min-timestamp",
                    "1990-01-01T00:00:00Z")
                .jobOptions())
        .containsEntry("prescient.input.min-timestamp", "1990-01-01T00:00:00Z");
    assertThatThrownBy(() -> parse(Rest.INPUT_RULES, "sp1", "--prescient.parallelism", "2"))
        .isInstanceOf(CommandOptions.UsageError.class);
  }

  @Test
  void helpIsGeneratedWithDefaultsInDeclarationOrder() {
    PrintStream stdout = System.out;
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buf, true, StandardCharsets.UTF_8));
    try {
      assertThat(parse(Rest.JOB_OPTIONS, "--help")).isNull();
    } finally {
      System.setOut(stdout);
    }
    String help = buf.toString(StandardCharsets.UTF_8);
    assertThat(help)
        .startsWith("Usage: prescient x")
        .contains("SAVEPOINT", "(default: out)", "Any job option may follow");
    String list = help.substring(help.indexOf("does x")); // the option list, after the synopsis
    assertThat(list.indexOf("--output")).isLessThan(list.indexOf("--limit"));
    assertThat(list.indexOf("--limit")).isLessThan(list.indexOf("--quick"));
  }
}

package io.prescient.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * {@code prescient}'s command line: generated help listing every command, a suggestion and exit
 * status 2 for a mistyped one, and every documented command's own {@code --help} answering with its
 * usage and status 0 (each in a JVM of its own, as ./prescient runs it).
 */
class CommandLineITCase {
  private static String[] run(String... args) {
    CommandLine cl = Prescient.commandLine();
    cl.setParameterExceptionHandler(Prescient::oneLine);
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    cl.setOut(new PrintWriter(out));
    cl.setErr(new PrintWriter(err));
    int status = cl.execute(args);
    return new String[] {Integer.toString(status), out.toString(), err.toString()};
  }

  @Test
  void theHelpIsGeneratedAndATypoGetsASuggestion() {
    String[] help = run("--help");
    assertThat(help[0]).isEqualTo("0");
    for (Prescient.Tool t : Prescient.TOOLS) {
      assertThat(help[1]).contains(t.name()).contains(t.description().substring(0, 20));
    }
    assertThat(help[1]).contains("train", "bench-suite", "loop");

    String[] typo = run("deom");
    assertThat(typo[0]).isEqualTo("2");
    assertThat(typo[2]).contains("Did you mean: prescient demo?").doesNotContain("\tat ");
    String[] train = run("train", "chrun");
    assertThat(train[0]).isEqualTo("2");
    assertThat(train[2]).contains("Did you mean: train churn?");
    assertThat(run("train")[2]).contains("say what to train: churn, offers or items");
    String[] trainHelp = run("train", "--help");
    assertThat(trainHelp[0]).isEqualTo("0");
    assertThat(trainHelp[1]).contains("churn", "offers", "items");
  }

  @Test
  void everyDocumentedCommandAnswersItsHelp() throws Exception {
    List<String[]> commands = new ArrayList<>();
    Prescient.TOOLS.forEach(t -> commands.add(new String[] {t.name()}));
    Prescient.TRAIN.forEach(t -> commands.add(new String[] {"train", t.name()}));
    List<String> failures = new ArrayList<>();
    for (String[] c : commands) {
      String text = runInJvm(c, "--help");
      if (!text.startsWith("exit 0\n")
          || !text.toLowerCase(java.util.Locale.ROOT).contains("usage")) {
        failures.add(String.join(" ", c) + " -> " + text.lines().limit(3).toList());
      }
    }
    assertThat(failures).isEmpty();
  }

  /**
   * Every tool's options are parsed by {@link CommandOptions}: an unknown one is one line naming it
   * and exit status 2, before anything starts. (The job and the gateway take the job's options,
   * checked by its configuration.)
   */
  @Test
  void everyToolRejectsAnUnknownOptionInOneLine() throws Exception {
    List<String[]> commands = new ArrayList<>();
    Prescient.TOOLS.stream()
        .filter(t -> !t.name().equals("job") && !t.name().equals("serve"))
        .forEach(t -> commands.add(new String[] {t.name()}));
    Prescient.TRAIN.forEach(t -> commands.add(new String[] {"train", t.name()}));
    List<String> failures = new ArrayList<>();
    for (String[] c : commands) {
      String text = runInJvm(c, "--no-such-flag");
      String[] lines = text.strip().split("\\R");
      String expected = "prescient " + String.join(" ", c) + ": unknown argument --no-such-flag";
      if (!text.startsWith("exit 2\n") || lines.length != 2 || !lines[1].startsWith(expected)) {
        failures.add(String.join(" ", c) + " -> " + text.lines().limit(3).toList());
      }
    }
    assertThat(failures).isEmpty();
  }

  /** Runs prescient with {@code command} and {@code more} in a JVM: "exit N" and its output. */
  private static String runInJvm(String[] command, String... more) throws Exception {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(Prescient.class.getName());
    cmd.addAll(List.of(command));
    cmd.addAll(List.of(more));
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    byte[] out = p.getInputStream().readAllBytes();
    assertThat(p.waitFor(60, TimeUnit.SECONDS)).isTrue();
    return "exit " + p.exitValue() + "\n" + new String(out, StandardCharsets.UTF_8);
  }
}

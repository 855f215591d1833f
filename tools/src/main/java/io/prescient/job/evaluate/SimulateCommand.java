package io.prescient.job.evaluate;

import static io.prescient.job.cli.CommandOptions.opt;

import io.prescient.job.cli.CommandOptions;
import io.prescient.job.cli.CommandOptions.Opt;
import io.prescient.offline.eval.FeedbackLog;
import io.prescient.offline.sim.CustomerSimulator;
import io.prescient.state.contract.Outcome;
import io.prescient.state.features.FeatureSchema;
import io.prescient.state.json.OutputJson;
import java.io.BufferedWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code ./prescient simulate}: the SYNTHETIC customer simulator ({@link CustomerSimulator}). Reads
 * the feedback records of a replay (every decision with the features it was made on) and writes the
 * outcomes the simulated customers report, in the outcomes topic's format, for a second replay with
 * {@code --outcomes}.
 */
public final class SimulateCommand {
  private SimulateCommand() {}

  static final String COMMAND = "prescient simulate";

  static final List<Opt> OPTIONS =
      List.of(
          opt(
              "--feedback",
              "FILE",
              null,
              "feedback JSON lines of a replay (decisions with their features); required"),
          opt(
              "--outcomes",
              "FILE",
              null,
              "where the simulated outcomes go (JSON lines, the outcomes topic format); required"),
          opt(
              "--seed",
              "N",
              "1",
              "seed of the customers' draws; the same decisions and seed give the same outcomes"));

  public static void main(String[] args) throws Exception {
    CommandOptions.main(COMMAND, () -> run(args));
  }

  /** The command with {@code args}; a user error is a {@link CommandOptions.UsageError}. */
  static void run(String[] args) throws Exception {
    CommandOptions.Parsed p =
        CommandOptions.parse(
            COMMAND,
            "SYNTHETIC customers answer a replay's decisions: reads its feedback records (every"
                + " decision with the features it was made on) and writes the outcomes the"
                + " simulated customers report, for a second replay with --outcomes.",
            OPTIONS,
            CommandOptions.Rest.NONE,
            args,
            "The customers are synthetic: segments from their real history, hidden conversion"
                + " rates per segment and offer (see CustomerSimulator.TRUTH). Control and"
                + " cancelled decisions get none.");
    if (p == null) {
      return;
    }
    if (!p.has("--feedback") || !p.has("--outcomes")) {
      throw p.error("--feedback and --outcomes are required");
    }
    Path feedback = Path.of(p.get("--feedback"));
    if (!Files.isRegularFile(feedback)) {
      throw p.error("--feedback " + feedback + " is not a file");
    }
    long seed = p.getLong("--seed");
    FeedbackLog.Read read = FeedbackLog.read(feedback, FeatureSchema.names());
    if (!read.bad().isEmpty()) {
      System.err.println(
          "[simulate] skipped " + read.bad().size() + " lines: " + read.bad().get(0));
    }
    CustomerSimulator sim = new CustomerSimulator(seed);
    Map<String, Integer> counts = new TreeMap<>();
    Path out = Path.of(p.get("--outcomes"));
    if (out.getParent() != null) {
      Files.createDirectories(out.getParent());
    }
    try (BufferedWriter w = Files.newBufferedWriter(out, StandardCharsets.UTF_8)) {
      for (FeedbackLog.Row row : read.rows()) {
        List<Outcome> outcomes = sim.answer(row);
        for (Outcome x : outcomes) {
          w.write(new String(OutputJson.outcome(x), StandardCharsets.UTF_8));
          w.newLine();
          counts.merge(x.type.wireName(), 1, Integer::sum);
        }
      }
    }
    System.out.printf(
        "%,d decisions answered with %s -> %s%n", read.rows().size(), counts, out.toAbsolutePath());
  }
}

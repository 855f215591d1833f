package io.prescient.job.evaluate;

import io.prescient.models.eval.FeedbackLog;
import io.prescient.models.sim.CustomerSimulator;
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

  static final String USAGE =
      String.join(
          "\n",
          "usage: prescient simulate --feedback FILE --outcomes FILE [--seed N]",
          "  --feedback FILE   feedback JSON lines of a replay (decisions with their features)",
          "  --outcomes FILE   where the simulated outcomes go (JSON lines, the outcomes topic format)",
          "  --seed N          seed of the customers' draws (1); the same decisions and seed give",
          "                    the same outcomes",
          "The customers are synthetic: segments from their real history, hidden conversion rates per",
          "segment and offer (see CustomerSimulator.TRUTH). Control and cancelled decisions get none.");

  public static void main(String[] args) throws Exception {
    Map<String, String> o = EvaluateCommand.options(args, USAGE, Map.of("--seed", "1"));
    if (o == null) {
      return;
    }
    if (!o.containsKey("--feedback") || !o.containsKey("--outcomes")) {
      EvaluateCommand.fail("simulate", USAGE, "--feedback and --outcomes are required");
    }
    FeedbackLog.Read read = FeedbackLog.read(Path.of(o.get("--feedback")), FeatureSchema.names());
    if (!read.bad().isEmpty()) {
      System.err.println(
          "[simulate] skipped " + read.bad().size() + " lines: " + read.bad().get(0));
    }
    CustomerSimulator sim = new CustomerSimulator(Long.parseLong(o.get("--seed")));
    Map<String, Integer> counts = new TreeMap<>();
    Path out = Path.of(o.get("--outcomes"));
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

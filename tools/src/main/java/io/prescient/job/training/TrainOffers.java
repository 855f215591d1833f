package io.prescient.job.training;

import io.prescient.job.cli.CommandOptions;
import io.prescient.models.artifact.ModelManifest;
import io.prescient.offline.offers.OfferFeatures;
import io.prescient.offline.offers.OfferTraining;
import io.prescient.offline.offers.OpenBanditLog;
import io.prescient.offline.report.OfferReport;
import io.prescient.offline.training.BoostingParams;
import io.prescient.offline.training.LabelledRows;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code ./prescient train offers}: the offer-propensity model from logged bandit feedback in the
 * Open Bandit Dataset format, to an artifact (Tribuo protobuf + manifest) and a report with the
 * test ROC AUC and the offline value of the greedy policy against the logging policy.
 */
public final class TrainOffers {
  private TrainOffers() {}

  static final List<CommandOptions.Opt> OPTIONS =
      TrainingCli.withCommon(
          TrainingCli.opt(
              "--logs",
              "DIR[,DIR...]",
              null,
              "logged-bandit campaign directories, each with <campaign>.csv(.gz) and"
                  + " item_context.csv(.gz) (default: the shared random/men and random/women)"),
          TrainingCli.opt(
              "--test-from",
              "DATE",
              "2019-11-29",
              "impressions from this day on are the test set"));

  public static void main(String[] args) throws Exception {
    TrainingCli.main("offers", () -> run(args));
  }

  /** The command with {@code args}; a user error is a {@link CommandOptions.UsageError}. */
  static void run(String[] args) throws Exception {
    if (List.of(args).contains("--feedback")) {
      TrainOffersFromFeedback.run(args); // our own feedback, not the Open Bandit format
      return;
    }
    Map<String, String> o =
        TrainingCli.parse(
            "offers",
            "Offer propensity from logged bandit feedback (the Open Bandit layout, or another"
                + " source's), evaluated offline.",
            OPTIONS,
            args,
            "prescient train offers --feedback FILE trains the model the policy serves from"
                + " Prescient's own feedback records instead (--feedback --help for its options).");
    if (o == null) {
      return;
    }
    List<Path> dirs = new ArrayList<>();
    if (o.containsKey("--logs")) {
      for (String d : o.get("--logs").split(",")) {
        dirs.add(Path.of(d.trim()));
      }
    } else {
      Path obd = Path.of(o.get("--data-dir"), "open-bandit", "random");
      dirs.add(obd.resolve("men"));
      dirs.add(obd.resolve("women"));
    }
    List<OpenBanditLog> logs = new ArrayList<>();
    for (Path d : dirs) {
      if (!Files.isDirectory(d)) {
        fail(d + " is not a directory; give --logs or point --data-dir at the shared datasets");
      }
      logs.add(OpenBanditLog.read(d));
      TrainingCli.log(
          String.format("%s: %,d impressions", d, logs.get(logs.size() - 1).impressions.size()));
    }
    long testFrom = TrainingCli.day("offers", o, "--test-from");
    BoostingParams params = new BoostingParams(100, 0.03, 2, 5, 0.8, 0.8, 1, 42);
    OfferTraining.Result r =
        OfferTraining.run(
            logs,
            testFrom,
            params,
            TrainingCli.number("offers", o, "--threads", 1, 256),
            TrainingCli::log);
    Map<String, String> training = new LinkedHashMap<>();
    training.put("task", "offer propensity: P(click | user, item, slot)");
    training.put("feature_space", "open-bandit v" + OfferFeatures.VERSION);
    for (OpenBanditLog log : logs) {
      training.put("data_" + log.campaign, log.file.getFileName() + " sha256 " + log.sha256);
    }
    training.put("test_from", Instant.ofEpochMilli(testFrom).toString());
    training.put("params", params.toString());
    training.put("row_weights", "min(" + OfferTraining.MAX_WEIGHT + ", (1/items)/propensity)");
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("test_roc_auc", r.modelAuc());
    metrics.put("test_pr_auc", r.modelPrAuc());
    metrics.put("baseline_popularity_roc_auc", r.popularityAuc());
    metrics.put("logged_ctr", r.logged().value());
    metrics.put("greedy_ips", r.values().get(0).ips().value());
    metrics.put("greedy_ips_low", r.values().get(0).ips().low());
    metrics.put("greedy_ips_high", r.values().get(0).ips().high());
    metrics.put("test_rows", (double) r.testRows());
    ModelManifest partial =
        new ModelManifest(
            "offer",
            o.get("--version"),
            OfferFeatures.VERSION,
            r.features().names(),
            LabelledRows.POSITIVE,
            "",
            "",
            false,
            training,
            metrics,
            Instant.now().truncatedTo(ChronoUnit.SECONDS).toString());
    Path dir = Path.of(o.get("--output"));
    ModelManifest manifest = TrainingCli.writeArtifact(dir, partial, r.model());
    Path manifestFile = dir.resolve(manifest.name() + "-" + manifest.version() + ".json");
    Path report = OfferReport.write(dir, manifest, logs, testFrom, r);
    System.out.printf(
        "%ntest ROC AUC %.4f (item popularity %.4f) on %,d impressions with %d clicks%n",
        r.modelAuc(), r.popularityAuc(), r.testRows(), r.testClicks());
    System.out.printf(
        "greedy policy IPS %.5f [%.5f, %.5f] vs logging policy %.5f [%.5f, %.5f] clicks/impression%n",
        r.values().get(0).ips().value(),
        r.values().get(0).ips().low(),
        r.values().get(0).ips().high(),
        r.logged().value(),
        r.logged().low(),
        r.logged().high());
    System.out.println("artifact: " + manifestFile);
    System.out.println("report:   " + report);
  }

  static void fail(String message) {
    TrainingCli.fail("offers", message);
  }
}

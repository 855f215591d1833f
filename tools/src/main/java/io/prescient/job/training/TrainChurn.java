package io.prescient.job.training;

import io.prescient.job.cli.CommandOptions;
import io.prescient.job.datasets.ConvertDataset;
import io.prescient.job.datasets.DatasetConverter;
import io.prescient.models.artifact.ModelManifest;
import io.prescient.offline.report.ChurnReport;
import io.prescient.offline.training.BoostingParams;
import io.prescient.offline.training.ChurnTraining;
import io.prescient.offline.training.EventLog;
import io.prescient.offline.training.LabelledRows;
import io.prescient.state.features.FeatureSchema;
import io.prescient.state.profile.ProfileUpdater;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code ./prescient train churn}: point-in-time churn training from an event log, through the live
 * job's feature code, to a model artifact (Tribuo protobuf + manifest) and a report. The defaults
 * are the Online Retail protocol of the models issue; without {@code --events} the shared Online
 * Retail dataset is converted first.
 */
public final class TrainChurn {
  private TrainChurn() {}

  static final List<CommandOptions.Opt> OPTIONS =
      TrainingCli.withCommon(
          TrainingCli.onlineRetailEvents(),
          TrainingCli.opt(
              "--privacy",
              "FILE",
              null,
              "privacy requests JSON lines: opted-out and erased users are left out"),
          TrainingCli.opt(
              "--train-cutoffs",
              "DATES",
              "2011-03-01,2011-05-01,2011-07-01",
              "training cut-offs, comma separated; the last one is also the validation set for"
                  + " model selection"),
          TrainingCli.testCutoff(),
          TrainingCli.opt(
              "--horizon-days", "N", "90", "churned = no purchase in N days after the cut-off"),
          TrainingCli.flag("--quick", "one candidate setting instead of the selection grid"));

  public static void main(String[] args) throws Exception {
    TrainingCli.main("churn", () -> run(args));
  }

  /** The command with {@code args}; a user error is a {@link CommandOptions.UsageError}. */
  static void run(String[] args) throws Exception {
    Map<String, String> o =
        TrainingCli.parse(
            "churn",
            "Churn, point in time, from an event log: a Tribuo XGBoost artifact and a report.",
            OPTIONS,
            args);
    if (o == null) {
      return;
    }
    train(o);
  }

  /**
   * Trains with the parsed options (those of {@link #main}, defaults filled in); returns the
   * manifest written. Bad options end the process with the usage, as {@link #main} does.
   */
  public static Path train(Map<String, String> o) throws Exception {
    boolean quick = o.containsKey("--quick");
    Path events = o.containsKey("--events") ? Path.of(o.get("--events")) : defaultLog(o);
    if (!Files.isRegularFile(events)) {
      fail("event log " + events + " not found");
    }
    ChurnTraining.Plan plan;
    try {
      List<Long> train =
          Arrays.stream(o.get("--train-cutoffs").split(",")).map(TrainingCli::day).toList();
      plan =
          new ChurnTraining.Plan(
              train,
              TrainingCli.day("churn", o, "--test-cutoff"),
              TrainingCli.number("churn", o, "--horizon-days", 1, 3650) * 86_400_000L,
              quick ? List.of(candidates().get(0)) : candidates(),
              TrainingCli.number("churn", o, "--threads", 1, 256));
      if (train.stream().anyMatch(c -> c >= plan.testCutoff())) {
        fail("every training cut-off must be before the test cut-off");
      }
    } catch (CommandOptions.UsageError e) {
      throw e;
    } catch (RuntimeException e) {
      fail(e.getMessage());
      return null;
    }
    Set<String> excluded =
        o.containsKey("--privacy")
            ? EventLog.optedOutOrErased(Path.of(o.get("--privacy")))
            : Set.of();
    long t0 = System.nanoTime();
    log("reading " + events);
    EventLog eventLog = TrainingCli.readEvents("churn", events, o);
    long first = eventLog.events.get(0).timestamp;
    if (plan.trainCutoffs().get(0) <= first || plan.testCutoff() > eventLog.lastTimestamp()) {
      fail(
          String.format(
              "the cut-offs (%s .. %s) must fall within the log's events (%s .. %s): give"
                  + " --train-cutoffs and --test-cutoff inside it",
              Instant.ofEpochMilli(plan.trainCutoffs().get(0)).toString().substring(0, 10),
              Instant.ofEpochMilli(plan.testCutoff()).toString().substring(0, 10),
              Instant.ofEpochMilli(first).toString().substring(0, 10),
              Instant.ofEpochMilli(eventLog.lastTimestamp()).toString().substring(0, 10)));
    }
    log(
        String.format(
            "%,d events, %,d rejected %s, %,d users left out for privacy",
            eventLog.events.size(),
            eventLog.rejected(),
            eventLog.rejectedByReason,
            excluded.size()));
    ChurnTraining.Result r =
        ChurnTraining.run(
            eventLog, excluded, plan, ProfileUpdater.Settings.defaults(), TrainChurn::log);
    Path dir = Path.of(o.get("--output"));
    ModelManifest manifest =
        TrainingCli.writeArtifact(dir, manifest(o.get("--version"), plan, r, eventLog), r.model());
    Path manifestFile = dir.resolve(manifest.name() + "-" + manifest.version() + ".json");
    Path report = ChurnReport.write(dir, manifest, plan, r, eventLog);
    Path scores = dir.resolve(manifest.name() + "-" + manifest.version() + "-test-scores.csv");
    StringBuilder csv = new StringBuilder("user_id,cutoff,score,churned\n");
    for (int i = 0; i < r.testUsers().size(); i++) {
      csv.append(r.testUsers().get(i)).append(',').append(Instant.ofEpochMilli(plan.testCutoff()));
      csv.append(',').append(r.testScores()[i]).append(',').append(r.testLabels()[i]).append('\n');
    }
    Files.writeString(scores, csv.toString());
    System.out.printf(
        "%ntest ROC AUC %.4f (6 RFM features %.4f, recency only %.4f), PR AUC %.4f, Brier %.4f%n",
        r.model_().rocAuc(),
        r.rfm().rocAuc(),
        r.recency().rocAuc(),
        r.model_().prAuc(),
        r.model_().brier());
    System.out.println("artifact: " + manifestFile);
    System.out.println("report:   " + report);
    System.out.println("scores:   " + scores + " (test customers; input of prescient audit)");
    log(String.format("done in %.1f s", (System.nanoTime() - t0) / 1e9));
    return manifestFile;
  }

  /** The options of {@code train churn} with their defaults, for {@link #train}. */
  public static Map<String, String> defaults() {
    return TrainingCli.defaults(OPTIONS);
  }

  /** The selection grid: shallow and deeper trees, light and strong leaf regularisation. */
  static List<BoostingParams> candidates() {
    List<BoostingParams> grid = new ArrayList<>();
    for (int depth : new int[] {3, 5}) {
      for (double minChild : new double[] {5, 30}) {
        grid.add(new BoostingParams(150, 0.02, depth, minChild, 0.8, 0.6, 1, 42));
      }
    }
    grid.add(new BoostingParams(400, 0.02, 3, 30, 0.8, 0.6, 1, 42));
    return grid;
  }

  static ModelManifest manifest(
      String version, ChurnTraining.Plan plan, ChurnTraining.Result r, EventLog log) {
    Map<String, String> training = new LinkedHashMap<>();
    training.put("task", "churn: no purchase in " + plan.horizonMs() / 86_400_000L + " days");
    training.put("data_file", log.path.getFileName().toString());
    training.put("data_sha256", log.sha256);
    training.put("data_events", Long.toString(log.events.size()));
    training.put("data_from", Instant.ofEpochMilli(log.firstTimestamp()).toString());
    training.put("data_to", Instant.ofEpochMilli(log.lastTimestamp()).toString());
    training.put(
        "train_cutoffs",
        plan.trainCutoffs().stream()
            .map(c -> Instant.ofEpochMilli(c).toString())
            .collect(Collectors.joining(",")));
    training.put("test_cutoff", Instant.ofEpochMilli(plan.testCutoff()).toString());
    training.put("rows_by_cutoff", r.rowsByCutoff().toString());
    training.put("params", r.chosen().toString());
    training.put(
        "trainer", "tribuo-classification-xgboost XGBoostClassificationTrainer, tree_method hist");
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("test_roc_auc", r.model_().rocAuc());
    metrics.put("test_pr_auc", r.model_().prAuc());
    metrics.put("test_brier", r.model_().brier());
    metrics.put("baseline_rfm_roc_auc", r.rfm().rocAuc());
    metrics.put("baseline_recency_roc_auc", r.recency().rocAuc());
    metrics.put("test_rows", (double) r.testLabels().length);
    return new ModelManifest(
        "churn",
        version,
        FeatureSchema.VERSION,
        FeatureSchema.names(),
        LabelledRows.POSITIVE,
        "",
        "",
        false,
        training,
        metrics,
        Instant.now().truncatedTo(ChronoUnit.SECONDS).toString(),
        r.baseline());
  }

  private static Path defaultLog(Map<String, String> o) throws Exception {
    Path out = Path.of(".local", "data", "online-retail.jsonl");
    if (!Files.exists(out)) {
      Path csv = Path.of(o.get("--data-dir"), "online-retail", "online-retail.csv.gz");
      if (!Files.exists(csv)) {
        fail(csv + " not found; give --events FILE or point --data-dir at the shared datasets");
      }
      log("converting " + csv + " -> " + out);
      ConvertDataset.convert(DatasetConverter.named("online-retail"), csv, out, 0);
    }
    return out;
  }

  static void log(String line) {
    TrainingCli.log(line);
  }

  static void fail(String message) {
    TrainingCli.fail("churn", message);
  }
}

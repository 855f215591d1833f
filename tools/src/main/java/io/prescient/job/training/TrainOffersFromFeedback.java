package io.prescient.job.training;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.prescient.job.cli.CommandOptions;
import io.prescient.models.artifact.LoadedModel;
import io.prescient.models.policy.OfferCatalog;
import io.prescient.models.policy.OfferModel;
import io.prescient.offline.offers.FeedbackOfferTraining;
import io.prescient.offline.training.BoostingParams;
import io.prescient.state.features.FeatureSchema;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code ./prescient train offers --feedback FILE}: the offer-propensity model the policy serves
 * (slot {@code offers}), from Prescient's own feedback records: released, non-control decisions
 * with features, the offer sent, its exact logged propensity and whether the user converted.
 */
public final class TrainOffersFromFeedback {
  private TrainOffersFromFeedback() {}

  static final List<CommandOptions.Opt> OPTIONS =
      TrainingCli.withCommon(
          TrainingCli.opt(
              "--feedback",
              "FILE",
              null,
              "feedback JSON lines (the feedback topic, or replay's feedback.jsonl)"),
          TrainingCli.opt(
              "--offers",
              "FILE",
              "",
              "the offer catalog the job serves (default: the shipped one)"));

  /** What a feedback file held. */
  record Read(List<FeedbackOfferTraining.Logged> rows, Map<String, Integer> skipped) {}

  public static void main(String[] args) throws Exception {
    TrainingCli.main("offers", () -> run(args));
  }

  /** The command with {@code args}; a user error is a {@link CommandOptions.UsageError}. */
  static void run(String[] args) throws Exception {
    if (List.of(args).contains("--help") || List.of(args).contains("-h")) {
      args = new String[] {"--help"}; // "train offers --feedback --help": this command's help
    }
    Map<String, String> o =
        TrainingCli.parse(
            "offers",
            "The offer model the policy serves, from Prescient's own feedback records.",
            OPTIONS,
            args,
            "Rows are weighted by min("
                + OfferModel.MAX_WEIGHT
                + ", 1/propensity); the earliest 80% by decision time train, the rest test."
                + " Announce the artifact on the models topic with name 'offers' to serve it.");
    if (o == null) {
      return;
    }
    if (!o.containsKey("--feedback") || !Files.isRegularFile(Path.of(o.get("--feedback")))) {
      TrainingCli.fail("offers", "--feedback must name a feedback JSON-lines file");
    }
    train(
        Path.of(o.get("--feedback")),
        o.get("--offers"),
        Path.of(o.get("--output")),
        o.get("--version"),
        TrainingCli.number("offers", o, "--threads", 1, 256));
  }

  /**
   * Trains the offer model from a feedback file for the catalog in {@code offersFile} (empty: the
   * shipped one) and writes the artifact into {@code output}; returns the manifest.
   */
  public static Path train(Path file, String offersFile, Path output, String version, int threads)
      throws IOException {
    OfferCatalog catalog = OfferCatalog.load(offersFile);
    Read read = read(file);
    TrainingCli.log(
        String.format("%s: %,d usable rows; skipped %s", file, read.rows().size(), read.skipped()));
    BoostingParams params = new BoostingParams(100, 0.05, 3, 5, 0.8, 0.8, 1, 42);
    FeedbackOfferTraining.Result r =
        FeedbackOfferTraining.train(read.rows(), catalog, params, threads);
    Map<String, String> training = new LinkedHashMap<>();
    training.put("task", "offer propensity: P(convert | user features, offer)");
    training.put(
        "data", file.getFileName() + " sha256 " + LoadedModel.sha256(Files.readAllBytes(file)));
    training.put("catalog", catalog.source());
    training.put("rows_train", Integer.toString(r.trainRows()));
    training.put("rows_test", Integer.toString(r.testRows()));
    training.put("params", params.toString());
    training.put("row_weights", "min(" + OfferModel.MAX_WEIGHT + ", 1/logged propensity)");
    Path manifest = FeedbackOfferTraining.write(output, version, r, catalog, training);
    System.out.printf(
        "%ntest ROC AUC %.4f (catalog prior %.4f), Brier %.4f, conversion rate %.4f on %,d rows%n",
        r.metrics().get("test_roc_auc"),
        r.metrics().get("test_roc_auc_prior"),
        r.metrics().get("test_brier"),
        r.metrics().get("test_positive_rate"),
        r.testRows());
    System.out.println("artifact: " + manifest);
    return manifest;
  }

  /** Reads the usable rows of a feedback file; every other line is counted by reason. */
  static Read read(Path file) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<FeedbackOfferTraining.Logged> rows = new ArrayList<>();
    Map<String, Integer> skipped = new TreeMap<>();
    int width = FeatureSchema.names().size();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        JsonNode f;
        try {
          f = json.readTree(line);
        } catch (IOException e) {
          skipped.merge("not_json", 1, Integer::sum);
          continue;
        }
        JsonNode d = f.path("decision");
        if (f.path("feature_schema_version").asInt() != FeatureSchema.VERSION) {
          skipped.merge("other_feature_schema", 1, Integer::sum);
        } else if ("none".equals(d.path("action").asText()) || d.path("offer_id").isMissingNode()) {
          skipped.merge("control_or_no_offer", 1, Integer::sum);
        } else if (f.path("features").size() != width) {
          skipped.merge("no_features", 1, Integer::sum);
        } else {
          float[] x = new float[width];
          for (int i = 0; i < width; i++) {
            JsonNode v = f.get("features").get(i);
            x[i] = v.isNull() ? Float.NaN : (float) v.asDouble();
          }
          rows.add(
              new FeedbackOfferTraining.Logged(
                  x,
                  d.get("offer_id").asText(),
                  d.path("propensity").asDouble(1.0),
                  f.path("converted").asBoolean(),
                  Instant.parse(d.get("decided_at").asText()).toEpochMilli()));
        }
      }
    }
    return new Read(rows, skipped);
  }
}

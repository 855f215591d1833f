package io.prescient.offline.training;

import io.prescient.models.artifact.ModelLoadException;
import io.prescient.models.drift.DriftBaseline;
import io.prescient.models.scoring.BoosterScorer;
import io.prescient.offline.eval.BinaryMetrics;
import io.prescient.state.features.FeatureSchema;
import io.prescient.state.profile.ProfileUpdater;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Consumer;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.common.xgboost.XGBoostModel;

/**
 * Trains the churn model with a time-based protocol: rows at the training cut-offs, model selection
 * on the last training cut-off (trained on the earlier ones), the chosen settings retrained on all
 * training cut-offs, and one evaluation on the test cut-off, which nothing before has looked at.
 * Two baselines are scored on the same test rows: recency alone, and a plain gradient-boosted model
 * on six RFM features.
 */
public final class ChurnTraining {
  private ChurnTraining() {}

  /** The six RFM features of the baseline model, by schema name. */
  public static final List<String> RFM_FEATURES =
      List.of(
          "days_since_last_purchase",
          "days_since_first_seen",
          "sessions_lifetime",
          "spend_lifetime",
          "sessions_90d",
          "spend_90d");

  /** What to train on. */
  public record Plan(
      List<Long> trainCutoffs,
      long testCutoff,
      long horizonMs,
      List<BoostingParams> candidates,
      int threads) {}

  /** Scores on the test rows. */
  public record Evaluation(String name, double rocAuc, double prAuc, double brier) {}

  /** Everything a training run produced. */
  public record Result(
      XGBoostModel<Label> model,
      BoostingParams chosen,
      Map<BoostingParams, Double> validationAuc,
      Map<Long, Integer> rowsByCutoff,
      Map<Long, Double> churnRateByCutoff,
      Evaluation model_,
      Evaluation recency,
      Evaluation rfm,
      double[] testScores,
      double[] recencyScores,
      double[] rfmScores,
      boolean[] testLabels,
      List<String> testUsers,
      Map<String, Double> importance,
      DriftBaseline baseline) {}

  public static Result run(
      EventLog log,
      Set<String> excluded,
      Plan plan,
      ProfileUpdater.Settings settings,
      Consumer<String> progress)
      throws Exception {
    List<Long> all = new ArrayList<>(plan.trainCutoffs());
    all.add(plan.testCutoff());
    progress.accept("replaying " + log.events.size() + " events to " + all.size() + " cut-offs");
    Map<Long, List<ChurnTrainingSet.Row>> rows =
        ChurnTrainingSet.build(log.events, all, plan.horizonMs(), excluded, settings);
    Map<Long, Integer> counts = new LinkedHashMap<>();
    Map<Long, Double> rates = new LinkedHashMap<>();
    rows.forEach(
        (c, r) -> {
          counts.put(c, r.size());
          rates.put(
              c, r.stream().filter(ChurnTrainingSet.Row::churned).count() / (double) r.size());
          progress.accept(
              String.format(
                  "cut-off %s: %,d customers, %.1f%% churned",
                  Instant.ofEpochMilli(c), r.size(), 100 * rates.get(c)));
        });
    List<String> names = FeatureSchema.names();
    long validation = plan.trainCutoffs().stream().mapToLong(Long::longValue).max().orElseThrow();
    List<ChurnTrainingSet.Row> fit = new ArrayList<>();
    List<ChurnTrainingSet.Row> train = new ArrayList<>();
    for (long c : plan.trainCutoffs()) {
      train.addAll(rows.get(c));
      if (c != validation) {
        fit.addAll(rows.get(c));
      }
    }
    List<ChurnTrainingSet.Row> test = rows.get(plan.testCutoff());

    Map<BoostingParams, Double> validationAuc = new LinkedHashMap<>();
    BoostingParams best = plan.candidates().get(0);
    if (plan.candidates().size() > 1 && !fit.isEmpty()) {
      double bestAuc = Double.NEGATIVE_INFINITY;
      for (BoostingParams p : plan.candidates()) {
        double auc = auc(train(names, fit, p, plan.threads()), names, rows.get(validation));
        validationAuc.put(p, auc);
        progress.accept(String.format("validation ROC AUC %.4f with %s", auc, p));
        if (auc > bestAuc) {
          bestAuc = auc;
          best = p;
        }
      }
    }
    progress.accept("training on " + train.size() + " rows with " + best);
    XGBoostModel<Label> model = train(names, train, best, plan.threads());

    boolean[] labels = new boolean[test.size()];
    double[] recency = new double[test.size()];
    int recencyIdx = names.indexOf("days_since_last_purchase");
    for (int i = 0; i < labels.length; i++) {
      labels[i] = test.get(i).churned();
      recency[i] = test.get(i).features()[recencyIdx];
    }
    double[] scores = scores(model, names, test);
    List<String> rfmNames = RFM_FEATURES;
    XGBoostModel<Label> rfm =
        train(rfmNames, project(train, names, rfmNames), best, plan.threads());
    double[] rfmScores = scores(rfm, rfmNames, project(test, names, rfmNames));
    Map<String, Double> importance =
        new LinkedHashMap<>(model.getFeatureImportance().get(0).getGain());
    return new Result(
        model,
        best,
        validationAuc,
        counts,
        rates,
        evaluate("model", scores, labels),
        new Evaluation(
            "recency only",
            BinaryMetrics.rocAuc(recency, labels),
            BinaryMetrics.prAuc(recency, labels),
            Double.NaN),
        evaluate("gradient boosting on 6 RFM features", rfmScores, labels),
        scores,
        recency,
        rfmScores,
        labels,
        test.stream().map(ChurnTrainingSet.Row::userId).toList(),
        importance,
        // What the served model will be compared with live: the rows it was trained on.
        DriftBaseline.of(
            names,
            train.stream().map(ChurnTrainingSet.Row::features).toList(),
            scores(model, names, train),
            10));
  }

  static Evaluation evaluate(String name, double[] p, boolean[] labels) {
    return new Evaluation(
        name,
        BinaryMetrics.rocAuc(p, labels),
        BinaryMetrics.prAuc(p, labels),
        BinaryMetrics.brier(p, labels));
  }

  @SuppressWarnings("unchecked")
  static XGBoostModel<Label> train(
      List<String> names, List<ChurnTrainingSet.Row> rows, BoostingParams p, int threads) {
    List<LabelledRows.Row> lr = new ArrayList<>(rows.size());
    for (ChurnTrainingSet.Row r : rows) {
      lr.add(new LabelledRows.Row(r.features(), r.churned(), 1f));
    }
    Model<Label> m = p.trainer(threads).train(LabelledRows.dataset("churn rows", names, lr));
    return (XGBoostModel<Label>) m;
  }

  static double auc(XGBoostModel<Label> m, List<String> names, List<ChurnTrainingSet.Row> rows)
      throws ModelLoadException {
    boolean[] labels = new boolean[rows.size()];
    for (int i = 0; i < labels.length; i++) {
      labels[i] = rows.get(i).churned();
    }
    return BinaryMetrics.rocAuc(scores(m, names, rows), labels);
  }

  static double[] scores(XGBoostModel<Label> m, List<String> names, List<ChurnTrainingSet.Row> rows)
      throws ModelLoadException {
    double[] out = new double[rows.size()];
    try (BoosterScorer s = BoosterScorer.create(m, names, LabelledRows.POSITIVE)) {
      float[][] batch = new float[rows.size()][];
      for (int i = 0; i < batch.length; i++) {
        batch[i] = rows.get(i).features();
      }
      float[] p = s.score(batch, batch.length);
      for (int i = 0; i < out.length; i++) {
        out[i] = p[i];
      }
    }
    return out;
  }

  static List<ChurnTrainingSet.Row> project(
      List<ChurnTrainingSet.Row> rows, List<String> from, List<String> to) {
    int[] idx = to.stream().mapToInt(from::indexOf).toArray();
    List<ChurnTrainingSet.Row> out = new ArrayList<>(rows.size());
    for (ChurnTrainingSet.Row r : rows) {
      float[] f = new float[idx.length];
      for (int i = 0; i < idx.length; i++) {
        f[i] = r.features()[idx[i]];
      }
      out.add(new ChurnTrainingSet.Row(r.userId(), r.cutoff(), f, r.churned()));
    }
    return out;
  }
}

package io.prescient.offline.offers;

import io.prescient.models.artifact.ModelLoadException;
import io.prescient.models.scoring.BoosterScorer;
import io.prescient.offline.eval.BinaryMetrics;
import io.prescient.offline.eval.OffPolicy;
import io.prescient.offline.training.BoostingParams;
import io.prescient.offline.training.LabelledRows;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import org.tribuo.classification.Label;
import org.tribuo.common.xgboost.XGBoostModel;

/**
 * Offer propensity, P(click | user, item, slot), from logged bandit feedback, with a time split:
 * impressions before {@code testFrom} train, the rest test. Rows are weighted by how much more
 * often a uniform policy would have shown the logged item than the logging policy did, {@code
 * (1/items) / propensity}, clipped: for the uniform-random logs every weight is 1 (their
 * impressions already cover every item evenly, so nothing needs correcting); for Thompson-sampling
 * logs the weights undo the policy's preference for its favourites. The test reports ROC AUC
 * against an item-popularity baseline, and the offline value (IPS, SNIPS, 95% bootstrap CI) of the
 * greedy policy that shows the best-scored item in each logged slot, against the logging policy's
 * own click rate.
 */
public final class OfferTraining {
  private OfferTraining() {}

  public static final double MAX_WEIGHT = 20;

  /** One offline policy value. */
  public record PolicyValue(String policy, OffPolicy.Estimate ips, OffPolicy.Estimate snips) {}

  /** What a run produced. */
  public record Result(
      XGBoostModel<Label> model,
      OfferFeatures features,
      int trainRows,
      int trainClicks,
      int testRows,
      int testClicks,
      double modelAuc,
      double popularityAuc,
      double modelPrAuc,
      double popularityPrAuc,
      double[] testScores,
      double[] popularityScores,
      boolean[] testLabels,
      OffPolicy.Estimate logged,
      List<PolicyValue> values,
      Map<String, Double> importance) {}

  public static Result run(
      List<OpenBanditLog> logs,
      long testFrom,
      BoostingParams params,
      int threads,
      Consumer<String> progress)
      throws ModelLoadException {
    OfferFeatures space = OfferFeatures.of(logs);
    List<LabelledRows.Row> train = new ArrayList<>();
    List<OpenBanditLog.Impression> test = new ArrayList<>();
    List<OpenBanditLog> testLog = new ArrayList<>();
    Map<String, double[]> popularity = new HashMap<>(); // campaign:item -> {shows, clicks}
    double shows = 0;
    double clicks = 0;
    for (OpenBanditLog log : logs) {
      for (OpenBanditLog.Impression x : log.impressions) {
        if (x.timestamp() < testFrom) {
          float w = (float) Math.min(MAX_WEIGHT, (1.0 / log.itemCount()) / x.propensity());
          train.add(
              new LabelledRows.Row(
                  space.vector(
                      x, log.userFeatureNames, x.item(), x.position(), log.items.get(x.item())),
                  x.click(),
                  w));
          double[] pc = popularity.computeIfAbsent(key(x.campaign(), x.item()), k -> new double[2]);
          pc[0]++;
          pc[1] += x.click() ? 1 : 0;
          shows++;
          clicks += x.click() ? 1 : 0;
        } else {
          test.add(x);
          testLog.add(log);
        }
      }
    }
    int trainClicks = (int) train.stream().filter(LabelledRows.Row::positive).count();
    progress.accept(
        String.format(
            "training on %,d impressions (%d clicks), %d features; testing on %,d",
            train.size(), trainClicks, space.names().size(), test.size()));
    @SuppressWarnings("unchecked")
    XGBoostModel<Label> model =
        (XGBoostModel<Label>)
            params.trainer(threads).train(LabelledRows.dataset("offer rows", space.names(), train));
    double prior = clicks / Math.max(1, shows);
    try (BoosterScorer scorer = BoosterScorer.create(model, space.names(), LabelledRows.POSITIVE)) {
      int n = test.size();
      double[] scores = new double[n];
      double[] pop = new double[n];
      boolean[] labels = new boolean[n];
      boolean[] greedyMatches = new boolean[n];
      boolean[] popMatches = new boolean[n];
      double[] rewards = new double[n];
      double[] propensities = new double[n];
      for (int i = 0; i < n; i++) {
        OpenBanditLog.Impression x = test.get(i);
        OpenBanditLog log = testLog.get(i);
        labels[i] = x.click();
        rewards[i] = x.click() ? 1 : 0;
        propensities[i] = x.propensity();
        List<Integer> items = new ArrayList<>(log.items.keySet());
        items.sort(null);
        float[][] candidates = new float[items.size()][];
        for (int k = 0; k < items.size(); k++) {
          candidates[k] =
              space.vector(
                  x, log.userFeatureNames, items.get(k), x.position(), log.items.get(items.get(k)));
        }
        float[] s = scorer.score(candidates, candidates.length);
        int best = 0;
        int bestPop = 0;
        for (int k = 0; k < items.size(); k++) {
          if (items.get(k) == x.item()) {
            scores[i] = s[k];
            pop[i] = smoothedCtr(popularity, x.campaign(), x.item(), prior);
          }
          if (s[k] > s[best]) {
            best = k;
          }
          if (smoothedCtr(popularity, x.campaign(), items.get(k), prior)
              > smoothedCtr(popularity, x.campaign(), items.get(bestPop), prior)) {
            bestPop = k;
          }
        }
        greedyMatches[i] = items.get(best) == x.item();
        popMatches[i] = items.get(bestPop) == x.item();
      }
      List<PolicyValue> values =
          List.of(
              new PolicyValue(
                  "greedy on the model",
                  OffPolicy.ips(greedyMatches, rewards, propensities, 2000, 7),
                  OffPolicy.snips(greedyMatches, rewards, propensities, 2000, 7)),
              new PolicyValue(
                  "greedy on item popularity",
                  OffPolicy.ips(popMatches, rewards, propensities, 2000, 7),
                  OffPolicy.snips(popMatches, rewards, propensities, 2000, 7)));
      return new Result(
          model,
          space,
          train.size(),
          trainClicks,
          n,
          (int) rewardsSum(rewards),
          BinaryMetrics.rocAuc(scores, labels),
          BinaryMetrics.rocAuc(pop, labels),
          BinaryMetrics.prAuc(scores, labels),
          BinaryMetrics.prAuc(pop, labels),
          scores,
          pop,
          labels,
          OffPolicy.logged(rewards, 2000, 7),
          values,
          new java.util.LinkedHashMap<>(model.getFeatureImportance().get(0).getGain()));
    }
  }

  private static double rewardsSum(double[] r) {
    double s = 0;
    for (double v : r) {
      s += v;
    }
    return s;
  }

  /** Click rate of an item in training, shrunk towards the overall rate (20 pseudo-shows). */
  static double smoothedCtr(Map<String, double[]> pop, String campaign, int item, double prior) {
    double[] pc = pop.getOrDefault(key(campaign, item), new double[2]);
    return (pc[1] + 20 * prior) / (pc[0] + 20);
  }

  private static String key(String campaign, int item) {
    return campaign + ":" + item;
  }
}

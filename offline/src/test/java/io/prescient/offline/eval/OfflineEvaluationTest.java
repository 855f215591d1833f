package io.prescient.offline.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.prescient.models.policy.EpsilonGreedy;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * IPS, SNIPS and doubly robust estimates on logs with a known truth: exact on a hand-computed
 * example, and, on epsilon-greedy logs, within their interval of the true value of the greedy
 * policy, with DR tighter than IPS when its reward model is good.
 */
class OfflineEvaluationTest {
  static FeedbackLog.Row row(
      String id,
      String user,
      String arm,
      String offer,
      double p,
      boolean converted,
      Map<String, Double> scores,
      Map<String, Double> values) {
    return new FeedbackLog.Row(
        id,
        user,
        "cart_abandonment",
        arm,
        arm,
        offer,
        "reminder",
        "email",
        p,
        false,
        new ArrayList<>(scores.keySet()),
        scores,
        values,
        0L,
        0L,
        null,
        converted,
        converted ? 10 : 0,
        Map.of());
  }

  @Test
  void eachEstimatorIsExactOnAHandComputedLog() {
    Map<String, Double> q = new LinkedHashMap<>();
    q.put("a", 0.5);
    q.put("b", 0.2);
    Map<String, Double> v = Map.of("a", 2.0, "b", 1.0); // greedy picks a
    List<FeedbackLog.Row> rows =
        List.of(
            row("1", "u1", "model", "a", 0.8, true, q, v),
            row("2", "u2", "model", "b", 0.2, true, q, v),
            row("3", "u3", "model", "a", 0.8, false, q, v));
    OfflineEvaluation.Value g =
        OfflineEvaluation.estimate(rows, OfflineEvaluation.greedy(), 200, 1);
    // weights 1/0.8, 0, 1/0.8; rewards 1, 1, 0
    assertThat(g.ips().value()).isCloseTo((1.25 + 0 + 0) / 3, within(1e-12));
    assertThat(g.snips().value()).isCloseTo(1.25 / 2.5, within(1e-12));
    // DR: q(a) + w (r - q(a)) for a rows; q(a) for the b row
    double dr = ((0.5 + 1.25 * 0.5) + 0.5 + (0.5 + 1.25 * -0.5)) / 3;
    assertThat(g.dr().value()).isCloseTo(dr, within(1e-12));
    assertThat(g.matched()).isCloseTo(2 / 3.0, within(1e-12));
  }

  @Test
  void estimatesOfTheGreedyPolicyFromEpsilonGreedyLogsCoverTheTruth() {
    // three offers; true conversion depends on the context's segment; the logged candidate scores
    // are a good (noisy) reward model, and the logging policy is epsilon-greedy on wrong values
    String[] offers = {"a", "b", "c"};
    double[][] truth = {{0.10, 0.30, 0.05}, {0.25, 0.05, 0.05}};
    Random r = new Random(3);
    List<FeedbackLog.Row> rows = new ArrayList<>();
    double trueGreedy = 0;
    int n = 20_000;
    for (int i = 0; i < n; i++) {
      int seg = r.nextInt(2);
      Map<String, Double> q = new LinkedHashMap<>();
      Map<String, Double> values = new LinkedHashMap<>();
      for (int k = 0; k < 3; k++) {
        q.put(offers[k], truth[seg][k] + 0.02 * r.nextGaussian());
        values.put(offers[k], truth[seg][k]); // the target: greedy on the truth
      }
      double[] logging = {1.0, 0.5, 0.2}; // the logging policy prefers a
      String id = Integer.toHexString(i) + "0000000000000000";
      EpsilonGreedy.Choice c = EpsilonGreedy.choose(logging, 0.3, id);
      boolean converted = r.nextDouble() < truth[seg][c.index()];
      rows.add(row(id, "u" + i, "model", offers[c.index()], c.propensity(), converted, q, values));
      trueGreedy += Math.max(truth[seg][0], Math.max(truth[seg][1], truth[seg][2]));
    }
    trueGreedy /= n;
    OfflineEvaluation.Value g =
        OfflineEvaluation.estimate(rows, OfflineEvaluation.greedy(), 500, 5);
    for (OffPolicy.Estimate e : List.of(g.ips(), g.snips(), g.dr())) {
      assertThat(trueGreedy).isBetween(e.low(), e.high());
    }
    assertThat(g.dr().high() - g.dr().low()).isLessThan(g.ips().high() - g.ips().low());
    // the logging policy's own value is its mean reward
    OfflineEvaluation.Value logged =
        OfflineEvaluation.estimate(rows, OfflineEvaluation.logged(), 200, 5);
    double mean = rows.stream().mapToDouble(FeedbackLog.Row::reward).average().orElseThrow();
    assertThat(logged.ips().value()).isCloseTo(mean, within(1e-9));
  }

  @Test
  void armsAreComparedWithIntervalsOverUsers() {
    List<FeedbackLog.Row> rows = new ArrayList<>();
    Random r = new Random(9);
    Map<String, Double> q = Map.of("a", 0.1);
    for (int u = 0; u < 3_000; u++) {
      String arm = u % 2 == 0 ? "model" : "control";
      double rate = arm.equals("model") ? 0.3 : 0.2;
      for (int k = 0; k < 3; k++) {
        rows.add(row(u + "-" + k, "u" + u, arm, "a", 1, r.nextDouble() < rate, q, q));
      }
    }
    Map<String, OfflineEvaluation.ArmFigures> arms = OfflineEvaluation.arms(rows, 300, 1);
    assertThat(arms.get("model").users()).isEqualTo(1_500);
    assertThat(arms.get("model").conversion().value()).isCloseTo(0.3, within(0.03));
    OffPolicy.Estimate lift =
        OfflineEvaluation.lift(
            rows.stream().filter(x -> x.arm().equals("model")).toList(),
            rows.stream().filter(x -> x.arm().equals("control")).toList(),
            300,
            2);
    assertThat(lift.low()).isGreaterThan(0.0);
    assertThat(0.1).isBetween(lift.low(), lift.high());
  }
}

package io.prescient.models.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.function.ToDoubleFunction;

/**
 * Offline evaluation of a candidate policy from logged feedback, and comparison of the arms.
 *
 * <p>A target policy gives a probability to each candidate action of a logged context. With the
 * logged action a, its exact logged propensity p and reward r:
 *
 * <ul>
 *   <li>IPS: mean of pi(a|x) / p * r;
 *   <li>SNIPS: sum of pi(a|x) / p * r over the sum of pi(a|x) / p;
 *   <li>doubly robust: mean of sum_b pi(b|x) q(x, b) + pi(a|x) / p * (r - q(x, a)), with the reward
 *       model q(x, b) = the logged estimated conversion probability of b ({@code
 *       candidate_scores}).
 * </ul>
 *
 * Intervals are 95% percentile bootstraps over logged decisions (seeded). Arms are compared with a
 * bootstrap over users (arms are assigned per user, so a user's decisions move together).
 */
public final class OfflineEvaluation {
  private OfflineEvaluation() {}

  /** pi(b | x) for every candidate b of a logged row. */
  public interface TargetPolicy {
    Map<String, Double> probabilities(FeedbackLog.Row row);
  }

  /**
   * The best estimated conversion x value: argmax of the logged candidate values (first on ties).
   */
  public static TargetPolicy greedy() {
    return row -> {
      Map<String, Double> values = row.candidateValues();
      String best = null;
      for (String c : row.candidates()) {
        double v = values.getOrDefault(c, Double.NEGATIVE_INFINITY);
        if (best == null || v > values.getOrDefault(best, Double.NEGATIVE_INFINITY)) {
          best = c;
        }
      }
      return best == null ? Map.of() : Map.of(best, 1.0);
    };
  }

  /**
   * The logging policy itself (epsilon-greedy): the logged propensity of the logged action, the
   * rest of the probability spread as epsilon-greedy would; its IPS weight is 1 on every row.
   */
  public static TargetPolicy logged() {
    return row -> {
      Map<String, Double> p = new LinkedHashMap<>();
      double rest = (1 - row.propensity()) / Math.max(1, row.candidates().size() - 1);
      row.candidates().forEach(c -> p.put(c, c.equals(row.offerId()) ? row.propensity() : rest));
      return p;
    };
  }

  /** Every eligible candidate with the same probability. */
  public static TargetPolicy uniform() {
    return row -> {
      Map<String, Double> p = new LinkedHashMap<>();
      row.candidates().forEach(c -> p.put(c, 1.0 / row.candidates().size()));
      return p;
    };
  }

  /** The three estimates of a target policy's conversion rate. */
  public record Value(
      OffPolicy.Estimate ips,
      OffPolicy.Estimate snips,
      OffPolicy.Estimate dr,
      int rows,
      double matched) {}

  /**
   * Estimates the value of {@code target} on {@code rows} (rows with an offer and a propensity).
   */
  public static Value estimate(
      List<FeedbackLog.Row> rows, TargetPolicy target, int resamples, long seed) {
    int n = rows.size();
    double[] w = new double[n];
    double[] r = new double[n];
    double[] dm = new double[n];
    double[] qa = new double[n];
    double matched = 0;
    for (int i = 0; i < n; i++) {
      FeedbackLog.Row row = rows.get(i);
      Map<String, Double> pi = target.probabilities(row);
      w[i] = pi.getOrDefault(row.offerId(), 0.0) / row.propensity();
      r[i] = row.reward();
      double direct = 0;
      for (Map.Entry<String, Double> e : pi.entrySet()) {
        direct += e.getValue() * row.candidateScores().getOrDefault(e.getKey(), 0.0);
      }
      dm[i] = direct;
      qa[i] = row.candidateScores().getOrDefault(row.offerId(), 0.0);
      matched += pi.getOrDefault(row.offerId(), 0.0) > 0 ? 1 : 0;
    }
    ToDoubleFunction<int[]> ips = idx -> mean(idx, i -> w[i] * r[i]);
    ToDoubleFunction<int[]> snips =
        idx -> {
          double num = 0;
          double den = 0;
          for (int i : idx) {
            num += w[i] * r[i];
            den += w[i];
          }
          return den == 0 ? 0 : num / den;
        };
    ToDoubleFunction<int[]> dr = idx -> mean(idx, i -> dm[i] + w[i] * (r[i] - qa[i]));
    return new Value(
        bootstrap(n, ips, resamples, seed),
        bootstrap(n, snips, resamples, seed + 1),
        bootstrap(n, dr, resamples, seed + 2),
        n,
        n == 0 ? 0 : matched / n);
  }

  /** Per-arm conversion and revenue per decision, with intervals over users. */
  public record ArmFigures(
      String arm,
      int decisions,
      int users,
      OffPolicy.Estimate conversion,
      OffPolicy.Estimate revenue) {}

  public static Map<String, ArmFigures> arms(List<FeedbackLog.Row> rows, int resamples, long seed) {
    Map<String, List<FeedbackLog.Row>> byArm = new LinkedHashMap<>();
    for (FeedbackLog.Row row : rows) {
      byArm.computeIfAbsent(row.arm(), k -> new ArrayList<>()).add(row);
    }
    Map<String, ArmFigures> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<FeedbackLog.Row>> e : byArm.entrySet()) {
      List<List<FeedbackLog.Row>> users = byUser(e.getValue());
      out.put(
          e.getKey(),
          new ArmFigures(
              e.getKey(),
              e.getValue().size(),
              users.size(),
              clusterBootstrap(users, FeedbackLog.Row::reward, resamples, seed),
              clusterBootstrap(users, FeedbackLog.Row::conversionValue, resamples, seed + 1)));
    }
    return out;
  }

  /** Difference of conversion rates a - b, with a bootstrap over the users of each arm. */
  public static OffPolicy.Estimate lift(
      List<FeedbackLog.Row> a, List<FeedbackLog.Row> b, int resamples, long seed) {
    List<List<FeedbackLog.Row>> ua = byUser(a);
    List<List<FeedbackLog.Row>> ub = byUser(b);
    SplittableRandom random = new SplittableRandom(seed);
    double[] diffs = new double[resamples];
    for (int k = 0; k < resamples; k++) {
      diffs[k] = resampledRate(ua, random) - resampledRate(ub, random);
    }
    Arrays.sort(diffs);
    return new OffPolicy.Estimate(
        rate(a) - rate(b), diffs[(int) (0.025 * resamples)], diffs[(int) (0.975 * resamples) - 1]);
  }

  private static double rate(List<FeedbackLog.Row> rows) {
    return rows.stream().mapToDouble(FeedbackLog.Row::reward).average().orElse(0);
  }

  private static List<List<FeedbackLog.Row>> byUser(List<FeedbackLog.Row> rows) {
    Map<String, List<FeedbackLog.Row>> m = new LinkedHashMap<>();
    rows.forEach(r -> m.computeIfAbsent(r.userId(), k -> new ArrayList<>()).add(r));
    return new ArrayList<>(m.values());
  }

  private static double resampledRate(List<List<FeedbackLog.Row>> users, SplittableRandom random) {
    double sum = 0;
    int n = 0;
    for (int i = 0; i < users.size(); i++) {
      for (FeedbackLog.Row r : users.get(random.nextInt(users.size()))) {
        sum += r.reward();
        n++;
      }
    }
    return n == 0 ? 0 : sum / n;
  }

  private static OffPolicy.Estimate clusterBootstrap(
      List<List<FeedbackLog.Row>> users,
      ToDoubleFunction<FeedbackLog.Row> f,
      int resamples,
      long seed) {
    double total = 0;
    int n = 0;
    for (List<FeedbackLog.Row> u : users) {
      for (FeedbackLog.Row r : u) {
        total += f.applyAsDouble(r);
        n++;
      }
    }
    SplittableRandom random = new SplittableRandom(seed);
    double[] stats = new double[resamples];
    for (int k = 0; k < resamples; k++) {
      double sum = 0;
      int m = 0;
      for (int i = 0; i < users.size(); i++) {
        for (FeedbackLog.Row r : users.get(random.nextInt(users.size()))) {
          sum += f.applyAsDouble(r);
          m++;
        }
      }
      stats[k] = m == 0 ? 0 : sum / m;
    }
    Arrays.sort(stats);
    return new OffPolicy.Estimate(
        n == 0 ? 0 : total / n,
        stats[(int) (0.025 * resamples)],
        stats[(int) (0.975 * resamples) - 1]);
  }

  private interface IntToDouble {
    double at(int i);
  }

  private static double mean(int[] idx, IntToDouble f) {
    double s = 0;
    for (int i : idx) {
      s += f.at(i);
    }
    return idx.length == 0 ? 0 : s / idx.length;
  }

  private static OffPolicy.Estimate bootstrap(
      int n, ToDoubleFunction<int[]> stat, int resamples, long seed) {
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    double value = stat.applyAsDouble(all);
    SplittableRandom random = new SplittableRandom(seed);
    double[] stats = new double[resamples];
    int[] idx = new int[n];
    for (int k = 0; k < resamples; k++) {
      for (int i = 0; i < n; i++) {
        idx[i] = random.nextInt(n);
      }
      stats[k] = stat.applyAsDouble(idx);
    }
    Arrays.sort(stats);
    return new OffPolicy.Estimate(
        value, stats[(int) (0.025 * resamples)], stats[(int) (0.975 * resamples) - 1]);
  }
}

package io.prescient.offline.eval;

import io.prescient.state.contract.CopyIds;
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
 * Intervals are 95% percentile bootstraps (seeded) over clusters of rows: every row of a cluster is
 * resampled together. Policy values resample logged decisions ({@link #BY_DECISION}) unless told
 * otherwise. Arms are compared over source users ({@link #BY_SOURCE_USER}): arms are assigned per
 * user, so a user's decisions move together, and the copies of one real user in a re-keyed log
 * ({@link CopyIds}) share that user's real purchases, so they move together too. With no copies a
 * source user is a user.
 */
public final class OfflineEvaluation {
  private OfflineEvaluation() {}

  /** The key of a row's bootstrap cluster: rows with the same key are resampled together. */
  public interface Cluster {
    String of(FeedbackLog.Row row);
  }

  /** Every row on its own (recognised by identity; its key is never asked for). */
  public static final Cluster BY_DECISION =
      row -> {
        throw new UnsupportedOperationException("rows are their own clusters");
      };

  /** A user's decisions together. */
  public static final Cluster BY_USER = FeedbackLog.Row::userId;

  /** All decisions of every copy of one real user together ({@link CopyIds#source}). */
  public static final Cluster BY_SOURCE_USER = row -> CopyIds.source(row.userId());

  /** Whether any row's user is a re-keyed copy ({@link CopyIds#isCopy}). */
  public static boolean hasCopies(List<FeedbackLog.Row> rows) {
    return rows.stream().anyMatch(r -> CopyIds.isCopy(r.userId()));
  }

  /** How many clusters {@code rows} fall into. */
  public static int clusters(List<FeedbackLog.Row> rows, Cluster cluster) {
    return cluster == BY_DECISION ? rows.size() : group(rows, cluster).size();
  }

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
   * Estimates the value of {@code target} on {@code rows} (rows with an offer and a propensity),
   * with intervals over decisions.
   */
  public static Value estimate(
      List<FeedbackLog.Row> rows, TargetPolicy target, int resamples, long seed) {
    return estimate(rows, target, BY_DECISION, resamples, seed);
  }

  /**
   * Estimates the value of {@code target} on {@code rows}, with intervals over {@code cluster}
   * ({@link #BY_DECISION}: over decisions, as {@link #estimate(List, TargetPolicy, int, long)}).
   */
  public static Value estimate(
      List<FeedbackLog.Row> rows, TargetPolicy target, Cluster cluster, int resamples, long seed) {
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
    int[][] groups = indexGroups(rows, cluster);
    return new Value(
        bootstrap(n, groups, ips, resamples, seed),
        bootstrap(n, groups, snips, resamples, seed + 1),
        bootstrap(n, groups, dr, resamples, seed + 2),
        n,
        n == 0 ? 0 : matched / n);
  }

  /**
   * Per-arm conversion and revenue per decision, revenue per user and the share of users converted,
   * with intervals over clusters of the arm's rows ({@code clusters} of them).
   */
  public record ArmFigures(
      String arm,
      int decisions,
      int users,
      int clusters,
      OffPolicy.Estimate conversion,
      OffPolicy.Estimate revenue,
      OffPolicy.Estimate revenuePerUser,
      OffPolicy.Estimate convertedUsers) {}

  /** {@link #arms(List, Cluster, int, long)} over source users. */
  public static Map<String, ArmFigures> arms(List<FeedbackLog.Row> rows, int resamples, long seed) {
    return arms(rows, BY_SOURCE_USER, resamples, seed);
  }

  /**
   * Per-arm figures, each arm's clusters resampled on their own (the rows of a cluster that fall
   * into other arms do not matter to this arm's interval; {@link #lift} pairs them).
   */
  public static Map<String, ArmFigures> arms(
      List<FeedbackLog.Row> rows, Cluster cluster, int resamples, long seed) {
    Map<String, List<FeedbackLog.Row>> byArm = new LinkedHashMap<>();
    for (FeedbackLog.Row row : rows) {
      byArm.computeIfAbsent(row.arm(), k -> new ArrayList<>()).add(row);
    }
    Map<String, ArmFigures> out = new LinkedHashMap<>();
    for (Map.Entry<String, List<FeedbackLog.Row>> e : byArm.entrySet()) {
      List<List<FeedbackLog.Row>> clusters = group(e.getValue(), cluster);
      out.put(
          e.getKey(),
          new ArmFigures(
              e.getKey(),
              e.getValue().size(),
              (int) e.getValue().stream().map(FeedbackLog.Row::userId).distinct().count(),
              clusters.size(),
              clusterBootstrap(clusters, FeedbackLog.Row::reward, resamples, seed),
              clusterBootstrap(clusters, FeedbackLog.Row::conversionValue, resamples, seed + 1),
              ratioBootstrap(clusters, Ratio.REVENUE_PER_USER, resamples, seed + 2),
              ratioBootstrap(clusters, Ratio.CONVERTED_USERS, resamples, seed + 3)));
    }
    return out;
  }

  /** {@link #lift(List, List, Cluster, int, long)} over source users. */
  public static OffPolicy.Estimate lift(
      List<FeedbackLog.Row> a, List<FeedbackLog.Row> b, int resamples, long seed) {
    return lift(a, b, BY_SOURCE_USER, resamples, seed);
  }

  /**
   * Difference of conversion rates a - b, with a paired cluster bootstrap. Clusters with rows in
   * both arms (copies of one real user that fell into both) are drawn once per draw for both arms,
   * so what they share cancels in the difference; clusters in only one arm are drawn among the
   * clusters of that arm alone, as many as there are (strata: only a, only b, both). When no
   * cluster is in both arms (users without copies: arms are assigned per user), this is a bootstrap
   * over each arm's users on its own.
   */
  public static OffPolicy.Estimate lift(
      List<FeedbackLog.Row> a, List<FeedbackLog.Row> b, Cluster cluster, int resamples, long seed) {
    return pairedDifference(a, b, cluster, Ratio.CONVERSION, resamples, seed);
  }

  /**
   * Difference of revenue per user a - b (conversion value over the users with a decision), with
   * the paired cluster bootstrap of {@link #lift(List, List, Cluster, int, long)}.
   */
  public static OffPolicy.Estimate revenuePerUserLift(
      List<FeedbackLog.Row> a, List<FeedbackLog.Row> b, Cluster cluster, int resamples, long seed) {
    return pairedDifference(a, b, cluster, Ratio.REVENUE_PER_USER, resamples, seed);
  }

  /**
   * Difference of the share of users converted a - b (users with at least one converted decision
   * over users with a decision), with the paired cluster bootstrap of {@link #lift(List, List,
   * Cluster, int, long)}. A user is counted once however many decisions they had, so arms that send
   * more or fewer decisions to the same user are compared on the user.
   */
  public static OffPolicy.Estimate convertedUsersLift(
      List<FeedbackLog.Row> a, List<FeedbackLog.Row> b, Cluster cluster, int resamples, long seed) {
    return pairedDifference(a, b, cluster, Ratio.CONVERTED_USERS, resamples, seed);
  }

  /** A figure of an arm as a ratio of sums over its clusters. */
  private enum Ratio {
    /** converted decisions / decisions. */
    CONVERSION,
    /** conversion value / users with a decision. */
    REVENUE_PER_USER,
    /** users with at least one converted decision / users with a decision. */
    CONVERTED_USERS;

    /** {numerator, denominator} of some rows. */
    double[] of(List<FeedbackLog.Row> rows) {
      if (this == CONVERTED_USERS) {
        return new double[] {
          rows.stream().filter(r -> r.reward() > 0).map(FeedbackLog.Row::userId).distinct().count(),
          rows.stream().map(FeedbackLog.Row::userId).distinct().count()
        };
      }
      double num = 0;
      for (FeedbackLog.Row r : rows) {
        num += this == CONVERSION ? r.reward() : r.conversionValue();
      }
      double den =
          this == CONVERSION
              ? rows.size()
              : rows.stream().map(FeedbackLog.Row::userId).distinct().count();
      return new double[] {num, den};
    }
  }

  private static OffPolicy.Estimate pairedDifference(
      List<FeedbackLog.Row> a,
      List<FeedbackLog.Row> b,
      Cluster cluster,
      Ratio ratio,
      int resamples,
      long seed) {
    Map<String, List<FeedbackLog.Row>> ca = groupByKey(a, cluster);
    Map<String, List<FeedbackLog.Row>> cb = groupByKey(b, cluster);
    List<double[]> onlyA = new ArrayList<>();
    List<double[]> onlyB = new ArrayList<>();
    List<double[]> bothA = new ArrayList<>();
    List<double[]> bothB = new ArrayList<>();
    ca.forEach(
        (k, rows) -> {
          if (cb.containsKey(k)) {
            bothA.add(ratio.of(rows));
            bothB.add(ratio.of(cb.get(k)));
          } else {
            onlyA.add(ratio.of(rows));
          }
        });
    cb.forEach(
        (k, rows) -> {
          if (!ca.containsKey(k)) {
            onlyB.add(ratio.of(rows));
          }
        });
    // Sums per cluster, then per draw: conversion sums are whole numbers, exact in any order, so
    // these are the figures of summing each draw's rows one by one (the bootstrap before copies).
    SplittableRandom random = new SplittableRandom(seed);
    double[] diffs = new double[resamples];
    double[] sa = new double[2];
    double[] sb = new double[2];
    for (int k = 0; k < resamples; k++) {
      Arrays.fill(sa, 0);
      Arrays.fill(sb, 0);
      for (int i = 0; i < onlyA.size(); i++) {
        add(sa, onlyA.get(random.nextInt(onlyA.size())));
      }
      for (int i = 0; i < onlyB.size(); i++) {
        add(sb, onlyB.get(random.nextInt(onlyB.size())));
      }
      for (int i = 0; i < bothA.size(); i++) {
        int j = random.nextInt(bothA.size());
        add(sa, bothA.get(j));
        add(sb, bothB.get(j));
      }
      diffs[k] = quotient(sa) - quotient(sb);
    }
    Arrays.sort(diffs);
    return new OffPolicy.Estimate(
        quotient(ratio.of(a)) - quotient(ratio.of(b)),
        diffs[(int) (0.025 * resamples)],
        diffs[(int) (0.975 * resamples) - 1]);
  }

  private static void add(double[] sum, double[] cluster) {
    sum[0] += cluster[0];
    sum[1] += cluster[1];
  }

  private static double quotient(double[] s) {
    return s[1] == 0 ? 0 : s[0] / s[1];
  }

  private static Map<String, List<FeedbackLog.Row>> groupByKey(
      List<FeedbackLog.Row> rows, Cluster cluster) {
    Map<String, List<FeedbackLog.Row>> m = new LinkedHashMap<>();
    rows.forEach(r -> m.computeIfAbsent(cluster.of(r), k -> new ArrayList<>()).add(r));
    return m;
  }

  /** The rows in clusters, in the order of each cluster's first row. */
  private static List<List<FeedbackLog.Row>> group(List<FeedbackLog.Row> rows, Cluster cluster) {
    if (cluster == BY_DECISION) {
      return rows.stream().map(List::of).toList();
    }
    return new ArrayList<>(groupByKey(rows, cluster).values());
  }

  /** Row indices per cluster, in the order of each cluster's first row. */
  private static int[][] indexGroups(List<FeedbackLog.Row> rows, Cluster cluster) {
    if (cluster == BY_DECISION) {
      int[][] g = new int[rows.size()][];
      for (int i = 0; i < g.length; i++) {
        g[i] = new int[] {i};
      }
      return g;
    }
    Map<String, List<Integer>> m = new LinkedHashMap<>();
    for (int i = 0; i < rows.size(); i++) {
      m.computeIfAbsent(cluster.of(rows.get(i)), k -> new ArrayList<>()).add(i);
    }
    return m.values().stream()
        .map(l -> l.stream().mapToInt(Integer::intValue).toArray())
        .toArray(int[][]::new);
  }

  private static OffPolicy.Estimate clusterBootstrap(
      List<List<FeedbackLog.Row>> clusters,
      ToDoubleFunction<FeedbackLog.Row> f,
      int resamples,
      long seed) {
    double total = 0;
    int n = 0;
    for (List<FeedbackLog.Row> u : clusters) {
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
      for (int i = 0; i < clusters.size(); i++) {
        for (FeedbackLog.Row r : clusters.get(random.nextInt(clusters.size()))) {
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

  /** A {@link Ratio} of the rows, with its interval over their clusters. */
  private static OffPolicy.Estimate ratioBootstrap(
      List<List<FeedbackLog.Row>> clusters, Ratio ratio, int resamples, long seed) {
    List<double[]> parts = clusters.stream().map(ratio::of).toList();
    double[] total = new double[2];
    parts.forEach(p -> add(total, p));
    SplittableRandom random = new SplittableRandom(seed);
    double[] stats = new double[resamples];
    double[] sum = new double[2];
    for (int k = 0; k < resamples; k++) {
      Arrays.fill(sum, 0);
      for (int i = 0; i < parts.size(); i++) {
        add(sum, parts.get(random.nextInt(parts.size())));
      }
      stats[k] = quotient(sum);
    }
    Arrays.sort(stats);
    return new OffPolicy.Estimate(
        quotient(total), stats[(int) (0.025 * resamples)], stats[(int) (0.975 * resamples) - 1]);
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

  /** Bootstrap of {@code stat} over the rows' clusters ({@code groups}: row indices). */
  private static OffPolicy.Estimate bootstrap(
      int n, int[][] groups, ToDoubleFunction<int[]> stat, int resamples, long seed) {
    int[] all = new int[n];
    for (int i = 0; i < n; i++) {
      all[i] = i;
    }
    double value = stat.applyAsDouble(all);
    SplittableRandom random = new SplittableRandom(seed);
    double[] stats = new double[resamples];
    int[] idx = new int[n];
    for (int k = 0; k < resamples; k++) {
      int m = 0;
      for (int i = 0; i < groups.length; i++) {
        for (int row : groups[random.nextInt(groups.length)]) {
          if (m == idx.length) {
            idx = Arrays.copyOf(idx, idx.length * 2);
          }
          idx[m++] = row;
        }
      }
      stats[k] = stat.applyAsDouble(m == idx.length ? idx : Arrays.copyOf(idx, m));
    }
    Arrays.sort(stats);
    return new OffPolicy.Estimate(
        value, stats[(int) (0.025 * resamples)], stats[(int) (0.975 * resamples) - 1]);
  }
}

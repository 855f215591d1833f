package io.prescient.offline.eval;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Off-policy value of a deterministic target policy from logged bandit feedback: inverse propensity
 * scoring (IPS) and its self-normalised form (SNIPS), with percentile bootstrap confidence
 * intervals (rows resampled with replacement, seeded, so the figures reproduce).
 */
public final class OffPolicy {
  private OffPolicy() {}

  /** An estimate with its 95% bootstrap interval. */
  public record Estimate(double value, double low, double high) {}

  /**
   * @param matches whether the target policy picks the logged action, per row
   * @param rewards the logged reward, per row
   * @param propensities the logging policy's probability of the logged action, per row
   */
  public static Estimate ips(
      boolean[] matches, double[] rewards, double[] propensities, int resamples, long seed) {
    return bootstrap(matches, rewards, propensities, resamples, seed, false);
  }

  public static Estimate snips(
      boolean[] matches, double[] rewards, double[] propensities, int resamples, long seed) {
    return bootstrap(matches, rewards, propensities, resamples, seed, true);
  }

  /** Mean reward of the logging policy itself (on-policy), with its bootstrap interval. */
  public static Estimate logged(double[] rewards, int resamples, long seed) {
    boolean[] all = new boolean[rewards.length];
    Arrays.fill(all, true);
    double[] ones = new double[rewards.length];
    Arrays.fill(ones, 1.0);
    return bootstrap(all, rewards, ones, resamples, seed, false);
  }

  static double value(boolean[] m, double[] r, double[] p, int[] rows, boolean selfNormalised) {
    double num = 0;
    double den = 0;
    for (int i : rows) {
      if (m[i]) {
        num += r[i] / p[i];
        den += 1 / p[i];
      }
    }
    if (selfNormalised) {
      return den == 0 ? 0 : num / den;
    }
    return num / rows.length;
  }

  private static Estimate bootstrap(
      boolean[] m, double[] r, double[] p, int resamples, long seed, boolean selfNormalised) {
    int n = r.length;
    int[] all = new int[n];
    Arrays.setAll(all, i -> i);
    double point = value(m, r, p, all, selfNormalised);
    SplittableRandom rnd = new SplittableRandom(seed);
    double[] values = new double[resamples];
    int[] rows = new int[n];
    for (int b = 0; b < resamples; b++) {
      for (int i = 0; i < n; i++) {
        rows[i] = rnd.nextInt(n);
      }
      values[b] = value(m, r, p, rows, selfNormalised);
    }
    Arrays.sort(values);
    return new Estimate(
        point,
        values[(int) Math.floor(0.025 * (resamples - 1))],
        values[(int) Math.ceil(0.975 * (resamples - 1))]);
  }
}

package io.prescient.offline.eval;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;

/**
 * Metrics of scores against binary labels: ROC AUC (ties count half), PR AUC (average precision),
 * Brier score and a reliability (calibration) table. Weights are optional (null means 1 each).
 */
public final class BinaryMetrics {
  private BinaryMetrics() {}

  /** Area under the ROC curve: the probability a random positive outscores a random negative. */
  public static double rocAuc(double[] scores, boolean[] labels) {
    Integer[] order = order(scores);
    double pos = 0;
    double neg = 0;
    for (boolean l : labels) {
      if (l) {
        pos++;
      } else {
        neg++;
      }
    }
    if (pos == 0 || neg == 0) {
      return Double.NaN;
    }
    // Walk scores ascending; a group of tied scores counts half.
    double negBelow = 0;
    double sum = 0;
    int i = 0;
    while (i < order.length) {
      int j = i;
      double p = 0;
      double n = 0;
      while (j < order.length && scores[order[j]] == scores[order[i]]) {
        if (labels[order[j]]) {
          p++;
        } else {
          n++;
        }
        j++;
      }
      sum += p * (negBelow + n / 2);
      negBelow += n;
      i = j;
    }
    return sum / (pos * neg);
  }

  /** Average precision: the area under the precision-recall curve, as sklearn computes it. */
  public static double prAuc(double[] scores, boolean[] labels) {
    List<double[]> counts = cumulativeCounts(scores, labels);
    double total = counts.get(counts.size() - 1)[0];
    if (total == 0) {
      return Double.NaN;
    }
    double ap = 0;
    double prevRecall = 0;
    for (double[] c : counts.subList(1, counts.size())) {
      double recall = c[0] / total;
      ap += (recall - prevRecall) * (c[0] / (c[0] + c[1]));
      prevRecall = recall;
    }
    return ap;
  }

  /**
   * (true positives, false positives) above each threshold, from the highest score down, one entry
   * per group of tied scores, starting with (0, 0).
   */
  private static List<double[]> cumulativeCounts(double[] scores, boolean[] labels) {
    Integer[] order = order(scores);
    List<double[]> out = new ArrayList<>();
    out.add(new double[] {0, 0});
    double tp = 0;
    double fp = 0;
    int i = order.length - 1;
    while (i >= 0) {
      int j = i;
      while (j >= 0 && scores[order[j]] == scores[order[i]]) {
        if (labels[order[j]]) {
          tp++;
        } else {
          fp++;
        }
        j--;
      }
      out.add(new double[] {tp, fp});
      i = j;
    }
    return out;
  }

  /** Mean squared error of probabilities. */
  public static double brier(double[] probabilities, boolean[] labels) {
    double s = 0;
    for (int i = 0; i < probabilities.length; i++) {
      double d = probabilities[i] - (labels[i] ? 1 : 0);
      s += d * d;
    }
    return s / probabilities.length;
  }

  /** One calibration bin: mean predicted probability against the observed positive rate. */
  public record Bin(double from, double to, int count, double meanPredicted, double observed) {}

  /** Reliability table over {@code bins} equal-width probability bins; empty bins left out. */
  public static List<Bin> calibration(double[] probabilities, boolean[] labels, int bins) {
    int[] n = new int[bins];
    double[] pred = new double[bins];
    double[] pos = new double[bins];
    for (int i = 0; i < probabilities.length; i++) {
      int b = Math.min(bins - 1, Math.max(0, (int) (probabilities[i] * bins)));
      n[b]++;
      pred[b] += probabilities[i];
      pos[b] += labels[i] ? 1 : 0;
    }
    List<Bin> out = new ArrayList<>();
    for (int b = 0; b < bins; b++) {
      if (n[b] > 0) {
        out.add(
            new Bin(
                (double) b / bins, (double) (b + 1) / bins, n[b], pred[b] / n[b], pos[b] / n[b]));
      }
    }
    return out;
  }

  /** Points of the ROC curve (false positive rate, true positive rate), from (0,0) to (1,1). */
  public static List<double[]> rocCurve(double[] scores, boolean[] labels) {
    List<double[]> counts = cumulativeCounts(scores, labels);
    double[] last = counts.get(counts.size() - 1);
    List<double[]> pts = new ArrayList<>();
    for (double[] c : counts) {
      pts.add(new double[] {last[1] == 0 ? 0 : c[1] / last[1], last[0] == 0 ? 0 : c[0] / last[0]});
    }
    return pts;
  }

  public static double positiveRate(boolean[] labels) {
    double s = 0;
    for (boolean l : labels) {
      s += l ? 1 : 0;
    }
    return labels.length == 0 ? Double.NaN : s / labels.length;
  }

  private static Integer[] order(double[] scores) {
    Integer[] idx = new Integer[scores.length];
    Arrays.setAll(idx, i -> i);
    Arrays.sort(idx, Comparator.comparingDouble(i -> scores[i]));
    return idx;
  }
}

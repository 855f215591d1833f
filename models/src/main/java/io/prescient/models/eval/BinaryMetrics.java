package io.prescient.models.eval;

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
    Integer[] order = order(scores);
    double total = 0;
    for (boolean l : labels) {
      total += l ? 1 : 0;
    }
    if (total == 0) {
      return Double.NaN;
    }
    double tp = 0;
    double fp = 0;
    double ap = 0;
    double prevRecall = 0;
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
      double recall = tp / total;
      ap += (recall - prevRecall) * (tp / (tp + fp));
      prevRecall = recall;
      i = j;
    }
    return ap;
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
    Integer[] order = order(scores);
    double pos = 0;
    for (boolean l : labels) {
      pos += l ? 1 : 0;
    }
    double neg = labels.length - pos;
    List<double[]> pts = new ArrayList<>();
    pts.add(new double[] {0, 0});
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
      pts.add(new double[] {neg == 0 ? 0 : fp / neg, pos == 0 ? 0 : tp / pos});
      i = j;
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

package io.prescient.offline.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import org.junit.jupiter.api.Test;

class BinaryMetricsTest {
  @Test
  void rocAucCountsPairsAndTiesHalf() {
    boolean[] y = {false, false, true, true};
    assertThat(BinaryMetrics.rocAuc(new double[] {0.1, 0.2, 0.3, 0.4}, y)).isEqualTo(1.0);
    assertThat(BinaryMetrics.rocAuc(new double[] {0.4, 0.3, 0.2, 0.1}, y)).isEqualTo(0.0);
    assertThat(BinaryMetrics.rocAuc(new double[] {0.5, 0.5, 0.5, 0.5}, y)).isEqualTo(0.5);
    // pairs (pos, neg): (0.35 vs 0.1, 0.4) -> 1 + 0; (0.8 vs 0.1, 0.4) -> 1 + 1 => 3/4
    assertThat(BinaryMetrics.rocAuc(new double[] {0.1, 0.4, 0.35, 0.8}, y)).isEqualTo(0.75);
  }

  @Test
  void averagePrecisionMatchesTheHandComputedValue() {
    // sklearn: average_precision_score([0,1,1,0],[0.1,0.4,0.35,0.8]) = 0.5833...
    boolean[] y = {false, true, true, false};
    double ap = BinaryMetrics.prAuc(new double[] {0.1, 0.4, 0.35, 0.8}, y);
    assertThat(ap).isCloseTo((0.5 * 0.5) + (0.5 * 2 / 3.0), within(1e-12));
  }

  @Test
  void brierAndCalibration() {
    boolean[] y = {true, false, true, false};
    double[] p = {0.9, 0.1, 0.6, 0.4};
    assertThat(BinaryMetrics.brier(p, y)).isCloseTo((0.01 + 0.01 + 0.16 + 0.16) / 4, within(1e-12));
    var bins = BinaryMetrics.calibration(p, y, 2);
    assertThat(bins).hasSize(2);
    assertThat(bins.get(0).count()).isEqualTo(2);
    assertThat(bins.get(0).observed()).isEqualTo(0.0);
    assertThat(bins.get(1).meanPredicted()).isCloseTo(0.75, within(1e-12));
    assertThat(bins.get(1).observed()).isEqualTo(1.0);
  }

  @Test
  void rocAucAndAveragePrecisionAgreeWithTribuosEvaluation() {
    java.util.Random rnd = new java.util.Random(11);
    for (int round = 0; round < 50; round++) {
      int n = 20 + rnd.nextInt(500);
      double[] scores = new double[n];
      boolean[] y = new boolean[n];
      for (int i = 0; i < n; i++) {
        y[i] = rnd.nextDouble() < 0.3;
        // rounded to two digits: many ties, as a calibrated model's scores have
        scores[i] = Math.round((y[i] ? 0.2 : 0) + rnd.nextDouble() * 100) / 100.0;
      }
      y[0] = true; // both classes present
      y[1] = false;
      assertThat(BinaryMetrics.rocAuc(scores, y))
          .isCloseTo(
              org.tribuo.classification.evaluation.LabelEvaluationUtil.binaryAUCROC(y, scores),
              within(1e-9));
      assertThat(BinaryMetrics.prAuc(scores, y))
          .isCloseTo(
              org.tribuo.classification.evaluation.LabelEvaluationUtil.averagedPrecision(y, scores),
              within(1e-9));
    }
  }
}

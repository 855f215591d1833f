package io.prescient.models.drift;

import java.util.List;

/**
 * Live distribution of what one served model scores, against its {@link DriftBaseline}: counts per
 * baseline bin of every feature and of the score, since the model started serving in this instance.
 * Single writer (the task thread); readers (metric reporters) see counts that may be one update
 * apart across bins, which is fine for a drift indicator.
 */
public final class DriftMonitor {
  /** Below this many scored rows, PSI is not reported (NaN): too few to say anything. */
  public static final int MIN_ROWS = 100;

  private final DriftBaseline baseline;
  private final DriftBaseline.Bins[] featureBins; // by position in the scored vector; null: none
  private final long[][] featureCounts;
  private final long[] scoreCounts;
  private volatile long rows;

  /** A monitor for vectors laid out as {@code featureNames} (the model's feature order). */
  public DriftMonitor(DriftBaseline baseline, List<String> featureNames) {
    this.baseline = baseline;
    featureBins = new DriftBaseline.Bins[featureNames.size()];
    featureCounts = new long[featureNames.size()][];
    for (int i = 0; i < featureBins.length; i++) {
      featureBins[i] = baseline.features().get(featureNames.get(i));
      featureCounts[i] = featureBins[i] == null ? null : new long[featureBins[i].shares().length];
    }
    scoreCounts = baseline.score() == null ? null : new long[baseline.score().shares().length];
  }

  /** One scored row: its features (model order) and score. */
  public void add(float[] features, double score) {
    for (int i = 0; i < featureBins.length && i < features.length; i++) {
      if (featureBins[i] != null) {
        featureCounts[i][featureBins[i].bin(features[i])]++;
      }
    }
    if (scoreCounts != null) {
      scoreCounts[baseline.score().bin(score)]++;
    }
    rows++;
  }

  public long rows() {
    return rows;
  }

  /** PSI of the feature at {@code index} (model order); NaN without baseline or enough rows. */
  public double featurePsi(int index) {
    if (rows < MIN_ROWS || index >= featureBins.length || featureBins[index] == null) {
      return Double.NaN;
    }
    return DriftBaseline.psi(featureBins[index].shares(), featureCounts[index]);
  }

  /** The largest feature PSI; NaN without baseline or enough rows. */
  public double maxFeaturePsi() {
    double max = Double.NaN;
    for (int i = 0; i < featureBins.length; i++) {
      double p = featurePsi(i);
      if (!Double.isNaN(p) && (Double.isNaN(max) || p > max)) {
        max = p;
      }
    }
    return max;
  }

  /** PSI of the score; NaN without baseline or enough rows. */
  public double scorePsi() {
    if (rows < MIN_ROWS || scoreCounts == null) {
      return Double.NaN;
    }
    return DriftBaseline.psi(baseline.score().shares(), scoreCounts);
  }
}

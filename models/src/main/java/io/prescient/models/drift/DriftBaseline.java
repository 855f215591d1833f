package io.prescient.models.drift;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The distribution a model was trained on, kept in its manifest so that the live job can measure
 * drift against it (population stability index, {@link DriftMonitor}): for every feature and for
 * the model's score, bin edges at the training deciles and the share of training rows in each bin,
 * plus the share of missing values.
 *
 * <p>A value {@code v} falls into bin {@code i} = the number of edges below it ({@code edges[i-1] <
 * v <= edges[i]}); the last bin of {@code shares} is "missing" (NaN). A feature that is constant in
 * training has no edges and one value bin.
 */
public record DriftBaseline(Map<String, Bins> features, Bins score) {

  /** Edges and the training share of each bin (value bins, then missing). */
  public record Bins(double[] edges, double[] shares) {
    public Bins {
      if (shares.length != edges.length + 2) {
        throw new IllegalArgumentException(
            shares.length + " shares for " + edges.length + " edges (want edges + 2)");
      }
    }

    /** The bin of {@code v}: value bins by edge, the last one for NaN. */
    public int bin(double v) {
      if (Double.isNaN(v)) {
        return edges.length + 1;
      }
      int lo = 0;
      int hi = edges.length; // the first edge >= v, or edges.length
      while (lo < hi) {
        int mid = (lo + hi) >>> 1;
        if (edges[mid] < v) {
          lo = mid + 1;
        } else {
          hi = mid;
        }
      }
      return lo;
    }

    @Override
    public boolean equals(Object o) {
      return o instanceof Bins b
          && Arrays.equals(edges, b.edges)
          && Arrays.equals(shares, b.shares);
    }

    @Override
    public int hashCode() {
      return 31 * Arrays.hashCode(edges) + Arrays.hashCode(shares);
    }

    @Override
    public String toString() {
      return "Bins" + Arrays.toString(edges) + Arrays.toString(shares);
    }
  }

  /** No baseline: the model was trained before baselines existed, or by hand. */
  public static final DriftBaseline NONE = new DriftBaseline(Map.of(), null);

  public boolean isEmpty() {
    return features.isEmpty() && score == null;
  }

  /**
   * The baseline of training rows: {@code rows[i]} is the feature vector (in {@code names} order)
   * of row {@code i} and {@code scores[i]} the model's score of it; {@code bins} value bins at most
   * (fewer where quantiles coincide).
   */
  public static DriftBaseline of(
      List<String> names, List<float[]> rows, double[] scores, int bins) {
    Map<String, Bins> features = new LinkedHashMap<>();
    double[] column = new double[rows.size()];
    for (int f = 0; f < names.size(); f++) {
      for (int i = 0; i < column.length; i++) {
        column[i] = rows.get(i)[f];
      }
      features.put(names.get(f), bins(column, bins));
    }
    return new DriftBaseline(features, bins(scores, bins));
  }

  /** Decile-style edges of the non-missing values and the share of every bin. */
  static Bins bins(double[] values, int bins) {
    double[] present = Arrays.stream(values).filter(v -> !Double.isNaN(v)).sorted().toArray();
    List<Double> edges = new ArrayList<>();
    for (int q = 1; q < bins && present.length > 0; q++) {
      double edge = present[(int) Math.min(present.length - 1, (long) q * present.length / bins)];
      if ((edges.isEmpty() || edge > edges.get(edges.size() - 1))
          && edge < present[present.length - 1]) {
        edges.add(edge);
      }
    }
    Bins shape =
        new Bins(
            edges.stream().mapToDouble(Double::doubleValue).toArray(),
            new double[edges.size() + 2]);
    double[] shares = new double[edges.size() + 2];
    for (double v : values) {
      shares[shape.bin(v)]++;
    }
    for (int i = 0; i < shares.length; i++) {
      shares[i] = values.length == 0 ? 0 : shares[i] / values.length;
    }
    return new Bins(shape.edges(), shares);
  }

  /**
   * Population stability index of {@code actual} counts against {@code expected} shares: the sum
   * over bins of {@code (a - e) ln(a / e)}, with both shares floored at 1e-4 so that an empty bin
   * counts as rare rather than infinite. Common reading: below 0.1 stable, 0.1 to 0.25 a moderate
   * shift, above 0.25 a major one.
   */
  public static double psi(double[] expected, long[] actual) {
    long n = 0;
    for (long c : actual) {
      n += c;
    }
    if (n == 0) {
      return Double.NaN;
    }
    double psi = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = Math.max(1e-4, expected[i]);
      double a = Math.max(1e-4, actual[i] / (double) n);
      psi += (a - e) * Math.log(a / e);
    }
    return psi;
  }
}

package io.prescient.models.scoring;

import io.prescient.models.artifact.ModelLoadException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import ml.dmlc.xgboost4j.java.Booster;
import ml.dmlc.xgboost4j.java.DMatrix;
import ml.dmlc.xgboost4j.java.XGBoostError;
import org.tribuo.Model;
import org.tribuo.VariableInfo;
import org.tribuo.classification.Label;
import org.tribuo.common.xgboost.XGBoostModel;

/**
 * Scores feature vectors in the live schema's order with the XGBoost booster inside a Tribuo model,
 * on dense float matrices that are freed after every call. This is the hot path: {@code
 * Model.predict(Example)} builds a sparse native matrix per call and never frees it (see STACK.md),
 * so it is only used to check that both give the same scores.
 *
 * <p>Not thread-safe: one scorer per task (Flink runs one task per thread). The booster runs
 * single-threaded, because Flink already runs one task per slot.
 */
public final class BoosterScorer implements AutoCloseable {
  private final Booster booster;
  private final List<String> schemaNames;
  private final int columns;

  /** Model column of each schema feature, or -1 when the model never saw it. */
  private final int[] columnOfFeature;

  private final int positiveClass;
  private final int classes;

  private BoosterScorer(
      Booster booster,
      List<String> schemaNames,
      int columns,
      int[] columnOfFeature,
      int positiveClass,
      int classes) {
    this.booster = booster;
    this.schemaNames = schemaNames;
    this.columns = columns;
    this.columnOfFeature = columnOfFeature;
    this.positiveClass = positiveClass;
    this.classes = classes;
  }

  /**
   * A scorer for {@code model} over vectors in the order of {@code schemaNames}.
   *
   * @throws ModelLoadException if the model uses a feature the schema does not have, or has no
   *     {@code positiveLabel} output
   */
  public static BoosterScorer create(
      Model<Label> model, List<String> schemaNames, String positiveLabel)
      throws ModelLoadException {
    if (!(model instanceof XGBoostModel<Label> xgb)) {
      throw new ModelLoadException(
          ModelLoadException.Reason.SCHEMA_MISMATCH,
          "model '"
              + model.getName()
              + "' is a "
              + model.getClass().getSimpleName()
              + ", not an XGBoost model");
    }
    Map<String, Integer> index = new HashMap<>();
    for (int i = 0; i < schemaNames.size(); i++) {
      index.put(schemaNames.get(i), i);
    }
    int[] columnOf = new int[schemaNames.size()];
    Arrays.fill(columnOf, -1);
    List<String> unknown = new ArrayList<>();
    for (VariableInfo v : model.getFeatureIDMap()) {
      Integer i = index.get(v.getName());
      if (i == null) {
        unknown.add(v.getName());
      } else {
        columnOf[i] = model.getFeatureIDMap().getID(v.getName());
      }
    }
    if (!unknown.isEmpty()) {
      throw new ModelLoadException(
          ModelLoadException.Reason.SCHEMA_MISMATCH,
          "model uses features the live schema does not have: " + unknown);
    }
    int positive = model.getOutputIDInfo().getID(new Label(positiveLabel));
    if (positive < 0) {
      throw new ModelLoadException(
          ModelLoadException.Reason.SCHEMA_MISMATCH,
          "model has no output '"
              + positiveLabel
              + "'; outputs: "
              + model.getOutputIDInfo().getDomain());
    }
    Booster booster = xgb.getInnerModels().get(0); // a copy: this scorer owns and frees it
    try {
      booster.setParam("nthread", 1);
    } catch (XGBoostError e) {
      booster.dispose();
      throw new IllegalStateException("XGBoost refused nthread=1", e);
    }
    return new BoosterScorer(
        booster,
        List.copyOf(schemaNames),
        model.getFeatureIDMap().size(),
        columnOf,
        positive,
        model.getOutputIDInfo().size());
  }

  /** P(positive) for one vector in schema order. */
  public float score(float[] features) {
    return score(new float[][] {features}, 1)[0];
  }

  /** P(positive) for the first {@code n} vectors, in one native call. */
  public float[] score(float[][] rows, int n) {
    DMatrix m = matrix(rows, n);
    try {
      float[][] p = booster.predict(m);
      float[] out = new float[n];
      for (int r = 0; r < n; r++) {
        out[r] = p[r][positiveClass];
      }
      return out;
    } catch (XGBoostError e) {
      throw new IllegalStateException("XGBoost failed to score", e);
    } finally {
      m.dispose();
    }
  }

  /**
   * Each feature's contribution to the log-odds of the positive class (TreeSHAP from the booster),
   * in schema order, plus the bias. For two classes under softmax, P(positive) = sigmoid(margin of
   * positive - margin of negative), so the contributions are the per-class differences.
   */
  public Explanation explain(float[] features) {
    DMatrix m = matrix(new float[][] {features}, 1);
    try {
      float[] c = booster.predictContrib(m, 0)[0];
      int width = columns + 1;
      double[] byFeature = new double[schemaNames.size()];
      int negative = classes == 2 ? 1 - positiveClass : -1;
      for (int i = 0; i < byFeature.length; i++) {
        int col = columnOfFeature[i];
        if (col >= 0) {
          byFeature[i] =
              c[positiveClass * width + col] - (negative < 0 ? 0 : c[negative * width + col]);
        }
      }
      double bias =
          c[positiveClass * width + columns] - (negative < 0 ? 0 : c[negative * width + columns]);
      return new Explanation(schemaNames, features.clone(), byFeature, bias);
    } catch (XGBoostError e) {
      throw new IllegalStateException("XGBoost failed to explain", e);
    } finally {
      m.dispose();
    }
  }

  private DMatrix matrix(float[][] rows, int n) {
    float[] data = new float[n * columns];
    Arrays.fill(data, Float.NaN);
    for (int r = 0; r < n; r++) {
      float[] row = rows[r];
      int base = r * columns;
      for (int i = 0; i < columnOfFeature.length; i++) {
        int col = columnOfFeature[i];
        if (col >= 0) {
          data[base + col] = row[i];
        }
      }
    }
    try {
      return new DMatrix(data, n, columns, Float.NaN);
    } catch (XGBoostError e) {
      throw new IllegalStateException("XGBoost could not build a matrix", e);
    }
  }

  @Override
  public void close() {
    booster.dispose();
  }

  /** Feature contributions of one score, in log-odds. */
  public record Explanation(
      List<String> names, float[] values, double[] contributions, double bias) {

    /** The {@code k} features that pushed the score most, by absolute contribution. */
    public List<Integer> top(int k) {
      List<Integer> idx = new ArrayList<>();
      for (int i = 0; i < contributions.length; i++) {
        if (contributions[i] != 0) {
          idx.add(i);
        }
      }
      idx.sort(
          Comparator.comparingDouble((Integer i) -> -Math.abs(contributions[i]))
              .thenComparing(i -> names.get(i)));
      return idx.subList(0, Math.min(k, idx.size()));
    }

    public double logOdds() {
      double s = bias;
      for (double c : contributions) {
        s += c;
      }
      return s;
    }
  }
}

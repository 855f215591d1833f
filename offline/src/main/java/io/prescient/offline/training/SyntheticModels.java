package io.prescient.offline.training;

import io.prescient.models.artifact.ModelArtifacts;
import io.prescient.models.artifact.ModelLoadException;
import io.prescient.models.artifact.ModelManifest;
import io.prescient.models.drift.DriftBaseline;
import io.prescient.models.scoring.BoosterScorer;
import io.prescient.state.features.FeatureSchema;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.common.xgboost.XGBoostModel;

/**
 * Small but real XGBoost models over the live feature schema, trained on synthetic rows (Gaussian
 * features, label driven by one of them): for tests of loading, scoring and live swaps, where what
 * the model predicts does not matter but its format and checks do. Not for decisions.
 */
public final class SyntheticModels {
  private SyntheticModels() {}

  /** A 10-tree model whose label follows feature {@code signal} plus noise. */
  public static Model<Label> train(int rows, int signal, long seed) {
    return fit(rows(rows, signal, seed), seed);
  }

  /** Gaussian feature rows, labelled by feature {@code signal} plus noise. */
  static List<LabelledRows.Row> rows(int rows, int signal, long seed) {
    List<String> names = FeatureSchema.names();
    Random r = new Random(seed);
    List<LabelledRows.Row> data = new ArrayList<>();
    for (int i = 0; i < rows; i++) {
      float[] f = new float[names.size()];
      for (int j = 0; j < f.length; j++) {
        f[j] = (float) r.nextGaussian();
      }
      data.add(new LabelledRows.Row(f, f[signal] + r.nextGaussian() > 0, 1f));
    }
    return data;
  }

  private static XGBoostModel<Label> fit(List<LabelledRows.Row> data, long seed) {
    return (XGBoostModel<Label>)
        new BoostingParams(10, 0.3, 3, 1, 1, 1, 1, seed)
            .trainer(1)
            .train(LabelledRows.dataset("synthetic", FeatureSchema.names(), data));
  }

  /**
   * A churn manifest for the live schema, before {@link ModelArtifacts#write} fills in the file.
   */
  public static ModelManifest churnManifest(String version) {
    return new ModelManifest(
        "churn",
        version,
        FeatureSchema.VERSION,
        FeatureSchema.names(),
        LabelledRows.POSITIVE,
        "",
        "",
        false,
        Map.of("data", "synthetic"),
        Map.of(),
        "2026-11-24T00:00:00Z");
  }

  /**
   * Trains one and writes it as a churn artifact into {@code dir}, with the drift baseline of its
   * training rows (standard normal features); returns the manifest file.
   */
  public static Path writeChurn(Path dir, String version, long seed) throws IOException {
    List<LabelledRows.Row> data = rows(300, (int) (seed % 10), seed);
    XGBoostModel<Label> model = fit(data, seed);
    List<float[]> features = data.stream().map(LabelledRows.Row::features).toList();
    double[] scores = new double[features.size()];
    try (BoosterScorer s =
        BoosterScorer.create(model, FeatureSchema.names(), LabelledRows.POSITIVE)) {
      float[] p = s.score(features.toArray(new float[0][]), features.size());
      for (int i = 0; i < scores.length; i++) {
        scores[i] = p[i];
      }
    } catch (ModelLoadException e) {
      throw new IOException(e);
    }
    DriftBaseline baseline = DriftBaseline.of(FeatureSchema.names(), features, scores, 10);
    return ModelArtifacts.write(dir, churnManifest(version).withBaseline(baseline), model);
  }
}

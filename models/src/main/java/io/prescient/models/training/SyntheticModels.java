package io.prescient.models.training;

import io.prescient.models.artifact.ModelArtifacts;
import io.prescient.models.artifact.ModelManifest;
import io.prescient.state.features.FeatureSchema;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * Small but real XGBoost models over the live feature schema, trained on synthetic rows (Gaussian
 * features, label driven by one of them): for tests of loading, scoring and live swaps, where what
 * the model predicts does not matter but its format and checks do. Not for decisions.
 */
public final class SyntheticModels {
  private SyntheticModels() {}

  /** A 10-tree model whose label follows feature {@code signal} plus noise. */
  public static Model<Label> train(int rows, int signal, long seed) {
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
    return new BoostingParams(10, 0.3, 3, 1, 1, 1, 1, seed)
        .trainer(1)
        .train(LabelledRows.dataset("synthetic", names, data));
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

  /** Trains one and writes it as a churn artifact into {@code dir}; returns the manifest file. */
  public static Path writeChurn(Path dir, String version, long seed) throws IOException {
    return ModelArtifacts.write(dir, churnManifest(version), train(300, (int) (seed % 10), seed));
  }
}

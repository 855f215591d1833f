package io.prescient.offline.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prescient.models.artifact.LoadedModel;
import io.prescient.models.artifact.ModelArtifacts;
import io.prescient.models.artifact.ModelLoadException;
import io.prescient.models.artifact.ModelManifest;
import io.prescient.offline.training.LabelledRows;
import io.prescient.offline.training.SyntheticModels;
import io.prescient.state.features.FeatureSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * Model artifacts as the job loads them: written, read back and scored, and refused for each
 * reason. In this module, not in models, because the model it writes is trained here ({@code
 * SyntheticModels}).
 */
class LoadedModelTest {
  static final List<String> NAMES = FeatureSchema.names();
  static Model<Label> model;
  @TempDir Path dir;

  @BeforeAll
  static void train() {
    model = SyntheticModels.train(400, 1, 7);
  }

  ModelManifest manifest(int schemaVersion, List<String> names) {
    return new ModelManifest(
        "churn",
        "v1",
        schemaVersion,
        names,
        LabelledRows.POSITIVE,
        "",
        "",
        false,
        Map.of("data", "synthetic"),
        Map.of("test_roc_auc", 0.7),
        "2026-11-24T00:00:00Z");
  }

  @Test
  void writesAndLoadsAnArtifactThatScoresLikeTheModel() throws Exception {
    Path file = ModelArtifacts.write(dir, manifest(FeatureSchema.VERSION, NAMES), model);
    assertThat(file.getFileName().toString()).isEqualTo("churn-v1.json");
    assertThat(dir.resolve("churn-v1.tribuo")).exists();
    try (LoadedModel loaded = LoadedModel.load(file)) {
      assertThat(loaded.manifest.modelSha256()).hasSize(64);
      assertThat(loaded.manifest.metrics()).containsEntry("test_roc_auc", 0.7);
      float[] f = new float[NAMES.size()];
      f[1] = 2f;
      double expected =
          model
              .predict(LabelledRows.example(NAMES, f, false))
              .getOutputScores()
              .get(LabelledRows.POSITIVE)
              .getScore();
      assertThat((double) loaded.scorer.score(f))
          .isCloseTo(expected, org.assertj.core.api.Assertions.within(1e-6));
    }
  }

  @Test
  void refusesTamperedCorruptAndMismatchedArtifacts() throws Exception {
    Path file = ModelArtifacts.write(dir, manifest(FeatureSchema.VERSION, NAMES), model);
    Path modelFile = dir.resolve("churn-v1.tribuo");
    byte[] original = Files.readAllBytes(modelFile);

    byte[] tampered = original.clone();
    tampered[tampered.length / 2] ^= 1;
    Files.write(modelFile, tampered);
    assertReason(
        file,
        ModelLoadException.Reason.HASH_MISMATCH,
        "does not have the SHA-256 its manifest gives");

    byte[] garbage = "not a model".getBytes();
    Files.write(modelFile, garbage);
    ModelManifest m = ModelManifest.parse(Files.readString(file));
    Files.writeString(file, m.withModelFile(m.modelFile(), LoadedModel.sha256(garbage)).toJson());
    assertReason(file, ModelLoadException.Reason.CORRUPT_MODEL, "not a readable Tribuo model");

    Files.write(modelFile, original);
    Path older = ModelArtifacts.write(dir.resolve("old"), manifest(1, NAMES.subList(0, 59)), model);
    assertReason(older, ModelLoadException.Reason.SCHEMA_MISMATCH, "trained on feature schema v1");

    Files.writeString(file, "{\"name\": \"churn\"");
    assertReason(file, ModelLoadException.Reason.BAD_MANIFEST, "invalid JSON at line 1");
    assertReason(dir.resolve("missing.json"), ModelLoadException.Reason.UNREADABLE, "missing.json");
  }

  static void assertReason(Path manifest, ModelLoadException.Reason reason, String text) {
    assertThatThrownBy(() -> LoadedModel.load(manifest).close())
        .isInstanceOfSatisfying(
            ModelLoadException.class, e -> assertThat(e.reason()).isEqualTo(reason))
        .hasMessageContaining(text);
  }
}

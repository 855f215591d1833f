package io.prescient.models.artifact;

import io.prescient.models.items.ItemSimilarity;
import io.prescient.models.scoring.BoosterScorer;
import io.prescient.state.contract.Hashes;
import io.prescient.state.features.FeatureSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.tribuo.Model;
import org.tribuo.classification.Label;
import org.tribuo.common.xgboost.XGBoostModel;
import org.tribuo.protos.core.ModelProto;

/**
 * A model that passed every check and can serve: manifest parsed, bytes matching their hash,
 * feature names equal to the live schema's, protobuf readable, booster ready. Close it to free the
 * booster's native memory.
 */
public final class LoadedModel implements AutoCloseable {
  public final ModelManifest manifest;

  /** The booster of a churn or offer model; null for the item-neighbours model. */
  public final BoosterScorer scorer;

  /** The item-neighbours table of the {@value ItemSimilarity#NAME} model; null for the others. */
  public final ItemSimilarity items;

  private LoadedModel(ModelManifest manifest, BoosterScorer scorer, ItemSimilarity items) {
    this.manifest = manifest;
    this.scorer = scorer;
    this.items = items;
  }

  /** Loads the artifact a manifest file describes, against the live feature schema. */
  public static LoadedModel load(Path manifestFile) throws ModelLoadException {
    String json;
    try {
      json = Files.readString(manifestFile);
    } catch (IOException e) {
      throw new ModelLoadException(
          ModelLoadException.Reason.UNREADABLE, manifestFile + ": " + e.getMessage(), e);
    }
    return load(ModelManifest.parse(json), manifestFile.toAbsolutePath().getParent());
  }

  /**
   * Loads the artifact of {@code manifest}; a relative {@code model_file} is resolved against
   * {@code baseDir}.
   */
  public static LoadedModel load(ModelManifest manifest, Path baseDir) throws ModelLoadException {
    // The item-neighbours table scores item ids, not the feature vector: its manifest lists none.
    List<String> live =
        ItemSimilarity.NAME.equals(manifest.name()) ? List.of() : FeatureSchema.names();
    return load(manifest, baseDir, FeatureSchema.VERSION, live);
  }

  static LoadedModel load(
      ModelManifest manifest, Path baseDir, int liveVersion, List<String> liveNames)
      throws ModelLoadException {
    checkSchema(manifest, liveVersion, liveNames);
    Path file = Path.of(manifest.modelFile());
    if (!file.isAbsolute() && baseDir != null) {
      file = baseDir.resolve(file);
    }
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (IOException e) {
      throw new ModelLoadException(
          ModelLoadException.Reason.UNREADABLE, "model file " + file + ": " + e, e);
    }
    return fromBytes(manifest, bytes, file.toString(), liveVersion, liveNames);
  }

  /**
   * A model from its manifest and the bytes of its protobuf file (read by the caller from any file
   * system); {@code where} names the file in errors.
   */
  public static LoadedModel fromBytes(ModelManifest manifest, byte[] bytes, String where)
      throws ModelLoadException {
    return fromBytes(manifest, bytes, where, FeatureSchema.VERSION, FeatureSchema.names());
  }

  private static final String MODEL_CLASS_HINT =
      "the job serves Tribuo XGBoost classification models written by `prescient train`";

  public static LoadedModel fromBytes(
      ModelManifest manifest, byte[] bytes, String file, int liveVersion, List<String> liveNames)
      throws ModelLoadException {
    checkSchema(manifest, liveVersion, liveNames);
    String sha = sha256(bytes);
    if (!sha.equalsIgnoreCase(manifest.modelSha256())) {
      // The file's own hash is not quoted: it would tell whoever announced it about a file
      // they may not be allowed to read.
      throw new ModelLoadException(
          ModelLoadException.Reason.HASH_MISMATCH,
          "model file " + file + " does not have the SHA-256 its manifest gives");
    }
    if (ItemSimilarity.NAME.equals(manifest.name())) {
      try {
        return new LoadedModel(manifest, null, ItemSimilarity.fromBytes(bytes));
      } catch (IllegalArgumentException e) {
        throw new ModelLoadException(
            ModelLoadException.Reason.CORRUPT_MODEL,
            "model file " + file + " is not an item-neighbours table (" + e.getMessage() + ")");
      }
    }
    Model<?> model;
    try {
      // Only the one model class the scorer serves is instantiated: the class a protobuf names is
      // checked before Tribuo loads it.
      ModelProto proto = ModelProto.parseFrom(bytes);
      if (!proto.getClassName().equals(XGBoostModel.class.getName())) {
        throw new ModelLoadException(
            ModelLoadException.Reason.CORRUPT_MODEL,
            "model file " + file + " is not an XGBoost model (" + MODEL_CLASS_HINT + ")");
      }
      model = Model.deserialize(proto);
    } catch (IOException | RuntimeException | LinkageError e) {
      throw new ModelLoadException(
          ModelLoadException.Reason.CORRUPT_MODEL,
          "model file "
              + file
              + " is not a readable Tribuo model ("
              + e.getClass().getSimpleName()
              + ")",
          e);
    }
    if (!model.validate(Label.class)) {
      throw new ModelLoadException(
          ModelLoadException.Reason.CORRUPT_MODEL,
          "model file " + file + " is not a classification model");
    }
    @SuppressWarnings("unchecked")
    Model<Label> classifier = (Model<Label>) model;
    return new LoadedModel(
        manifest, BoosterScorer.create(classifier, liveNames, manifest.positiveLabel()), null);
  }

  private static void checkSchema(ModelManifest manifest, int liveVersion, List<String> liveNames)
      throws ModelLoadException {
    if (manifest.featureSchemaVersion() != liveVersion
        || !manifest.featureNames().equals(liveNames)) {
      throw new ModelLoadException(
          ModelLoadException.Reason.SCHEMA_MISMATCH,
          "model "
              + manifest.name()
              + " "
              + manifest.version()
              + " was trained on feature schema v"
              + manifest.featureSchemaVersion()
              + " ("
              + manifest.featureNames().size()
              + " features), the job computes v"
              + liveVersion
              + " ("
              + liveNames.size()
              + " features)"
              + firstDifference(manifest.featureNames(), liveNames));
    }
  }

  private static String firstDifference(List<String> a, List<String> b) {
    for (int i = 0; i < Math.min(a.size(), b.size()); i++) {
      if (!a.get(i).equals(b.get(i))) {
        return "; feature " + i + " is '" + a.get(i) + "' in the model, '" + b.get(i) + "' live";
      }
    }
    return "";
  }

  /** Lower-case hex SHA-256 of {@code bytes}: how artifacts are pinned. */
  public static String sha256(byte[] bytes) {
    return Hashes.sha256Hex(bytes);
  }

  @Override
  public void close() {
    if (scorer != null) {
      scorer.close();
    }
  }
}

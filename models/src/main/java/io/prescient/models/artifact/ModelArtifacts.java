package io.prescient.models.artifact;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import org.tribuo.Model;

/** Writes a model artifact: the Tribuo protobuf file and its manifest, side by side. */
public final class ModelArtifacts {
  private ModelArtifacts() {}

  /**
   * Writes {@code <name>-<version>.tribuo} and {@code <name>-<version>.json} into {@code dir}. The
   * manifest gets the model file name and hash; the rest comes from {@code manifest}. Both files
   * are written to temporary names and renamed, so a reader never sees half an artifact.
   *
   * @return the manifest file
   */
  public static Path write(Path dir, ModelManifest manifest, Model<?> model) throws IOException {
    Files.createDirectories(dir);
    String base = manifest.name() + "-" + manifest.version();
    Path modelFile = dir.resolve(base + ".tribuo");
    Path tmp = dir.resolve(base + ".tribuo.tmp");
    model.serializeToFile(tmp);
    String sha = LoadedModel.sha256(Files.readAllBytes(tmp));
    Files.move(tmp, modelFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    ModelManifest full = manifest.withModelFile(modelFile.getFileName().toString(), sha);
    Path manifestFile = dir.resolve(base + ".json");
    Path mtmp = dir.resolve(base + ".json.tmp");
    Files.writeString(mtmp, full.toJson());
    Files.move(
        mtmp, manifestFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    return manifestFile;
  }
}

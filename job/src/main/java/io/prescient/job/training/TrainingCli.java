package io.prescient.job.training;

import io.prescient.models.artifact.ModelArtifacts;
import io.prescient.models.artifact.ModelLoadException;
import io.prescient.models.artifact.ModelManifest;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import org.tribuo.Model;

/** What the training commands share: options, dates, progress lines, writing the artifact. */
public final class TrainingCli {
  private TrainingCli() {}

  /** Usage lines of the options in {@link #commonDefaults}. */
  static final String COMMON_USAGE =
      String.join(
          "\n",
          "  --output DIR           where the artifact and report go (.local/models)",
          "  --version V            artifact version (the UTC time, yyyyMMdd'T'HHmmss'Z')",
          "  --threads N            XGBoost training threads (2)");

  /** The options every training command has, with their defaults. */
  static Map<String, String> commonDefaults() {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("--data-dir", Path.of("..", "shared", "data").toString());
    o.put("--output", Path.of(".local", "models").toString());
    o.put("--threads", "2");
    o.put("--version", versionNow());
    return o;
  }

  /** An artifact version: the UTC time now, {@code yyyyMMdd'T'HHmmss'Z'}. */
  public static String versionNow() {
    return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
        .withZone(ZoneOffset.UTC)
        .format(Instant.now());
  }

  /**
   * Parses {@code --key value} pairs over {@code defaults} (plus {@code optional} keys without a
   * default) and bare {@code flags} (stored as "true"). Prints the usage and returns null for
   * --help; exits with status 2 and the usage on anything unknown.
   */
  static Map<String, String> parse(
      String command,
      String usage,
      String[] args,
      Map<String, String> defaults,
      Set<String> optional,
      Set<String> flags) {
    Map<String, String> o = new LinkedHashMap<>(defaults);
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("--help") || a.equals("-h")) {
        System.out.println(usage);
        return null;
      } else if (flags.contains(a)) {
        o.put(a, "true");
      } else if ((defaults.containsKey(a) || optional.contains(a)) && i + 1 < args.length) {
        o.put(a, args[++i]);
      } else {
        fail(command, usage, "unknown or incomplete argument " + a);
      }
    }
    return o;
  }

  /** Writes the artifact and returns its manifest as a reader will see it. */
  static ModelManifest writeArtifact(Path dir, ModelManifest partial, Model<?> model)
      throws IOException {
    Path file = ModelArtifacts.write(dir, partial, model);
    try {
      return ModelManifest.parse(Files.readString(file));
    } catch (ModelLoadException e) {
      throw new IllegalStateException("the manifest just written cannot be read back", e);
    }
  }

  static long day(String date) {
    return LocalDate.parse(date.trim()).atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
  }

  static void log(String line) {
    System.err.println("[train] " + line);
  }

  static void fail(String command, String usage, String message) {
    System.err.println("prescient train " + command + ": " + message + "\n" + usage);
    System.exit(2);
  }
}

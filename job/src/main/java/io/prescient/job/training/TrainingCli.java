package io.prescient.job.training;

import io.prescient.job.KafkaIO;
import io.prescient.job.PrescientConfig;
import io.prescient.models.artifact.ModelArtifacts;
import io.prescient.models.artifact.ModelLoadException;
import io.prescient.models.artifact.ModelManifest;
import io.prescient.models.training.EventLog;
import io.prescient.state.json.JsonLimits;
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
          "  --threads N            XGBoost training threads (2)",
          "  --prescient.input.KEY V  the job's input rules for reading the log, for example",
          "                         --prescient.input.min-timestamp 1990-01-01T00:00:00Z for an",
          "                         older log (docs/configuration.md)");

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
      } else if (a.startsWith("--prescient.input.") && i + 1 < args.length) {
        o.put(a, args[++i]); // the job's input rules, read by inputLimits
      } else if (flags.contains(a)) {
        o.put(a, "true");
      } else if ((defaults.containsKey(a) || optional.contains(a)) && i + 1 < args.length) {
        o.put(a, args[++i]);
      } else {
        java.util.List<String> known = new java.util.ArrayList<>(defaults.keySet());
        known.addAll(optional);
        known.addAll(flags);
        fail(
            command,
            usage,
            "unknown or incomplete argument "
                + a
                + io.prescient.job.cli.Suggestions.didYouMean(a, known));
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

  /** A user error: a bad option, a missing file, a log with nothing the job would accept. */
  public static final class UsageError extends RuntimeException {
    public UsageError(String message) {
      super(message);
    }
  }

  /** Stops the command with {@code message}: {@link #main} prints it on one line, exit status 2. */
  static void fail(String command, String usage, String message) {
    throw new UsageError("prescient train " + command + ": " + message);
  }

  /** A command's body, which may fail with a {@link UsageError}. */
  interface Body {
    void run() throws Exception;
  }

  /**
   * Runs a training command's main: a {@link UsageError} ends it with its one-line message (and
   * where the options are listed) and exit status 2, never a stack trace.
   */
  static void main(String command, Body body) throws Exception {
    try {
      body.run();
    } catch (UsageError e) {
      System.err.println(
          e.getMessage() + " (prescient train " + command + " --help lists the options)");
      System.exit(2);
    }
  }

  /**
   * The job's input rules ({@code prescient.input.*}) as given on the command line, validated as
   * the job validates them: a log is read by the same rules as the job would read it.
   */
  static JsonLimits inputLimits(String command, Map<String, String> o) {
    Map<String, String> options = new LinkedHashMap<>();
    o.forEach(
        (k, v) -> {
          if (k.startsWith("--prescient.")) {
            options.put(k.substring(2), v);
          }
        });
    try {
      return KafkaIO.limits(PrescientConfig.fromMap(options));
    } catch (IllegalArgumentException e) {
      fail(command, "", e.getMessage());
      return null;
    }
  }

  /**
   * Reads an event log by the job's input rules ({@link #inputLimits}); stops with the counts per
   * reason when the job would accept none of its records.
   */
  static EventLog readEvents(String command, Path events, Map<String, String> o)
      throws IOException {
    EventLog log = EventLog.read(events, inputLimits(command, o));
    if (log.events.isEmpty()) {
      fail(
          command,
          "",
          log.rejected() == 0
              ? events + " holds no events"
              : String.format(
                  "every record of %s was rejected by the job's input rules: %s%s",
                  events,
                  log.rejectedByReason,
                  log.rejectedByReason.containsKey("out_of_range")
                      ? " (an older log needs --prescient.input.min-timestamp, for example"
                          + " 1990-01-01T00:00:00Z)"
                      : ""));
    }
    return log;
  }
}

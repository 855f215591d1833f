package io.prescient.job.training;

import io.prescient.job.KafkaIO;
import io.prescient.job.PrescientConfig;
import io.prescient.job.cli.CommandOptions;
import io.prescient.job.cli.CommandOptions.Opt;
import io.prescient.job.cli.CommandOptions.UsageError;
import io.prescient.models.artifact.ModelArtifacts;
import io.prescient.models.artifact.ModelLoadException;
import io.prescient.models.artifact.ModelManifest;
import io.prescient.offline.training.EventLog;
import io.prescient.state.json.JsonLimits;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tribuo.Model;

/** What the training commands share: options, dates, progress lines, writing the artifact. */
public final class TrainingCli {
  private TrainingCli() {}

  /** One option of a training command (see {@link CommandOptions.Opt}). */
  static Opt opt(String name, String label, String defaultValue, String description) {
    return CommandOptions.opt(name, label, defaultValue, description);
  }

  static Opt flag(String name, String description) {
    return CommandOptions.flag(name, description);
  }

  /** {@code --events}, defaulting to the shared Online Retail dataset. */
  static Opt onlineRetailEvents() {
    return opt(
        "--events",
        "FILE",
        null,
        "events JSON lines (.jsonl or .jsonl.gz); default: the shared Online Retail dataset,"
            + " converted to .local/data/online-retail.jsonl");
  }

  /** {@code --test-cutoff}: the protocol's test cut-off, 2011-09-01 by default. */
  static Opt testCutoff() {
    return opt("--test-cutoff", "DATE", "2011-09-01", "the test cut-off");
  }

  /** The options every training command has. */
  static List<Opt> common() {
    return List.of(
        opt(
            "--data-dir",
            "DIR",
            Path.of("..", "shared", "data").toString(),
            "the shared datasets, for the default input"),
        opt(
            "--output",
            "DIR",
            Path.of(".local", "models").toString(),
            "where the artifact and report go"),
        opt(
            "--version",
            "V",
            versionNow(),
            "artifact version (the UTC time, yyyyMMdd'T'HHmmss'Z')"),
        opt("--threads", "N", "2", "XGBoost training threads"));
  }

  /** {@code options} after the common ones. */
  static List<Opt> withCommon(Opt... options) {
    List<Opt> all = new ArrayList<>(List.of(options));
    all.addAll(common());
    return all;
  }

  /** The defaults of {@code options}, by name. */
  static Map<String, String> defaults(List<Opt> options) {
    Map<String, String> o = new LinkedHashMap<>();
    for (Opt x : options) {
      if (x.defaultValue() != null) {
        o.put(x.name(), x.defaultValue());
      }
    }
    return o;
  }

  /** The options every training command has, with their defaults. */
  static Map<String, String> commonDefaults() {
    return defaults(common());
  }

  /** An artifact version: the UTC time now, {@code yyyyMMdd'T'HHmmss'Z'}. */
  public static String versionNow() {
    return DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'")
        .withZone(ZoneOffset.UTC)
        .format(Instant.now());
  }

  /**
   * Parses {@code args} by {@code options} ({@link CommandOptions#parse}): the values given over
   * the defaults, flags as "true", and the job's {@code --prescient.input.*} options as given.
   * Prints the generated help and returns null for --help.
   */
  static Map<String, String> parse(
      String command, String description, List<Opt> options, String[] args, String... footer) {
    CommandOptions.Parsed p =
        CommandOptions.parse(
            "prescient train " + command,
            description,
            options,
            CommandOptions.Rest.INPUT_RULES,
            args,
            footer);
    if (p == null) {
      return null;
    }
    Map<String, String> o = new LinkedHashMap<>(p.values());
    for (int i = 0; i + 1 < p.jobArgs().size(); i += 2) {
      o.put(p.jobArgs().get(i), p.jobArgs().get(i + 1)); // the job's input rules, for inputLimits
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

  /** The date option {@code name} (yyyy-MM-dd, UTC midnight) as epoch ms; a user error if not. */
  static long day(String command, Map<String, String> o, String name) {
    String v = o.get(name);
    try {
      return day(v);
    } catch (java.time.format.DateTimeParseException | NullPointerException e) {
      throw new UsageError(
          "prescient train " + command + ": " + name + " needs a date yyyy-MM-dd, not '" + v + "'");
    }
  }

  /** The whole-number option {@code name}, from {@code min} to {@code max}; a user error if not. */
  static int number(String command, Map<String, String> o, String name, int min, int max) {
    String v = o.get(name);
    long n;
    try {
      n = Long.parseLong(v.trim().replace("_", ""));
    } catch (NumberFormatException | NullPointerException e) {
      throw new UsageError(
          "prescient train " + command + ": " + name + " needs a whole number, not '" + v + "'");
    }
    if (n < min || n > max) {
      throw new UsageError(
          String.format(
              "prescient train %s: %s must be a whole number from %d to %d, not %d",
              command, name, min, max, n));
    }
    return (int) n;
  }

  static void log(String line) {
    System.err.println("[train] " + line);
  }

  /** Stops the command with {@code message}: {@link #main} prints it on one line, exit status 2. */
  static void fail(String command, String message) {
    throw new UsageError("prescient train " + command + ": " + message);
  }

  /** Runs a training command's main (see {@link CommandOptions#main}). */
  static void main(String command, CommandOptions.Body body) throws Exception {
    CommandOptions.main("prescient train " + command, body);
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
      fail(command, e.getMessage());
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

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tribuo.Model;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;

/** What the training commands share: options, dates, progress lines, writing the artifact. */
public final class TrainingCli {
  private TrainingCli() {}

  /**
   * One option of a training command: its name, its value's label (null: a flag), its default
   * (null: none) and what it does. The commands declare theirs; the help is generated from them.
   */
  record Opt(String name, String label, String defaultValue, String description) {}

  static Opt opt(String name, String label, String defaultValue, String description) {
    return new Opt(name, label, defaultValue, description);
  }

  static Opt flag(String name, String description) {
    return new Opt(name, null, null, description);
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
   * Parses {@code args} by {@code options} (picocli): the values given over the defaults, flags as
   * "true", and the job's {@code --prescient.input.*} options as given. Prints the generated help
   * and returns null for --help; a user error is a {@link UsageError} with a suggestion for a typo.
   */
  static Map<String, String> parse(
      String command, String description, List<Opt> options, String[] args, String... footer) {
    CommandSpec spec = CommandSpec.create();
    spec.name("prescient train " + command);
    // --help only: --version names the artifact's version here.
    spec.addOption(
        OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help.").build());
    spec.usageMessage().description(description.replace("%", "%%")); // picocli formats help text
    List<String> foot = new ArrayList<>();
    foot.add("");
    foot.add("The job's input rules apply to the log: --prescient.input.KEY VALUE, for example");
    foot.add("--prescient.input.min-timestamp 1990-01-01T00:00:00Z for an older log.");
    for (String line : footer) {
      foot.add(line.replace("%", "%%"));
    }
    spec.usageMessage().footer(foot.toArray(new String[0]));
    spec.parser().unmatchedArgumentsAllowed(true);
    for (Opt x : options) {
      OptionSpec.Builder b =
          OptionSpec.builder(x.name())
              .description(
                  (x.description()
                          + (x.defaultValue() == null || x.defaultValue().isEmpty()
                              ? ""
                              : " (default: " + x.defaultValue() + ")"))
                      .replace("%", "%%"));
      if (x.label() == null) {
        b.arity("0").type(boolean.class);
      } else {
        b.arity("1").paramLabel(x.label()).type(String.class);
      }
      spec.addOption(b.build());
    }
    CommandLine cl = new CommandLine(spec);
    cl.setUsageHelpAutoWidth(true);
    CommandLine.ParseResult r;
    try {
      r = cl.parseArgs(args);
    } catch (CommandLine.ParameterException e) {
      throw new UsageError("prescient train " + command + ": " + e.getMessage());
    }
    if (r.isUsageHelpRequested()) {
      cl.usage(System.out);
      return null;
    }
    Map<String, String> o = defaults(options);
    for (Opt x : options) {
      if (r.hasMatchedOption(x.name())) {
        o.put(x.name(), x.label() == null ? "true" : r.matchedOptionValue(x.name(), ""));
      }
    }
    List<String> unmatched = r.unmatched();
    for (int i = 0; i < unmatched.size(); i++) {
      String a = unmatched.get(i);
      if (a.startsWith("--prescient.input.") && i + 1 < unmatched.size()) {
        o.put(a, unmatched.get(++i)); // the job's input rules, read by inputLimits
      } else {
        List<String> known = options.stream().map(Opt::name).toList();
        fail(
            command,
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
  static void fail(String command, String message) {
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

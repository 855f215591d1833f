package io.prescient.job.cli;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import picocli.CommandLine;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * The command line of one {@code prescient} command, declared as a list of {@link Opt}s and parsed
 * by picocli: generated help with the defaults, {@code --name value} and {@code --name=value}, "did
 * you mean" for a mistyped option, and a {@link UsageError} (one line, exit status 2 from {@link
 * #main}) for anything wrong, never a stack trace.
 *
 * <p>Commands that run the job's topology or read events by its rules also take job options ({@link
 * Rest}): they are handed on as given, for {@code PrescientConfig} to validate.
 */
public final class CommandOptions {
  private CommandOptions() {}

  /**
   * One option: its name ({@code --name}; a name without dashes is a required positional
   * parameter), its value's label (null: a flag), its default (null: none) and what it does.
   */
  public record Opt(String name, String label, String defaultValue, String description) {
    boolean positional() {
      return !name.startsWith("-");
    }
  }

  public static Opt opt(String name, String label, String defaultValue, String description) {
    return new Opt(name, label, defaultValue, description);
  }

  public static Opt flag(String name, String description) {
    return new Opt(name, null, null, description);
  }

  /** A required positional parameter, for example a savepoint's path. */
  public static Opt positional(String label, String description) {
    return new Opt(label, label, null, description);
  }

  /** Which of the job's options a command takes besides its own. */
  public enum Rest {
    /** None: an unknown argument is an error. */
    NONE,
    /** The job's input rules, {@code --prescient.input.KEY VALUE}: how a log is read. */
    INPUT_RULES,
    /**
     * Any job option, {@code --prescient.KEY VALUE}, a Flink option ({@code --KEY VALUE}, a key
     * with a dot), and {@code --config FILE}.
     */
    JOB_OPTIONS
  }

  /** What was given: every option's value (defaults filled in, flags "true") and job options. */
  public record Parsed(String command, Map<String, String> values, List<String> jobArgs) {
    public String get(String name) {
      return values.get(name);
    }

    public boolean has(String name) {
      return values.containsKey(name);
    }

    public boolean flag(String name) {
      return "true".equals(values.get(name));
    }

    /** The value of {@code name} as a number; a {@link UsageError} if it is not one. */
    public long getLong(String name) {
      String v = values.get(name);
      try {
        return Long.parseLong(v.trim().replace("_", "").replace(",", ""));
      } catch (NumberFormatException | NullPointerException e) {
        throw new UsageError(command + ": " + name + " needs a whole number, not '" + v + "'");
      }
    }

    /** The value of {@code name} as a whole number from {@code min} to {@code max}. */
    public int getInt(String name, int min, int max) {
      long v = getLong(name);
      if (v < min || v > max) {
        throw error(name + " must be a whole number from " + min + " to " + max + ", not " + v);
      }
      return (int) v;
    }

    /**
     * The job's configuration from the job and Flink options given (a {@code --config} file's, the
     * others over them), checked as the job checks them: a bad one is a {@link UsageError} before
     * anything starts.
     */
    public org.apache.flink.configuration.Configuration jobConfiguration() {
      try {
        return io.prescient.job.PrescientConfig.fromArgs(jobArgs.toArray(new String[0]));
      } catch (IllegalArgumentException e) {
        throw error(e.getMessage());
      }
    }

    /** The options of {@link #jobConfiguration}, as a map. */
    public Map<String, String> checkedJobOptions() {
      return new LinkedHashMap<>(jobConfiguration().toMap());
    }

    /** The value of {@code name} as a decimal number; a {@link UsageError} if it is not one. */
    public double getDouble(String name) {
      String v = values.get(name);
      try {
        return Double.parseDouble(v.trim());
      } catch (NumberFormatException | NullPointerException e) {
        throw new UsageError(command + ": " + name + " needs a number, not '" + v + "'");
      }
    }

    /** The job and Flink options given (not --config), keys without the dashes. */
    public Map<String, String> jobOptions() {
      Map<String, String> o = new LinkedHashMap<>();
      for (int i = 0; i + 1 < jobArgs.size(); i += 2) {
        if (!jobArgs.get(i).equals("--config")) {
          o.put(jobArgs.get(i).substring(2), jobArgs.get(i + 1));
        }
      }
      return o;
    }

    /** Stops the command with {@code message}: a {@link UsageError}. */
    public UsageError error(String message) {
      return new UsageError(command + ": " + message);
    }
  }

  /**
   * Parses {@code args} of {@code command} (as the user types it, for example "prescient replay")
   * by {@code options}. Prints the generated help and returns null for --help.
   */
  public static Parsed parse(
      String command,
      String description,
      List<Opt> options,
      Rest rest,
      String[] args,
      String... footer) {
    CommandSpec spec = CommandSpec.create();
    spec.name(command);
    spec.addOption(
        OptionSpec.builder("-h", "--help").usageHelp(true).description("Show this help.").build());
    spec.usageMessage().description(escape(description)).sortOptions(false);
    List<String> foot = new ArrayList<>();
    if (rest == Rest.INPUT_RULES) {
      foot.add("");
      foot.add("The job's input rules apply to the log: --prescient.input.KEY VALUE, for example");
      foot.add("--prescient.input.min-timestamp 1990-01-01T00:00:00Z for an older log.");
    } else if (rest == Rest.JOB_OPTIONS) {
      foot.add("");
      foot.add("Any job option may follow, --prescient.KEY VALUE, a Flink option (--KEY VALUE,");
      foot.add("a key with a dot) or --config FILE (see docs/configuration.md).");
    }
    if (footer.length > 0) {
      foot.add("");
      for (String line : footer) {
        foot.add(escape(line));
      }
    }
    spec.usageMessage().footer(foot.toArray(new String[0]));
    spec.parser().unmatchedArgumentsAllowed(true);
    // An option given twice counts with its last value, as scripts that add to a base set expect.
    spec.parser().overwrittenOptionsAllowed(true);
    int index = 0;
    for (Opt x : options) {
      if (x.positional()) {
        spec.addPositional(
            PositionalParamSpec.builder()
                .index(Integer.toString(index++))
                .paramLabel(x.label())
                .arity("1")
                .type(String.class)
                .description(escape(x.description()))
                .build());
        continue;
      }
      OptionSpec.Builder b =
          OptionSpec.builder(x.name())
              .description(
                  escape(
                      x.description()
                          + (x.defaultValue() == null || x.defaultValue().isEmpty()
                              ? ""
                              : " (default: " + x.defaultValue() + ")")));
      if (x.label() == null) {
        b.arity("0").type(boolean.class);
      } else {
        b.arity("1").paramLabel(x.label()).type(String.class);
      }
      spec.addOption(b.build());
    }
    CommandLine cl = new CommandLine(spec);
    cl.setUsageHelpAutoWidth(true);
    List<String> jobArgs = new ArrayList<>();
    String[] own = takeJobOptions(command, options, rest, args, jobArgs);
    CommandLine.ParseResult r;
    try {
      r = cl.parseArgs(own);
    } catch (CommandLine.ParameterException e) {
      throw new UsageError(command + ": " + e.getMessage());
    }
    if (r.isUsageHelpRequested()) {
      cl.usage(System.out);
      return null;
    }
    Map<String, String> values = new LinkedHashMap<>();
    index = 0;
    for (Opt x : options) {
      if (x.positional()) {
        int at = index++;
        if (r.hasMatchedPositional(at)) {
          values.put(x.name(), r.matchedPositional(at).getValue());
        }
      } else if (r.hasMatchedOption(x.name())) {
        values.put(x.name(), x.label() == null ? "true" : r.matchedOptionValue(x.name(), ""));
      } else if (x.defaultValue() != null) {
        values.put(x.name(), x.defaultValue());
      }
    }
    for (String a : r.unmatched()) {
      List<String> known = options.stream().filter(o -> !o.positional()).map(Opt::name).toList();
      throw new UsageError(
          command
              + ": unknown argument "
              + a
              + (a.startsWith("-") ? Suggestions.didYouMean(a, known) : ""));
    }
    for (Opt x : options) {
      if (x.positional() && !values.containsKey(x.name())) {
        throw new UsageError(command + ": " + x.label() + " is required");
      }
    }
    return new Parsed(command, values, jobArgs);
  }

  /**
   * Takes the job options {@code rest} allows out of {@code args} into {@code jobArgs}, as {@code
   * --KEY VALUE} pairs ({@code --KEY=VALUE} split), wherever they are (before a positional
   * parameter too), and returns the rest. The value of a declared option is never taken.
   */
  static String[] takeJobOptions(
      String command, List<Opt> options, Rest rest, String[] args, List<String> jobArgs) {
    List<String> own = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      int eq = a.indexOf('=');
      String name = eq > 2 ? a.substring(0, eq) : a;
      boolean declared = options.stream().anyMatch(o -> o.name().equals(name) && o.label() != null);
      boolean job =
          !declared
              && switch (rest) {
                case NONE -> false;
                case INPUT_RULES -> name.startsWith("--prescient.input.");
                // Flink's own keys too (execution.buffer-timeout.interval, ...): the job takes
                // them as it takes its own.
                case JOB_OPTIONS ->
                    name.equals("--config") || (name.startsWith("--") && name.contains("."));
              };
      if (declared && eq < 0 && i + 1 < args.length) {
        own.add(a);
        own.add(args[++i]); // a value, even one that looks like an option
      } else if (!job) {
        own.add(a);
      } else if (eq > 2) {
        jobArgs.add(name);
        jobArgs.add(a.substring(eq + 1));
      } else if (i + 1 < args.length) {
        jobArgs.add(a);
        jobArgs.add(args[++i]);
      } else {
        throw new UsageError(command + ": " + a + " needs a value");
      }
    }
    return own.toArray(new String[0]);
  }

  private static String escape(String help) {
    return help.replace("%", "%%"); // picocli formats help text
  }

  /** A user error: a bad option, a missing file, an input with nothing the job would accept. */
  public static final class UsageError extends RuntimeException {
    public UsageError(String message) {
      super(message);
    }
  }

  /** A command's body, which may fail with a {@link UsageError}. */
  public interface Body {
    void run() throws Exception;
  }

  /**
   * Runs a command's main: a {@link UsageError} ends it with its one-line message (and where the
   * options are listed) and exit status 2, never a stack trace.
   */
  public static void main(String command, Body body) throws Exception {
    try {
      body.run();
    } catch (UsageError e) {
      System.err.println(e.getMessage() + " (" + command + " --help lists the options)");
      System.exit(2);
    }
  }
}

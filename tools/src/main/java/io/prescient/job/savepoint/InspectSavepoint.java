package io.prescient.job.savepoint;

import static io.prescient.job.cli.CommandOptions.opt;

import io.prescient.job.cli.CommandOptions;
import io.prescient.job.cli.CommandOptions.Opt;
import java.net.URI;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * {@code ./prescient inspect-savepoint PATH [--users FILE]}: what a savepoint or retained
 * checkpoint holds of the profile operator, read with the State Processor API without a cluster:
 * users, cart lines, remembered event ids, affinities and pending event-time timers (delayed
 * decisions). One summary line ({@code key=value ...}, easy to compare before and after an
 * upgrade), and optionally one line per user.
 */
public final class InspectSavepoint {
  private InspectSavepoint() {}

  private static final Pattern FIELDS =
      Pattern.compile(
          "profile=(\\w+) cart=(\\d+) seen=(\\d+) affinities=(\\d+) timers=(\\d+)"
              + " triggers=(\\d+) no_op_timers=(\\d+)");

  /**
   * Totals over the per-user lines of {@link SavepointUsers#read}. {@code timers} (registered) =
   * {@code triggers} (armed) - {@code sharedTimers} (a trigger due at the same rounded time as
   * another of the user's, sharing its registration) + {@code noOpTimers} (registered, no trigger
   * due at it: a lifecycle timer superseded by an earlier one, which fires as a no-op).
   */
  public record Summary(
      long users,
      long profiles,
      long cartLines,
      long eventIds,
      long affinities,
      long timers,
      long triggers,
      long noOpTimers) {
    /** Armed triggers that share a registered timer with another trigger of the same user. */
    public long sharedTimers() {
      return triggers - (timers - noOpTimers);
    }

    @Override
    public String toString() {
      return String.format(
          "users=%d profiles=%d cart_lines=%d event_ids=%d affinities=%d pending_timers=%d"
              + " armed_triggers=%d shared_timers=%d no_op_timers=%d",
          users,
          profiles,
          cartLines,
          eventIds,
          affinities,
          timers,
          triggers,
          sharedTimers(),
          noOpTimers);
    }
  }

  private static final Pattern POLICY = Pattern.compile("held=(\\d+) open=(\\d+) outcomes=(\\d+)");

  /** Totals of the policy operator: held (delayed) decisions, open feedback, buffered outcomes. */
  public static String summarizePolicy(List<String> lines) {
    long held = 0;
    long open = 0;
    long outcomes = 0;
    for (String line : lines) {
      Matcher m = POLICY.matcher(line);
      if (!m.find()) {
        throw new IllegalStateException("unexpected line " + line);
      }
      held += Long.parseLong(m.group(1));
      open += Long.parseLong(m.group(2));
      outcomes += Long.parseLong(m.group(3));
    }
    return String.format(
        "held_decisions=%d open_feedback=%d buffered_outcomes=%d", held, open, outcomes);
  }

  public static Summary summarize(List<String> users) {
    long profiles = 0;
    long cart = 0;
    long seen = 0;
    long affinities = 0;
    long timers = 0;
    long triggers = 0;
    long noOp = 0;
    for (String line : users) {
      Matcher m = FIELDS.matcher(line);
      if (!m.find()) {
        throw new IllegalStateException("unexpected line " + line);
      }
      profiles += Boolean.parseBoolean(m.group(1)) ? 1 : 0;
      cart += Long.parseLong(m.group(2));
      seen += Long.parseLong(m.group(3));
      affinities += Long.parseLong(m.group(4));
      timers += Long.parseLong(m.group(5));
      triggers += Long.parseLong(m.group(6));
      noOp += Long.parseLong(m.group(7));
    }
    return new Summary(users.size(), profiles, cart, seen, affinities, timers, triggers, noOp);
  }

  static final String COMMAND = "prescient inspect-savepoint";

  static final List<Opt> OPTIONS =
      List.of(
          CommandOptions.positional(
              "PATH", "a savepoint or retained checkpoint directory (file:// URI or path)"),
          opt("--users", "FILE", null, "also write one line per user (sorted) to FILE"));

  public static void main(String[] args) throws Exception {
    CommandOptions.main(COMMAND, () -> run(args));
  }

  static void run(String[] args) throws Exception {
    CommandOptions.Parsed p = parse(args);
    if (p == null) {
      return;
    }
    String path = checkSavepoint(p, p.get("PATH"));
    Path usersFile = p.has("--users") ? Path.of(p.get("--users")) : null;
    List<String> users = SavepointUsers.read(path);
    List<String> policy = SavepointUsers.readPolicy(path);
    if (usersFile != null) {
      List<String> all = new java.util.ArrayList<>(users);
      policy.forEach(l -> all.add("policy " + l));
      Files.write(usersFile, all);
    }
    System.out.println(summarize(users) + " " + summarizePolicy(policy));
  }

  /** The command line parsed; null when --help printed the usage. */
  static CommandOptions.Parsed parse(String... args) {
    return CommandOptions.parse(
        COMMAND,
        "What a savepoint or retained checkpoint holds of the profile and policy operators, read"
            + " with the State Processor API without a cluster: one summary line (users, cart"
            + " lines, remembered event ids, affinities, pending timers, held decisions), easy to"
            + " compare before and after an upgrade.",
        OPTIONS,
        CommandOptions.Rest.NONE,
        args);
  }

  /**
   * {@code path} as given, when it is not on this machine's file system or is a directory with a
   * {@code _metadata} file (a savepoint or retained checkpoint); a {@link
   * CommandOptions.UsageError} otherwise.
   */
  static String checkSavepoint(CommandOptions.Parsed p, String path) {
    Path local;
    try {
      String scheme = new URI(path).getScheme();
      if (scheme != null && scheme.length() > 1 && !scheme.equals("file")) {
        return path; // another file system (s3://, hdfs://, ...): Flink reads it
      }
      local = "file".equals(scheme) ? Path.of(new URI(path)) : Path.of(path);
    } catch (URISyntaxException | IllegalArgumentException e) {
      try {
        local = Path.of(path); // not a URI, a path (with spaces, ...)
      } catch (InvalidPathException again) {
        throw p.error("'" + path + "' is not a path or file:// URI");
      }
    }
    if (!Files.exists(local)) {
      throw p.error(path + " not found");
    }
    if (Files.isDirectory(local) && !Files.isRegularFile(local.resolve("_metadata"))) {
      throw p.error(
          path + " has no _metadata file: not a savepoint or retained checkpoint directory");
    }
    return path;
  }
}

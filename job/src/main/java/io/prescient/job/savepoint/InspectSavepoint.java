package io.prescient.job.savepoint;

import java.nio.file.Files;
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

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      System.out.println(
          "usage: prescient inspect-savepoint PATH [--users FILE]\n"
              + "  PATH          a savepoint or retained checkpoint directory (file:// URI or path)\n"
              + "  --users FILE  also write one line per user (sorted) to FILE");
      return;
    }
    String path = args[0];
    Path usersFile = null;
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--users") && i + 1 < args.length) {
        usersFile = Path.of(args[++i]);
      } else {
        System.err.println("prescient inspect-savepoint: unknown argument " + args[i]);
        System.exit(2);
      }
    }
    List<String> users = SavepointUsers.read(path);
    List<String> policy = SavepointUsers.readPolicy(path);
    if (usersFile != null) {
      List<String> all = new java.util.ArrayList<>(users);
      policy.forEach(l -> all.add("policy " + l));
      Files.write(usersFile, all);
    }
    System.out.println(summarize(users) + " " + summarizePolicy(policy));
  }
}

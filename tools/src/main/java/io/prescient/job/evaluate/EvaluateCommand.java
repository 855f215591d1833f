package io.prescient.job.evaluate;

import static io.prescient.job.cli.CommandOptions.opt;

import io.prescient.job.cli.CommandOptions;
import io.prescient.job.cli.CommandOptions.Opt;
import io.prescient.offline.eval.FeedbackLog;
import io.prescient.offline.eval.OffPolicy;
import io.prescient.offline.eval.OfflineEvaluation;
import io.prescient.state.contract.CopyIds;
import io.prescient.state.features.FeatureSchema;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code ./prescient evaluate}: offline evaluation from feedback records. Compares the arms
 * (conversion and revenue per decision, revenue per user, lifts, 95% intervals over source users:
 * users, with all re-keyed copies of one real user together, see {@link CopyIds}), and estimates
 * the value of candidate policies from the model arm's epsilon-greedy logs with IPS, SNIPS and
 * doubly robust estimators (95% intervals over decisions, or over source users when the log holds
 * copies). The report names the resampling unit and how many clusters it had.
 */
public final class EvaluateCommand {
  private EvaluateCommand() {}

  static final String COMMAND = "prescient evaluate";

  static final List<Opt> OPTIONS =
      List.of(
          opt(
              "--feedback",
              "FILE",
              null,
              "feedback JSON lines (the feedback topic, or a replay's feedback.jsonl); required"),
          opt("--resamples", "N", "1000", "bootstrap resamples"),
          opt("--seed", "N", "7", "bootstrap seed"),
          opt(
              "--unit",
              "U",
              "source-user",
              "what the bootstrap resamples. source-user: arms over source users, all copies of"
                  + " one real user together (ids c<k>-USER from ./prescient copies); a lift draws"
                  + " a source user with copies in both arms once for both. Policy values over"
                  + " decisions, or over source users when the log holds copies. Without copies a"
                  + " source user is a user: the same as user. user: arms over users, policy values"
                  + " over decisions, copies or not (too narrow with copies: they share their"
                  + " source user's purchases)"),
          opt("--report", "FILE", null, "also write the tables as Markdown to FILE"));

  public static void main(String[] args) throws Exception {
    CommandOptions.main(COMMAND, () -> run(args));
  }

  /** The command with {@code args}; a user error is a {@link CommandOptions.UsageError}. */
  static void run(String[] args) throws Exception {
    CommandOptions.Parsed p =
        CommandOptions.parse(
            COMMAND,
            "Offline evaluation from feedback records: the arms compared (conversion and revenue"
                + " per decision, revenue per user, lifts, 95% bootstrap intervals), and the values"
                + " of candidate policies estimated with IPS, SNIPS and doubly robust estimators.",
            OPTIONS,
            CommandOptions.Rest.NONE,
            args,
            "Policy values are estimated on the model arm's decisions made by the model policy"
                + " (logged with exact propensities): greedy = argmax of candidate_values,"
                + " uniform = any eligible offer, logged = the epsilon-greedy policy itself. The"
                + " reward is the conversion in the window.");
    if (p == null) {
      return;
    }
    if (!p.has("--feedback")) {
      throw p.error("--feedback is required");
    }
    Path feedback = Path.of(p.get("--feedback"));
    if (!Files.isRegularFile(feedback)) {
      throw p.error("--feedback " + feedback + " is not a file");
    }
    int resamples = p.getInt("--resamples", 1, Integer.MAX_VALUE);
    long seed = p.getLong("--seed");
    boolean bySource =
        switch (p.get("--unit")) {
          case "source-user" -> true;
          case "user" -> false;
          default -> throw p.error("--unit is source-user or user, not " + p.get("--unit"));
        };
    FeedbackLog.Read read = FeedbackLog.read(feedback, FeatureSchema.names());
    if (!read.bad().isEmpty()) {
      System.err.println(
          "[evaluate] skipped " + read.bad().size() + " lines: " + read.bad().get(0));
    }
    String report = report(read.rows(), (int) resamples, seed, bySource);
    System.out.print(report);
    if (p.has("--report")) {
      Files.writeString(Path.of(p.get("--report")), report);
    }
  }

  /** A paired lift between two arms' rows, as {@link OfflineEvaluation#lift} computes one. */
  private interface LiftEstimator {
    OffPolicy.Estimate lift(
        List<FeedbackLog.Row> a,
        List<FeedbackLog.Row> b,
        OfflineEvaluation.Cluster cluster,
        int resamples,
        long seed);
  }

  /** One kind of lift in the report: its line's label, digits and bootstrap seed offset. */
  private record LiftKind(String label, int digits, long seedOffset, LiftEstimator estimator) {}

  private static final List<LiftKind> LIFTS =
      List.of(
          new LiftKind("lift", 4, 3, OfflineEvaluation::lift),
          new LiftKind("revenue per user, lift", 2, 4, OfflineEvaluation::revenuePerUserLift),
          new LiftKind("users converted, lift", 4, 5, OfflineEvaluation::convertedUsersLift));

  /** The evaluation as Markdown, resampling source users (see {@code --unit}). */
  public static String report(List<FeedbackLog.Row> rows, int resamples, long seed) {
    return report(rows, resamples, seed, true);
  }

  /**
   * The evaluation as Markdown; {@code bySource}: resample source users ({@code --unit
   * source-user}), else users and decisions ({@code --unit user}).
   */
  public static String report(
      List<FeedbackLog.Row> rows, int resamples, long seed, boolean bySource) {
    boolean copies = OfflineEvaluation.hasCopies(rows);
    OfflineEvaluation.Cluster armUnit =
        bySource ? OfflineEvaluation.BY_SOURCE_USER : OfflineEvaluation.BY_USER;
    StringBuilder sb = new StringBuilder();
    sb.append(String.format(Locale.ROOT, "%,d feedback records%n%n", rows.size()));
    int users = OfflineEvaluation.clusters(rows, OfflineEvaluation.BY_USER);
    int sources = OfflineEvaluation.clusters(rows, OfflineEvaluation.BY_SOURCE_USER);
    if (bySource && copies) {
      sb.append(
          String.format(
              Locale.ROOT,
              "Arm intervals: bootstrap over %,d source users (clusters; %,d users are copies of"
                  + " them, and all copies of one source user are resampled together; a lift"
                  + " draws a source user with copies in both arms once for both).%n%n",
              sources,
              users));
    } else {
      sb.append(
          String.format(
              Locale.ROOT,
              "Arm intervals: bootstrap over %,d users (clusters: a user's decisions are resampled"
                  + " together)%s.%n%n",
              users,
              copies
                  ? String.format(
                      Locale.ROOT,
                      "; the log holds copies of %,d source users, which this ignores"
                          + " (--unit user): too narrow",
                      sources)
                  : ""));
    }
    sb.append(
        "| arm | decisions | users | clusters | conversion [95% CI] | revenue per decision [95% CI]"
            + " | revenue per user [95% CI] | users converted [95% CI] |\n");
    sb.append("|---|---|---|---|---|---|---|---|\n");
    Map<String, OfflineEvaluation.ArmFigures> arms =
        OfflineEvaluation.arms(rows, armUnit, resamples, seed);
    for (OfflineEvaluation.ArmFigures a : arms.values()) {
      sb.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d | %,d | %,d | %s | %s | %s | %s |%n",
              a.arm(),
              a.decisions(),
              a.users(),
              a.clusters(),
              fmt(a.conversion(), 4),
              fmt(a.revenue(), 2),
              fmt(a.revenuePerUser(), 2),
              fmt(a.convertedUsers(), 4)));
    }
    Map<String, List<FeedbackLog.Row>> byArm = new LinkedHashMap<>();
    rows.forEach(r -> byArm.computeIfAbsent(r.arm(), k -> new ArrayList<>()).add(r));
    sb.append("\n");
    for (LiftKind kind : LIFTS) {
      for (String[] pair :
          new String[][] {{"model", "rules"}, {"rules", "control"}, {"model", "control"}}) {
        if (byArm.containsKey(pair[0]) && byArm.containsKey(pair[1])) {
          OffPolicy.Estimate lift =
              kind.estimator()
                  .lift(
                      byArm.get(pair[0]),
                      byArm.get(pair[1]),
                      armUnit,
                      resamples,
                      seed + kind.seedOffset());
          sb.append(
              String.format(
                  Locale.ROOT,
                  "%s %s - %s: %s%n",
                  kind.label(),
                  pair[0],
                  pair[1],
                  fmt(lift, kind.digits())));
        }
      }
    }
    List<FeedbackLog.Row> logged =
        rows.stream()
            .filter(
                r -> r.arm().equals("model") && r.policy().equals("model") && r.offerId() != null)
            .toList();
    OfflineEvaluation.Cluster policyUnit =
        bySource && copies ? OfflineEvaluation.BY_SOURCE_USER : OfflineEvaluation.BY_DECISION;
    sb.append(
        String.format(
            Locale.ROOT,
            "%nPolicy values from %,d model-policy decisions (explored %,d); intervals over %,d"
                + " %s:%n%n",
            logged.size(),
            logged.stream().filter(FeedbackLog.Row::explored).count(),
            OfflineEvaluation.clusters(logged, policyUnit),
            policyUnit == OfflineEvaluation.BY_DECISION ? "decisions" : "source users"));
    long byRules =
        rows.stream().filter(r -> r.arm().equals("model") && r.policy().equals("rules")).count();
    if (logged.isEmpty() && byRules > 0) {
      sb.append(
          String.format(
              Locale.ROOT,
              "No model-arm decision was made by the model policy: all %,d used the rules, because"
                  + " no offer model was served (serve one, or set"
                  + " prescient.policy.without-offer-model PRIOR to explore on the catalog's"
                  + " prior). Nothing below is an estimate.%n%n",
              byRules));
    } else if (logged.stream().noneMatch(FeedbackLog.Row::explored)) {
      sb.append(
          "No decision was explored (every logged propensity is 1: prescient.policy.epsilon is 0,"
              + " or a single offer was eligible): only the logged policy is supported by these"
              + " logs; the other rows below are not estimates.\n\n");
    }
    sb.append("| policy | IPS [95% CI] | SNIPS [95% CI] | DR [95% CI] | logged action matches |\n");
    sb.append("|---|---|---|---|---|\n");
    if (!logged.isEmpty()) {
      Map<String, OfflineEvaluation.TargetPolicy> targets = new LinkedHashMap<>();
      targets.put("greedy", OfflineEvaluation.greedy());
      targets.put("uniform", OfflineEvaluation.uniform());
      targets.put("logged", OfflineEvaluation.logged());
      for (Map.Entry<String, OfflineEvaluation.TargetPolicy> t : targets.entrySet()) {
        OfflineEvaluation.Value v =
            OfflineEvaluation.estimate(logged, t.getValue(), policyUnit, resamples, seed);
        sb.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %s | %s | %.3f |%n",
                t.getKey(),
                fmt(v.ips(), 4),
                fmt(v.snips(), 4),
                fmt(v.dr(), 4),
                v.matched()));
      }
    }
    return sb.toString();
  }

  static String fmt(OffPolicy.Estimate e, int digits) {
    String f = "%." + digits + "f";
    return String.format(Locale.ROOT, f + " [" + f + ", " + f + "]", e.value(), e.low(), e.high());
  }
}

package io.prescient.offline.eval;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.state.contract.CopyIds;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Intervals over source users: copies of one real user (ids c<k>-USER) are resampled together, and
 * a lift draws a source user with copies in both arms once for both. Without copies the figures are
 * exactly those of the per-user bootstrap that came before.
 */
class ClusterBootstrapTest {
  static FeedbackLog.Row row(String id, String user, String arm, boolean converted, double value) {
    Map<String, Double> q = new LinkedHashMap<>();
    q.put("a", 0.3);
    q.put("b", 0.2);
    return new FeedbackLog.Row(
        id,
        user,
        "cart_abandonment",
        arm,
        arm,
        "a",
        "reminder",
        "email",
        0.5,
        false,
        new ArrayList<>(q.keySet()),
        q,
        q,
        0L,
        0L,
        null,
        converted,
        converted ? value : 0,
        Map.of());
  }

  static double width(OffPolicy.Estimate e) {
    return e.high() - e.low();
  }

  /** Users without copies, 1 to 8 decisions each, arms per user, varied conversion values. */
  static List<FeedbackLog.Row> usersWithoutCopies() {
    Random r = new Random(11);
    String[] arms = {"model", "rules", "control"};
    List<FeedbackLog.Row> rows = new ArrayList<>();
    for (int u = 0; u < 400; u++) {
      String arm = arms[r.nextInt(3)];
      for (int k = 1 + r.nextInt(8); k > 0; k--) {
        rows.add(row(u + "-" + k, "tb-" + u, arm, r.nextDouble() < 0.45, 5 + 50 * r.nextDouble()));
      }
    }
    Collections.shuffle(rows, r); // users' decisions interleave, as in a log
    return rows;
  }

  @Test
  void withoutCopiesTheFiguresAreThoseOfThePerUserBootstrapBefore() {
    List<FeedbackLog.Row> rows = usersWithoutCopies();
    assertThat(OfflineEvaluation.hasCopies(rows)).isFalse();
    Map<String, OfflineEvaluation.ArmFigures> arms = OfflineEvaluation.arms(rows, 300, 7);
    Map<String, List<FeedbackLog.Row>> byArm = new LinkedHashMap<>();
    rows.forEach(x -> byArm.computeIfAbsent(x.arm(), k -> new ArrayList<>()).add(x));
    for (Map.Entry<String, List<FeedbackLog.Row>> e : byArm.entrySet()) {
      OfflineEvaluation.ArmFigures a = arms.get(e.getKey());
      List<List<FeedbackLog.Row>> users = Before.byUser(e.getValue());
      assertThat(a.users()).isEqualTo(users.size());
      assertThat(a.clusters()).isEqualTo(users.size());
      assertThat(a.conversion())
          .isEqualTo(Before.clusterBootstrap(users, FeedbackLog.Row::reward, 300, 7));
      assertThat(a.revenue())
          .isEqualTo(Before.clusterBootstrap(users, FeedbackLog.Row::conversionValue, 300, 8));
    }
    for (String[] p : new String[][] {{"model", "rules"}, {"rules", "control"}}) {
      List<FeedbackLog.Row> a = byArm.get(p[0]);
      List<FeedbackLog.Row> b = byArm.get(p[1]);
      assertThat(OfflineEvaluation.lift(a, b, 300, 10)).isEqualTo(Before.lift(a, b, 300, 10));
    }
    // policy values: over decisions, as before
    List<FeedbackLog.Row> model = byArm.get("model");
    assertThat(OfflineEvaluation.estimate(model, OfflineEvaluation.uniform(), 300, 5).ips())
        .isEqualTo(Before.uniformIps(model, 300, 5));
  }

  /**
   * {@code sources} real users with {@code decisions} decisions each, written {@code copies} times:
   * every copy converts exactly when its source user did (perfectly correlated copies); each copy
   * is in the model or the rules arm at random.
   */
  static List<FeedbackLog.Row> correlatedCopies(
      int sources, int decisions, int copies, double rate, long seed) {
    Random r = new Random(seed);
    List<FeedbackLog.Row> rows = new ArrayList<>();
    for (int s = 0; s < sources; s++) {
      boolean[] converted = new boolean[decisions];
      for (int d = 0; d < decisions; d++) {
        converted[d] = r.nextDouble() < rate;
      }
      for (int c = 0; c < copies; c++) {
        String user = CopyIds.of("tb-" + s, c);
        String arm = r.nextBoolean() ? "model" : "rules";
        for (int d = 0; d < decisions; d++) {
          rows.add(row(user + "/" + d, user, arm, converted[d], 20));
        }
      }
    }
    return rows;
  }

  @Test
  void copiesOfOneUserAreResampledTogetherSoTheirIntervalIsWider() {
    List<FeedbackLog.Row> rows = correlatedCopies(300, 3, 10, 0.4, 1);
    assertThat(OfflineEvaluation.hasCopies(rows)).isTrue();
    assertThat(OfflineEvaluation.clusters(rows, OfflineEvaluation.BY_SOURCE_USER)).isEqualTo(300);
    assertThat(OfflineEvaluation.clusters(rows, OfflineEvaluation.BY_USER)).isEqualTo(3_000);
    OfflineEvaluation.ArmFigures clustered =
        OfflineEvaluation.arms(rows, OfflineEvaluation.BY_SOURCE_USER, 400, 3).get("model");
    OfflineEvaluation.ArmFigures naive =
        OfflineEvaluation.arms(rows, OfflineEvaluation.BY_USER, 400, 3).get("model");
    assertThat(clustered.conversion().value()).isEqualTo(naive.conversion().value());
    assertThat(clustered.clusters()).isLessThanOrEqualTo(300).isGreaterThan(290);
    assertThat(naive.clusters()).isEqualTo(clustered.users());
    // ten perfectly correlated copies carry the information of one user: about sqrt(10) wider
    assertThat(width(clustered.conversion())).isGreaterThan(2 * width(naive.conversion()));
    assertThat(width(clustered.revenuePerUser())).isGreaterThan(2 * width(naive.revenuePerUser()));
    // so do the policy values: over source users, not decisions
    List<FeedbackLog.Row> model = rows.stream().filter(x -> x.arm().equals("model")).toList();
    OfflineEvaluation.Value bySource =
        OfflineEvaluation.estimate(
            model, OfflineEvaluation.logged(), OfflineEvaluation.BY_SOURCE_USER, 400, 3);
    OfflineEvaluation.Value byDecision =
        OfflineEvaluation.estimate(model, OfflineEvaluation.logged(), 400, 3);
    assertThat(bySource.ips().value()).isEqualTo(byDecision.ips().value());
    assertThat(width(bySource.ips())).isGreaterThan(2 * width(byDecision.ips()));
  }

  @Test
  void aLiftPairsTheCopiesOfOneUserInBothArms() {
    // no effect: both arms hold copies of the same users, who convert alike in either arm
    List<FeedbackLog.Row> rows = correlatedCopies(300, 3, 10, 0.4, 2);
    List<FeedbackLog.Row> model = rows.stream().filter(x -> x.arm().equals("model")).toList();
    List<FeedbackLog.Row> rules = rows.stream().filter(x -> x.arm().equals("rules")).toList();
    Map<String, OfflineEvaluation.ArmFigures> arms = OfflineEvaluation.arms(rows, 400, 3);
    OffPolicy.Estimate lift = OfflineEvaluation.lift(model, rules, 400, 4);
    assertThat(0.0).isBetween(lift.low(), lift.high());
    // drawn independently per arm, the shared part of each source user would not cancel
    double unpaired =
        Math.hypot(width(arms.get("model").conversion()), width(arms.get("rules").conversion()));
    assertThat(width(lift)).isLessThan(0.5 * unpaired);
    // revenue per user alike (every copy of a user has the same conversion values)
    OffPolicy.Estimate revenue =
        OfflineEvaluation.revenuePerUserLift(
            model, rules, OfflineEvaluation.BY_SOURCE_USER, 400, 5);
    assertThat(0.0).isBetween(revenue.low(), revenue.high());
    double unpairedRevenue =
        Math.hypot(
            width(arms.get("model").revenuePerUser()), width(arms.get("rules").revenuePerUser()));
    assertThat(width(revenue)).isLessThan(0.5 * unpairedRevenue);
  }

  @Test
  void revenuePerUserIsTheConversionValueOverTheUsersWithADecision() {
    List<FeedbackLog.Row> rows =
        List.of(
            row("1", "u1", "model", true, 30),
            row("2", "u1", "model", true, 10),
            row("3", "c1-u1", "model", false, 0),
            row("4", "u2", "rules", true, 12),
            row("5", "u3", "rules", false, 0));
    Map<String, OfflineEvaluation.ArmFigures> arms = OfflineEvaluation.arms(rows, 50, 1);
    assertThat(arms.get("model").revenuePerUser().value()).isEqualTo(40 / 2.0);
    assertThat(arms.get("model").revenue().value()).isEqualTo(40 / 3.0);
    assertThat(arms.get("model").users()).isEqualTo(2);
    assertThat(arms.get("model").clusters()).isEqualTo(1);
    assertThat(arms.get("rules").revenuePerUser().value()).isEqualTo(12 / 2.0);
    assertThat(
            OfflineEvaluation.revenuePerUserLift(
                    rows.subList(0, 3), rows.subList(3, 5), OfflineEvaluation.BY_SOURCE_USER, 50, 1)
                .value())
        .isEqualTo(20.0 - 6.0);
  }

  @Test
  void usersConvertedCountsEachUserOnceHoweverManyDecisionsConverted() {
    List<FeedbackLog.Row> rows =
        List.of(
            row("1", "u1", "model", true, 30),
            row("2", "u1", "model", true, 10),
            row("3", "c1-u1", "model", false, 0),
            row("4", "u4", "model", false, 0),
            row("5", "u2", "rules", true, 12),
            row("6", "u3", "rules", false, 0),
            row("7", "u3", "rules", false, 0),
            row("8", "u5", "rules", false, 0));
    Map<String, OfflineEvaluation.ArmFigures> arms = OfflineEvaluation.arms(rows, 50, 1);
    // model: u1 converted (twice), c1-u1 and u4 did not; per decision that would be 2/4
    assertThat(arms.get("model").convertedUsers().value()).isEqualTo(1 / 3.0);
    assertThat(arms.get("model").conversion().value()).isEqualTo(2 / 4.0);
    assertThat(arms.get("rules").convertedUsers().value()).isEqualTo(1 / 3.0);
    assertThat(
            OfflineEvaluation.convertedUsersLift(
                    rows.subList(0, 4), rows.subList(4, 8), OfflineEvaluation.BY_SOURCE_USER, 50, 1)
                .value())
        .isEqualTo(0.0);
  }

  @Test
  void aUsersConvertedLiftIsPairedOverSourceUsersWithCopiesInBothArms() {
    // every source user converts in both arms or in neither (their real purchases), and the
    // model arm converts 10% more of the users that do not: a small, consistent difference
    Random r = new Random(3);
    List<FeedbackLog.Row> model = new ArrayList<>();
    List<FeedbackLog.Row> rules = new ArrayList<>();
    for (int u = 0; u < 300; u++) {
      boolean buys = r.nextDouble() < 0.45;
      boolean extra = r.nextDouble() < 0.10;
      model.add(row("m" + u, "tb-" + u, "model", buys || extra, 1));
      rules.add(row("r" + u, "c1-tb-" + u, "rules", buys, 1));
    }
    OffPolicy.Estimate paired =
        OfflineEvaluation.convertedUsersLift(
            model, rules, OfflineEvaluation.BY_SOURCE_USER, 1000, 7);
    OffPolicy.Estimate unpaired =
        OfflineEvaluation.convertedUsersLift(model, rules, OfflineEvaluation.BY_USER, 1000, 7);
    assertThat(paired.low()).isGreaterThan(0);
    assertThat(unpaired.low()).isLessThan(0);
    assertThat(width(paired)).isLessThan(0.5 * width(unpaired));
  }

  @Test
  void intervalsOverSourceUsersCoverTheTruthAndPerUserOnesDoNot() {
    // 200 populations of 100 real users (true conversion rate 0.3), each written 5 times
    int covered = 0;
    int coveredNaive = 0;
    int runs = 200;
    for (int run = 0; run < runs; run++) {
      List<FeedbackLog.Row> rows = correlatedCopies(100, 2, 5, 0.3, 100 + run);
      List<FeedbackLog.Row> all =
          rows.stream()
              .map(x -> row(x.decisionId(), x.userId(), "model", x.converted(), 1))
              .toList();
      OffPolicy.Estimate c =
          OfflineEvaluation.arms(all, OfflineEvaluation.BY_SOURCE_USER, 200, run)
              .get("model")
              .conversion();
      OffPolicy.Estimate n =
          OfflineEvaluation.arms(all, OfflineEvaluation.BY_USER, 200, run)
              .get("model")
              .conversion();
      covered += c.low() <= 0.3 && 0.3 <= c.high() ? 1 : 0;
      coveredNaive += n.low() <= 0.3 && 0.3 <= n.high() ? 1 : 0;
    }
    assertThat(covered / (double) runs).isGreaterThan(0.88);
    assertThat(coveredNaive / (double) runs).isLessThan(0.75);
  }

  /** The per-user bootstrap of OfflineEvaluation before source users, verbatim in substance. */
  static final class Before {
    static List<List<FeedbackLog.Row>> byUser(List<FeedbackLog.Row> rows) {
      Map<String, List<FeedbackLog.Row>> m = new LinkedHashMap<>();
      rows.forEach(r -> m.computeIfAbsent(r.userId(), k -> new ArrayList<>()).add(r));
      return new ArrayList<>(m.values());
    }

    static OffPolicy.Estimate clusterBootstrap(
        List<List<FeedbackLog.Row>> users,
        java.util.function.ToDoubleFunction<FeedbackLog.Row> f,
        int resamples,
        long seed) {
      double total = 0;
      int n = 0;
      for (List<FeedbackLog.Row> u : users) {
        for (FeedbackLog.Row r : u) {
          total += f.applyAsDouble(r);
          n++;
        }
      }
      SplittableRandom random = new SplittableRandom(seed);
      double[] stats = new double[resamples];
      for (int k = 0; k < resamples; k++) {
        double sum = 0;
        int m = 0;
        for (int i = 0; i < users.size(); i++) {
          for (FeedbackLog.Row r : users.get(random.nextInt(users.size()))) {
            sum += f.applyAsDouble(r);
            m++;
          }
        }
        stats[k] = m == 0 ? 0 : sum / m;
      }
      Arrays.sort(stats);
      return new OffPolicy.Estimate(
          n == 0 ? 0 : total / n,
          stats[(int) (0.025 * resamples)],
          stats[(int) (0.975 * resamples) - 1]);
    }

    static OffPolicy.Estimate lift(
        List<FeedbackLog.Row> a, List<FeedbackLog.Row> b, int resamples, long seed) {
      List<List<FeedbackLog.Row>> ua = byUser(a);
      List<List<FeedbackLog.Row>> ub = byUser(b);
      SplittableRandom random = new SplittableRandom(seed);
      double[] diffs = new double[resamples];
      for (int k = 0; k < resamples; k++) {
        diffs[k] = rate(ua, random) - rate(ub, random);
      }
      Arrays.sort(diffs);
      double pa = a.stream().mapToDouble(FeedbackLog.Row::reward).average().orElse(0);
      double pb = b.stream().mapToDouble(FeedbackLog.Row::reward).average().orElse(0);
      return new OffPolicy.Estimate(
          pa - pb, diffs[(int) (0.025 * resamples)], diffs[(int) (0.975 * resamples) - 1]);
    }

    static double rate(List<List<FeedbackLog.Row>> users, SplittableRandom random) {
      double sum = 0;
      int n = 0;
      for (int i = 0; i < users.size(); i++) {
        for (FeedbackLog.Row r : users.get(random.nextInt(users.size()))) {
          sum += r.reward();
          n++;
        }
      }
      return n == 0 ? 0 : sum / n;
    }

    /** IPS of the uniform policy, bootstrapped over decisions. */
    static OffPolicy.Estimate uniformIps(List<FeedbackLog.Row> rows, int resamples, long seed) {
      int n = rows.size();
      double[] v = new double[n];
      for (int i = 0; i < n; i++) {
        FeedbackLog.Row row = rows.get(i);
        v[i] = 1.0 / row.candidates().size() / row.propensity() * row.reward();
      }
      double value = 0;
      for (double x : v) {
        value += x;
      }
      value /= n;
      SplittableRandom random = new SplittableRandom(seed);
      double[] stats = new double[resamples];
      for (int k = 0; k < resamples; k++) {
        double s = 0;
        for (int i = 0; i < n; i++) {
          s += v[random.nextInt(n)];
        }
        stats[k] = s / n;
      }
      Arrays.sort(stats);
      return new OffPolicy.Estimate(
          value, stats[(int) (0.025 * resamples)], stats[(int) (0.975 * resamples) - 1]);
    }
  }
}

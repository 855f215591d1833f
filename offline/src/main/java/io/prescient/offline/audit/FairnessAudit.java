package io.prescient.offline.audit;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Per-group rates of a decision policy and two fairness measures over them: the demographic parity
 * ratio (lowest group offer rate / highest) and the equal opportunity gap (highest minus lowest
 * offer rate among the qualified, the users the offer is meant for). Groups smaller than a minimum
 * size are reported but left out of both measures: their rates are mostly noise.
 */
public final class FairnessAudit {
  private FairnessAudit() {}

  /**
   * One user. {@code converted} and {@code qualified} are null when unknown.
   *
   * @param offered whether the policy made this user an offer
   * @param value the offer's value (for example the cart value it applies to); NaN when unknown
   */
  public record Subject(
      String userId,
      String group,
      boolean offered,
      double value,
      Boolean converted,
      Boolean qualified) {}

  /** One group's figures. */
  public record GroupStats(
      String group,
      int users,
      int offered,
      double offerRate,
      double meanOfferValue,
      int outcomes,
      double conversionOfOffered,
      int qualified,
      double truePositiveRate) {}

  /** The audit: per group, both measures, and whether they pass the thresholds. */
  public record Result(
      String attribute,
      List<GroupStats> groups,
      int minGroupSize,
      double parityRatio,
      String parityLow,
      String parityHigh,
      double equalOpportunityGap,
      double parityThreshold,
      double gapThreshold) {
    public boolean parityFlagged() {
      return parityRatio < parityThreshold;
    }

    public boolean gapFlagged() {
      return !Double.isNaN(equalOpportunityGap) && equalOpportunityGap > gapThreshold;
    }
  }

  public static Result run(
      String attribute,
      List<Subject> subjects,
      int minGroupSize,
      double parityThreshold,
      double gapThreshold) {
    Map<String, List<Subject>> byGroup = new TreeMap<>();
    for (Subject s : subjects) {
      byGroup
          .computeIfAbsent(s.group() == null ? "(unknown)" : s.group(), k -> new ArrayList<>())
          .add(s);
    }
    List<GroupStats> stats = new ArrayList<>();
    for (Map.Entry<String, List<Subject>> e : byGroup.entrySet()) {
      int n = e.getValue().size();
      int offered = 0;
      int valued = 0;
      double value = 0;
      int outcomes = 0;
      int converted = 0;
      int qualified = 0;
      int qualifiedOffered = 0;
      for (Subject s : e.getValue()) {
        if (s.offered()) {
          offered++;
          if (!Double.isNaN(s.value())) {
            valued++;
            value += s.value();
          }
          if (s.converted() != null) {
            outcomes++;
            converted += s.converted() ? 1 : 0;
          }
        }
        if (Boolean.TRUE.equals(s.qualified())) {
          qualified++;
          qualifiedOffered += s.offered() ? 1 : 0;
        }
      }
      stats.add(
          new GroupStats(
              e.getKey(),
              n,
              offered,
              (double) offered / n,
              valued == 0 ? Double.NaN : value / valued,
              outcomes,
              outcomes == 0 ? Double.NaN : (double) converted / outcomes,
              qualified,
              qualified == 0 ? Double.NaN : (double) qualifiedOffered / qualified));
    }
    GroupStats low = null;
    GroupStats high = null;
    double minTpr = Double.NaN;
    double maxTpr = Double.NaN;
    int tprGroups = 0;
    for (GroupStats g : stats) {
      if (g.users() < minGroupSize) {
        continue;
      }
      if (low == null || g.offerRate() < low.offerRate()) {
        low = g;
      }
      if (high == null || g.offerRate() > high.offerRate()) {
        high = g;
      }
      if (g.qualified() >= minGroupSize) {
        tprGroups++;
        minTpr =
            Double.isNaN(minTpr) ? g.truePositiveRate() : Math.min(minTpr, g.truePositiveRate());
        maxTpr =
            Double.isNaN(maxTpr) ? g.truePositiveRate() : Math.max(maxTpr, g.truePositiveRate());
      }
    }
    double ratio =
        low == null || high.offerRate() == 0 ? Double.NaN : low.offerRate() / high.offerRate();
    return new Result(
        attribute,
        stats,
        minGroupSize,
        ratio,
        low == null ? null : low.group(),
        high == null ? null : high.group(),
        tprGroups < 2 ? Double.NaN : maxTpr - minTpr, // a gap needs two groups to compare
        parityThreshold,
        gapThreshold);
  }
}

package io.prescient.offline.sim;

import io.prescient.offline.eval.FeedbackLog;
import io.prescient.state.contract.Outcome;
import io.prescient.state.contract.OutcomeType;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * A SYNTHETIC customer simulator that answers Prescient's decisions with outcomes, to close the
 * loop locally. The customers are the real users of a replayed log: their behaviour (and so their
 * segment) is what the dataset recorded up to the decision, read from the features of the
 * decision's feedback record. What they do with a message is invented: a hidden ground-truth
 * conversion rate per (segment, offer) that the policy does not know.
 *
 * <p>Segments: "buyer" (at least one order before the decision: {@code orders_lifetime >= 1}) and
 * "new" (none). New customers respond to money (discount, free shipping), buyers to a plain
 * reminder. Control decisions and decisions cancelled at release sent nothing and get no outcomes
 * (their conversions are the real purchases of the log, counted by the job).
 *
 * <p>Deterministic: every draw of a decision is seeded from (seed, decision id).
 */
public final class CustomerSimulator {
  /** Hidden conversion rate of a released message, by segment and offer. */
  public static final Map<String, Map<String, Double>> TRUTH =
      Map.of(
          "new",
          Map.of(
              "cart_discount_10", 0.14,
              "cart_free_shipping", 0.10,
              "cart_reminder", 0.03,
              "cart_reminder_push", 0.02,
              "browse_recommendation", 0.02,
              "browse_category_push", 0.015,
              "browse_onsite_banner", 0.01),
          "buyer",
          Map.of(
              "cart_discount_10", 0.06,
              "cart_free_shipping", 0.05,
              "cart_reminder", 0.10,
              "cart_reminder_push", 0.08,
              "browse_recommendation", 0.06,
              "browse_category_push", 0.04,
              "browse_onsite_banner", 0.02));

  /** Order value of a simulated conversion when the decision's features have no cart value. */
  public static final double ORDER_VALUE = 30.0;

  private final long seed;

  public CustomerSimulator(long seed) {
    this.seed = seed;
  }

  public static String segment(Map<String, Float> features) {
    Float orders = features.get("orders_lifetime");
    return orders != null && orders >= 1 ? "buyer" : "new";
  }

  /** The hidden conversion rate of sending {@code offer} to this customer. */
  public static double truth(Map<String, Float> features, String offer) {
    return TRUTH.get(segment(features)).getOrDefault(offer, 0.01);
  }

  /** The outcomes a customer reports for one logged decision (none for control or cancelled). */
  public List<Outcome> answer(FeedbackLog.Row d) {
    List<Outcome> out = new ArrayList<>();
    if (d.offerId() == null || d.cancelledReason() != null || d.features().isEmpty()) {
      return out;
    }
    SplittableRandom r =
        new SplittableRandom(seed ^ d.decisionId().hashCode() * 0x9E3779B97F4A7C15L);
    long t = d.sendAfter();
    if (r.nextDouble() >= 0.98) {
      return out; // not delivered
    }
    out.add(new Outcome(d.decisionId(), d.userId(), OutcomeType.DELIVERED, t + 60_000, null));
    double open = d.channel().equals("onsite") ? 1.0 : d.channel().equals("push") ? 0.5 : 0.3;
    boolean converted = r.nextDouble() < truth(d.features(), d.offerId());
    boolean opened = converted || r.nextDouble() < open;
    if (opened) {
      out.add(new Outcome(d.decisionId(), d.userId(), OutcomeType.OPENED, t + 600_000, null));
      boolean clicked = converted || r.nextDouble() < 0.3;
      if (clicked) {
        out.add(new Outcome(d.decisionId(), d.userId(), OutcomeType.CLICKED, t + 660_000, null));
      } else if (r.nextDouble() < 0.2) {
        out.add(new Outcome(d.decisionId(), d.userId(), OutcomeType.DISMISSED, t + 700_000, null));
      }
    }
    if (converted) {
      Float cart = d.features().get("cart_value");
      double value = cart != null && cart > 0 ? cart : ORDER_VALUE;
      out.add(new Outcome(d.decisionId(), d.userId(), OutcomeType.CONVERTED, t + 7_200_000, value));
    }
    return out;
  }
}

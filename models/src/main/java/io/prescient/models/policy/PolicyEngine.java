package io.prescient.models.policy;

import io.prescient.state.contract.Decision;
import io.prescient.state.contract.Formats;
import java.io.Serializable;
import java.util.List;
import java.util.Map;

/**
 * The decision policy (DESIGN.md, "Decision semantics"): eligible offers from the catalog, the
 * guardrails remove the ineligible, the user's arm chooses one. Control holds out (logged, nothing
 * sent); rules pick by rank (a discount only for customers the churn model rates at high risk); the
 * model arm is epsilon-greedy on expected value. Outbound decisions carry the creepiness delay in
 * {@code send_after}. Flink-free: the operator supplies the user's state and the models.
 */
public final class PolicyEngine implements Serializable {
  private static final long serialVersionUID = 1L;

  /** What the model arm does while no offer model is served. */
  public enum WithoutOfferModel {
    /** The rules decide (policy "rules" in the model arm). */
    RULES,
    /** Epsilon-greedy on the catalog's prior conversion rates, to collect exploration logs. */
    PRIOR
  }

  /** P(convert | user features, offer) per offer: the offer-propensity model. */
  public interface OfferScorer {
    double[] score(float[] features, List<Offer> offers);

    String version();
  }

  public record Settings(
      OfferCatalog catalog,
      Arms arms,
      double epsilon,
      double highChurnRisk,
      WithoutOfferModel withoutOfferModel,
      Map<String, Long> delayMsByTrigger,
      long defaultDelayMs,
      long validForMs,
      double defaultOrderValue,
      double unsureSpread)
      implements Serializable {}

  /**
   * One decision point: the trigger's skeleton decision (id, user, trigger, decided_at, product),
   * the user's features, history size and order value at stake, and the churn score if a churn
   * model scored the user.
   */
  public record Context(
      Decision trigger,
      float[] features,
      long userEvents,
      double orderValue,
      Double churnScore,
      Guardrails.Product product) {}

  /** A decision, or the guardrails that left nothing to decide. */
  public record Result(Decision decision, Offer offer, List<String> suppressedBy) {}

  public static final String NO_ACTION = Decision.NO_ACTION;

  private final Settings settings;
  private final Guardrails guardrails;

  public PolicyEngine(Settings settings, Guardrails guardrails) {
    this.settings = settings;
    this.guardrails = guardrails;
  }

  public Settings settings() {
    return settings;
  }

  public Guardrails guardrails() {
    return guardrails;
  }

  /** The trigger that acts only on customers at high churn risk. */
  public static final String WIN_BACK = "win_back";

  public Result decide(Context c, Guardrails.UserView user, OfferScorer scorer) {
    Decision d = c.trigger();
    long now = d.decidedAt;
    if (WIN_BACK.equals(d.trigger) && c.churnScore() == null) {
      return new Result(null, null, List.of(Guardrails.CHURN_RISK_UNKNOWN));
    }
    if (WIN_BACK.equals(d.trigger) && c.churnScore() < settings.highChurnRisk) {
      return new Result(null, null, List.of(Guardrails.CHURN_RISK_LOW));
    }
    List<Offer> offers = settings.catalog.forTrigger(d.trigger);
    Guardrails.Result g = guardrails.filter(offers, user, c.product(), c.userEvents(), now);
    if (g.eligible().isEmpty()) {
      return new Result(null, null, g.fired());
    }
    List<Offer> eligible = g.eligible();
    double margin =
        c.product() == null ? guardrails.settings().defaultMargin() : c.product().margin();
    double[] scores = scorer != null ? scorer.score(c.features(), eligible) : priors(eligible);
    double[] values = new double[eligible.size()];
    double orderValue = c.orderValue() > 0 ? c.orderValue() : settings.defaultOrderValue;
    for (int i = 0; i < values.length; i++) {
      values[i] = eligible.get(i).expectedValue(scores[i], orderValue, margin);
      d.candidates.add(eligible.get(i).id());
      d.candidateScores.put(eligible.get(i).id(), round(scores[i]));
      d.candidateValues.put(eligible.get(i).id(), round(values[i]));
    }
    d.modelVersions.put("offer", scorer != null ? scorer.version() : "catalog-prior");
    d.guardrails.addAll(g.fired());
    d.experiment = settings.arms.experiment();
    Arms.Arm arm = settings.arms.of(d.userId);
    d.arm = arm.wireName;
    int rules = rulesChoice(eligible, c.churnScore());
    Offer chosen;
    StringBuilder why = new StringBuilder(d.why == null ? "" : d.why + ". ");
    switch (arm) {
      case CONTROL -> {
        chosen = eligible.get(rules);
        d.policy = "control";
        d.propensity = 1.0;
        d.reasonCodes.add("HOLD_OUT");
        why.append("Control arm (hold-out): nothing is sent; logged to measure the other arms");
      }
      case RULES -> {
        chosen = eligible.get(rules);
        d.policy = "rules";
        d.propensity = 1.0;
        rulesWhy(chosen, c.churnScore(), why, true);
      }
      default -> {
        if (scorer == null && settings.withoutOfferModel == WithoutOfferModel.RULES) {
          chosen = eligible.get(rules);
          d.policy = "rules";
          d.propensity = 1.0;
          d.reasonCodes.add("OFFER_MODEL_MISSING");
          why.append("No offer model is served, so the rules decide: ");
          rulesWhy(chosen, c.churnScore(), why, false);
        } else if (scorer != null
            && eligible.size() > 1
            && spread(scores) < settings.unsureSpread) {
          // The model cannot tell the offers apart: the rules decide (DESIGN, "hybrid with
          // fallback")
          chosen = eligible.get(rules);
          d.policy = "rules";
          d.propensity = 1.0;
          d.reasonCodes.add("OFFER_MODEL_UNSURE");
          why.append("The offer model is unsure (its scores differ by less than ")
              .append(Formats.fixed(settings.unsureSpread, 3))
              .append("), so the rules decide: ");
          rulesWhy(chosen, c.churnScore(), why, false);
        } else {
          EpsilonGreedy.Choice ch = EpsilonGreedy.choose(values, settings.epsilon, d.decisionId);
          chosen = eligible.get(ch.index());
          d.policy = "model";
          d.propensity = ch.propensity();
          d.explored = ch.explored();
          if (ch.explored()) {
            d.reasonCodes.add("EXPLORATION");
            why.append("Exploration (epsilon ")
                .append(Formats.fixed(settings.epsilon, 2))
                .append("): a uniformly random eligible offer, ")
                .append(chosen.id());
          } else {
            d.reasonCodes.add("BEST_EXPECTED_VALUE");
            why.append(chosen.id())
                .append(" has the best expected value, ")
                .append(Formats.fixed(values[ch.index()], 2))
                .append(" (P(convert) ")
                .append(Formats.fixed(100 * scores[ch.index()], 1))
                .append("% by ")
                .append(scorer != null ? "offer model " + scorer.version() : "catalog prior")
                .append(")");
          }
        }
      }
    }
    d.offerId = arm == Arms.Arm.CONTROL ? null : chosen.id();
    d.action = arm == Arms.Arm.CONTROL ? NO_ACTION : chosen.kind();
    d.discount = arm == Arms.Arm.CONTROL || chosen.discount() == 0 ? null : chosen.discount();
    d.template = arm == Arms.Arm.CONTROL ? null : chosen.template();
    d.coupon = arm == Arms.Arm.CONTROL ? null : chosen.coupon();
    d.channel = chosen.channel();
    if (!chosen.usesProduct() || g.broad()) {
      d.productId = null; // cart-level offer, or broad first: the category at most
      if (!chosen.usesProduct() && !"recommendation".equals(chosen.kind())) {
        d.category = null; // a cart-level offer; a recommendation keeps its category
      }
    }
    long delay = chosen.outbound() ? delayMs(d.trigger) : 0;
    d.sendAfter = now + delay;
    d.expiresAt = d.sendAfter + settings.validForMs;
    if (delay > 0) {
      d.reasonCodes.add("CREEPINESS_DELAY");
    }
    d.why = why.toString();
    return new Result(d, chosen, List.of());
  }

  /** The creepiness delay of an outbound decision of {@code trigger}. */
  public long delayMs(String trigger) {
    return settings.delayMsByTrigger.getOrDefault(trigger, settings.defaultDelayMs);
  }

  /**
   * The rules: a discount for customers at high churn risk, otherwise the best-ranked eligible
   * offer that gives nothing away; the catalog is sorted by rank.
   */
  private int rulesChoice(List<Offer> eligible, Double churn) {
    boolean highRisk = churn != null && churn >= settings.highChurnRisk;
    for (int i = 0; i < eligible.size(); i++) {
      if (highRisk == "discount".equals(eligible.get(i).kind())) {
        return i;
      }
    }
    return 0;
  }

  /** Why the rules chose {@code chosen}; {@code sentence}: it starts a sentence. */
  private void rulesWhy(Offer chosen, Double churn, StringBuilder why, boolean sentence) {
    if ("discount".equals(chosen.kind()) && churn != null && churn >= settings.highChurnRisk) {
      why.append(sentence ? "Churn" : "churn")
          .append(" risk at or above ")
          .append(Formats.fixed(settings.highChurnRisk, 2))
          .append(": ")
          .append(chosen.id());
    } else {
      why.append(sentence ? "The best-ranked" : "the best-ranked")
          .append(" eligible offer, ")
          .append(chosen.id());
    }
  }

  private static double spread(double[] scores) {
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double v : scores) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    return max - min;
  }

  private static double[] priors(List<Offer> offers) {
    double[] p = new double[offers.size()];
    for (int i = 0; i < p.length; i++) {
      p[i] = offers.get(i).priorConversion();
    }
    return p;
  }

  private static double round(double v) {
    return Math.round(v * 1e6) / 1e6;
  }
}

package io.prescient.models.rules;

import io.prescient.state.contract.Decision;
import io.prescient.state.contract.DecisionIds;
import io.prescient.state.contract.DecisionRequest;
import io.prescient.state.profile.Affinity;
import io.prescient.state.profile.CartLine;
import io.prescient.state.profile.KeyedStore;
import io.prescient.state.profile.ProfileUpdater;
import io.prescient.state.profile.UserProfile;
import java.io.Serializable;
import java.util.Locale;
import java.util.Map;

/**
 * The decision point of a web tier's request ({@code requests} topic): answered at once, whatever
 * the user's triggers are doing. The skeleton names what the user's own state suggests: the top
 * product of the cart, else the category of the user's strongest affinity, else nothing. Three
 * cases carry nothing of the user: a user the job has no state of (cold start), an opted-out user
 * and an erased one; their answer is {@link #broad}, the same for everyone.
 *
 * <p>The decision id is derived from user and request id: a repeated request is recognised, and a
 * replay yields the same id.
 */
public final class OnsiteRequestRule implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String TRIGGER = "onsite_request";

  /** Why an answer is not personal: the job holds no state of the user. */
  public static final String COLD_START = "COLD_START";

  /** Channel of every answer: the page that asked. */
  public static final String CHANNEL = "onsite";

  private final long validForMs;
  private final long affinityHalfLifeMs;

  public OnsiteRequestRule(long validForMs, long affinityHalfLifeMs) {
    if (validForMs <= 0 || affinityHalfLifeMs <= 0) {
      throw new IllegalArgumentException("durations must be positive");
    }
    this.validForMs = validForMs;
    this.affinityHalfLifeMs = affinityHalfLifeMs;
  }

  /** Why the request gets the non-personal answer, or null when the user's state may be used. */
  public static String broadBecause(UserProfile p, boolean erased) {
    if (erased) {
      return "ERASED";
    }
    if (p == null) {
      return COLD_START;
    }
    return p.optedOut ? "OPTED_OUT" : null;
  }

  /**
   * The personal decision point of a known user who has not opted out: the policy completes it with
   * an arm and an offer.
   */
  public Decision evaluate(DecisionRequest r, UserProfile p, KeyedStore<CartLine> cart)
      throws Exception {
    Decision d = skeleton(r);
    Map.Entry<String, CartLine> top = p.cartLines > 0 ? ProfileUpdater.topLine(cart) : null;
    if (top != null) {
      d.productId = top.getKey();
      d.category = top.getValue().category;
      d.reasonCodes.add("CART_OPEN");
      d.why =
          String.format(
              Locale.ROOT,
              "Request for %s: %d product(s) in the cart, the top one %s",
              r.placement,
              p.cartLines,
              top.getKey());
      return d;
    }
    String category = null;
    double best = 0;
    for (Map.Entry<String, Affinity> a : p.affinityScores.entries()) {
      double s = a.getValue().scoreAt(r.timestamp, affinityHalfLifeMs);
      if (s > best || (s == best && category != null && a.getKey().compareTo(category) < 0)) {
        best = s;
        category = a.getKey();
      }
    }
    d.category = category;
    d.reasonCodes.add(category == null ? "NO_AFFINITY" : "TOP_AFFINITY");
    d.why =
        category == null
            ? String.format(Locale.ROOT, "Request for %s: no category stands out yet", r.placement)
            : String.format(
                Locale.ROOT,
                "Request for %s: the user's strongest interest is category %s (score %.2f)",
                r.placement,
                category,
                best);
    return d;
  }

  /**
   * The non-personal answer: no product, category, scores or features; a generic onsite promotion.
   * For a user without state (cold start) the policy still completes it, from catalog offers that
   * name no product: nothing of another user is used either way.
   */
  public Decision broad(DecisionRequest r, String because) {
    Decision d = skeleton(r);
    d.reasonCodes.add(because);
    if (COLD_START.equals(because)) {
      d.why = "Request for " + r.placement + ": no history of this user yet";
      return d;
    }
    d.arm = "broad";
    d.policy = "broad";
    d.channel = CHANNEL;
    d.action = CartAbandonmentRule.BROAD_ACTION;
    d.propensity = 1.0;
    d.candidates.add(CartAbandonmentRule.BROAD_ACTION);
    d.why =
        "Request for "
            + r.placement
            + ": the user "
            + ("ERASED".equals(because) ? "was erased" : "opted out of personalization")
            + ", so a generic promotion, the same for everyone";
    return d;
  }

  private Decision skeleton(DecisionRequest r) {
    Decision d = new Decision();
    d.decisionId = DecisionIds.of(r.userId, TRIGGER, r.requestId);
    d.userId = r.userId;
    d.trigger = TRIGGER;
    d.triggeringEventId = r.requestId;
    d.requestId = r.requestId;
    d.placement = r.placement;
    d.decidedAt = r.timestamp;
    d.sendAfter = r.timestamp;
    d.expiresAt = r.timestamp + validForMs;
    return d;
  }
}

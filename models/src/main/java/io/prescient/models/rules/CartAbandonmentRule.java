package io.prescient.models.rules;

import io.prescient.state.contract.Decision;
import io.prescient.state.contract.DecisionIds;
import io.prescient.state.contract.Formats;
import io.prescient.state.contract.LineItem;
import io.prescient.state.profile.CartLine;
import io.prescient.state.profile.KeyedStore;
import io.prescient.state.profile.ProfileUpdater;
import io.prescient.state.profile.UserProfile;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;

/**
 * The cart-abandonment trigger: a cart left unchanged for {@code abandonAfterMs} without a purchase
 * is one decision point for that cart state (the policy then chooses the offer). Opted-out users
 * get nothing, or, when configured, one broad decision that carries nothing of them: a generic
 * onsite promotion, the same for everyone. Unsubscribes are the policy's guardrails.
 */
public final class CartAbandonmentRule implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String TRIGGER = "cart_abandonment";
  public static final String BROAD_ACTION = "generic_promotion";
  public static final String BROAD_CHANNEL = "onsite";

  private final long abandonAfterMs;
  private final long validForMs;
  private final boolean broadWhenOptedOut;

  public CartAbandonmentRule(long abandonAfterMs, long validForMs) {
    this(abandonAfterMs, validForMs, false);
  }

  /**
   * @param broadWhenOptedOut true: an opted-out user whose cart is abandoned gets {@link #broad}
   *     instead of nothing
   */
  public CartAbandonmentRule(long abandonAfterMs, long validForMs, boolean broadWhenOptedOut) {
    this.broadWhenOptedOut = broadWhenOptedOut;
    if (abandonAfterMs <= 0 || validForMs <= 0) {
      throw new IllegalArgumentException("durations must be positive");
    }
    this.abandonAfterMs = abandonAfterMs;
    this.validForMs = validForMs;
  }

  public boolean broadWhenOptedOut() {
    return broadWhenOptedOut;
  }

  /**
   * The non-personal decision for an opted-out user: no product, category, cart figures, scores or
   * features; a generic onsite promotion. Marks the cart state as answered.
   */
  public Decision broad(String userId, UserProfile p, long now) {
    Decision d = decision(userId, p, now, BROAD_CHANNEL, BROAD_ACTION);
    d.arm = "broad";
    d.policy = "broad";
    d.propensity = 1.0;
    d.candidates.add(BROAD_ACTION);
    d.reasonCodes.add("OPTED_OUT_BROAD");
    d.why = "The user opted out of personalization: a generic promotion, the same for everyone";
    p.cartRemindedFor = p.cartLastEventId;
    return d;
  }

  /** When the current cart state becomes abandoned (event time), or -1 if it cannot. */
  public long dueAt(UserProfile p) {
    return p.cartLines > 0 ? p.cartLastChange + abandonAfterMs : -1;
  }

  /** Why no reminder is due at {@code now}, or null when one is. */
  public String blockedBecause(UserProfile p, long now) {
    if (p.cartLines <= 0) {
      return "cart_empty";
    }
    if (now < dueAt(p)) {
      return "not_yet_abandoned";
    }
    if (p.cartLastEventId == null || p.cartLastEventId.equals(p.cartRemindedFor)) {
      return "already_reminded";
    }
    if (p.optedOut) {
      return "opted_out";
    }
    return null;
  }

  /**
   * The decision point at event time {@code now}: a skeleton decision (id, trigger, the cart's top
   * product, its value, why) that the policy completes with an arm and an offer; null when none is
   * due (see {@link #blockedBecause}). Marks the cart state as answered.
   */
  public Decision evaluate(String userId, UserProfile p, KeyedStore<CartLine> cart, long now)
      throws Exception {
    if (blockedBecause(p, now) != null) {
      return null;
    }
    Map.Entry<String, CartLine> top = ProfileUpdater.topLine(cart);
    if (top == null) {
      return null;
    }
    double cartValue = 0;
    int units = 0;
    List<Map.Entry<String, CartLine>> lines = new ArrayList<>();
    for (Map.Entry<String, CartLine> e : cart.entries()) {
      cartValue += e.getValue().value();
      units += e.getValue().quantity;
      lines.add(Map.entry(e.getKey(), e.getValue()));
    }
    Decision d = decision(userId, p, now, null, null);
    // The lines a reminder lists: by value, then product id, so the order is stable.
    lines.sort(
        Comparator.comparingDouble((Map.Entry<String, CartLine> e) -> -e.getValue().value())
            .thenComparing(Map.Entry::getKey));
    for (Map.Entry<String, CartLine> e :
        lines.subList(0, Math.min(Decision.MAX_ITEMS, lines.size()))) {
      d.items.add(new LineItem(e.getKey(), e.getValue().quantity, e.getValue().price));
    }
    d.productId = top.getKey();
    d.category = top.getValue().category;
    d.reasonCodes.add("CART_ABANDONED");
    d.scores.put("cart_value", round2(cartValue));
    d.why = why(p.cartLines, units, cartValue, now - p.cartLastChange);
    p.cartRemindedFor = p.cartLastEventId;
    return d;
  }

  /** A decision of this trigger for the current cart state, named after its last change. */
  private Decision decision(String userId, UserProfile p, long now, String channel, String action) {
    Decision d = new Decision();
    d.decisionId = DecisionIds.of(userId, TRIGGER, p.cartLastEventId);
    d.userId = userId;
    d.trigger = TRIGGER;
    d.triggeringEventId = p.cartLastEventId;
    d.channel = channel;
    d.action = action;
    d.decidedAt = now;
    d.sendAfter = now;
    d.expiresAt = now + validForMs;
    return d;
  }

  private static String why(int lines, int units, double value, long idleMs) {
    String items = units == 1 ? "1 item" : units + " items";
    String products = lines == 1 ? "1 product" : lines + " products";
    String money = value > 0 ? " worth " + Formats.fixed(value, 2) : "";
    return items
        + " ("
        + products
        + ")"
        + money
        + " left in the cart for "
        + human(idleMs)
        + " without a purchase";
  }

  static String human(long ms) {
    long minutes = ms / 60_000;
    if (minutes < 120) {
      return minutes + " min";
    }
    long hours = minutes / 60;
    return hours < 48 ? hours + " h" : hours / 24 + " days";
  }

  private static double round2(double v) {
    return Math.round(v * 100.0) / 100.0;
  }
}

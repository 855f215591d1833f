package io.prescient.state.profile;

import io.prescient.state.contract.Event;
import io.prescient.state.contract.PrivacyRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Applies events and privacy requests to a profile and its cart. Flink-free, so unit-testable. */
public final class ProfileUpdater {
  private ProfileUpdater() {}

  /**
   * Folds one event into the profile. Returns true when the cart changed, so the caller can (re)arm
   * the abandonment timer.
   */
  public static boolean apply(UserProfile p, CartStore cart, Event e) throws Exception {
    if (p.events == 0 || e.timestamp < p.firstSeen) {
      p.firstSeen = e.timestamp;
    }
    p.lastSeen = Math.max(p.lastSeen, e.timestamp);
    p.events++;
    boolean cartChanged = false;
    switch (e.type) {
      case VIEW -> p.views++;
      case ADD_TO_CART -> {
        p.cartAdds++;
        CartLine line = cart.get(e.productId);
        if (line == null) {
          line = new CartLine(0, e.price, e.category, e.timestamp);
          p.cartLines++;
        }
        line.quantity += e.units();
        if (e.price != null) {
          line.price = e.price;
        }
        line.updatedAt = Math.max(line.updatedAt, e.timestamp);
        cart.put(e.productId, line);
        cartChanged = true;
      }
      case REMOVE_FROM_CART -> cartChanged = removeFromCart(p, cart, e.productId, e.units());
      case PURCHASE -> {
        p.purchases++;
        p.revenue += e.value();
        p.lastPurchaseAt = Math.max(p.lastPurchaseAt, e.timestamp);
        // Buying a product takes it out of the cart: it is no longer abandoned.
        cartChanged = removeFromCart(p, cart, e.productId, Integer.MAX_VALUE);
      }
      case REFUND -> {
        p.refunds++;
        p.revenue -= e.value();
      }
      default -> {}
    }
    if (cartChanged && e.timestamp >= p.cartLastChange) {
      p.cartLastChange = e.timestamp;
      p.cartLastEventId = e.eventId;
    }
    return cartChanged;
  }

  private static boolean removeFromCart(UserProfile p, CartStore cart, String productId, int units)
      throws Exception {
    CartLine line = cart.get(productId);
    if (line == null) {
      return false;
    }
    if (units >= line.quantity) {
      cart.remove(productId);
      p.cartLines--;
    } else {
      line.quantity -= units;
      cart.put(productId, line);
    }
    return true;
  }

  /** Applies opt-out, opt-in or unsubscribe; returns the effects for the audit receipt. */
  public static List<String> applyConsent(UserProfile p, PrivacyRequest r) {
    List<String> effects = new ArrayList<>();
    switch (r.type) {
      case OPT_OUT -> {
        p.optedOut = true;
        effects.add("personalization:off");
      }
      case OPT_IN -> {
        p.optedOut = false;
        effects.add("personalization:on");
      }
      case UNSUBSCRIBE -> {
        for (String channel : r.channels) {
          if (!p.unsubscribedChannels.contains(channel)) {
            p.unsubscribedChannels.add(channel);
          }
          effects.add("unsubscribed:" + channel);
        }
      }
      default -> throw new IllegalArgumentException("not a consent request: " + r.type);
    }
    return effects;
  }

  /** Sum of the cart's value and its most valuable line, for the reminder. */
  public static Map.Entry<String, CartLine> topLine(CartStore cart) throws Exception {
    Map.Entry<String, CartLine> top = null;
    for (Map.Entry<String, CartLine> e : cart.entries()) {
      if (top == null
          || e.getValue().value() > top.getValue().value()
          || (e.getValue().value() == top.getValue().value()
              && e.getKey().compareTo(top.getKey()) < 0)) {
        top = e;
      }
    }
    return top;
  }
}

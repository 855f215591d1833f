package io.prescient.state.profile;

import io.prescient.state.contract.Effect;
import io.prescient.state.contract.Event;
import io.prescient.state.contract.PrivacyRequest;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** Applies events and privacy requests to a profile and its cart. Flink-free, so unit-testable. */
public final class ProfileUpdater {
  private ProfileUpdater() {}

  /** How the profile treats events: sessions, affinity decay, sensitive categories. */
  public record Settings(
      SensitiveCategories sensitive, long affinityHalfLifeMs, long sessionGapMs, int maxAffinities)
      implements java.io.Serializable {
    public static Settings defaults() {
      return new Settings(
          new SensitiveCategories(SensitiveCategories.DEFAULTS),
          30L * 86_400_000L,
          30L * 60_000L,
          32);
    }
  }

  /** What {@link #apply} did with an event. */
  public enum Outcome {
    /** The event is about a sensitive category: nothing of it was kept. */
    IGNORED_SENSITIVE,
    UPDATED,
    /** Updated, and the cart changed: the caller re-arms the abandonment timer. */
    CART_CHANGED
  }

  /** Affinity weight of an event type: how much it says about interest in a category. */
  static double affinityWeight(io.prescient.state.contract.EventType type) {
    return switch (type) {
      case VIEW, DWELL -> 1.0;
      case SEARCH, EMAIL_CLICK -> 2.0;
      case ADD_TO_CART -> 3.0;
      case PURCHASE -> 5.0;
      case REMOVE_FROM_CART -> -1.0;
      default -> 0.0;
    };
  }

  /** Folds one event into the profile (its category affinities included) and its cart. */
  public static Outcome apply(UserProfile p, KeyedStore<CartLine> cart, Event e, Settings settings)
      throws Exception {
    if (settings.sensitive().isSensitive(e.category)) {
      return Outcome.IGNORED_SENSITIVE;
    }
    boolean newSession = p.events == 0 || e.timestamp - p.lastSeen > settings.sessionGapMs();
    if (p.events == 0 || e.timestamp < p.firstSeen) {
      p.firstSeen = e.timestamp;
    }
    p.lastSeen = Math.max(p.lastSeen, e.timestamp);
    p.events++;
    int[] d = new int[Metric.COUNT];
    d[Metric.EVENTS.ordinal()] = 1;
    d[Metric.SESSIONS.ordinal()] = newSession ? 1 : 0;
    boolean cartChanged = false;
    boolean firstLine = false; // the event put the only line into an empty cart
    switch (e.type) {
      case VIEW -> {
        p.views++;
        d[Metric.VIEWS.ordinal()] = 1;
        rememberView(p, e.productId);
      }
      case SEARCH -> d[Metric.SEARCHES.ordinal()] = 1;
      case DWELL -> d[Metric.DWELL_SECONDS.ordinal()] = (int) (e.dwellMs / 1000);
      case EMAIL_OPEN -> d[Metric.EMAIL_OPENS.ordinal()] = 1;
      case EMAIL_CLICK -> d[Metric.EMAIL_CLICKS.ordinal()] = 1;
      case SUPPORT_TICKET -> {
        d[Metric.SUPPORT_TICKETS.ordinal()] = 1;
        d[Metric.SENTIMENT_MILLIS.ordinal()] =
            e.sentiment == null ? 0 : (int) Math.round(e.sentiment * 1000);
      }
      case ADD_TO_CART -> {
        p.cartAdds++;
        d[Metric.CART_ADDS.ordinal()] = 1;
        // An empty cart is known without a state lookup (cartLines is recounted on every change).
        boolean wasEmpty = p.cartLines == 0;
        CartLine line = wasEmpty ? null : cart.get(e.productId);
        if (line == null) {
          line = new CartLine(0, e.price, e.category, e.timestamp);
        }
        line.quantity += e.units();
        if (e.price != null) {
          line.price = e.price;
        }
        line.updatedAt = Math.max(line.updatedAt, e.timestamp);
        cart.put(e.productId, line);
        cartChanged = true;
        firstLine = wasEmpty;
      }
      case REMOVE_FROM_CART -> {
        d[Metric.CART_REMOVES.ordinal()] = 1;
        cartChanged = removeFromCart(p, cart, e.productId, e.units());
      }
      case PURCHASE -> {
        p.purchases++;
        p.revenue += e.value();
        p.lastPurchaseAt = Math.max(p.lastPurchaseAt, e.timestamp);
        d[Metric.PURCHASES.ordinal()] = 1;
        d[Metric.SPEND_CENTS.ordinal()] = cents(e.value());
        rememberOrder(p, e.timestamp, settings.sessionGapMs());
        rememberBought(p, e.productId, e.timestamp);
        // Buying a product takes it out of the cart: it is no longer abandoned.
        cartChanged = removeFromCart(p, cart, e.productId, Integer.MAX_VALUE);
      }
      case REFUND -> {
        p.refunds++;
        p.revenue -= e.value();
        d[Metric.REFUNDS.ordinal()] = 1;
        d[Metric.REFUND_CENTS.ordinal()] = cents(e.value());
      }
    }
    p.windows.add(e.timestamp, d);
    updateAffinity(p, e, settings);
    if (firstLine) {
      p.cartLines = 1; // nothing to recount: the cart was empty
    } else if (cartChanged) {
      recountCart(p, cart);
    }
    if (cartChanged && e.timestamp >= p.cartLastChange) {
      p.cartLastChange = e.timestamp;
      p.cartLastEventId = e.eventId;
    }
    return cartChanged ? Outcome.CART_CHANGED : Outcome.UPDATED;
  }

  /**
   * Sets {@code cartLines} from the cart itself. Cart entries expire one by one (state TTL after
   * their last write), so a counter kept alongside could drift; carts are small.
   */
  public static void recountCart(UserProfile p, KeyedStore<CartLine> cart) throws Exception {
    int lines = 0;
    for (Map.Entry<String, CartLine> ignored : cart.entries()) {
      lines++;
    }
    p.cartLines = lines;
  }

  private static int cents(double value) {
    return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, Math.round(value * 100)));
  }

  private static void rememberView(UserProfile p, String productId) {
    if (productId == null) {
      return;
    }
    p.recentViews.remove(productId);
    p.recentViews.add(productId);
    while (p.recentViews.size() > UserProfile.RECENT_VIEWS) {
      p.recentViews.remove(0);
    }
  }

  /** Moves {@code productId} to the newest end of the bought history, at time {@code at}. */
  static void rememberBought(UserProfile p, String productId, long at) {
    if (productId == null) {
      return;
    }
    int i = p.recentBought.indexOf(productId);
    if (i >= 0 && p.recentBoughtAt[i] > at) {
      return; // an older purchase arriving late: the history keeps the latest
    }
    List<String> items = new ArrayList<>(p.recentBought);
    List<Long> times = new ArrayList<>();
    for (long t : p.recentBoughtAt) {
      times.add(t);
    }
    if (i >= 0) {
      items.remove(i);
      times.remove(i);
    }
    int pos = items.size(); // kept ordered by time, oldest first
    while (pos > 0 && times.get(pos - 1) > at) {
      pos--;
    }
    items.add(pos, productId);
    times.add(pos, at);
    while (items.size() > UserProfile.RECENT_BOUGHT) {
      items.remove(0);
      times.remove(0);
    }
    p.recentBought = items;
    p.recentBoughtAt = times.stream().mapToLong(Long::longValue).toArray();
  }

  /**
   * Records the time of an order. Purchase events within one session gap of a recorded order are
   * lines of that order (a basket of 20 products is one order, not 20), so gaps between orders
   * measure the customer's rhythm, not the size of their baskets.
   */
  private static void rememberOrder(UserProfile p, long ts, long sameOrderMs) {
    for (long t : p.recentPurchases) {
      if (Math.abs(t - ts) <= sameOrderMs) {
        return;
      }
    }
    p.orders++;
    long[] r = java.util.Arrays.copyOf(p.recentPurchases, p.recentPurchases.length + 1);
    r[r.length - 1] = ts;
    java.util.Arrays.sort(r);
    if (r.length > UserProfile.RECENT_PURCHASES) {
      r = java.util.Arrays.copyOfRange(r, r.length - UserProfile.RECENT_PURCHASES, r.length);
    }
    p.recentPurchases = r;
  }

  private static void updateAffinity(UserProfile p, Event e, Settings settings) {
    InMemoryStore<Affinity> affinities = p.affinityScores;
    double w = affinityWeight(e.type);
    if (e.category == null || w == 0) {
      return;
    }
    Affinity a = affinities.get(e.category);
    long at = e.timestamp;
    if (a == null) {
      if (w < 0) {
        return;
      }
      if (affinities.size() >= settings.maxAffinities()) {
        evictWeakestAffinity(affinities, at, settings.affinityHalfLifeMs());
      }
      a = new Affinity(0, at);
    }
    long ref = Math.max(a.at, at);
    double score = a.scoreAt(ref, settings.affinityHalfLifeMs());
    score += w * Math.pow(0.5, (ref - at) / (double) settings.affinityHalfLifeMs());
    affinities.put(e.category, new Affinity(Math.max(0, score), ref));
  }

  private static void evictWeakestAffinity(
      InMemoryStore<Affinity> affinities, long now, long halfLifeMs) {
    String weakest = null;
    double min = Double.MAX_VALUE;
    for (Map.Entry<String, Affinity> e : affinities.entries()) {
      double s = e.getValue().scoreAt(now, halfLifeMs);
      if (s < min || (s == min && e.getKey().compareTo(weakest) < 0)) {
        min = s;
        weakest = e.getKey();
      }
    }
    if (weakest != null) {
      affinities.remove(weakest);
    }
  }

  private static boolean removeFromCart(
      UserProfile p, KeyedStore<CartLine> cart, String productId, int units) throws Exception {
    if (p.cartLines == 0) {
      return false; // known empty (recounted on every change): spare the state lookup
    }
    CartLine line = cart.get(productId);
    if (line == null) {
      return false;
    }
    if (units >= line.quantity) {
      cart.remove(productId);
    } else {
      line.quantity -= units;
      cart.put(productId, line);
    }
    return true;
  }

  /** Applies opt-out, opt-in or unsubscribe; returns the effects for the audit receipt. */
  public static List<Effect> applyConsent(UserProfile p, PrivacyRequest r) {
    List<Effect> effects = new ArrayList<>();
    switch (r.type) {
      case OPT_OUT -> {
        p.optedOut = true;
        effects.add(Effect.named("personalization", "off"));
      }
      case OPT_IN -> {
        p.optedOut = false;
        effects.add(Effect.named("personalization", "on"));
      }
      case UNSUBSCRIBE -> {
        for (String channel : r.channels) {
          if (!p.unsubscribedChannels.contains(channel)) {
            p.unsubscribedChannels.add(channel);
          }
          effects.add(Effect.named("unsubscribed", channel));
        }
      }
      default -> throw new IllegalArgumentException("not a consent request: " + r.type);
    }
    return effects;
  }

  /** Sum of the cart's value and its most valuable line, for the reminder. */
  public static Map.Entry<String, CartLine> topLine(KeyedStore<CartLine> cart) throws Exception {
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

package io.prescient.state.features;

import io.prescient.state.profile.Affinity;
import io.prescient.state.profile.CartLine;
import io.prescient.state.profile.KeyedStore;
import io.prescient.state.profile.Metric;
import io.prescient.state.profile.UserProfile;
import io.prescient.state.profile.Window;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The live features, one versioned schema: names, meanings and how each is computed from the
 * profile, in one list. Live scoring and training both call {@link #extract}, so they cannot
 * disagree. All features are floats; {@code NaN} means "missing" (for example days since the last
 * purchase of a user who never bought), which XGBoost handles natively. Changing, removing or
 * reordering a feature means a new {@link #VERSION}; docs/features.md is generated from this class.
 */
public final class FeatureSchema {
  private FeatureSchema() {}

  public static final int VERSION = 2;

  /** One feature: its name, what it means, and how it is computed. */
  public record Feature(String name, String description, ToDoubleFunction<Inputs> compute) {}

  /** What a feature is computed from: the profile, its cart and affinities, at event time now. */
  public record Inputs(
      UserProfile profile,
      List<Map.Entry<String, CartLine>> cart,
      List<Map.Entry<String, Affinity>> affinities,
      long now,
      long affinityHalfLifeMs) {

    /** The inputs of a user at {@code now}: the profile and its cart (RocksDB or in memory). */
    public static Inputs of(
        UserProfile profile, KeyedStore<CartLine> cart, long now, long affinityHalfLifeMs)
        throws Exception {
      return new Inputs(profile, list(cart), list(profile.affinityScores), now, affinityHalfLifeMs);
    }

    private static <V> List<Map.Entry<String, V>> list(KeyedStore<V> store) throws Exception {
      List<Map.Entry<String, V>> out = new ArrayList<>();
      for (Map.Entry<String, V> e : store.entries()) {
        out.add(Map.entry(e.getKey(), e.getValue()));
      }
      return out;
    }
  }

  private static final double DAY = 86_400_000.0;
  private static final List<Feature> FEATURES = build();

  public static List<Feature> features() {
    return FEATURES;
  }

  public static List<String> names() {
    return FEATURES.stream().map(Feature::name).toList();
  }

  /** The feature vector, in schema order. */
  public static float[] extract(Inputs in) {
    float[] out = new float[FEATURES.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) FEATURES.get(i).compute().applyAsDouble(in);
    }
    return out;
  }

  /** The top {@code k} categories by decayed affinity at {@code now}, strongest first. */
  public static List<String> topCategories(Inputs in, int k) {
    List<Map.Entry<String, Double>> scored = new ArrayList<>();
    for (Map.Entry<String, Affinity> e : in.affinities()) {
      scored.add(Map.entry(e.getKey(), e.getValue().scoreAt(in.now(), in.affinityHalfLifeMs())));
    }
    scored.sort(
        (a, b) ->
            a.getValue().equals(b.getValue())
                ? a.getKey().compareTo(b.getKey())
                : Double.compare(b.getValue(), a.getValue()));
    return scored.stream().limit(k).map(Map.Entry::getKey).toList();
  }

  /** The schema as a Markdown table (docs/features.md). */
  public static String markdown() {
    StringBuilder sb = new StringBuilder();
    sb.append("Feature schema version ").append(VERSION).append(", ");
    sb.append(FEATURES.size()).append(" features, in vector order.\n\n");
    sb.append("| # | name | meaning |\n|---|---|---|\n");
    for (int i = 0; i < FEATURES.size(); i++) {
      Feature f = FEATURES.get(i);
      sb.append("| ").append(i).append(" | `").append(f.name()).append("` | ");
      sb.append(f.description()).append(" |\n");
    }
    return sb.toString();
  }

  private static long sum(Inputs in, Window w, Metric m) {
    return in.profile().windows.sum(w, m, in.now());
  }

  private static double ratio(double a, double b) {
    return b == 0 ? Double.NaN : a / b;
  }

  private static List<Feature> build() {
    List<Feature> f = new ArrayList<>();
    for (Window w : Window.values()) {
      String span = w == Window.LIFETIME ? "since first seen" : "in the last " + w.label;
      f.add(new Feature("events_" + w.label, "events " + span, in -> sum(in, w, Metric.EVENTS)));
      f.add(
          new Feature(
              "sessions_" + w.label,
              "sessions (a new one after 30 min without events) started " + span,
              in -> sum(in, w, Metric.SESSIONS)));
      f.add(
          new Feature(
              "purchases_" + w.label,
              "purchase events " + span,
              in -> sum(in, w, Metric.PURCHASES)));
      f.add(
          new Feature(
              "spend_" + w.label,
              "purchase value (price x quantity) " + span,
              in -> sum(in, w, Metric.SPEND_CENTS) / 100.0));
    }
    for (Window w : List.of(Window.D7, Window.D30, Window.D90, Window.LIFETIME)) {
      String span = w == Window.LIFETIME ? "since first seen" : "in the last " + w.label;
      f.add(
          new Feature("views_" + w.label, "product views " + span, in -> sum(in, w, Metric.VIEWS)));
      f.add(
          new Feature(
              "cart_adds_" + w.label,
              "add-to-cart events " + span,
              in -> sum(in, w, Metric.CART_ADDS)));
      f.add(
          new Feature(
              "refunds_" + w.label, "refund events " + span, in -> sum(in, w, Metric.REFUNDS)));
    }
    f.add(
        new Feature(
            "days_since_last_event",
            "days from the latest event to now; NaN for a profile without events",
            in ->
                in.profile().lastSeen == 0
                    ? Double.NaN
                    : (in.now() - in.profile().lastSeen) / DAY));
    f.add(
        new Feature(
            "days_since_last_purchase",
            "days from the latest purchase to now; NaN if none",
            in ->
                in.profile().lastPurchaseAt == 0
                    ? Double.NaN
                    : (in.now() - in.profile().lastPurchaseAt) / DAY));
    f.add(
        new Feature(
            "days_since_first_seen",
            "days from the first event to now; NaN for a profile without events",
            in ->
                in.profile().firstSeen == 0
                    ? Double.NaN
                    : (in.now() - in.profile().firstSeen) / DAY));
    f.add(
        new Feature(
            "aov_90d",
            "average order value in the last 90d (spend / purchases); NaN without purchases",
            in ->
                ratio(
                    sum(in, Window.D90, Metric.SPEND_CENTS) / 100.0,
                    sum(in, Window.D90, Metric.PURCHASES))));
    f.add(
        new Feature(
            "aov_lifetime",
            "average order value since first seen; NaN without purchases",
            in ->
                ratio(
                    sum(in, Window.LIFETIME, Metric.SPEND_CENTS) / 100.0,
                    sum(in, Window.LIFETIME, Metric.PURCHASES))));
    f.add(
        new Feature(
            "inter_purchase_days_mean",
            "mean days between the latest (up to 8) orders (purchase events within one session gap are"
                + " one order); NaN with fewer than 2",
            in -> meanGapDays(in.profile().recentPurchases)));
    f.add(
        new Feature(
            "inter_purchase_trend",
            "days since the latest purchase divided by the mean gap between purchases: above 1"
                + " means the customer is late compared to their own rhythm; NaN with fewer than 2",
            in ->
                in.profile().lastPurchaseAt == 0
                    ? Double.NaN
                    : ratio(
                        (in.now() - in.profile().lastPurchaseAt) / DAY,
                        meanGapDays(in.profile().recentPurchases))));
    f.add(
        new Feature(
            "orders_lifetime",
            "orders since first seen (purchase events within one session gap are one order)",
            in -> in.profile().orders));
    f.add(
        new Feature(
            "orders_per_30d",
            "orders per 30 days since first seen (tenure counted as at least 30 days)",
            in ->
                in.profile().orders
                    / Math.max(1.0, (in.now() - in.profile().firstSeen) / DAY / 30)));
    f.add(
        new Feature(
            "order_value_lifetime",
            "spend since first seen / orders; NaN without orders",
            in ->
                ratio(sum(in, Window.LIFETIME, Metric.SPEND_CENTS) / 100.0, in.profile().orders)));
    f.add(
        new Feature(
            "lines_per_order",
            "purchase events (order lines) / orders since first seen; NaN without orders",
            in -> ratio(sum(in, Window.LIFETIME, Metric.PURCHASES), in.profile().orders)));
    f.add(
        new Feature(
            "last_order_gap_days",
            "days between the two latest orders; NaN with fewer than 2",
            in -> {
              long[] r = in.profile().recentPurchases;
              return r.length < 2 ? Double.NaN : (r[r.length - 1] - r[r.length - 2]) / DAY;
            }));
    f.add(
        new Feature(
            "recency_share_of_tenure",
            "days since the latest purchase / days since first seen; NaN without purchases",
            in ->
                in.profile().lastPurchaseAt == 0
                    ? Double.NaN
                    : ratio(
                        in.now() - in.profile().lastPurchaseAt,
                        in.now() - in.profile().firstSeen)));
    f.add(
        new Feature(
            "spend_30d_share_of_90d",
            "spend in the last 30d / spend in the last 90d; NaN without spend",
            in ->
                ratio(
                    sum(in, Window.D30, Metric.SPEND_CENTS),
                    sum(in, Window.D90, Metric.SPEND_CENTS))));
    f.add(
        new Feature(
            "dwell_seconds_30d",
            "seconds of dwell time in the last 30d",
            in -> sum(in, Window.D30, Metric.DWELL_SECONDS)));
    f.add(
        new Feature(
            "searches_30d",
            "searches in the last 30d",
            in -> sum(in, Window.D30, Metric.SEARCHES)));
    f.add(
        new Feature(
            "email_opens_30d",
            "email opens in the last 30d",
            in -> sum(in, Window.D30, Metric.EMAIL_OPENS)));
    f.add(
        new Feature(
            "email_clicks_30d",
            "email clicks in the last 30d",
            in -> sum(in, Window.D30, Metric.EMAIL_CLICKS)));
    f.add(
        new Feature(
            "email_click_rate_30d",
            "email clicks / opens in the last 30d; NaN without opens",
            in ->
                ratio(
                    sum(in, Window.D30, Metric.EMAIL_CLICKS),
                    sum(in, Window.D30, Metric.EMAIL_OPENS))));
    f.add(
        new Feature(
            "cart_products", "distinct products in the open cart", in -> in.profile().cartLines));
    f.add(
        new Feature(
            "cart_value",
            "value of the open cart (known prices x quantities)",
            in -> in.cart().stream().mapToDouble(e -> e.getValue().value()).sum()));
    f.add(
        new Feature(
            "cart_age_hours",
            "hours since the cart last changed; NaN when the cart is empty",
            in ->
                in.profile().cartLines > 0
                    ? (in.now() - in.profile().cartLastChange) / 3_600_000.0
                    : Double.NaN));
    f.add(
        new Feature(
            "refund_rate_lifetime",
            "refund events / purchase events since first seen; NaN without purchases",
            in ->
                ratio(
                    sum(in, Window.LIFETIME, Metric.REFUNDS),
                    sum(in, Window.LIFETIME, Metric.PURCHASES))));
    f.add(
        new Feature(
            "refund_value_90d",
            "refunded value in the last 90d",
            in -> sum(in, Window.D90, Metric.REFUND_CENTS) / 100.0));
    f.add(
        new Feature(
            "support_tickets_90d",
            "support tickets in the last 90d",
            in -> sum(in, Window.D90, Metric.SUPPORT_TICKETS)));
    f.add(
        new Feature(
            "ticket_sentiment_mean_90d",
            "mean sentiment (-1..1) of support tickets in the last 90d; NaN without tickets",
            in ->
                ratio(
                    sum(in, Window.D90, Metric.SENTIMENT_MILLIS) / 1000.0,
                    sum(in, Window.D90, Metric.SUPPORT_TICKETS))));
    f.add(
        new Feature(
            "affinity_categories",
            "categories with a decayed affinity (sensitive categories never enter)",
            in -> in.affinities().size()));
    f.add(
        new Feature(
            "top_affinity_score",
            "decayed score of the strongest category (view 1, search or email click 2, cart 3,"
                + " purchase 5; half-life 30 days by default); 0 without any",
            in -> scores(in).stream().mapToDouble(Double::doubleValue).max().orElse(0)));
    f.add(
        new Feature(
            "affinity_concentration",
            "strongest category's share of all affinity; NaN without any",
            in -> {
              List<Double> s = scores(in);
              return ratio(
                  s.isEmpty() ? 0 : Collections.max(s),
                  s.stream().mapToDouble(Double::doubleValue).sum());
            }));
    return List.copyOf(f);
  }

  private static List<Double> scores(Inputs in) {
    List<Double> s = new ArrayList<>();
    for (Map.Entry<String, Affinity> e : in.affinities()) {
      s.add(e.getValue().scoreAt(in.now(), in.affinityHalfLifeMs()));
    }
    return s;
  }

  private static double meanGapDays(long[] purchases) {
    if (purchases.length < 2) {
      return Double.NaN;
    }
    return (purchases[purchases.length - 1] - purchases[0]) / DAY / (purchases.length - 1);
  }
}

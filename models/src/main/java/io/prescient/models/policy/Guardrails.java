package io.prescient.models.policy;

import io.prescient.state.profile.SensitiveCategories;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The business rules every candidate must pass before an arm chooses, and that a held decision must
 * still pass when it is released. Each guardrail has a stable name; the names of those that fired
 * go into the decision record and label a counter.
 */
public final class Guardrails implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String OPT_OUT = "opt_out";
  public static final String UNSUBSCRIBED = "unsubscribed";
  public static final String SENSITIVE = "sensitive_category";
  public static final String OUT_OF_STOCK = "out_of_stock";
  public static final String MARGIN_FLOOR = "margin_floor";
  public static final String SHOWN_LIMIT = "shown_limit";
  public static final String CAP = "frequency_cap";
  public static final String BROAD_FIRST = "broad_first";

  /** A win-back is only for customers the churn model rates at high risk. */
  public static final String CHURN_RISK_LOW = "churn_risk_low";

  /** A win-back with no churn model served: the risk is unknown, not low. */
  public static final String CHURN_RISK_UNKNOWN = "churn_risk_unknown";

  /** Every guardrail name, for metrics and documentation. */
  public static final List<String> NAMES =
      List.of(
          OPT_OUT,
          UNSUBSCRIBED,
          SENSITIVE,
          OUT_OF_STOCK,
          MARGIN_FLOOR,
          SHOWN_LIMIT,
          CAP,
          BROAD_FIRST,
          CHURN_RISK_LOW,
          CHURN_RISK_UNKNOWN);

  /** Why a held decision can be cancelled at release. */
  public static final List<String> CANCEL_REASONS =
      List.of("purchased", OPT_OUT, UNSUBSCRIBED, OUT_OF_STOCK, CAP);

  /**
   * @param shownLimit a product is named to a user at most this many times per {@code
   *     shownWindowMs}
   * @param minHistoryEvents users with fewer events get the category, not the product
   * @param defaultMargin margin assumed for products the catalog topic has not described
   */
  public record Settings(
      FrequencyCaps caps,
      double marginFloor,
      int shownLimit,
      long shownWindowMs,
      long minHistoryEvents,
      double defaultMargin,
      SensitiveCategories sensitive)
      implements Serializable {}

  /** What the guardrails need to know about the user, read from keyed state. */
  public interface UserView {
    boolean optedOut();

    boolean unsubscribed(String channel);

    /** Messages sent on {@code channel} at or after {@code since} (event time). */
    int sentSince(String channel, long since);

    /** Times {@code productId} was named to the user at or after {@code since}. */
    int shownSince(String productId, long since);
  }

  /**
   * The product a decision is about, with the live catalog's facts (or defaults when the catalog
   * has not described it).
   */
  public record Product(
      String productId, String category, boolean inStock, double margin, boolean sensitive)
      implements Serializable {}

  /**
   * @param eligible the offers that passed, in catalog order
   * @param fired names of the guardrails that removed an offer or changed the decision
   * @param broad the user has little history: name the category, not the product
   */
  public record Result(List<Offer> eligible, List<String> fired, boolean broad) {}

  private final Settings settings;

  public Guardrails(Settings settings) {
    this.settings = settings;
  }

  public Settings settings() {
    return settings;
  }

  /** Filters {@code offers} for a decision about {@code product} (null: no product) now. */
  public Result filter(
      List<Offer> offers, UserView user, Product product, long userEvents, long now) {
    Set<String> fired = new LinkedHashSet<>();
    List<Offer> eligible = new ArrayList<>();
    if (user.optedOut()) {
      fired.add(OPT_OUT);
      return new Result(eligible, List.copyOf(fired), false);
    }
    boolean broad = product != null && userEvents < settings.minHistoryEvents;
    for (Offer o : offers) {
      String blocked = blocked(o, user, product, broad, now);
      if (blocked == null) {
        eligible.add(o);
      } else {
        fired.add(blocked);
      }
    }
    if (broad && eligible.stream().anyMatch(Offer::usesProduct)) {
      fired.add(BROAD_FIRST);
    }
    return new Result(eligible, List.copyOf(fired), broad);
  }

  /** The first guardrail that blocks {@code o}, or null. */
  private String blocked(Offer o, UserView user, Product product, boolean broad, long now) {
    if (user.unsubscribed(o.channel())) {
      return UNSUBSCRIBED;
    }
    if (capReached(o.channel(), user, now)) {
      return CAP;
    }
    if (product == null) {
      return null;
    }
    if (o.usesProduct() && isSensitive(product)) {
      return SENSITIVE;
    }
    if (o.usesProduct() && !product.inStock()) {
      return OUT_OF_STOCK;
    }
    if (product.margin() - o.discount() < settings.marginFloor) {
      return MARGIN_FLOOR;
    }
    if (o.usesProduct()
        && !broad
        && user.shownSince(product.productId(), now - settings.shownWindowMs)
            >= settings.shownLimit) {
      return SHOWN_LIMIT;
    }
    return null;
  }

  /**
   * Why a held decision must not go out at release, or null when it may. {@code purchasedSince}:
   * the user bought after the decision was made.
   */
  public String cancelReason(
      String channel,
      Offer offer,
      UserView user,
      Product product,
      boolean purchasedSince,
      long now) {
    if (purchasedSince) {
      return "purchased";
    }
    if (user.optedOut()) {
      return OPT_OUT;
    }
    if (user.unsubscribed(channel)) {
      return UNSUBSCRIBED;
    }
    if (offer != null && offer.usesProduct() && product != null && !product.inStock()) {
      return OUT_OF_STOCK;
    }
    if (capReached(channel, user, now)) {
      return CAP;
    }
    return null;
  }

  private boolean capReached(String channel, UserView user, long now) {
    for (FrequencyCaps.Cap c : settings.caps.of(channel)) {
      if (user.sentSince(channel, now - c.windowMs()) >= c.count()) {
        return true;
      }
    }
    return false;
  }

  private boolean isSensitive(Product p) {
    return p.sensitive() || (p.category() != null && settings.sensitive.isSensitive(p.category()));
  }
}

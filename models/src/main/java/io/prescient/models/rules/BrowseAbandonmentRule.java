package io.prescient.models.rules;

import io.prescient.state.contract.Decision;
import io.prescient.state.contract.DecisionIds;
import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import io.prescient.state.profile.BrowseSession;
import java.io.Serializable;

/**
 * The browse-abandonment trigger: a session of at least {@code minViews} product views that ended
 * without a cart or a purchase (no view for {@code abandonAfterMs}) is one decision point, named
 * after its last view. Sessions that reach the cart are the cart-abandonment trigger's. Opted-out
 * users get nothing from this trigger.
 */
public final class BrowseAbandonmentRule implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String TRIGGER = "browse_abandonment";

  private final long abandonAfterMs;
  private final long sessionGapMs;
  private final int minViews;
  private final long validForMs;

  public BrowseAbandonmentRule(
      long abandonAfterMs, long sessionGapMs, int minViews, long validForMs) {
    if (abandonAfterMs <= 0 || sessionGapMs <= 0 || minViews < 1 || validForMs <= 0) {
      throw new IllegalArgumentException("durations and minimum views must be positive");
    }
    this.abandonAfterMs = abandonAfterMs;
    this.sessionGapMs = sessionGapMs;
    this.minViews = minViews;
    this.validForMs = validForMs;
  }

  /** Applies a (non-sensitive) event of the user to the session. */
  public void apply(BrowseSession s, Event e) {
    if (e.type == EventType.VIEW && e.productId != null) {
      if (s.startedAt == 0 || e.timestamp - s.lastViewAt > sessionGapMs) {
        s.startedAt = e.timestamp;
        s.views = 0;
        s.closed = false;
      }
      if (e.timestamp >= s.lastViewAt) {
        s.lastViewAt = e.timestamp;
        s.lastViewEventId = e.eventId;
        s.lastProductId = e.productId;
        s.lastCategory = e.category;
        s.lastPrice = e.price == null ? 0 : e.price;
      }
      s.views++;
    } else if ((e.type == EventType.ADD_TO_CART || e.type == EventType.PURCHASE)
        && s.startedAt != 0
        && e.timestamp - s.lastViewAt <= sessionGapMs) {
      s.closed = true;
    }
  }

  /** When the session becomes abandoned (event time), or -1 if it cannot. */
  public long dueAt(BrowseSession s) {
    return s.startedAt == 0 || s.closed || s.views < minViews ? -1 : s.lastViewAt + abandonAfterMs;
  }

  /** The decision point at {@code now}, or null when none is due; marks the session as answered. */
  public Decision evaluate(String userId, BrowseSession s, boolean optedOut, long now) {
    long due = dueAt(s);
    if (due < 0 || now < due) {
      return null;
    }
    s.closed = true;
    if (optedOut) {
      return null;
    }
    Decision d = new Decision();
    d.decisionId = DecisionIds.of(userId, TRIGGER, s.lastViewEventId);
    d.userId = userId;
    d.trigger = TRIGGER;
    d.triggeringEventId = s.lastViewEventId;
    d.productId = s.lastProductId;
    d.category = s.lastCategory;
    d.decidedAt = now;
    d.sendAfter = now;
    d.expiresAt = now + validForMs;
    d.reasonCodes.add("BROWSE_ABANDONED");
    if (s.lastPrice > 0) {
      d.scores.put("product_price", Math.round(s.lastPrice * 100.0) / 100.0);
    }
    d.why =
        s.views
            + " product views in a session of "
            + CartAbandonmentRule.human(s.lastViewAt - s.startedAt)
            + " without a cart";
    return d;
  }
}

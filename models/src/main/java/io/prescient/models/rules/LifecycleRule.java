package io.prescient.models.rules;

import io.prescient.state.contract.Decision;
import io.prescient.state.contract.DecisionIds;
import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import io.prescient.state.profile.LifecycleState;
import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;

/**
 * The lifecycle triggers. Post-purchase follow-up: {@code followUpAfterMs} after an order (the
 * newest one), one decision point, a cross-sell in the user's top category. Win-back: a customer
 * (at least one order) without any event for {@code winBackAfterMs} is one decision point; the
 * policy only acts on it when the churn model rates the customer at high risk. A zero duration
 * turns a trigger off. Opted-out users get nothing from these triggers.
 */
public final class LifecycleRule implements Serializable {
  private static final long serialVersionUID = 1L;

  public static final String FOLLOW_UP = "post_purchase";
  public static final String WIN_BACK = "win_back";

  private final long followUpAfterMs;
  private final long winBackAfterMs;
  private final long validForMs;

  public LifecycleRule(long followUpAfterMs, long winBackAfterMs, long validForMs) {
    if (followUpAfterMs < 0 || winBackAfterMs < 0 || validForMs <= 0) {
      throw new IllegalArgumentException("durations must not be negative");
    }
    this.followUpAfterMs = followUpAfterMs;
    this.winBackAfterMs = winBackAfterMs;
    this.validForMs = validForMs;
  }

  public boolean enabled() {
    return followUpAfterMs > 0 || winBackAfterMs > 0;
  }

  /** Applies a (non-sensitive) purchase of the user; returns whether the state changed. */
  public boolean apply(LifecycleState s, Event e) {
    if (e.type == EventType.PURCHASE && e.timestamp >= s.lastOrderAt) {
      s.lastOrderAt = e.timestamp;
      s.lastOrderEventId = e.eventId;
      return true;
    }
    return false;
  }

  private long followUpDue(LifecycleState s) {
    return followUpAfterMs > 0
            && s.lastOrderEventId != null
            && !s.lastOrderEventId.equals(s.followedUp)
        ? s.lastOrderAt + followUpAfterMs
        : Long.MAX_VALUE;
  }

  private long winBackDue(LifecycleState s, long lastSeen) {
    return winBackAfterMs > 0 && s.lastOrderEventId != null && lastSeen != s.wonBackAt
        ? lastSeen + winBackAfterMs
        : Long.MAX_VALUE;
  }

  /**
   * The next time a lifecycle decision point is due (event time), or -1 if none can be; {@code
   * lastSeen}: the user's last activity.
   */
  public long dueAt(LifecycleState s, long lastSeen) {
    long due = Math.min(followUpDue(s), winBackDue(s, lastSeen));
    return due == Long.MAX_VALUE ? -1 : due;
  }

  /**
   * The decision points due at {@code now} (follow-up first), each marked as answered; none for
   * opted-out users (still marked, so they are not decided later). {@code category}: the user's top
   * affinity category, for the cross-sell, or null.
   */
  public List<Decision> evaluate(
      String userId, LifecycleState s, long lastSeen, boolean optedOut, long now, String category) {
    List<Decision> out = new ArrayList<>();
    if (followUpDue(s) <= now) {
      s.followedUp = s.lastOrderEventId;
      if (!optedOut) {
        Decision d = decision(userId, FOLLOW_UP, s.lastOrderEventId, now);
        d.category = category;
        d.reasonCodes.add("ORDER_FOLLOW_UP");
        d.why = "An order " + CartAbandonmentRule.human(now - s.lastOrderAt) + " ago";
        out.add(d);
      }
    }
    if (winBackDue(s, lastSeen) <= now) {
      s.wonBackAt = lastSeen;
      if (!optedOut) {
        // named after the last order and the last activity: one win-back per lapse
        Decision d = decision(userId, WIN_BACK, s.lastOrderEventId, now);
        d.decisionId = DecisionIds.of(userId, WIN_BACK, s.lastOrderEventId + "@" + lastSeen);
        d.category = category;
        d.reasonCodes.add("LAPSED_CUSTOMER");
        d.why = "A customer without any activity for " + CartAbandonmentRule.human(now - lastSeen);
        out.add(d);
      }
    }
    return out;
  }

  private Decision decision(String userId, String trigger, String eventId, long now) {
    Decision d = new Decision();
    d.decisionId = DecisionIds.of(userId, trigger, eventId);
    d.userId = userId;
    d.trigger = trigger;
    d.triggeringEventId = eventId;
    d.decidedAt = now;
    d.sendAfter = now;
    d.expiresAt = now + validForMs;
    return d;
  }
}

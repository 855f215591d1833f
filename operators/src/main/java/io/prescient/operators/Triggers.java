package io.prescient.operators;

import io.prescient.models.rules.BrowseAbandonmentRule;
import io.prescient.models.rules.CartAbandonmentRule;
import io.prescient.models.rules.LifecycleRule;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import io.prescient.state.features.FeatureSchema;
import io.prescient.state.profile.BrowseSession;
import io.prescient.state.profile.CartLine;
import io.prescient.state.profile.KeyedStore;
import io.prescient.state.profile.LifecycleState;
import io.prescient.state.profile.ProfileUpdater;
import io.prescient.state.profile.UserProfile;
import java.util.List;

/**
 * The profile's decision triggers without Flink: cart abandonment, browse abandonment and the
 * lifecycle follow-ups, each with at most one pending event-time timer per user, rounded up to a
 * granularity so bursts coalesce (triggers whose deadlines round to the same time share one
 * registration). On an event, every trigger of the user due before it in event time decides first,
 * in time order, on the state as it was then, so decisions depend on the user's events alone, not
 * on where watermarks fall. {@link ProfileFunction} binds the {@link Env} to Flink; tests to
 * memory.
 */
public final class Triggers {
  /** One user's trigger state, timers and decision points. */
  public interface Env {
    String user();

    KeyedStore<CartLine> cart();

    BrowseSession browse() throws Exception;

    void putBrowse(BrowseSession s) throws Exception;

    LifecycleState lifecycle() throws Exception;

    void putLifecycle(LifecycleState s) throws Exception;

    void registerTimer(long at);

    void deleteTimer(long at);

    /** A decision point, with the user's live features at {@code at}. */
    void emit(Decision d, UserProfile p, long at, double orderValue) throws Exception;

    /** A broad (non-personal) decision of an opted-out user: no features. */
    void emitBroad(Decision d);

    /** A trigger that would have decided for an opted-out user. */
    void suppressed();
  }

  private final CartAbandonmentRule rule;
  private final BrowseAbandonmentRule browseRule;
  private final LifecycleRule lifecycleRule;
  private final long timerGranularityMs;
  private final ProfileUpdater.Settings settings;

  /**
   * @param browseRule the browse-abandonment trigger, or null for none
   * @param lifecycleRule the post-purchase and win-back triggers, or null for none
   */
  public Triggers(
      CartAbandonmentRule rule,
      BrowseAbandonmentRule browseRule,
      LifecycleRule lifecycleRule,
      long timerGranularityMs,
      ProfileUpdater.Settings settings) {
    this.rule = rule;
    this.browseRule = browseRule;
    this.lifecycleRule = lifecycleRule;
    this.timerGranularityMs = Math.max(1, timerGranularityMs);
    this.settings = settings;
  }

  /**
   * An event of the user: the triggers due before it decide, the event is applied to the profile
   * and cart ({@link ProfileUpdater#apply}), and the triggers re-arm for the new state.
   */
  public ProfileUpdater.Outcome onEvent(Event e, UserProfile p, Env env) throws Exception {
    BrowseSession browse = browseRule == null ? null : env.browse();
    LifecycleState life = lifecycleRule == null || p.orders == 0 ? null : env.lifecycle();
    long[] due = {
      p.pendingTimer != 0 && e.timestamp > p.pendingTimer ? p.pendingTimer : Long.MAX_VALUE,
      browse != null && browse.pendingTimer != 0 && e.timestamp > browse.pendingTimer
          ? browse.pendingTimer
          : Long.MAX_VALUE,
      life != null && life.pendingTimer != 0 && e.timestamp > life.pendingTimer
          ? life.pendingTimer
          : Long.MAX_VALUE
    };
    while (true) {
      int next = 0; // the earliest; on equal times cart, browse, lifecycle (as in onTimer)
      for (int k = 1; k < 3; k++) {
        next = due[k] < due[next] ? k : next;
      }
      if (due[next] == Long.MAX_VALUE) {
        break;
      }
      long at = due[next];
      due[next] = Long.MAX_VALUE;
      deleteTimer(at, p, browse, life, env);
      switch (next) {
        case 0 -> decideCart(at, p, env);
        case 1 -> decideBrowse(at, p, browse, env);
        default -> decideLifecycle(at, p, life, env);
      }
      // Deciding may re-arm the trigger at a later time that is still before this event (a
      // lifecycle timer set for an older order, a cart or session that changed after its timer
      // was set): that is due now too, as its timer would have fired before this event.
      long rearmed =
          switch (next) {
            case 0 -> p.pendingTimer;
            case 1 -> browse.pendingTimer;
            default -> life.pendingTimer;
          };
      if (rearmed > at && e.timestamp > rearmed) {
        due[next] = rearmed;
      }
    }
    ProfileUpdater.Outcome outcome = ProfileUpdater.apply(p, env.cart(), e, settings);
    boolean ignored = outcome == ProfileUpdater.Outcome.IGNORED_SENSITIVE;
    if (browseRule != null && !ignored && (browse != null || e.type == EventType.VIEW)) {
      if (browse == null) {
        browse = new BrowseSession(); // kept only for users who browse
      }
      browseRule.apply(browse, e);
      rearmBrowse(browse, p, env);
      env.putBrowse(browse);
    }
    if (lifecycleRule != null && !ignored) {
      if (life == null && e.type == EventType.PURCHASE) {
        life = env.lifecycle();
        life = life == null ? new LifecycleState() : life; // kept only for customers
      }
      if (life != null) {
        boolean changed = lifecycleRule.apply(life, e);
        if (rearmLifecycle(life, p, env) || changed) {
          env.putLifecycle(life);
        }
      }
    }
    if (outcome == ProfileUpdater.Outcome.CART_CHANGED) {
      rearmCart(p, env);
    }
    return outcome;
  }

  /** A timer of the user fired at {@code timestamp}: whichever trigger owns it decides. */
  public void onTimer(long timestamp, UserProfile p, Env env) throws Exception {
    // The cart first, then browsing, as the lazy path in onEvent orders equal times.
    decideCart(timestamp, p, env); // a no-op unless the cart is due
    BrowseSession browse = browseRule == null ? null : env.browse();
    if (browse != null && browse.pendingTimer == timestamp) {
      decideBrowse(timestamp, p, browse, env);
    }
    LifecycleState life = lifecycleRule == null ? null : env.lifecycle();
    if (life != null && life.pendingTimer == timestamp) {
      decideLifecycle(timestamp, p, life, env);
    }
  }

  /** The cart timer at {@code timestamp}: the rule decides, or the timer moves. */
  private void decideCart(long timestamp, UserProfile p, Env env) throws Exception {
    if (p.pendingTimer == timestamp) {
      p.pendingTimer = 0;
    }
    if (p.cartLines > 0) { // an empty cart stays empty; lines may have expired since the last event
      ProfileUpdater.recountCart(p, env.cart());
    }
    String blocked = rule.blockedBecause(p, timestamp);
    if (blocked == null) {
      Decision d = rule.evaluate(env.user(), p, env.cart(), timestamp);
      if (d != null) {
        env.emit(d, p, timestamp, d.scores.getOrDefault("cart_value", 0.0));
      }
    } else if (blocked.equals("opted_out") && rule.broadWhenOptedOut()) {
      // Nothing of the user goes out: no features, and the scorer leaves "broad" decisions alone.
      env.emitBroad(rule.broad(env.user(), p, timestamp));
    } else if (blocked.equals("opted_out")) {
      env.suppressed();
    } else if (blocked.equals("not_yet_abandoned")) {
      rearmCart(p, env); // the cart changed again after this timer was set
    }
  }

  /** The browse timer at {@code timestamp}: the session is decided, or the timer moves. */
  private void decideBrowse(long timestamp, UserProfile p, BrowseSession s, Env env)
      throws Exception {
    if (s.pendingTimer == timestamp) {
      s.pendingTimer = 0;
    }
    long due = browseRule.dueAt(s);
    if (due >= 0 && due > timestamp) {
      rearmBrowse(s, p, env); // viewed again after the timer was set
    } else {
      Decision d = browseRule.evaluate(env.user(), s, p.optedOut, timestamp);
      if (d != null) {
        env.emit(d, p, timestamp, d.scores.getOrDefault("product_price", 0.0));
      } else if (p.optedOut) {
        env.suppressed();
      }
    }
    env.putBrowse(s);
  }

  /** The lifecycle timer at {@code timestamp}: what is due is decided, the next time is armed. */
  private void decideLifecycle(long timestamp, UserProfile p, LifecycleState s, Env env)
      throws Exception {
    if (s.pendingTimer == timestamp) {
      s.pendingTimer = 0;
    }
    for (Decision d :
        lifecycleRule.evaluate(
            env.user(), s, p.lastSeen, p.optedOut, timestamp, topCategory(p, timestamp))) {
      env.emit(d, p, timestamp, 0.0);
    }
    rearmLifecycle(s, p, env);
    env.putLifecycle(s);
  }

  private void rearmCart(UserProfile p, Env env) throws Exception {
    long due = rule.dueAt(p);
    if (due < 0) {
      return;
    }
    long at = roundUp(due);
    if (at == p.pendingTimer) {
      return;
    }
    if (p.pendingTimer != 0) {
      BrowseSession browse = browseRule == null ? null : env.browse();
      LifecycleState life = lifecycleRule == null ? null : env.lifecycle();
      deleteTimer(p.pendingTimer, p, browse, life, env); // unless another trigger shares it
    }
    env.registerTimer(at);
    p.pendingTimer = at;
  }

  /**
   * Arms the browse timer at the session's due time. A later due time than the pending timer's (the
   * user viewed again) waits for the pending timer, which finds the session not due and re-arms
   * ({@link #decideBrowse}): one timer per lapse of the gap, not a delete and a register per view.
   * An earlier one, or none (the session closed), moves or deletes the timer now.
   */
  private void rearmBrowse(BrowseSession s, UserProfile p, Env env) throws Exception {
    long due = browseRule.dueAt(s);
    long at = due < 0 ? 0 : roundUp(due);
    if (at == s.pendingTimer || (s.pendingTimer != 0 && at > s.pendingTimer)) {
      return;
    }
    if (s.pendingTimer != 0) {
      LifecycleState life = lifecycleRule == null ? null : env.lifecycle();
      deleteTimer(s.pendingTimer, p, s, life, env); // unless another trigger shares it
    }
    if (at != 0) {
      env.registerTimer(at);
    }
    s.pendingTimer = at;
  }

  /**
   * Arms the lifecycle timer at the next due time when none is pending or it is earlier than the
   * pending one. A later due time (the user was active again) waits for the pending timer, which
   * re-arms: one registration per lapse, not one per event. Returns whether the state changed.
   */
  private boolean rearmLifecycle(LifecycleState s, UserProfile p, Env env) {
    long due = lifecycleRule.dueAt(s, p.lastSeen);
    if (due < 0) {
      return false;
    }
    long at = roundUp(due);
    if (s.pendingTimer != 0 && s.pendingTimer <= at) {
      return false;
    }
    env.registerTimer(at); // an earlier pending one fires as a no-op
    s.pendingTimer = at;
    return true;
  }

  /**
   * Deletes the timer at {@code at} unless another trigger's timer is at the same time: the cart,
   * browse and lifecycle deadlines share one registration when they round to the same time.
   */
  private static void deleteTimer(
      long at, UserProfile p, BrowseSession browse, LifecycleState life, Env env) {
    int owners =
        (p.pendingTimer == at ? 1 : 0)
            + (browse != null && browse.pendingTimer == at ? 1 : 0)
            + (life != null && life.pendingTimer == at ? 1 : 0);
    if (owners <= 1) {
      env.deleteTimer(at);
    }
  }

  /**
   * The category the user is most drawn to at {@code at}: the highest affinity decayed to that
   * time, the alphabetically first on equal scores, as {@link FeatureSchema#topCategories} ranks.
   */
  private String topCategory(UserProfile p, long at) {
    List<String> top =
        FeatureSchema.topCategories(
            new FeatureSchema.Inputs(
                p,
                List.of(),
                List.copyOf(p.affinityScores.asMap().entrySet()),
                at,
                settings.affinityHalfLifeMs()),
            1);
    return top.isEmpty() ? null : top.get(0);
  }

  /** Timers are rounded up to the granularity, so bursts of changes coalesce. */
  private long roundUp(long t) {
    return ((t + timerGranularityMs - 1) / timerGranularityMs) * timerGranularityMs;
  }
}

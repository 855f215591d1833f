package io.prescient.operators;

import io.prescient.models.rules.OnsiteRequestRule;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.DecisionRequest;
import io.prescient.state.features.FeatureSchema;
import io.prescient.state.profile.BrowseSession;
import io.prescient.state.profile.CartLine;
import io.prescient.state.profile.KeyedStore;
import io.prescient.state.profile.LifecycleState;
import io.prescient.state.profile.UserProfile;
import java.util.ArrayList;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.streaming.api.TimerService;
import org.apache.flink.util.Collector;

/**
 * The profile operator's state, timers and output as {@link Triggers} sees them, bound to the input
 * being processed: a decision point leaves as a {@link DecisionCandidate} with the user's live
 * features, for the chained policy.
 */
final class ProfileTriggerEnv implements Triggers.Env {
  private static final float[] NO_FEATURES = new float[0];

  private final ProfileStateStore store;
  private final long affinityHalfLifeMs;
  private final Counter decisions;
  private final Counter suppressed;
  private String user;
  private TimerService timers;
  private Collector<PolicyInput> out;
  private long receivedAt;

  ProfileTriggerEnv(
      ProfileStateStore store, long affinityHalfLifeMs, Counter decisions, Counter suppressed) {
    this.store = store;
    this.affinityHalfLifeMs = affinityHalfLifeMs;
    this.decisions = decisions;
    this.suppressed = suppressed;
  }

  /**
   * @param receivedAt when the source read the record being processed, 0 in a timer
   */
  ProfileTriggerEnv bind(
      String user, TimerService timers, Collector<PolicyInput> out, long receivedAt) {
    this.user = user;
    this.timers = timers;
    this.out = out;
    this.receivedAt = receivedAt;
    return this;
  }

  @Override
  public String user() {
    return user;
  }

  @Override
  public KeyedStore<CartLine> cart() {
    return store.cart();
  }

  @Override
  public BrowseSession browse() throws Exception {
    return store.browse(user);
  }

  @Override
  public void putBrowse(BrowseSession s) throws Exception {
    store.putBrowse(user, s);
  }

  @Override
  public LifecycleState lifecycle() throws Exception {
    return store.lifecycle(user);
  }

  @Override
  public void putLifecycle(LifecycleState s) throws Exception {
    store.putLifecycle(user, s);
  }

  @Override
  public void registerTimer(long at) {
    timers.registerEventTimeTimer(at);
  }

  @Override
  public void deleteTimer(long at) {
    timers.deleteEventTimeTimer(at);
  }

  @Override
  public void emit(Decision d, UserProfile p, long at, double orderValue) throws Exception {
    decisions.inc();
    float[] features =
        FeatureSchema.extract(FeatureSchema.Inputs.of(p, store.cart(), at, affinityHalfLifeMs));
    DecisionCandidate c = new DecisionCandidate(d, features, p.events, orderValue);
    // Copies: the job runs with object reuse, so the policy (chained in this task) receives this
    // very candidate, keeps parts of it, and must share nothing the profile goes on changing.
    c.history = new ArrayList<>(p.recentBought);
    c.historyAt = p.recentBoughtAt.clone();
    c.viewed = new ArrayList<>(p.recentViews);
    if (p.cartLines > 0) {
      for (Map.Entry<String, CartLine> line : store.cart().entries()) {
        c.cart.add(line.getKey());
      }
    }
    send(PolicyInput.candidate(c));
  }

  @Override
  public void emitBroad(Decision d) {
    decisions.inc();
    send(PolicyInput.candidate(new DecisionCandidate(d, NO_FEATURES)));
  }

  private void send(PolicyInput in) {
    in.receivedAt = receivedAt;
    out.collect(in);
  }

  /**
   * Answers a web tier's request from the user's state as it is, changing none of it: the user's
   * decision point with live features, or the non-personal one ({@link
   * OnsiteRequestRule#broadBecause}).
   */
  void answer(DecisionRequest r, OnsiteRequestRule rule, boolean erased) throws Exception {
    UserProfile p = erased ? null : store.profile(user);
    String because = OnsiteRequestRule.broadBecause(p, erased);
    if (because == null) {
      double cartValue = 0;
      if (p.cartLines > 0) {
        for (Map.Entry<String, CartLine> e : store.cart().entries()) {
          cartValue += e.getValue().value();
        }
      }
      emit(rule.evaluate(r, p, store.cart()), p, r.timestamp, cartValue);
    } else if (OnsiteRequestRule.COLD_START.equals(because)) {
      // Decided by the policy like any other, from nothing but the catalog: no features.
      decisions.inc();
      send(PolicyInput.candidate(new DecisionCandidate(rule.broad(r, because), NO_FEATURES)));
    } else {
      emitBroad(rule.broad(r, because));
    }
  }

  @Override
  public void suppressed() {
    suppressed.inc();
  }
}

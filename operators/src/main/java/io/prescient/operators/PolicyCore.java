package io.prescient.operators;

import io.prescient.models.artifact.LoadedModel;
import io.prescient.models.policy.Guardrails;
import io.prescient.models.policy.Offer;
import io.prescient.models.policy.PolicyEngine;
import io.prescient.models.rules.OnsiteRequestRule;
import io.prescient.state.contract.AuditRecord;
import io.prescient.state.contract.CatalogEntry;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.Effect;
import io.prescient.state.contract.Feedback;
import io.prescient.state.contract.InvalidRecordException;
import io.prescient.state.contract.Outcome;
import io.prescient.state.contract.Recommendation;
import io.prescient.state.contract.RejectReason;
import io.prescient.state.contract.Rejection;
import io.prescient.state.features.FeatureSchema;
import io.prescient.state.json.OutputJson;
import io.prescient.state.profile.KeyedStore;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The per-user policy logic without Flink (DESIGN.md, "Decision semantics"): deciding a scored
 * decision point under the guardrails and arms, holding outbound decisions for their creepiness
 * delay and re-checking them at release, the feedback join (outcomes, purchases, closing reward
 * windows), consent and erase. Everything due in event time is settled in event-time order from the
 * user's {@link DueIndex}. It reads and writes one user's state through a {@link Store} and acts
 * through {@link Effects}; {@link PolicyFunction} binds both to Flink (RocksDB state, event-time
 * timers, outputs), tests bind them to memory.
 */
public final class PolicyCore {
  /** One user's policy state. */
  public interface Store {
    /** The user's record, or null. */
    PolicyUser user() throws Exception;

    void putUser(PolicyUser user) throws Exception;

    void clearUser() throws Exception;

    /** Decisions waiting out their creepiness delay, by decision id. */
    KeyedStore<HeldDecision> held();

    /** Released decisions whose reward window is open, by decision id. */
    KeyedStore<Feedback> open();

    /** Outcomes ahead of the watermark, by {@link #bufferKey}. */
    KeyedStore<Outcome> buffered();

    /** Event times of messages sent, by channel. */
    KeyedStore<long[]> sends();

    /** Event times a product was named, by product. */
    KeyedStore<long[]> shown();
  }

  /** What the logic does outside the user's state. */
  public interface Effects {
    /** An event-time timer of the current user (already rounded to the granularity). */
    void registerTimer(long at);

    void deleteTimer(long at);

    /** A decision leaves: released, or broad. */
    void decision(Decision d);

    void feedback(Feedback f);

    void audit(AuditRecord a);

    void dlq(Rejection r);

    void count(String name, String... labels);

    /** The live catalog's entry of a product, or null. */
    CatalogEntry catalog(String productId) throws Exception;

    /** The served item-to-item model ({@link LoadedModel#items}), or null while none is served. */
    default LoadedModel items() {
      return null;
    }
  }

  private final PolicyEngine engine;
  private final long rewardWindowMs;
  private final long timerGranularityMs;
  private final int dlqMaxRawBytes;
  private boolean scanAlways;

  public PolicyCore(
      PolicyEngine engine, long rewardWindowMs, long timerGranularityMs, int dlqMaxRawBytes) {
    this.engine = engine;
    this.rewardWindowMs = rewardWindowMs;
    this.timerGranularityMs = Math.max(1, timerGranularityMs);
    this.dlqMaxRawBytes = dlqMaxRawBytes;
  }

  /** The configured outcomes topic: named on the DLQ for an outcome that waited in state. */
  void outcomesTopic(String topic) {
    this.outcomesTopic = topic;
  }

  private String outcomesTopic = "outcomes";

  /**
   * State restored from before policy state format 2 may hold pending entries of users without a
   * record: then every input settles by building the user's index from their map states.
   */
  void scanAlways(boolean scanAlways) {
    this.scanAlways = scanAlways;
  }

  // ---------------------------------------------------------------- deciding

  /**
   * Decides a decision point already scored ({@code churn}: the churn probability, or null): the
   * guardrails and the user's arm choose; an outbound decision is held for its delay or released;
   * its reward window opens unless the user opted out.
   */
  public void decide(
      DecisionCandidate c, Double churn, PolicyEngine.OfferScorer offers, Store s, Effects fx)
      throws Exception {
    Decision d = c.decision;
    if (d.requestId != null) {
      Feedback answered = s.open().get(d.decisionId);
      if (answered != null) {
        // A repeated request (the caller retried, or the input was read twice): the same answer.
        fx.count("requestsRepeated");
        fx.decision(answered.decision);
        return;
      }
    }
    PolicyUser user = user(s);
    CatalogEntry listed = listed(d.productId, fx);
    PolicyEngine.Result r =
        engine.decide(
            new PolicyEngine.Context(
                d,
                c.features,
                c.userEvents,
                c.orderValue,
                churn,
                product(d.productId, d.category, listed)),
            view(user, s),
            offers);
    if (r.decision() == null) {
      for (String g : r.suppressedBy()) {
        fx.count("guardrailSuppressions", "guardrail", g);
      }
      fx.count("decisionsSuppressed");
      AuditRecord a = audit(d, "decision_suppressed", d.decidedAt);
      r.suppressedBy().forEach(g -> a.add(Effect.named("guardrail", g)));
      fx.audit(a);
      if (d.requestId != null) {
        fx.decision(nothingToShow(d, r.suppressedBy()));
      }
      return;
    }
    for (String g : d.guardrails) {
      fx.count("guardrailFired", "guardrail", g);
    }
    describeProducts(d, listed, fx);
    ProductRecommendations.recommend(
        d, c, fx.items(), engine.guardrails().settings(), view(user, s), fx::catalog);
    // A held decision is stored in its feedback record when that record outlives the delay.
    boolean feedbackKept = !user.optedOut;
    boolean heldInFeedback = feedbackKept && d.decidedAt + rewardWindowMs >= d.sendAfter;
    if (feedbackKept) {
      // The reward window opens at the decision, whatever happens to it next: arms are compared
      // on everything they decided (intent to treat), cancelled decisions included.
      Feedback f = new Feedback();
      f.decision = d;
      f.features = c.features;
      f.featureSchemaVersion = FeatureSchema.VERSION;
      f.rewardWindowEnd = d.decidedAt + rewardWindowMs;
      s.open().put(d.decisionId, f);
      fx.registerTimer(roundUp(f.rewardWindowEnd));
      DueIndex.add(user, f.rewardWindowEnd, DueIndex.CLOSE, d.decisionId);
    }
    if (d.sendAfter > d.decidedAt) {
      s.held().put(d.decisionId, heldInFeedback ? HeldDecision.inFeedback(d) : new HeldDecision(d));
      fx.registerTimer(roundUp(d.sendAfter));
      fx.count("delayedHeld");
      DueIndex.add(user, d.sendAfter, DueIndex.RELEASE, d.decisionId);
    } else {
      release(d, null, false, s, fx);
    }
    s.putUser(user);
  }

  /**
   * The answer to a request whose every offer the guardrails removed: a request is always answered,
   * here with action none (the page shows its default), naming the guardrails.
   */
  private static Decision nothingToShow(Decision d, List<String> guardrails) {
    d.action = PolicyEngine.NO_ACTION;
    d.channel = OnsiteRequestRule.CHANNEL;
    d.policy = "guardrails";
    d.propensity = 1.0;
    d.guardrails.addAll(guardrails);
    d.reasonCodes.add("NOTHING_ELIGIBLE");
    d.why =
        (d.why == null ? "" : d.why + ". ")
            + "Nothing to show: the guardrails removed every offer ("
            + String.join(", ", guardrails)
            + ")";
    return d;
  }

  /**
   * Sends a decision: out it goes, the caps and shown counts move. {@code f}: its feedback record
   * when already read (then {@code d} is its decision), else null.
   */
  private void release(Decision d, Feedback f, boolean delayed, Store s, Effects fx)
      throws Exception {
    if (!PolicyEngine.NO_ACTION.equals(d.action)) {
      append(
          s.sends(),
          d.channel,
          d.sendAfter,
          engine.guardrails().settings().caps().longestWindowMs());
      long shownWindow = engine.guardrails().settings().shownWindowMs();
      if (d.productId != null) {
        append(s.shown(), d.productId, d.sendAfter, shownWindow);
      }
      if (delayed
          && ProductRecommendations.recheck(
              d,
              engine.guardrails().settings(),
              (id, since) -> countSince(s.shown(), id, since),
              fx::catalog)) {
        // The feedback record carries the decision as sent, whichever state backend holds it.
        Feedback stored = f != null ? f : s.open().get(d.decisionId);
        if (stored != null) {
          stored.decision.recommendations = d.recommendations;
          s.open().put(d.decisionId, stored);
        }
      }
      for (Recommendation r : d.recommendations) {
        append(s.shown(), r.productId, d.sendAfter, shownWindow);
      }
    }
    if (delayed) {
      fx.count("delayedReleased");
    }
    fx.decision(d);
  }

  // ---------------------------------------------------------------- event-time settling

  /**
   * Settles, in event-time order, everything due at or before {@code bound}: held decisions are
   * re-checked and released or cancelled, buffered outcomes joined, reward windows closed. At equal
   * times a release comes before an outcome, and an outcome before the window closes. What is due
   * comes from the user's {@link DueIndex}: only those entries are read.
   */
  public void settle(long bound, Store s, Effects fx) throws Exception {
    PolicyUser stored = s.user();
    if (stored == null
        ? !scanAlways
        : stored.nextDueAt > bound && (!scanAlways || DueIndex.indexed(stored))) {
      return; // nothing pending, or nothing due yet: nothing read
    }
    boolean built = stored != null && !DueIndex.indexed(stored);
    long nextBefore = stored == null ? Long.MAX_VALUE : stored.nextDueAt;
    PolicyUser user = indexed(stored, s);
    List<DueIndex.Due> due = DueIndex.takeDue(user, bound);
    if (due.isEmpty()) {
      if (stored != null && (built || user.nextDueAt != nextBefore)) {
        s.putUser(user); // the index was just built, or the stored bound was stale
      }
      return;
    }
    for (DueIndex.Due x : due) {
      switch (x.kind()) {
        case DueIndex.RELEASE -> {
          HeldDecision h = s.held().get(x.key());
          if (h != null) {
            s.held().remove(x.key());
            // Its decision is in the feedback record, or in the entry (HeldDecision).
            Feedback f = h.decision == null ? s.open().get(x.key()) : null;
            Decision d = h.decisionWith(f);
            if (d != null) {
              recheckAndRelease(d, f, user, s, fx);
            }
          }
        }
        case DueIndex.OUTCOME -> {
          Outcome o = s.buffered().get(x.key());
          if (o != null) {
            s.buffered().remove(x.key());
            join(o, null, s, fx);
          }
        }
        default -> {
          Feedback f = s.open().get(x.key());
          if (f != null) {
            s.open().remove(x.key());
            fx.feedback(f);
            fx.count("feedbackOut");
          }
        }
      }
    }
    s.putUser(user);
  }

  /** {@code f}: the decision's feedback record when already read (its decision is {@code d}). */
  private void recheckAndRelease(Decision d, Feedback f, PolicyUser user, Store s, Effects fx)
      throws Exception {
    Offer offer = d.offerId == null ? null : engine.settings().catalog().byId(d.offerId);
    Guardrails.Product product = product(d.productId, d.category, listed(d.productId, fx));
    boolean control = PolicyEngine.NO_ACTION.equals(d.action);
    Guardrails.UserView view = view(user, s);
    String reason =
        engine
            .guardrails()
            .cancelReason(
                d.channel,
                offer,
                control ? noMessages(view) : view,
                product,
                user.lastPurchaseAt > d.decidedAt,
                d.sendAfter);
    if (reason == null) {
      release(d, f, true, s, fx);
      return;
    }
    fx.count("delayedCancelled", "reason", reason);
    Feedback stored = f != null ? f : s.open().get(d.decisionId);
    if (stored != null) {
      stored.cancelledReason = reason;
      s.open().put(d.decisionId, stored);
    }
    AuditRecord a = audit(d, "decision_cancelled", d.sendAfter);
    a.add(Effect.named("arm", d.arm)).add(Effect.named("reason", reason));
    fx.audit(a);
  }

  /** An audit record about decision {@code d}: what happened to it, when. */
  private static AuditRecord audit(Decision d, String request, long at) {
    return AuditRecord.of(AuditRecord.POLICY, d.userId, request, at)
        .add(Effect.named("decision_id", d.decisionId))
        .add(Effect.named("trigger", d.trigger));
  }

  // ---------------------------------------------------------------- outcomes and purchases

  /**
   * An outcome at or behind the watermark is joined now (after settling up to its time); one ahead
   * of it is buffered and joined in event time, after every release before it.
   */
  public void onOutcome(PolicyInput in, long watermark, Store s, Effects fx) throws Exception {
    Outcome o = in.outcome;
    if (o.timestamp <= watermark) {
      settle(o.timestamp, s, fx); // every input up to the outcome's time has arrived
      join(o, in, s, fx);
      return;
    }
    String key = bufferKey(o);
    s.buffered().put(key, o);
    fx.registerTimer(roundUp(o.timestamp));
    PolicyUser user = user(s);
    DueIndex.add(user, o.timestamp, DueIndex.OUTCOME, key);
    s.putUser(user);
  }

  /** {@code %019d|decision|type}, as state written since the first release holds it. */
  static String bufferKey(Outcome o) {
    if (o.timestamp < 0) {
      return String.format("%019d|%s|%s", o.timestamp, o.decisionId, o.type.wireName());
    }
    String t = Long.toString(o.timestamp);
    StringBuilder b = new StringBuilder(19 + o.decisionId.length() + 16);
    for (int i = t.length(); i < 19; i++) {
      b.append('0');
    }
    return b.append(t)
        .append('|')
        .append(o.decisionId)
        .append('|')
        .append(o.type.wireName())
        .toString();
  }

  /** Joins an outcome to its open decision, or sends it to the DLQ when there is none. */
  private void join(Outcome o, PolicyInput source, Store s, Effects fx) throws Exception {
    Feedback f = s.open().get(o.decisionId);
    if (f == null
        || f.cancelledReason != null
        || o.timestamp >= f.rewardWindowEnd
        || o.timestamp < f.decision.sendAfter) {
      fx.count("outcomesUnjoined");
      String detail =
          f == null
              ? "no open decision '"
                  + o.decisionId
                  + "' for user '"
                  + o.userId
                  + "' (never made for this user, or its reward window closed)"
              : f.cancelledReason != null
                  ? "decision '"
                      + o.decisionId
                      + "' was cancelled at release ("
                      + f.cancelledReason
                      + "): nothing was sent"
                  : "outcome at "
                      + Instant.ofEpochMilli(o.timestamp)
                      + " is outside the reward window ["
                      + Instant.ofEpochMilli(f.decision.sendAfter)
                      + ", "
                      + Instant.ofEpochMilli(f.rewardWindowEnd)
                      + ")";
      fx.dlq(
          InputParser.rejection(
              new InvalidRecordException(
                  RejectReason.UNKNOWN_DECISION, detail + "; raw is the parsed outcome re-encoded"),
              OutputJson.outcome(o),
              source == null ? outcomesTopic : source.sourceTopic,
              source == null ? -1 : source.partition,
              source == null ? -1 : source.offset,
              -1,
              dlqMaxRawBytes));
      return;
    }
    f.outcomes.add(o.type.wireName());
    switch (o.type) {
      case DELIVERED -> f.delivered = true;
      case OPENED -> f.opened = true;
      case CLICKED -> f.clicked = true;
      case DISMISSED -> f.dismissed = true;
      case CONVERTED -> convert(f, "outcome", o.timestamp, o.value == null ? 0 : o.value);
    }
    s.open().put(o.decisionId, f);
    fx.count("outcomesJoined", "type", o.type.wireName());
  }

  /** A purchase counts as the conversion of every decision whose reward window it falls in. */
  public void onPurchase(PolicyInput in, Store s) throws Exception {
    PolicyUser user = user(s);
    user.lastPurchaseAt = Math.max(user.lastPurchaseAt, in.timestamp);
    s.putUser(user);
    if (user.nextDueAt == Long.MAX_VALUE) {
      return; // nothing pending: no open reward window
    }
    // The open reward windows are the index's CLOSE entries: point reads, no scan.
    for (int i = 0; i < user.dueAt.length; i++) {
      if (user.dueKind[i] != DueIndex.CLOSE || user.dueAt[i] <= in.timestamp) {
        continue;
      }
      Feedback f = s.open().get(user.dueKey[i]);
      if (f != null
          && in.timestamp > f.decision.decidedAt
          && in.timestamp < f.rewardWindowEnd
          && convert(f, "purchase", in.timestamp, in.value)) {
        s.open().put(user.dueKey[i], f);
      }
    }
  }

  /**
   * Records a conversion unless the decision already has an earlier one (at equal times an outcome
   * before a purchase). Purchases are applied as they arrive and outcomes in event time, so an
   * outcome can arrive after a later purchase from the other input; the earliest conversion must
   * win whichever came first, or replays would differ with the inputs' interleaving.
   */
  static boolean convert(Feedback f, String by, long at, double value) {
    if (f.converted
        && (f.convertedAt < at
            || (f.convertedAt == at
                && (f.convertedBy.equals("outcome") || by.equals("purchase"))))) {
      return false;
    }
    f.converted = true;
    f.convertedBy = by;
    f.convertedAt = at;
    f.conversionValue = Math.round(value * 100.0) / 100.0;
    return true;
  }

  // ---------------------------------------------------------------- privacy

  /** Opt-out, opt-in or unsubscribe: held decisions are re-checked against it at release. */
  public void onConsent(PolicyInput in, Store s) throws Exception {
    PolicyUser user = user(s);
    switch (in.kind) {
      case OPT_OUT -> {
        user.optedOut = true;
        // Opted-out users never enter a training set: their open feedback is dropped, after the
        // held decisions it holds move into their held entries (to be re-checked and cancelled).
        keepHeldDecisions(user, s);
        s.open().clear();
        DueIndex.removeKind(user, DueIndex.CLOSE);
      }
      case OPT_IN -> user.optedOut = false;
      default -> {
        for (String ch : in.channels) {
          if (!user.unsubscribed.contains(ch)) {
            user.unsubscribed.add(ch);
          }
        }
      }
    }
    s.putUser(user);
  }

  /** Each held decision whose feedback record holds it is stored in its held entry instead. */
  private static void keepHeldDecisions(PolicyUser user, Store s) throws Exception {
    if (user.dueAt == null) {
      return;
    }
    for (int i = 0; i < user.dueAt.length; i++) {
      if (user.dueKind[i] != DueIndex.RELEASE) {
        continue;
      }
      HeldDecision h = s.held().get(user.dueKey[i]);
      Feedback f = h == null || h.decision != null ? null : s.open().get(user.dueKey[i]);
      if (f != null) {
        s.held().put(user.dueKey[i], new HeldDecision(f.decision));
      }
    }
  }

  /** Deletes every state entry and timer of the user here; the receipt says what went. */
  public void erase(PolicyInput in, Store s, Effects fx) throws Exception {
    AuditRecord receipt = AuditRecord.of(AuditRecord.POLICY, in.userId, "erase", in.timestamp);
    TreeSet<Long> timers = new TreeSet<>();
    int n = 0;
    for (Map.Entry<String, HeldDecision> e : s.held().entries()) {
      timers.add(roundUp(e.getValue().dueAt()));
      n++;
    }
    effect(receipt, "held_decisions", n);
    n = 0;
    for (Map.Entry<String, Feedback> e : s.open().entries()) {
      timers.add(roundUp(e.getValue().rewardWindowEnd));
      n++;
    }
    effect(receipt, "open_feedback", n);
    n = 0;
    for (Map.Entry<String, Outcome> e : s.buffered().entries()) {
      timers.add(roundUp(e.getValue().timestamp));
      n++;
    }
    effect(receipt, "buffered_outcomes", n);
    effect(receipt, "message_history_channels", size(s.sends()));
    effect(receipt, "products_shown", size(s.shown()));
    for (long t : timers) {
      fx.deleteTimer(t);
    }
    effect(receipt, "timers", timers.size());
    if (s.user() != null) {
      receipt.add(Effect.of("consent_and_last_purchase"));
    }
    s.clearUser();
    s.held().clear();
    s.open().clear();
    s.buffered().clear();
    s.sends().clear();
    s.shown().clear();
    if (receipt.effects.isEmpty()) {
      receipt.add(Effect.of("nothing_stored"));
    }
    fx.audit(receipt);
  }

  private static int size(KeyedStore<?> store) throws Exception {
    int n = 0;
    for (Map.Entry<String, ?> ignored : store.entries()) {
      n++;
    }
    return n;
  }

  private static void effect(AuditRecord r, String what, int n) {
    if (n > 0) {
      r.add(Effect.count(what, n));
    }
  }

  // ---------------------------------------------------------------- state views

  /** The user's policy record, with its due-time index built. */
  private PolicyUser user(Store s) throws Exception {
    return indexed(s.user(), s);
  }

  /** {@code stored} (or a new record for null), with its due-time index built if it had none. */
  private PolicyUser indexed(PolicyUser stored, Store s) throws Exception {
    PolicyUser u = stored == null ? new PolicyUser() : stored;
    if (!DueIndex.indexed(u)) {
      if (scanAlways || u.nextDueAt != Long.MAX_VALUE) {
        indexByScan(u, s); // stored before the index, with something pending
      } else {
        DueIndex.clear(u);
      }
    }
    return u;
  }

  /**
   * Builds the due-time index of a user stored before it existed (policy state format 2 or older):
   * one scan of the three map states, once per user.
   */
  private static void indexByScan(PolicyUser user, Store s) throws Exception {
    DueIndex.clear(user);
    for (Map.Entry<String, HeldDecision> e : s.held().entries()) {
      DueIndex.add(user, e.getValue().dueAt(), DueIndex.RELEASE, e.getKey());
    }
    for (Map.Entry<String, Outcome> e : s.buffered().entries()) {
      DueIndex.add(user, e.getValue().timestamp, DueIndex.OUTCOME, e.getKey());
    }
    for (Map.Entry<String, Feedback> e : s.open().entries()) {
      DueIndex.add(user, e.getValue().rewardWindowEnd, DueIndex.CLOSE, e.getKey());
    }
  }

  /**
   * The user as the guardrails see them for one decision or release. The caps ask for a channel's
   * history once per cap window and offer, the shown limit for a product's once per offer: each is
   * read from state once per view (a view is used before the decision's own sends are appended).
   */
  private static Guardrails.UserView view(PolicyUser user, Store s) {
    Map<String, long[]> sends = new HashMap<>();
    Map<String, long[]> shown = new HashMap<>();
    return new Guardrails.UserView() {
      @Override
      public boolean optedOut() {
        return user.optedOut;
      }

      @Override
      public boolean unsubscribed(String channel) {
        return user.unsubscribed.contains(channel);
      }

      @Override
      public int sentSince(String channel, long since) {
        return count(read(s.sends(), sends, channel), since);
      }

      @Override
      public int shownSince(String productId, long since) {
        return count(read(s.shown(), shown, productId), since);
      }
    };
  }

  /** {@code key}'s times from {@code store}, read once into {@code memo} (none: empty). */
  private static long[] read(KeyedStore<long[]> store, Map<String, long[]> memo, String key) {
    return memo.computeIfAbsent(key, k -> times(store, k));
  }

  /** {@code key}'s times in {@code store} (none: empty). */
  private static long[] times(KeyedStore<long[]> store, String key) {
    try {
      long[] times = store.get(key);
      return times == null ? NO_TIMES : times;
    } catch (Exception e) {
      throw new IllegalStateException("reading " + key + " from state", e);
    }
  }

  private static final long[] NO_TIMES = new long[0];

  /** The control arm sends nothing, so caps never cancel its (logged) decisions. */
  private static Guardrails.UserView noMessages(Guardrails.UserView v) {
    return new Guardrails.UserView() {
      @Override
      public boolean optedOut() {
        return v.optedOut();
      }

      @Override
      public boolean unsubscribed(String channel) {
        return v.unsubscribed(channel);
      }

      @Override
      public int sentSince(String channel, long since) {
        return 0;
      }

      @Override
      public int shownSince(String productId, long since) {
        return 0;
      }
    };
  }

  private static int countSince(KeyedStore<long[]> store, String key, long since) {
    return count(times(store, key), since);
  }

  /** How many of {@code times} are at or after {@code since}. */
  private static int count(long[] times, long since) {
    int n = 0;
    for (long t : times) {
      n += t >= since ? 1 : 0;
    }
    return n;
  }

  /** Appends {@code at}, forgetting times older than {@code keepMs} before it. */
  private static void append(KeyedStore<long[]> store, String key, long at, long keepMs)
      throws Exception {
    long[] times = store.get(key);
    long[] kept =
        times == null ? new long[0] : Arrays.stream(times).filter(t -> t > at - keepMs).toArray();
    long[] next = Arrays.copyOf(kept, kept.length + 1);
    next[kept.length] = at;
    store.put(key, next);
  }

  /** The live catalog's entry of a product, or null (no product, or not described). */
  private static CatalogEntry listed(String productId, Effects fx) throws Exception {
    return productId == null ? null : fx.catalog(productId);
  }

  /** The product as the guardrails see it: the live catalog's entry {@code e}, or defaults. */
  private Guardrails.Product product(String productId, String category, CatalogEntry e) {
    if (productId == null) {
      return null;
    }
    double defaultMargin = engine.guardrails().settings().defaultMargin();
    return e == null
        ? new Guardrails.Product(productId, category, true, defaultMargin, false)
        : new Guardrails.Product(
            productId,
            e.category != null ? e.category : category,
            e.inStock,
            e.margin,
            e.sensitive);
  }

  /**
   * What a sender needs to render the decision, from the live catalog ({@code listed}: the entry of
   * its product, if any): the product's name, price, page and image; a cart's lines lose those the
   * catalog marks sensitive.
   */
  private static void describeProducts(Decision d, CatalogEntry listed, Effects fx)
      throws Exception {
    if (listed != null) {
      d.productName = listed.name;
      d.productPrice = listed.price;
      d.productUrl = listed.url;
      d.productImageUrl = listed.imageUrl;
    }
    if (!d.items.isEmpty()) {
      List<io.prescient.state.contract.LineItem> kept = new java.util.ArrayList<>();
      for (io.prescient.state.contract.LineItem i : d.items) {
        CatalogEntry e = fx.catalog(i.productId);
        if (e == null || !e.sensitive) {
          kept.add(i);
        }
      }
      d.items = kept;
    }
  }

  private long roundUp(long t) {
    return ((t + timerGranularityMs - 1) / timerGranularityMs) * timerGranularityMs;
  }
}

package io.prescient.operators;

import io.prescient.models.artifact.LoadedModel;
import io.prescient.models.drift.DriftMonitor;
import io.prescient.models.policy.ChurnModelPolicy;
import io.prescient.models.policy.Guardrails;
import io.prescient.models.policy.Offer;
import io.prescient.models.policy.OfferModel;
import io.prescient.models.policy.PolicyEngine;
import io.prescient.state.contract.AuditRecord;
import io.prescient.state.contract.CatalogEntry;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.Feedback;
import io.prescient.state.contract.InvalidRecordException;
import io.prescient.state.contract.Outcome;
import io.prescient.state.contract.RejectReason;
import io.prescient.state.contract.Rejection;
import io.prescient.state.features.FeatureSchema;
import io.prescient.state.json.OutputJson;
import java.time.Instant;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The per-user policy operator (DESIGN.md, "Decision semantics"). For each decision point from the
 * profile it scores the user with the churn model, runs the guardrails and lets the user's arm
 * choose ({@link PolicyEngine}). Outbound decisions are held on event-time timers for their
 * creepiness delay and re-checked at release: cancelled with a reason if the user bought, opted out
 * or unsubscribed, the product went out of stock, or a frequency cap was reached meanwhile.
 * Released decisions stay open for their reward window, joined with outcomes and purchases, then go
 * to the feedback output. Models and the live catalog arrive as broadcast.
 *
 * <p>Everything due in event time (releases, buffered outcomes, closing windows) is settled in
 * event-time order: when the watermark passes it, or earlier, when an input of the same user from
 * the profile with a later event time arrives (so decisions do not depend on where watermarks fall,
 * and a replay reproduces them).
 */
public class PolicyFunction
    extends KeyedBroadcastProcessFunction<String, PolicyInput, Envelope, Decision>
    implements CheckpointedFunction {
  private static final long serialVersionUID = 1L;

  public static final OutputTag<Feedback> FEEDBACK = new OutputTag<>("feedback") {};
  public static final OutputTag<AuditRecord> AUDIT = new OutputTag<>("policy-audit") {};
  public static final OutputTag<Rejection> DLQ = new OutputTag<>("policy-dlq") {};

  /** A latency histogram keeps the last this many samples per subtask (quantiles over them). */
  public static final int LATENCY_WINDOW = 4096;

  private final PolicyEngine engine;
  private final String initialChurnModel;
  private final String initialOfferModel;
  private final long rewardWindowMs;
  private final long timerGranularityMs;
  private final int dlqMaxRawBytes;

  private transient ValueState<PolicyUser> userState;
  private transient MapState<String, HeldDecision> held;
  private transient MapState<String, Feedback> open;
  private transient MapState<String, Outcome> buffered;
  private transient MapState<String, long[]> sends;
  private transient MapState<String, long[]> shown;
  private transient ModelSlots models;
  private transient List<String> offerIds;
  private transient MetricGroup metrics;
  private transient Map<String, Counter> counters;
  private transient Histogram churnScores;
  private transient Histogram decisionLatency;

  /** Live feature and score distribution of the served churn model against its training. */
  private transient volatile DriftMonitor drift;

  private transient LoadedModel driftModel;

  /** When the source read the record behind the input being processed (0 in a timer). */
  private transient long receivedAt;

  /**
   * Policy state format 2 keeps {@link PolicyUser#nextDueAt} for every user with something pending,
   * so a user without a {@link PolicyUser} has nothing to settle. State restored from a snapshot
   * without the format marker (written before format 2) may hold pending entries of users without
   * one: such a job scans on every input, as before, and keeps writing no marker.
   */
  static final int STATE_FORMAT = 2;

  private transient ListState<Integer> stateFormat;
  private transient boolean scanAlways;

  /**
   * @param initialChurnModel URI of a churn manifest to serve from the start, or empty
   * @param rewardWindow how long after release outcomes and purchases count for a decision
   */
  public PolicyFunction(
      PolicyEngine engine,
      String initialChurnModel,
      java.time.Duration rewardWindow,
      java.time.Duration timerGranularity,
      int dlqMaxRawBytes) {
    this(engine, initialChurnModel, "", rewardWindow, timerGranularity, dlqMaxRawBytes);
  }

  /**
   * @param initialOfferModel URI of an offer model manifest to serve from the start, or empty
   */
  public PolicyFunction(
      PolicyEngine engine,
      String initialChurnModel,
      String initialOfferModel,
      java.time.Duration rewardWindow,
      java.time.Duration timerGranularity,
      int dlqMaxRawBytes) {
    this.engine = engine;
    this.initialChurnModel = initialChurnModel == null ? "" : initialChurnModel;
    this.initialOfferModel = initialOfferModel == null ? "" : initialOfferModel;
    this.rewardWindowMs = rewardWindow.toMillis();
    this.timerGranularityMs = Math.max(1, timerGranularity.toMillis());
    this.dlqMaxRawBytes = dlqMaxRawBytes;
  }

  @Override
  public void open(OpenContext ctx) throws Exception {
    userState = getRuntimeContext().getState(PolicyState.user());
    held = getRuntimeContext().getMapState(PolicyState.held());
    open = getRuntimeContext().getMapState(PolicyState.open());
    buffered = getRuntimeContext().getMapState(PolicyState.outcomes());
    sends = getRuntimeContext().getMapState(PolicyState.sends());
    shown = getRuntimeContext().getMapState(PolicyState.shown());
    metrics = getRuntimeContext().getMetricGroup().addGroup("prescient");
    counters = new HashMap<>();
    offerIds = engine.settings().catalog().offers().stream().map(Offer::id).toList();
    models = new ModelSlots(metrics, offerIds);
    registerMetrics();
    registerDriftGauges();
    // Churn probability x 1000 over the last 1,000 scored decisions: watch it for score drift.
    churnScores = metrics.histogram("churnScorePermille", new DescriptiveStatisticsHistogram(1000));
    // Wall-clock milliseconds from the source reading a record to a decision it caused leaving
    // the policy (not decisions released by a timer: no single record caused those).
    decisionLatency =
        metrics.histogram("decisionLatencyMs", new DescriptiveStatisticsHistogram(LATENCY_WINDOW));
    if (!initialChurnModel.isEmpty()) {
      models.serveInitial(ChurnModelPolicy.MODEL, initialChurnModel);
    }
    if (!initialOfferModel.isEmpty()) {
      models.serveInitial(OfferModel.NAME, initialOfferModel);
    }
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    stateFormat =
        context
            .getOperatorStateStore()
            .getUnionListState(new ListStateDescriptor<>("policy-state-format", Types.INT));
    boolean marked = stateFormat.get().iterator().hasNext();
    scanAlways = context.isRestored() && !marked;
  }

  /** Whether this instance settles by scanning on every input (state from before format 2). */
  boolean scansOnEveryInput() {
    return scanAlways;
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    stateFormat.update(scanAlways ? List.of() : List.of(STATE_FORMAT));
  }

  @Override
  public void processElement(PolicyInput in, ReadOnlyContext ctx, Collector<Decision> out)
      throws Exception {
    receivedAt = in.receivedAt;
    models.catchUp(ctx.getBroadcastState(PolicyState.MODELS));
    if (in.kind == PolicyInput.Kind.OUTCOME) {
      onOutcome(in, ctx, out);
      return;
    }
    // An input from the profile at event time t: everything of this user due before t is settled
    // first, as the watermark would have done had it passed already.
    settle(in.timestamp - 1, ctx, out);
    switch (in.kind) {
      case CANDIDATE -> decide(in.candidate, ctx, out);
      case PURCHASE -> onPurchase(in);
      case OPT_OUT, OPT_IN, UNSUBSCRIBE -> onConsent(in);
      case ERASE -> erase(in, ctx);
      default -> throw new IllegalStateException("unexpected " + in.kind);
    }
  }

  @Override
  public void processBroadcastElement(Envelope env, Context ctx, Collector<Decision> out)
      throws Exception {
    if (env.catalog != null) {
      ctx.getBroadcastState(PolicyState.CATALOG).put(env.catalog.productId, env.catalog);
      count("catalogEntriesApplied");
      return;
    }
    AuditRecord report =
        models.announce(
            env.model,
            ctx.getBroadcastState(PolicyState.MODELS),
            getRuntimeContext().getTaskInfo().getIndexOfThisSubtask(),
            ctx.currentProcessingTime());
    ctx.output(AUDIT, report);
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<Decision> out)
      throws Exception {
    receivedAt = 0;
    models.catchUp(ctx.getBroadcastState(PolicyState.MODELS));
    settle(timestamp, ctx, out);
  }

  // ---------------------------------------------------------------- deciding

  /** The served offer model as the policy's scorer, or null. */
  private PolicyEngine.OfferScorer offerScorer() {
    LoadedModel m = models.get(OfferModel.NAME);
    return m == null ? null : OfferModel.scorer(m, offerIds);
  }

  private void decide(DecisionCandidate c, ReadOnlyContext ctx, Collector<Decision> out)
      throws Exception {
    Decision d = c.decision;
    if ("broad".equals(d.policy)) {
      countDecision(d); // opted out: never scored, never held, never joined to feedback
      out.collect(d);
      return;
    }
    Double churn = null;
    LoadedModel churnModel = models.get(ChurnModelPolicy.MODEL);
    if (churnModel != null && c.features.length > 0) {
      churn = ChurnModelPolicy.explain(d, churnModel, c.features);
      churnScores.update(Math.round(1000 * churn));
      if (churnModel != driftModel) { // a new model serves: drift is measured from zero
        driftModel = churnModel;
        drift =
            new DriftMonitor(churnModel.manifest.baseline(), churnModel.manifest.featureNames());
      }
      drift.add(c.features, churn);
    }
    LoadedModel shadow = models.get(ChurnModelPolicy.MODEL + ":shadow");
    if (shadow != null && c.features.length > 0) {
      ChurnModelPolicy.shadow(d, shadow, c.features);
    }
    PolicyUser user = user();
    PolicyEngine.Result r =
        engine.decide(
            new PolicyEngine.Context(
                d,
                c.features,
                c.userEvents,
                c.orderValue,
                churn,
                product(d.productId, d.category, ctx.getBroadcastState(PolicyState.CATALOG))),
            view(user),
            offerScorer());
    if (r.decision() == null) {
      for (String g : r.suppressedBy()) {
        count("guardrailSuppressions", "guardrail", g);
      }
      count("decisionsSuppressed");
      AuditRecord a = audit(d, "decision_suppressed", d.decidedAt);
      r.suppressedBy().forEach(g -> a.effects.add("guardrail:" + g));
      ctx.output(AUDIT, a);
      return;
    }
    for (String g : d.guardrails) {
      count("guardrailFired", "guardrail", g);
    }
    if (!user.optedOut) {
      // The reward window opens at the decision, whatever happens to it next: arms are compared
      // on everything they decided (intent to treat), cancelled decisions included.
      Feedback f = new Feedback();
      f.decision = d;
      f.features = c.features;
      f.featureSchemaVersion = FeatureSchema.VERSION;
      f.rewardWindowEnd = d.decidedAt + rewardWindowMs;
      open.put(d.decisionId, f);
      registerAt(f.rewardWindowEnd, ctx);
      DueIndex.add(user, f.rewardWindowEnd, DueIndex.CLOSE, d.decisionId);
    }
    HeldDecision h = new HeldDecision(d, c.features);
    if (d.sendAfter > d.decidedAt) {
      held.put(d.decisionId, h);
      registerAt(d.sendAfter, ctx);
      count("delayedHeld");
      DueIndex.add(user, d.sendAfter, DueIndex.RELEASE, d.decisionId);
      userState.update(user);
    } else {
      release(h, user, false, ctx, out);
      userState.update(user);
    }
  }

  /** Sends a decision: out it goes, the caps and shown counts move. */
  private void release(
      HeldDecision h,
      PolicyUser user,
      boolean delayed,
      ReadOnlyContext ctx,
      Collector<Decision> out)
      throws Exception {
    Decision d = h.decision;
    if (!PolicyEngine.NO_ACTION.equals(d.action)) {
      append(
          sends, d.channel, d.sendAfter, engine.guardrails().settings().caps().longestWindowMs());
      if (d.productId != null) {
        append(shown, d.productId, d.sendAfter, engine.guardrails().settings().shownWindowMs());
      }
    }
    if (delayed) {
      count("delayedReleased");
    }
    countDecision(d);
    out.collect(d);
  }

  // ---------------------------------------------------------------- event-time settling

  /**
   * Settles, in event-time order, everything due at or before {@code bound}: held decisions are
   * re-checked and released or cancelled, buffered outcomes joined, reward windows closed. At equal
   * times a release comes before an outcome, and an outcome before the window closes. What is due
   * comes from the user's {@link DueIndex}: only those entries are read.
   */
  private void settle(long bound, ReadOnlyContext ctx, Collector<Decision> out) throws Exception {
    PolicyUser stored = userState.value();
    if (stored == null
        ? !scanAlways
        : stored.nextDueAt > bound && (!scanAlways || DueIndex.indexed(stored))) {
      return; // nothing pending, or nothing due yet: nothing read
    }
    PolicyUser user = indexed(stored);
    List<DueIndex.Due> due = DueIndex.takeDue(user, bound);
    if (due.isEmpty()) {
      if (stored != null && (stored != user || stored.nextDueAt != user.nextDueAt)) {
        userState.update(user); // the index was just built
      }
      return;
    }
    for (DueIndex.Due x : due) {
      switch (x.kind()) {
        case DueIndex.RELEASE -> {
          HeldDecision h = held.get(x.key());
          if (h != null) {
            held.remove(x.key());
            recheckAndRelease(h, user, ctx, out);
          }
        }
        case DueIndex.OUTCOME -> {
          Outcome o = buffered.get(x.key());
          if (o != null) {
            buffered.remove(x.key());
            join(o, null, ctx);
          }
        }
        default -> {
          Feedback f = open.get(x.key());
          if (f != null) {
            open.remove(x.key());
            ctx.output(FEEDBACK, f);
            count("feedbackOut");
          }
        }
      }
    }
    userState.update(user);
  }

  /**
   * Builds the due-time index of a user stored before it existed (policy state format 2 or older):
   * one scan of the three map states, once per user.
   */
  private void indexByScan(PolicyUser user) throws Exception {
    DueIndex.clear(user);
    for (Map.Entry<String, HeldDecision> e : held.entries()) {
      DueIndex.add(user, e.getValue().decision.sendAfter, DueIndex.RELEASE, e.getKey());
    }
    for (Map.Entry<String, Outcome> e : buffered.entries()) {
      DueIndex.add(user, e.getValue().timestamp, DueIndex.OUTCOME, e.getKey());
    }
    for (Map.Entry<String, Feedback> e : open.entries()) {
      DueIndex.add(user, e.getValue().rewardWindowEnd, DueIndex.CLOSE, e.getKey());
    }
  }

  private void recheckAndRelease(
      HeldDecision h, PolicyUser user, ReadOnlyContext ctx, Collector<Decision> out)
      throws Exception {
    Decision d = h.decision;
    Offer offer = d.offerId == null ? null : engine.settings().catalog().byId(d.offerId);
    String productId = d.productId;
    Guardrails.Product product =
        productId == null
            ? null
            : product(productId, d.category, ctx.getBroadcastState(PolicyState.CATALOG));
    boolean control = PolicyEngine.NO_ACTION.equals(d.action);
    String reason =
        engine
            .guardrails()
            .cancelReason(
                d.channel,
                offer,
                control ? noMessages(view(user)) : view(user),
                product,
                user.lastPurchaseAt > d.decidedAt,
                d.sendAfter);
    if (reason == null) {
      release(h, user, true, ctx, out);
      return;
    }
    count("delayedCancelled", "reason", reason);
    Feedback f = open.get(d.decisionId);
    if (f != null) {
      f.cancelledReason = reason;
      open.put(d.decisionId, f);
    }
    AuditRecord a = audit(d, "decision_cancelled", d.sendAfter);
    a.effects.add("arm:" + d.arm);
    a.effects.add("reason:" + reason);
    ctx.output(AUDIT, a);
  }

  /** An audit record about decision {@code d}: what happened to it, when. */
  private static AuditRecord audit(Decision d, String request, long at) {
    AuditRecord a = new AuditRecord();
    a.userId = d.userId;
    a.request = request;
    a.requestedAt = at;
    a.effects.add("decision_id:" + d.decisionId);
    a.effects.add("trigger:" + d.trigger);
    return a;
  }

  // ---------------------------------------------------------------- outcomes and purchases

  private void onOutcome(PolicyInput in, ReadOnlyContext ctx, Collector<Decision> out)
      throws Exception {
    Outcome o = in.outcome;
    long watermark = ctx.timerService().currentWatermark();
    if (o.timestamp <= watermark) {
      settle(o.timestamp, ctx, out); // every input up to the outcome's time has arrived
      join(o, in, ctx);
      return;
    }
    // Ahead of the watermark: its decision may not be released yet. Join it in event time.
    buffered.put(bufferKey(o), o);
    registerAt(o.timestamp, ctx);
    PolicyUser user = user();
    DueIndex.add(user, o.timestamp, DueIndex.OUTCOME, bufferKey(o));
    userState.update(user);
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
  private void join(Outcome o, PolicyInput source, ReadOnlyContext ctx) throws Exception {
    Feedback f = open.get(o.decisionId);
    if (f == null
        || f.cancelledReason != null
        || o.timestamp >= f.rewardWindowEnd
        || o.timestamp < f.decision.sendAfter) {
      count("outcomesUnjoined");
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
      ctx.output(
          DLQ,
          InputParser.rejection(
              new InvalidRecordException(
                  RejectReason.UNKNOWN_DECISION, detail + "; raw is the parsed outcome re-encoded"),
              OutputJson.outcome(o),
              source == null ? "outcomes" : source.sourceTopic,
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
    open.put(o.decisionId, f);
    count("outcomesJoined", "type", o.type.wireName());
  }

  /** A purchase counts as the conversion of every decision whose reward window it falls in. */
  private void onPurchase(PolicyInput in) throws Exception {
    PolicyUser user = user();
    user.lastPurchaseAt = Math.max(user.lastPurchaseAt, in.timestamp);
    userState.update(user);
    if (!scanAlways && user.nextDueAt == Long.MAX_VALUE) {
      return; // no open reward window
    }
    // The open reward windows are the index's CLOSE entries: point reads, no scan.
    for (int i = 0; i < user.dueAt.length; i++) {
      if (user.dueKind[i] != DueIndex.CLOSE || user.dueAt[i] <= in.timestamp) {
        continue;
      }
      Feedback f = open.get(user.dueKey[i]);
      if (f != null
          && in.timestamp > f.decision.decidedAt
          && in.timestamp < f.rewardWindowEnd
          && convert(f, "purchase", in.timestamp, in.value)) {
        open.put(user.dueKey[i], f);
      }
    }
  }

  /**
   * Records a conversion unless the decision already has an earlier one (at equal times an outcome
   * before a purchase). Purchases are applied as they arrive and outcomes in event time, so an
   * outcome can arrive after a later purchase from the other input; the earliest conversion must
   * win whichever came first, or replays would differ with the inputs' interleaving.
   */
  private static boolean convert(Feedback f, String by, long at, double value) {
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

  private void onConsent(PolicyInput in) throws Exception {
    PolicyUser user = user();
    switch (in.kind) {
      case OPT_OUT -> {
        user.optedOut = true;
        // Opted-out users never enter a training set: their open feedback is dropped.
        open.clear();
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
    userState.update(user);
  }

  /** Deletes every state entry and timer of the user here; the receipt says what went. */
  private void erase(PolicyInput in, ReadOnlyContext ctx) throws Exception {
    AuditRecord receipt = new AuditRecord();
    receipt.userId = in.userId;
    receipt.request = "erase";
    receipt.requestedAt = in.timestamp;
    TreeSet<Long> timers = new TreeSet<>();
    int n = 0;
    for (HeldDecision h : held.values()) {
      timers.add(roundUp(h.decision.sendAfter));
      n++;
    }
    effect(receipt, "policy:held decisions", n);
    n = 0;
    for (Feedback f : open.values()) {
      timers.add(roundUp(f.rewardWindowEnd));
      n++;
    }
    effect(receipt, "policy:open feedback", n);
    n = 0;
    for (Outcome o : buffered.values()) {
      timers.add(roundUp(o.timestamp));
      n++;
    }
    effect(receipt, "policy:buffered outcomes", n);
    n = 0;
    for (String ignored : sends.keys()) {
      n++;
    }
    effect(receipt, "policy:message history channels", n);
    n = 0;
    for (String ignored : shown.keys()) {
      n++;
    }
    effect(receipt, "policy:products shown", n);
    for (long t : timers) {
      ctx.timerService().deleteEventTimeTimer(t);
    }
    if (!timers.isEmpty()) {
      receipt.effects.add("policy:timers:" + timers.size());
    }
    if (userState.value() != null) {
      receipt.effects.add("policy:consent and last purchase");
    }
    userState.clear();
    held.clear();
    open.clear();
    buffered.clear();
    sends.clear();
    shown.clear();
    if (receipt.effects.isEmpty()) {
      receipt.effects.add("policy:nothing stored");
    }
    ctx.output(AUDIT, receipt);
  }

  private static void effect(AuditRecord r, String what, int n) {
    if (n > 0) {
      r.effects.add(what + ":" + n);
    }
  }

  // ---------------------------------------------------------------- state views

  /** The user's policy record, with its due-time index built. */
  private PolicyUser user() throws Exception {
    return indexed(userState.value());
  }

  /** {@code stored} (or a new record for null), with its due-time index built if it had none. */
  private PolicyUser indexed(PolicyUser stored) throws Exception {
    PolicyUser u = stored == null ? new PolicyUser() : stored;
    if (!DueIndex.indexed(u)) {
      if (scanAlways || u.nextDueAt != Long.MAX_VALUE) {
        indexByScan(u); // stored before the index, with something pending
      } else {
        DueIndex.clear(u);
      }
    }
    return u;
  }

  private Guardrails.UserView view(PolicyUser user) {
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
        return countSince(sends, channel, since);
      }

      @Override
      public int shownSince(String productId, long since) {
        return countSince(shown, productId, since);
      }
    };
  }

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

  private static int countSince(MapState<String, long[]> state, String key, long since) {
    try {
      long[] times = state.get(key);
      int n = 0;
      if (times != null) {
        for (long t : times) {
          n += t >= since ? 1 : 0;
        }
      }
      return n;
    } catch (Exception e) {
      throw new IllegalStateException("reading " + key + " from state", e);
    }
  }

  /** Appends {@code at}, forgetting times older than {@code keepMs} before it. */
  private static void append(MapState<String, long[]> state, String key, long at, long keepMs)
      throws Exception {
    long[] times = state.get(key);
    long[] kept =
        times == null ? new long[0] : Arrays.stream(times).filter(t -> t > at - keepMs).toArray();
    long[] next = Arrays.copyOf(kept, kept.length + 1);
    next[kept.length] = at;
    state.put(key, next);
  }

  private Guardrails.Product product(
      String productId, String category, ReadOnlyBroadcastState<String, CatalogEntry> catalog)
      throws Exception {
    if (productId == null) {
      return null;
    }
    CatalogEntry e = catalog.get(productId);
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

  // ---------------------------------------------------------------- timers and metrics

  private long roundUp(long t) {
    return ((t + timerGranularityMs - 1) / timerGranularityMs) * timerGranularityMs;
  }

  private void registerAt(long t, ReadOnlyContext ctx) {
    ctx.timerService().registerEventTimeTimer(roundUp(t));
  }

  private void countDecision(Decision d) {
    if (receivedAt > 0) {
      decisionLatency.update(Math.max(0, System.currentTimeMillis() - receivedAt));
    }
    count("decisionsOut", "arm", d.arm, "action", d.action, "channel", d.channel);
    if (d.explored) {
      count("decisionsExplored");
    }
  }

  private void count(String name, String... labels) {
    counter(name, labels).inc();
  }

  /** The counter of a name and label values, created on first use. */
  private Counter counter(String name, String... labels) {
    String key = name + "|" + String.join("|", labels);
    Counter c = counters.get(key);
    if (c == null) {
      MetricGroup g = metrics;
      for (int i = 0; i + 1 < labels.length; i += 2) {
        g = g.addGroup(labels[i], String.valueOf(labels[i + 1]));
      }
      c = g.counter(name);
      counters.put(key, c);
    }
    return c;
  }

  /**
   * Population stability index of each live feature, of the largest of them and of the churn score
   * against the served churn model's training baseline (its manifest), over what this instance
   * scored since that model started serving. NaN until {@link DriftMonitor#MIN_ROWS} rows were
   * scored, or when the model has no baseline.
   */
  private void registerDriftGauges() {
    List<String> names = FeatureSchema.names();
    for (int i = 0; i < names.size(); i++) {
      int index = i;
      metrics
          .addGroup("feature", names.get(i))
          .gauge("featurePsi", (Gauge<Double>) () -> psi(m -> m.featurePsi(index)));
    }
    metrics.gauge("featurePsiMax", (Gauge<Double>) () -> psi(DriftMonitor::maxFeaturePsi));
    metrics.gauge("churnScorePsi", (Gauge<Double>) () -> psi(DriftMonitor::scorePsi));
    metrics.gauge("driftRows", (Gauge<Long>) () -> drift == null ? 0L : drift.rows());
  }

  /** What the drift gauges read (null before the first churn score). */
  DriftMonitor drift() {
    return drift;
  }

  private double psi(java.util.function.ToDoubleFunction<DriftMonitor> f) {
    DriftMonitor m = drift;
    return m == null ? Double.NaN : f.applyAsDouble(m);
  }

  /** Counters a dashboard queries exist from the start, at zero, not from their first event. */
  private void registerMetrics() {
    for (String name :
        List.of(
            "decisionsExplored",
            "decisionsSuppressed",
            "delayedHeld",
            "delayedReleased",
            "feedbackOut",
            "outcomesUnjoined",
            "catalogEntriesApplied")) {
      counter(name);
    }
    for (String g : Guardrails.NAMES) {
      counter("guardrailFired", "guardrail", g);
      counter("guardrailSuppressions", "guardrail", g);
    }
    for (String r : Guardrails.CANCEL_REASONS) {
      counter("delayedCancelled", "reason", r);
    }
  }

  @Override
  public void close() throws Exception {
    if (models != null) {
      models.close();
    }
  }
}

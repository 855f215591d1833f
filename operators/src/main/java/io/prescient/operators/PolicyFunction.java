package io.prescient.operators;

import io.prescient.models.drift.DriftMonitor;
import io.prescient.models.items.ItemSimilarity;
import io.prescient.models.policy.ChurnModelPolicy;
import io.prescient.models.policy.Offer;
import io.prescient.models.policy.OfferModel;
import io.prescient.models.policy.PolicyEngine;
import io.prescient.state.contract.AuditRecord;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.Feedback;
import io.prescient.state.contract.Rejection;
import java.time.Duration;
import java.util.List;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The per-user policy operator's function: binds {@link PolicyCore} (deciding, the creepiness delay
 * and its re-check, the feedback join, consent and erase) to RocksDB state, event-time timers and
 * the operator's outputs, scores decision points with the served churn model, and keeps the models
 * and the live catalog that arrive as broadcast (DESIGN.md, "Decision semantics").
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

  /** Answers to web tiers' requests (decisions with a request id), for the responses topic. */
  public static final OutputTag<Decision> RESPONSES = new OutputTag<>("responses") {};

  public static final OutputTag<AuditRecord> AUDIT = new OutputTag<>("policy-audit") {};
  public static final OutputTag<Rejection> DLQ = new OutputTag<>("policy-dlq") {};

  /** A latency histogram keeps the last this many samples per subtask (quantiles over them). */
  public static final int LATENCY_WINDOW = 4096;

  /**
   * Policy state format 2 keeps {@link PolicyUser#nextDueAt} for every user with something pending,
   * so a user without a {@link PolicyUser} has nothing to settle. State restored from a snapshot
   * without the format marker (written before format 2) may hold pending entries of users without
   * one: such a job scans on every input, as before, and keeps writing no marker. (Since the due
   * index, a record without it is indexed from its map states on its first settle.)
   */
  static final int STATE_FORMAT = 2;

  private final PolicyEngine engine;

  /** Manifest URIs to serve from the start, by slot (empty: none until announced). */
  private final java.util.LinkedHashMap<String, String> initialModels =
      new java.util.LinkedHashMap<>();

  private final long rewardWindowMs;
  private final long timerGranularityMs;
  private final int dlqMaxRawBytes;

  private ModelSlots.Limits modelLimits = ModelSlots.Limits.DEFAULT;
  private int catalogMaxEntries = CatalogState.DEFAULT_MAX_ENTRIES;

  /** User records cached per task by default, as many as profiles (RUNBOOK, "Profile cache"). */
  public static final int DEFAULT_USER_CACHE = ProfileFunction.DEFAULT_PROFILE_CACHE;

  private long cacheWriteAfterMs;
  private int userCacheSize = DEFAULT_USER_CACHE;

  /** Set by {@link PolicyOperator} before open: the user cache is on. Null: off. */
  private transient KeyContext keys;

  private transient PolicyCore core;
  private transient PolicyStateStore store;
  private transient PolicyEffects fx;
  private transient ModelSlots models;
  private transient CatalogState catalog;
  private transient PolicyMetrics metrics;
  private transient ListState<Integer> stateFormat;
  private transient boolean scanAlways;
  private String outcomesTopic = "outcomes";

  /** Without an offer model at start; see the full constructor. */
  public PolicyFunction(
      PolicyEngine engine,
      String initialChurnModel,
      java.time.Duration rewardWindow,
      java.time.Duration timerGranularity,
      int dlqMaxRawBytes) {
    this(engine, initialChurnModel, "", rewardWindow, timerGranularity, dlqMaxRawBytes);
  }

  /**
   * @param initialChurnModel, initialOfferModel URIs of manifests to serve from the start, or empty
   * @param rewardWindow how long after release outcomes and purchases count for a decision
   */
  public PolicyFunction(
      PolicyEngine engine,
      String initialChurnModel,
      String initialOfferModel,
      java.time.Duration rewardWindow,
      java.time.Duration timerGranularity,
      int dlqMaxRawBytes) {
    this.engine = engine;
    initialModels.put(ChurnModelPolicy.MODEL, initialChurnModel);
    initialModels.put(OfferModel.NAME, initialOfferModel);
    this.rewardWindowMs = rewardWindow.toMillis();
    this.timerGranularityMs = Math.max(1, timerGranularity.toMillis());
    this.dlqMaxRawBytes = dlqMaxRawBytes;
  }

  /**
   * The name of the outcomes topic as configured: an outcome that waited in state for the watermark
   * and then matched no decision is reported on the DLQ under it (partition and offset -1: they are
   * not kept while it waits).
   */
  public PolicyFunction withOutcomesTopic(String topic) {
    this.outcomesTopic = topic;
    return this;
  }

  /**
   * Where announced models may be read from and their largest size (see {@link ModelSlots.Limits}).
   */
  public PolicyFunction withModelLimits(List<String> allowedLocations, long maxBytes) {
    this.modelLimits = new ModelSlots.Limits(List.copyOf(allowedLocations), maxBytes);
    return this;
  }

  /** An items model (manifest URI) to serve from the start; empty: none until announced. */
  public PolicyFunction withItemsModel(String manifestUri) {
    initialModels.put(ItemSimilarity.NAME, manifestUri);
    return this;
  }

  /**
   * How many users' policy records each task keeps on the heap (see {@link PolicyStateStore}):
   * under {@link PolicyOperator} a user's next input then skips the RocksDB read; changed records
   * are written when evicted, {@code writeAfter} after the change a few per input (zero: not so)
   * and before checkpoint barriers. Size 0 turns it off.
   */
  public PolicyFunction withUserCache(int size, Duration writeAfter) {
    this.userCacheSize = size;
    this.cacheWriteAfterMs = writeAfter.toMillis();
    return this;
  }

  /** Called by {@link PolicyOperator} before open: the user cache is on, write-behind. */
  void writeBehind(KeyContext keys) {
    this.keys = keys;
  }

  /** Writes every cached user record changed since its last write (before a checkpoint barrier). */
  void writeCachedUsers() throws Exception {
    if (store != null) {
      store.writeCached();
    }
  }

  /** The most products the live catalog holds (see {@link CatalogState}). */
  public PolicyFunction withCatalogLimit(int maxEntries) {
    this.catalogMaxEntries = maxEntries;
    return this;
  }

  @Override
  public void open(OpenContext ctx) throws Exception {
    metrics = new PolicyMetrics(getRuntimeContext().getMetricGroup().addGroup("prescient"));
    store =
        PolicyStateStore.of(
            getRuntimeContext(), userCacheSize, metrics.group().counter("policyCacheHits"));
    if (keys != null) {
      store.writeBehind(keys, cacheWriteAfterMs);
    }
    core = new PolicyCore(engine, rewardWindowMs, timerGranularityMs, dlqMaxRawBytes);
    core.scanAlways(scanAlways);
    // Under PolicyOperator only: Flink's own operator (some tests) reads state as it is.
    store.historiesFollowRecord(keys != null && !scanAlways);
    core.outcomesTopic(outcomesTopic);
    models =
        new ModelSlots(
            metrics.group(),
            engine.settings().catalog().offers().stream().map(Offer::id).toList(),
            modelLimits);
    catalog = new CatalogState(catalogMaxEntries, metrics.group(), dlqMaxRawBytes);
    initialModels.forEach(models::serveInitial);
    fx = new PolicyEffects(metrics, models);
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
    store.newInput();
    fx.bind(ctx, out, in.receivedAt);
    models.catchUp(ctx.getBroadcastState(PolicyState.MODELS));
    if (in.kind == PolicyInput.Kind.OUTCOME) {
      core.onOutcome(in, ctx.timerService().currentWatermark(), store, fx);
      return;
    }
    // An input from the profile at event time t: everything of this user due before t is settled
    // first, as the watermark would have done had it passed already.
    core.settle(in.timestamp - 1, store, fx);
    switch (in.kind) {
      case CANDIDATE -> decide(in.candidate);
      case PURCHASE -> core.onPurchase(in, store);
      case OPT_OUT, OPT_IN, UNSUBSCRIBE -> core.onConsent(in, store);
      case ERASE -> core.erase(in, store, fx);
      default -> throw new IllegalStateException("unexpected " + in.kind);
    }
  }

  @Override
  public void processBroadcastElement(Envelope env, Context ctx, Collector<Decision> out)
      throws Exception {
    if (env.catalog != null) {
      Rejection refused = catalog.apply(env, ctx.getBroadcastState(PolicyState.CATALOG));
      // Every instance applies (and refuses) each broadcast record: one of them reports it.
      if (refused != null && getRuntimeContext().getTaskInfo().getIndexOfThisSubtask() == 0) {
        ctx.output(DLQ, refused);
      }
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
    store.newInput();
    fx.bind(ctx, out, 0);
    models.catchUp(ctx.getBroadcastState(PolicyState.MODELS));
    core.settle(timestamp, store, fx);
  }

  /** Scores a decision point with the served models, then lets the core decide it. */
  private void decide(DecisionCandidate c) throws Exception {
    Decision d = c.decision;
    if ("broad".equals(d.policy)) {
      fx.decision(d); // opted out: never scored, never held, never joined to feedback
      return;
    }
    Double churn = models.scoreChurn(d, c.features, metrics);
    core.decide(c, churn, models.offerScorer(), store, fx);
  }

  /** What the drift gauges read (null before the first churn score). */
  DriftMonitor drift() {
    return metrics.drift();
  }

  @Override
  public void close() throws Exception {
    if (models != null) {
      models.close();
    }
  }
}

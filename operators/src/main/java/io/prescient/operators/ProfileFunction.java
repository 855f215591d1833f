package io.prescient.operators;

import io.prescient.models.rules.BrowseAbandonmentRule;
import io.prescient.models.rules.CartAbandonmentRule;
import io.prescient.models.rules.LifecycleRule;
import io.prescient.models.rules.OnsiteRequestRule;
import io.prescient.state.contract.AuditRecord;
import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import io.prescient.state.contract.PrivacyType;
import io.prescient.state.contract.RejectReason;
import io.prescient.state.contract.Rejection;
import io.prescient.state.profile.ProfileUpdater;
import io.prescient.state.profile.RecentEventIds;
import io.prescient.state.profile.UserProfile;
import java.time.Duration;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.runtime.state.FunctionInitializationContext;
import org.apache.flink.runtime.state.FunctionSnapshotContext;
import org.apache.flink.streaming.api.checkpoint.CheckpointedFunction;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyContext;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The per-user profile operator: drops late and duplicate events to the DLQ, keeps the profile,
 * cart, browse session and order history in RocksDB ({@link ProfileStateStore}), applies privacy
 * requests the moment they arrive, and runs the cart, browse and lifecycle triggers ({@link
 * Triggers}), whose decision points go to the chained policy with the user's live features. It also
 * tells the policy of purchases and privacy requests, which held decisions are re-checked against,
 * and hands outcomes on untouched.
 */
public class ProfileFunction extends KeyedProcessFunction<String, Envelope, PolicyInput>
    implements CheckpointedFunction {
  private static final long serialVersionUID = 1L;

  /** Late and duplicate events, for the DLQ. */
  public static final OutputTag<Rejection> LATE = new OutputTag<>("late") {};

  public static final OutputTag<AuditRecord> AUDIT = new OutputTag<>("audit") {};

  private final CartAbandonmentRule rule;
  private final BrowseAbandonmentRule browseRule;
  private final LifecycleRule lifecycleRule;
  private final long allowedLatenessMs;
  private final long timerGranularityMs;
  private final Duration stateTtl;
  private final int dlqMaxRawBytes;
  private final ProfileUpdater.Settings settings;
  private long cacheWriteAfterMs;
  private int profileCacheSize = DEFAULT_PROFILE_CACHE;
  private long eraseSuppressionMs = DEFAULT_ERASE_SUPPRESSION.toMillis();
  private long requestValidForMs = Duration.ofDays(7).toMillis();

  /** How long an erased user stays erased by default (see {@link ErasedUsers}). */
  public static final Duration DEFAULT_ERASE_SUPPRESSION = Duration.ofDays(30);

  /** Users cached per task by default: about 64 MB of heap when full (RUNBOOK, "Profile cache"). */
  public static final int DEFAULT_PROFILE_CACHE = 16_384;

  private transient ProfileStateStore store;
  private transient ErasedUsers erasedUsers;
  private transient ProfilePrivacy privacy;
  private transient OnsiteRequestRule requestRule;
  private transient Counter erasedInputIgnored;
  private transient long lastWatermark = Long.MIN_VALUE;
  private transient Counter decisions;
  private transient Counter suppressed;
  private transient Counter late;
  private transient Counter duplicates;
  private transient Counter idsForgotten;
  private transient Counter erased;
  private transient Counter sensitiveIgnored;
  private transient Triggers triggers;
  private transient ProfileTriggerEnv triggerEnv;

  /** Set by {@link ProfileOperator} before open: the cache is write-behind. Null: write-through. */
  private transient KeyContext keys;

  private transient Histogram eventLatency;

  public ProfileFunction(
      CartAbandonmentRule rule,
      Duration allowedLateness,
      Duration timerGranularity,
      Duration stateTtl,
      int dlqMaxRawBytes,
      ProfileUpdater.Settings settings) {
    this(rule, null, null, allowedLateness, timerGranularity, stateTtl, dlqMaxRawBytes, settings);
  }

  /**
   * @param browseRule the browse-abandonment trigger, or null for none
   * @param lifecycleRule the post-purchase and win-back triggers, or null for none
   */
  public ProfileFunction(
      CartAbandonmentRule rule,
      BrowseAbandonmentRule browseRule,
      LifecycleRule lifecycleRule,
      Duration allowedLateness,
      Duration timerGranularity,
      Duration stateTtl,
      int dlqMaxRawBytes,
      ProfileUpdater.Settings settings) {
    this.rule = rule;
    this.browseRule = browseRule;
    this.lifecycleRule = lifecycleRule == null || !lifecycleRule.enabled() ? null : lifecycleRule;
    this.allowedLatenessMs = allowedLateness.toMillis();
    this.timerGranularityMs = Math.max(1, timerGranularity.toMillis());
    this.stateTtl = stateTtl;
    this.dlqMaxRawBytes = dlqMaxRawBytes;
    this.settings = settings;
  }

  /** How long an answer to a web tier's request is valid ({@code expires_at}). */
  public ProfileFunction withRequestValidity(Duration validFor) {
    this.requestValidForMs = validFor.toMillis();
    return this;
  }

  /**
   * How many users' profiles each task keeps on the heap (see {@link UserCache}): a user's next
   * input then skips the RocksDB read, and under {@link ProfileOperator} the write too; values
   * changed {@code writeAfter} ago are written a few per input ahead of the barrier (zero: only
   * when evicted and at barriers). Size 0 turns it off.
   */
  public ProfileFunction withProfileCache(int size, Duration writeAfter) {
    this.profileCacheSize = size;
    this.cacheWriteAfterMs = writeAfter.toMillis();
    return this;
  }

  /**
   * How long after an erase request the user's input is ignored (event time), unless they opt in
   * again; zero: a later event profiles the user anew.
   */
  public ProfileFunction withEraseSuppression(Duration lifetime) {
    this.eraseSuppressionMs = lifetime.toMillis();
    return this;
  }

  @Override
  public void initializeState(FunctionInitializationContext context) throws Exception {
    erasedUsers = ErasedUsers.restore(context.getOperatorStateStore(), eraseSuppressionMs);
  }

  @Override
  public void snapshotState(FunctionSnapshotContext context) throws Exception {
    erasedUsers.snapshot(lastWatermark);
  }

  @Override
  public void open(OpenContext ctx) {
    triggers = new Triggers(rule, browseRule, lifecycleRule, timerGranularityMs, settings);
    MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("prescient");
    decisions = group.counter("decisions");
    suppressed = group.counter("decisionsSuppressed");
    late = group.addGroup("reason", RejectReason.LATE_EVENT.code()).counter("dlq");
    duplicates = group.addGroup("reason", RejectReason.DUPLICATE_EVENT.code()).counter("dlq");
    erased = group.counter("usersErased");
    // Input of users erased within the suppression lifetime: dropped, leaving no state.
    erasedInputIgnored = group.counter("erasedUserInputIgnored");
    group.gauge("erasedUsersRemembered", () -> erasedUsers == null ? 0 : erasedUsers.size());
    // Event ids forgotten early: more than RecentEventIds.MAX ids of one user within the horizon.
    idsForgotten = group.counter("eventIdsForgotten");
    store =
        new ProfileStateStore(
            getRuntimeContext(), stateTtl, profileCacheSize, group.counter("profileCacheHits"));
    if (keys != null) {
      store.writeBehind(keys, cacheWriteAfterMs);
    }
    triggerEnv = new ProfileTriggerEnv(store, settings.affinityHalfLifeMs(), decisions, suppressed);
    privacy = new ProfilePrivacy(store, erasedUsers, eraseSuppressionMs);
    requestRule = new OnsiteRequestRule(requestValidForMs, settings.affinityHalfLifeMs());
    sensitiveIgnored = group.counter("sensitiveEventsIgnored");
    // Wall-clock milliseconds from the source reading an event to its profile update being done.
    eventLatency =
        group.histogram(
            "eventLatencyMs", new DescriptiveStatisticsHistogram(PolicyFunction.LATENCY_WINDOW));
  }

  @Override
  public void processElement(Envelope env, Context ctx, Collector<PolicyInput> out)
      throws Exception {
    // When the source read the record: handed on with what it causes, for latency.
    long receivedAt = env.receivedAt;
    String user = ctx.getCurrentKey();
    store.newInput();
    lastWatermark = ctx.timerService().currentWatermark();
    if (env.request != null) {
      // Answered from the state as it is, never changing it: an erased user gets the generic one.
      boolean erased = privacy.ignores(user, env.timestamp(), null);
      triggerEnv
          .bind(user, ctx.timerService(), out, receivedAt)
          .answer(env.request, requestRule, erased);
      return;
    }
    if (privacy.ignores(user, env.timestamp(), env.privacy)) {
      erasedInputIgnored.inc();
      if (env.privacy != null) {
        ctx.output(AUDIT, ProfilePrivacy.nothingStored(env.privacy));
      }
      return;
    }
    if (env.outcome != null) {
      // Outcomes share this keyed input so that every per-user input crosses the network once;
      // they are the policy's, joined there in event time.
      out.collect(PolicyInput.outcome(env));
      return;
    }
    if (env.privacy != null) {
      if (env.privacy.type == PrivacyType.ERASE) {
        erased.inc();
      }
      ctx.output(
          AUDIT,
          privacy.apply(user, env.privacy, at -> ctx.timerService().deleteEventTimeTimer(at)));
      PolicyInput signal = PolicyInput.privacy(env.privacy);
      signal.receivedAt = receivedAt;
      out.collect(signal);
      return;
    }
    Event e = env.event;
    long watermark = lastWatermark;
    if (watermark != Long.MIN_VALUE && e.timestamp + allowedLatenessMs < watermark) {
      late.inc();
      ctx.output(LATE, InputParser.late(env, watermark, allowedLatenessMs, dlqMaxRawBytes));
      return;
    }
    UserProfile p = store.profile(ctx.getCurrentKey());
    if (p == null) {
      p = ProfileStateStore.newProfile();
      store.newUser(user);
    } else {
      long firstSeenAt = p.recentEventIds.firstSeenAt(e.eventId);
      if (firstSeenAt != RecentEventIds.NONE) {
        duplicates.inc();
        ctx.output(LATE, InputParser.duplicate(env, firstSeenAt, dlqMaxRawBytes));
        return;
      }
    }
    if (watermark != Long.MIN_VALUE) {
      // Ids behind the lateness bound are not needed: a repeat would be rejected as late.
      p.recentEventIds.pruneBefore(watermark - allowedLatenessMs);
    }
    if (!p.recentEventIds.add(e.eventId, e.timestamp)) {
      idsForgotten.inc();
    }
    // The user's timers due before this event in event time decide now, in time order, on the
    // state as it was then, instead of after the event. Decisions then depend on the user's events
    // alone, not on when the watermark happened to pass a timer (replays match live runs).
    ProfileUpdater.Outcome outcome =
        triggers.onEvent(
            e, p, triggerEnv.bind(ctx.getCurrentKey(), ctx.timerService(), out, receivedAt));
    if (outcome == ProfileUpdater.Outcome.IGNORED_SENSITIVE) {
      sensitiveIgnored.inc();
    }
    store.write(ctx.getCurrentKey(), p);
    if (receivedAt > 0) {
      eventLatency.update(Math.max(0, System.currentTimeMillis() - receivedAt));
    }
    if (e.type == EventType.PURCHASE && outcome != ProfileUpdater.Outcome.IGNORED_SENSITIVE) {
      out.collect(PolicyInput.purchase(e, receivedAt));
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<PolicyInput> out)
      throws Exception {
    store.newInput();
    UserProfile p = store.profile(ctx.getCurrentKey());
    if (p == null) {
      return;
    }
    triggers.onTimer(
        timestamp, p, triggerEnv.bind(ctx.getCurrentKey(), ctx.timerService(), out, 0));
    store.write(ctx.getCurrentKey(), p);
  }

  /**
   * Called by {@link ProfileOperator} before open: profiles are written when evicted or flushed.
   */
  void writeBehind(KeyContext keys) {
    this.keys = keys;
  }

  /** Writes every cached profile changed since its last write (before a checkpoint barrier). */
  void writeCachedProfiles() throws Exception {
    if (store != null) {
      store.writeCached();
    }
  }
}

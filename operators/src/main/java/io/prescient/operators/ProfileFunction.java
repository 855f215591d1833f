package io.prescient.operators;

import io.prescient.models.rules.BrowseAbandonmentRule;
import io.prescient.models.rules.CartAbandonmentRule;
import io.prescient.models.rules.LifecycleRule;
import io.prescient.state.contract.AuditRecord;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import io.prescient.state.contract.InvalidRecordException;
import io.prescient.state.contract.PrivacyRequest;
import io.prescient.state.contract.PrivacyType;
import io.prescient.state.contract.RejectReason;
import io.prescient.state.contract.Rejection;
import io.prescient.state.features.FeatureSchema;
import io.prescient.state.json.OutputJson;
import io.prescient.state.profile.Affinity;
import io.prescient.state.profile.BrowseSession;
import io.prescient.state.profile.CartLine;
import io.prescient.state.profile.KeyedStore;
import io.prescient.state.profile.LifecycleState;
import io.prescient.state.profile.ProfileUpdater;
import io.prescient.state.profile.RecentEventIds;
import io.prescient.state.profile.UserProfile;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * The per-user profile operator: keeps the profile and the open cart in RocksDB, applies privacy
 * requests the moment they arrive, and emits a decision point when the cart-abandonment timer
 * fires, with the user's live features, for the policy operator. It also tells the policy operator
 * of purchases and privacy requests, which held decisions are re-checked against. One event-time
 * timer per user at most, rounded up to a granularity so bursts of cart changes coalesce.
 */
public class ProfileFunction extends KeyedProcessFunction<String, Envelope, PolicyInput> {
  private static final long serialVersionUID = 1L;

  /** Late and duplicate events, for the DLQ. */
  public static final OutputTag<Rejection> LATE = new OutputTag<>("late") {};

  private static final float[] NO_FEATURES = new float[0];
  public static final OutputTag<AuditRecord> AUDIT = new OutputTag<>("audit") {};

  private final CartAbandonmentRule rule;
  private final BrowseAbandonmentRule browseRule;
  private final LifecycleRule lifecycleRule;
  private final long allowedLatenessMs;
  private final long timerGranularityMs;
  private final Duration stateTtl;
  private final int dlqMaxRawBytes;
  private final ProfileUpdater.Settings settings;
  private int profileCacheSize = DEFAULT_PROFILE_CACHE;

  /** Profiles kept per task by default (see {@link ProfileCache}). */
  public static final int DEFAULT_PROFILE_CACHE = 1024;

  private transient ValueState<UserProfile> profileState;
  private transient ValueState<BrowseSession> browseState;
  private transient ValueState<LifecycleState> lifecycleState;
  private transient MapState<String, CartLine> cartState;
  // Before profile format 2 the event ids and affinities were map states of their own: still
  // registered, so that state restored from then is merged into the profile and erase clears it.
  private transient MapState<String, Long> legacyEventIds;
  private transient MapState<String, Affinity> legacyAffinities;
  private transient KeyedStore<CartLine> cart;
  private transient Counter decisions;
  private transient Counter suppressed;
  private transient Counter late;
  private transient Counter duplicates;
  private transient Counter idsForgotten;
  private transient Counter cacheHits;
  private transient Counter erased;
  private transient Counter sensitiveIgnored;
  private transient ProfileCache cache;
  private transient Triggers triggers;
  private transient Bound bound;

  /** Set by {@link ProfileOperator}: the cache is write-behind. Null: write-through. */
  private transient Keys keys;

  /** When the source read the record being processed (0 in a timer): handed on for latency. */
  private transient long receivedAt;

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

  /**
   * How many users' profiles each task keeps on the heap (see {@link ProfileCache}): a user's next
   * input then skips the RocksDB read, and under {@link ProfileOperator} the write too. 0 turns it
   * off.
   */
  public ProfileFunction withProfileCache(int size) {
    this.profileCacheSize = size;
    return this;
  }

  @Override
  public void open(OpenContext ctx) {
    profileState = getRuntimeContext().getState(ProfileState.profile(stateTtl));
    browseState = getRuntimeContext().getState(ProfileState.browse(stateTtl));
    lifecycleState = getRuntimeContext().getState(ProfileState.lifecycle(stateTtl));
    cartState = getRuntimeContext().getMapState(ProfileState.cart(stateTtl));
    cart = new MapStateStore<>(cartState);
    triggers = new Triggers(rule, browseRule, lifecycleRule, timerGranularityMs, settings);
    bound = new Bound();
    legacyEventIds = getRuntimeContext().getMapState(ProfileState.seenEventIds(stateTtl));
    legacyAffinities = getRuntimeContext().getMapState(ProfileState.affinities(stateTtl));
    MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("prescient");
    decisions = group.counter("decisions");
    suppressed = group.counter("decisionsSuppressed");
    late = group.addGroup("reason", RejectReason.LATE_EVENT.code()).counter("dlq");
    duplicates = group.addGroup("reason", RejectReason.DUPLICATE_EVENT.code()).counter("dlq");
    erased = group.counter("usersErased");
    // Event ids forgotten early: more than RecentEventIds.MAX ids of one user within the horizon.
    idsForgotten = group.counter("eventIdsForgotten");
    cacheHits = group.counter("profileCacheHits");
    cache =
        new ProfileCache(
            profileCacheSize, stateTtl == null || stateTtl.isNegative() ? 0 : stateTtl.toMillis());
    sensitiveIgnored = group.counter("sensitiveEventsIgnored");
    // Wall-clock milliseconds from the source reading an event to its profile update being done.
    eventLatency =
        group.histogram(
            "eventLatencyMs", new DescriptiveStatisticsHistogram(PolicyFunction.LATENCY_WINDOW));
  }

  @Override
  public void processElement(Envelope env, Context ctx, Collector<PolicyInput> out)
      throws Exception {
    receivedAt = env.receivedAt;
    if (env.outcome != null) {
      // Outcomes share this keyed input so that every per-user input crosses the network once;
      // they are the policy's, joined there in event time.
      out.collect(PolicyInput.outcome(env));
      return;
    }
    if (env.privacy != null) {
      onPrivacy(env.privacy, ctx);
      PolicyInput signal = signal(env.privacy);
      signal.receivedAt = receivedAt;
      out.collect(signal);
      return;
    }
    Event e = env.event;
    long watermark = ctx.timerService().currentWatermark();
    if (watermark != Long.MIN_VALUE && e.timestamp + allowedLatenessMs < watermark) {
      late.inc();
      ctx.output(LATE, rejection(env, RejectReason.LATE_EVENT, lateDetail(e, watermark)));
      return;
    }
    UserProfile p = profile(ctx.getCurrentKey());
    if (p == null) {
      p = newProfile();
    } else {
      long firstSeenAt = p.recentEventIds.firstSeenAt(e.eventId);
      if (firstSeenAt != RecentEventIds.NONE) {
        duplicates.inc();
        ctx.output(
            LATE,
            rejection(
                env,
                RejectReason.DUPLICATE_EVENT,
                "event_id '"
                    + e.eventId
                    + "' was already processed (event time "
                    + Instant.ofEpochMilli(firstSeenAt)
                    + "); raw is the parsed event re-encoded"));
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
    ProfileUpdater.Outcome outcome = triggers.onEvent(e, p, bound.bind(ctx, out));
    if (outcome == ProfileUpdater.Outcome.IGNORED_SENSITIVE) {
      sensitiveIgnored.inc();
    }
    writeProfile(ctx.getCurrentKey(), p);
    if (receivedAt > 0) {
      eventLatency.update(Math.max(0, System.currentTimeMillis() - receivedAt));
    }
    if (e.type == EventType.PURCHASE && outcome != ProfileUpdater.Outcome.IGNORED_SENSITIVE) {
      // Held decisions are cancelled by it, open ones converted: the policy needs to know.
      PolicyInput purchase = PolicyInput.signal(PolicyInput.Kind.PURCHASE, e.userId, e.timestamp);
      purchase.value = (e.price == null ? 0 : e.price) * (e.quantity == null ? 1 : e.quantity);
      purchase.receivedAt = receivedAt;
      out.collect(purchase);
    }
  }

  @Override
  public void onTimer(long timestamp, OnTimerContext ctx, Collector<PolicyInput> out)
      throws Exception {
    receivedAt = 0; // no record caused it
    UserProfile p = profile(ctx.getCurrentKey());
    if (p == null) {
      return;
    }
    triggers.onTimer(timestamp, p, bound.bind(ctx, out));
    writeProfile(ctx.getCurrentKey(), p);
  }

  /** The current input's state, timers and outputs, as the triggers' environment. */
  private final class Bound implements Triggers.Env {
    private Context ctx;
    private Collector<PolicyInput> out;

    Bound bind(Context ctx, Collector<PolicyInput> out) {
      this.ctx = ctx;
      this.out = out;
      return this;
    }

    @Override
    public String user() {
      return ctx.getCurrentKey();
    }

    @Override
    public KeyedStore<CartLine> cart() {
      return cart;
    }

    @Override
    public BrowseSession browse() throws Exception {
      return browseState.value();
    }

    @Override
    public void putBrowse(BrowseSession s) throws Exception {
      browseState.update(s);
    }

    @Override
    public LifecycleState lifecycle() throws Exception {
      return lifecycleState.value();
    }

    @Override
    public void putLifecycle(LifecycleState s) throws Exception {
      lifecycleState.update(s);
    }

    @Override
    public void registerTimer(long at) {
      ctx.timerService().registerEventTimeTimer(at);
    }

    @Override
    public void deleteTimer(long at) {
      ctx.timerService().deleteEventTimeTimer(at);
    }

    @Override
    public void emit(Decision d, UserProfile p, long at, double orderValue) throws Exception {
      decisions.inc();
      float[] features =
          FeatureSchema.extract(
              FeatureSchema.Inputs.of(p, cart, at, settings.affinityHalfLifeMs()));
      PolicyInput in =
          PolicyInput.candidate(new DecisionCandidate(d, features, p.events, orderValue));
      in.receivedAt = receivedAt;
      out.collect(in);
    }

    @Override
    public void emitBroad(Decision d) {
      decisions.inc();
      PolicyInput in = PolicyInput.candidate(new DecisionCandidate(d, NO_FEATURES));
      in.receivedAt = receivedAt;
      out.collect(in);
    }

    @Override
    public void suppressed() {
      suppressed.inc();
    }
  }

  /** The privacy request as the policy operator needs it (held decisions, open feedback). */
  private static PolicyInput signal(PrivacyRequest r) {
    PolicyInput.Kind kind =
        switch (r.type) {
          case OPT_OUT -> PolicyInput.Kind.OPT_OUT;
          case OPT_IN -> PolicyInput.Kind.OPT_IN;
          case UNSUBSCRIBE -> PolicyInput.Kind.UNSUBSCRIBE;
          case ERASE -> PolicyInput.Kind.ERASE;
        };
    PolicyInput in = PolicyInput.signal(kind, r.userId, r.timestamp);
    if (r.channels != null) {
      in.channels.addAll(r.channels);
    }
    return in;
  }

  private void onPrivacy(PrivacyRequest r, Context ctx) throws Exception {
    AuditRecord receipt = new AuditRecord();
    receipt.userId = r.userId;
    receipt.request = r.type.wireName();
    receipt.requestedAt = r.timestamp;
    UserProfile p = profile(ctx.getCurrentKey());
    if (r.type == PrivacyType.ERASE) {
      if (p != null) {
        receipt.effects.add("profile");
        if (p.pendingTimer != 0) {
          ctx.timerService().deleteEventTimeTimer(p.pendingTimer);
          receipt.effects.add("timers:1");
        }
      }
      int lines = 0;
      for (Map.Entry<String, CartLine> ignored : cart.entries()) {
        lines++;
      }
      if (lines > 0) {
        receipt.effects.add("cart:" + lines + " products");
      }
      int ids = p == null ? 0 : p.recentEventIds.size();
      if (ids > 0) {
        receipt.effects.add("event ids:" + ids);
      }
      int categories = p == null ? 0 : p.affinityScores.size();
      if (categories > 0) {
        receipt.effects.add("affinities:" + categories);
      }
      BrowseSession browse = browseState.value();
      if (browse != null) {
        receipt.effects.add("browse session");
        if (browse.pendingTimer != 0) {
          ctx.timerService().deleteEventTimeTimer(browse.pendingTimer);
          receipt.effects.add("browse timer:1");
        }
      }
      browseState.clear();
      LifecycleState life = lifecycleState.value();
      if (life != null) {
        receipt.effects.add("order history");
        if (life.pendingTimer != 0) {
          ctx.timerService().deleteEventTimeTimer(life.pendingTimer);
          receipt.effects.add("lifecycle timer:1");
        }
      }
      lifecycleState.clear();
      profileState.clear();
      cache.remove(ctx.getCurrentKey());
      cart.clear();
      legacyEventIds.clear(); // empty once merged into the profile; cleared in any case
      legacyAffinities.clear();
      if (receipt.effects.isEmpty()) {
        receipt.effects.add("nothing stored");
      }
      erased.inc();
    } else {
      if (p == null) {
        p = newProfile();
      }
      receipt.effects.addAll(ProfileUpdater.applyConsent(p, r));
      writeProfile(ctx.getCurrentKey(), p);
    }
    ctx.output(AUDIT, receipt);
  }

  /** A new user's profile: it holds its affinities and event ids itself. */
  private static UserProfile newProfile() {
    UserProfile p = new UserProfile();
    p.mapsMerged = true;
    return p;
  }

  /**
   * The user's profile, or null for a new user. A profile restored from state written before
   * profile format 2 gets the affinities and event ids kept then in their own map states merged in,
   * once: the maps are cleared and the profile written at once.
   */
  private UserProfile profile(String user) throws Exception {
    UserProfile p = cache.get(user, System.currentTimeMillis());
    if (p != null) {
      cacheHits.inc();
      return p; // cached profiles are merged: they were written since the restore
    }
    p = profileState.value();
    if (p != null && ProfileState.mergeLegacyMaps(p, legacyAffinities, legacyEventIds)) {
      legacyAffinities.clear();
      legacyEventIds.clear();
      writeProfile(user, p);
    }
    return p;
  }

  /**
   * Keeps the profile as the user's latest: in the cache only under write-behind (see {@link
   * ProfileOperator}), written to state at once otherwise. A dirty profile the cache evicts is
   * written now, under its own user's key.
   */
  private void writeProfile(String user, UserProfile p) throws Exception {
    boolean behind = keys != null && cache.enabled();
    if (!behind) {
      profileState.update(p);
    }
    ProfileCache.Unwritten evicted = cache.put(user, p, System.currentTimeMillis(), behind);
    if (evicted != null) {
      writeUnder(evicted);
      keys.set(user);
    }
  }

  private void writeUnder(ProfileCache.Unwritten u) throws Exception {
    keys.set(u.user());
    profileState.update(u.profile());
  }

  /** How {@link ProfileOperator} lets the function write another user's profile. */
  interface Keys {
    Object current();

    void set(Object key);
  }

  /**
   * Called by {@link ProfileOperator} before open: profiles are written when evicted or flushed.
   */
  void writeBehind(Keys keys) {
    this.keys = keys;
  }

  /** Writes every cached profile changed since its last write (before a checkpoint barrier). */
  void writeCachedProfiles() throws Exception {
    if (keys == null || cache == null) {
      return;
    }
    List<ProfileCache.Unwritten> dirty = cache.takeDirty();
    if (dirty.isEmpty()) {
      return;
    }
    Object current = keys.current();
    for (ProfileCache.Unwritten u : dirty) {
      writeUnder(u);
    }
    if (current != null) {
      keys.set(current);
    }
  }

  private String lateDetail(Event e, long watermark) {
    return "event time "
        + Instant.ofEpochMilli(e.timestamp)
        + " is "
        + (watermark - e.timestamp)
        + " ms behind the watermark "
        + Instant.ofEpochMilli(watermark)
        + " (allowed lateness "
        + allowedLatenessMs
        + " ms); raw is the parsed event re-encoded";
  }

  private Rejection rejection(Envelope env, RejectReason reason, String detail) {
    return InputParser.rejection(
        new InvalidRecordException(reason, detail),
        OutputJson.event(env.event),
        env.sourceTopic,
        env.partition,
        env.offset,
        -1,
        dlqMaxRawBytes);
  }
}

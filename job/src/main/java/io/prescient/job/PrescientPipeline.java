package io.prescient.job;

import io.prescient.models.policy.Arms;
import io.prescient.models.policy.FrequencyCaps;
import io.prescient.models.policy.Guardrails;
import io.prescient.models.policy.OfferCatalog;
import io.prescient.models.policy.PolicyEngine;
import io.prescient.models.rules.BrowseAbandonmentRule;
import io.prescient.models.rules.CartAbandonmentRule;
import io.prescient.models.rules.LifecycleRule;
import io.prescient.operators.Envelope;
import io.prescient.operators.InputWatermarks;
import io.prescient.operators.PolicyFunction;
import io.prescient.operators.PolicyInput;
import io.prescient.operators.PolicyOperator;
import io.prescient.operators.ProfileFunction;
import io.prescient.operators.ProfileOperator;
import io.prescient.operators.RouteFunction;
import io.prescient.state.contract.AuditRecord;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.Rejection;
import io.prescient.state.profile.ProfileUpdater;
import io.prescient.state.profile.SensitiveCategories;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.DataStreamUtils;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.TimeUtils;

/**
 * The one place that knows the topology.
 *
 * <pre>
 * events   --(parse, watermarks)--+
 * privacy  --(parse, idle)--------+--> route ----------+
 * outcomes --(parse, watermarks)--> route-outcomes ----+--keyBy(user)--> profile ==> policy --> decisions
 * requests --(parse, watermarks)--> route-requests ----+                  ^   |        |  +--> feedback
 *                                                                         |   |        |  +--> responses
 * models  --(parse, idle)--> route-models --+                             |   |        +-----> audit, dlq
 * catalog --(parse, idle)--> route-catalog -+------------- broadcast -----+   +--> dlq, audit
 * </pre>
 *
 * One network exchange per user input (the keyBy). {@code ==>} is a chained, forward edge: the
 * policy runs in the profile's task, on the same key groups, and models and catalog entries reach
 * it through the profile operator ({@link ProfileOperator}, {@link PolicyOperator}).
 *
 * <p>Operator uids are constants: they are the savepoint contract, never rename one.
 */
public final class PrescientPipeline {
  private PrescientPipeline() {}

  public static final String UID_SOURCE_EVENTS = "source-events";
  public static final String UID_SOURCE_PRIVACY = "source-privacy";
  public static final String UID_ROUTE = "route";
  public static final String UID_SOURCE_MODELS = "source-models";
  public static final String UID_ROUTE_MODELS = "route-models";
  public static final String UID_ANNOUNCEMENTS = "model-announcements";
  public static final String UID_PROFILE = "profile";

  /**
   * The name of the per-user operator, and so of its task (the policy is chained behind it): its
   * threads are named after it.
   */
  public static final String PROFILE_NAME = "profile + triggers";

  public static final String UID_POLICY = "policy";
  public static final String UID_SOURCE_OUTCOMES = "source-outcomes";
  public static final String UID_ROUTE_OUTCOMES = "route-outcomes";
  public static final String UID_SOURCE_CATALOG = "source-catalog";
  public static final String UID_ROUTE_CATALOG = "route-catalog";
  public static final String UID_SINK_FEEDBACK = "sink-feedback";
  public static final String UID_SINK_DECISIONS = "sink-decisions";
  public static final String UID_SINK_DLQ = "sink-dlq";
  public static final String UID_SINK_AUDIT = "sink-audit";
  public static final String UID_SOURCE_REQUESTS = "source-requests";
  public static final String UID_ROUTE_REQUESTS = "route-requests";
  public static final String UID_SINK_RESPONSES = "sink-responses";

  /** How the profile treats events, from the options. */
  public static ProfileUpdater.Settings profileSettings(Configuration options) {
    return new ProfileUpdater.Settings(
        new SensitiveCategories(options.get(PrescientOptions.SENSITIVE_CATEGORIES)),
        options.get(PrescientOptions.AFFINITY_HALF_LIFE).toMillis(),
        options.get(PrescientOptions.SESSION_GAP).toMillis(),
        options.get(PrescientOptions.MAX_AFFINITIES));
  }

  /** The browse-abandonment trigger from the options, or null when it is off. */
  static BrowseAbandonmentRule browseRule(Configuration options) {
    int minViews = options.get(PrescientOptions.BROWSE_MIN_VIEWS);
    return minViews <= 0
        ? null
        : new BrowseAbandonmentRule(
            options.get(PrescientOptions.BROWSE_ABANDON_AFTER).toMillis(),
            options.get(PrescientOptions.SESSION_GAP).toMillis(),
            minViews,
            options.get(PrescientOptions.DECISION_VALID_FOR).toMillis());
  }

  /**
   * The per-trigger creepiness delays of {@code trigger:duration[,trigger:duration...]}, in ms.
   *
   * @throws IllegalArgumentException for a part that is not trigger:duration, an unknown trigger or
   *     a negative duration
   */
  static Map<String, Long> delaysByTrigger(String spec) {
    Map<String, Long> delays = new HashMap<>();
    if (spec.isBlank()) {
      return delays;
    }
    for (String part : spec.split(",")) {
      String[] kv = part.trim().split(":", 2);
      if (kv.length != 2 || !OfferCatalog.TRIGGERS.contains(kv[0].trim())) {
        throw new IllegalArgumentException("'" + part.trim() + "' is not trigger:duration");
      }
      java.time.Duration d = TimeUtils.parseDuration(kv[1].trim());
      if (d.isNegative()) {
        throw new IllegalArgumentException("'" + part.trim() + "' has a negative duration");
      }
      delays.put(kv[0].trim(), d.toMillis());
    }
    return delays;
  }

  /** The decision policy, from the options; a bad offer catalog or cap spec fails here. */
  public static PolicyEngine policyEngine(Configuration options) {
    Map<String, Long> delays =
        delaysByTrigger(options.get(PrescientOptions.POLICY_DELAY_BY_TRIGGER));
    Guardrails guardrails =
        new Guardrails(
            new Guardrails.Settings(
                FrequencyCaps.parse(options.get(PrescientOptions.POLICY_CAPS)),
                options.get(PrescientOptions.POLICY_MARGIN_FLOOR),
                options.get(PrescientOptions.POLICY_SHOWN_LIMIT),
                options.get(PrescientOptions.POLICY_SHOWN_WINDOW).toMillis(),
                options.get(PrescientOptions.POLICY_MIN_HISTORY),
                options.get(PrescientOptions.POLICY_DEFAULT_MARGIN),
                new SensitiveCategories(options.get(PrescientOptions.SENSITIVE_CATEGORIES))));
    return new PolicyEngine(
        new PolicyEngine.Settings(
            OfferCatalog.load(options.get(PrescientOptions.POLICY_OFFERS)),
            new Arms(
                options.get(PrescientOptions.POLICY_EXPERIMENT),
                options.get(PrescientOptions.POLICY_CONTROL_SHARE),
                options.get(PrescientOptions.POLICY_RULES_SHARE)),
            options.get(PrescientOptions.POLICY_EPSILON),
            options.get(PrescientOptions.CHURN_HIGH_RISK),
            options.get(PrescientOptions.POLICY_WITHOUT_OFFER_MODEL),
            delays,
            options.get(PrescientOptions.POLICY_DELAY).toMillis(),
            options.get(PrescientOptions.DECISION_VALID_FOR).toMillis(),
            options.get(PrescientOptions.POLICY_DEFAULT_ORDER_VALUE),
            options.get(PrescientOptions.POLICY_UNSURE_SPREAD)),
        guardrails);
  }

  /** The profile and trigger function from the options. */
  public static ProfileFunction profileFunction(Configuration options) {
    CartAbandonmentRule rule =
        new CartAbandonmentRule(
            options.get(PrescientOptions.CART_ABANDON_AFTER).toMillis(),
            options.get(PrescientOptions.DECISION_VALID_FOR).toMillis(),
            options.get(PrescientOptions.OPT_OUT_DECISIONS)
                == PrescientOptions.OptOutDecisions.BROAD);
    return new ProfileFunction(
            rule,
            browseRule(options),
            new LifecycleRule(
                options.get(PrescientOptions.FOLLOW_UP_AFTER).toMillis(),
                options.get(PrescientOptions.WIN_BACK_AFTER).toMillis(),
                options.get(PrescientOptions.DECISION_VALID_FOR).toMillis()),
            options.get(PrescientOptions.ALLOWED_LATENESS),
            options.get(PrescientOptions.TIMER_GRANULARITY),
            options.get(PrescientOptions.STATE_TTL),
            (int) options.get(PrescientOptions.DLQ_MAX_RAW_SIZE).getBytes(),
            profileSettings(options))
        .withProfileCache(options.get(PrescientOptions.PROFILE_CACHE), cacheWriteAfter(options))
        .withRequestValidity(options.get(PrescientOptions.DECISION_VALID_FOR))
        .withEraseSuppression(options.get(PrescientOptions.ERASE_SUPPRESSION));
  }

  /**
   * How long cached values wait before they are written ahead of the next barrier: without
   * checkpoints there is no barrier to spare, so never.
   */
  static Duration cacheWriteAfter(Configuration options) {
    return options.get(PrescientOptions.CHECKPOINT_INTERVAL).isZero()
        ? Duration.ZERO
        : options.get(PrescientOptions.CACHE_WRITE_AFTER);
  }

  /** The policy function from the options. */
  public static PolicyFunction policyFunction(Configuration options) {
    return new PolicyFunction(
            policyEngine(options),
            options.get(PrescientOptions.MODEL_CHURN),
            options.get(PrescientOptions.MODEL_OFFERS),
            options.get(PrescientOptions.REWARD_WINDOW),
            options.get(PrescientOptions.TIMER_GRANULARITY),
            (int) options.get(PrescientOptions.DLQ_MAX_RAW_SIZE).getBytes())
        .withOutcomesTopic(options.get(PrescientOptions.TOPIC_OUTCOMES))
        .withModelLimits(
            options.get(PrescientOptions.MODEL_ALLOWED_LOCATIONS),
            options.get(PrescientOptions.MODEL_MAX_SIZE).getBytes())
        .withCatalogLimit(options.get(PrescientOptions.CATALOG_MAX_ENTRIES))
        .withUserCache(options.get(PrescientOptions.POLICY_CACHE), cacheWriteAfter(options))
        .withItemsModel(options.get(PrescientOptions.MODEL_ITEMS));
  }

  /**
   * The policy's key: the user, as the profile's input was keyed ({@link Envelope#userId}), so the
   * key groups match. Control inputs have no user and set no key ({@link PolicyOperator}).
   */
  static String policyKey(PolicyInput in) {
    return in.userId;
  }

  /** Builds the topology on {@code env}; returns the decision stream. */
  public static DataStream<Decision> build(
      StreamExecutionEnvironment env, PipelineIO io, Configuration options) {
    DataStream<Envelope> events =
        env.fromSource(
                io.events(),
                InputWatermarks.events(
                    options.get(PrescientOptions.OUT_OF_ORDERNESS),
                    options.get(PrescientOptions.IDLENESS),
                    options.get(PrescientOptions.WATERMARK_PER_EVENT)),
                "events source")
            .uid(UID_SOURCE_EVENTS);
    DataStream<Envelope> privacy =
        env.fromSource(
                io.privacy(),
                InputWatermarks.control(options.get(PrescientOptions.BOUNDED)),
                "privacy source")
            .uid(UID_SOURCE_PRIVACY);

    SingleOutputStreamOperator<Envelope> valid =
        events
            .union(privacy)
            .process(new RouteFunction())
            .uid(UID_ROUTE)
            .name("parse, validate, route");

    SingleOutputStreamOperator<Envelope> outcomes = null;
    DataStream<Envelope> perUser = valid;
    if (io.outcomes() != null) {
      outcomes =
          env.fromSource(
                  io.outcomes(),
                  InputWatermarks.events(
                      options.get(PrescientOptions.OUT_OF_ORDERNESS),
                      options.get(PrescientOptions.IDLENESS),
                      options.get(PrescientOptions.WATERMARK_PER_EVENT)),
                  "outcomes source")
              .uid(UID_SOURCE_OUTCOMES)
              .process(new RouteFunction())
              .uid(UID_ROUTE_OUTCOMES)
              .name("parse, validate, route outcomes");
      perUser = valid.union(outcomes);
    }
    SingleOutputStreamOperator<Envelope> requests = null;
    if (io.requests() != null) {
      requests =
          env.fromSource(
                  io.requests(),
                  InputWatermarks.events(
                      options.get(PrescientOptions.OUT_OF_ORDERNESS),
                      options.get(PrescientOptions.IDLENESS),
                      options.get(PrescientOptions.WATERMARK_PER_EVENT)),
                  "requests source")
              .uid(UID_SOURCE_REQUESTS)
              .process(new RouteFunction())
              .uid(UID_ROUTE_REQUESTS)
              .name("parse, validate, route requests");
      perUser = perUser.union(requests);
    }

    SingleOutputStreamOperator<Envelope> models =
        env.fromSource(
                io.models(),
                InputWatermarks.control(options.get(PrescientOptions.BOUNDED)),
                "models source")
            .uid(UID_SOURCE_MODELS)
            .process(new RouteFunction())
            .uid(UID_ROUTE_MODELS)
            .name("parse, validate, route models");
    DataStream<Envelope> control = models;
    SingleOutputStreamOperator<Envelope> catalog = null;
    if (io.catalog() != null) {
      catalog =
          env.fromSource(
                  io.catalog(),
                  InputWatermarks.control(options.get(PrescientOptions.BOUNDED)),
                  "catalog source")
              .uid(UID_SOURCE_CATALOG)
              .process(new RouteFunction())
              .uid(UID_ROUTE_CATALOG)
              .name("parse, validate, route catalog");
      control = models.union(catalog);
    }

    // The one network exchange of a user's inputs: events, privacy requests and outcomes are keyed
    // by user here, once. Models and the catalog are broadcast to the same operator, which hands
    // them on; the policy is chained behind the profile in the same task (a forward edge, same key
    // groups, so the stream is reinterpreted as keyed without a second exchange).
    SingleOutputStreamOperator<PolicyInput> profiled =
        perUser
            .keyBy(Envelope::userId)
            .connect(control.broadcast())
            .transform(
                PROFILE_NAME,
                TypeInformation.of(PolicyInput.class),
                new ProfileOperator(profileFunction(options)))
            .uid(UID_PROFILE)
            .name(PROFILE_NAME);

    SingleOutputStreamOperator<Decision> decisions =
        DataStreamUtils.reinterpretAsKeyedStream(profiled, PrescientPipeline::policyKey)
            .transform(
                "policy: score, guardrails, arms, delay, feedback",
                TypeInformation.of(Decision.class),
                new PolicyOperator(policyFunction(options)))
            .uid(UID_POLICY)
            .name("policy: score, guardrails, arms, delay, feedback");

    DataStream<Rejection> dlq =
        valid
            .getSideOutput(RouteFunction.DLQ)
            .union(
                profiled.getSideOutput(ProfileFunction.LATE),
                models.getSideOutput(RouteFunction.DLQ),
                decisions.getSideOutput(PolicyFunction.DLQ));
    if (outcomes != null) {
      dlq = dlq.union(outcomes.getSideOutput(RouteFunction.DLQ));
    }
    if (catalog != null) {
      dlq = dlq.union(catalog.getSideOutput(RouteFunction.DLQ));
    }
    if (requests != null) {
      dlq = dlq.union(requests.getSideOutput(RouteFunction.DLQ));
      decisions
          .getSideOutput(PolicyFunction.RESPONSES)
          .sinkTo(io.responses())
          .uid(UID_SINK_RESPONSES)
          .name("responses sink");
    }
    DataStream<AuditRecord> audit =
        profiled
            .getSideOutput(ProfileFunction.AUDIT)
            .union(decisions.getSideOutput(PolicyFunction.AUDIT));

    decisions.sinkTo(io.decisions()).uid(UID_SINK_DECISIONS).name("decisions sink");
    dlq.sinkTo(io.dlq()).uid(UID_SINK_DLQ).name("dlq sink");
    audit.sinkTo(io.audit()).uid(UID_SINK_AUDIT).name("audit sink");
    if (io.feedback() != null) {
      decisions
          .getSideOutput(PolicyFunction.FEEDBACK)
          .sinkTo(io.feedback())
          .uid(UID_SINK_FEEDBACK)
          .name("feedback sink");
    }
    return decisions;
  }
}

package io.prescient.job;

import io.prescient.models.rules.CartAbandonmentRule;
import io.prescient.operators.DecisionCandidate;
import io.prescient.operators.Envelope;
import io.prescient.operators.InputWatermarks;
import io.prescient.operators.ProfileFunction;
import io.prescient.operators.RouteFunction;
import io.prescient.operators.ScoreFunction;
import io.prescient.state.contract.AuditRecord;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.ModelAnnouncement;
import io.prescient.state.contract.Rejection;
import io.prescient.state.profile.ProfileUpdater;
import io.prescient.state.profile.SensitiveCategories;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.datastream.BroadcastStream;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.SingleOutputStreamOperator;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The one place that knows the topology.
 *
 * <pre>
 * events  --(parse, watermarks)--+
 *                                 +--> route --keyBy(user)--> profile --> score --> decisions
 * privacy --(parse, idle)--------+       |                       |           ^  |--> audit
 *                                        +--> dlq <--------------+           |     (model loads)
 * models  --(parse, idle)--> route -------+----------- broadcast ------------+
 * </pre>
 *
 * Operator uids are constants: they are the savepoint contract, never rename one.
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
  public static final String UID_SCORE = "score";
  public static final String UID_SINK_DECISIONS = "sink-decisions";
  public static final String UID_SINK_DLQ = "sink-dlq";
  public static final String UID_SINK_AUDIT = "sink-audit";

  /** How the profile treats events, from the options. */
  public static ProfileUpdater.Settings profileSettings(Configuration options) {
    return new ProfileUpdater.Settings(
        new SensitiveCategories(options.get(PrescientOptions.SENSITIVE_CATEGORIES)),
        options.get(PrescientOptions.AFFINITY_HALF_LIFE).toMillis(),
        options.get(PrescientOptions.SESSION_GAP).toMillis(),
        options.get(PrescientOptions.MAX_AFFINITIES));
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

    CartAbandonmentRule rule =
        new CartAbandonmentRule(
            options.get(PrescientOptions.CART_ABANDON_AFTER).toMillis(),
            options.get(PrescientOptions.DECISION_VALID_FOR).toMillis(),
            options.get(PrescientOptions.OPT_OUT_DECISIONS)
                == PrescientOptions.OptOutDecisions.BROAD);
    SingleOutputStreamOperator<DecisionCandidate> candidates =
        valid
            .keyBy(Envelope::userId)
            .process(
                new ProfileFunction(
                    rule,
                    options.get(PrescientOptions.ALLOWED_LATENESS),
                    options.get(PrescientOptions.TIMER_GRANULARITY),
                    options.get(PrescientOptions.STATE_TTL),
                    (int) options.get(PrescientOptions.DLQ_MAX_RAW_SIZE).getBytes(),
                    profileSettings(options)))
            .uid(UID_PROFILE)
            .name("profile + rules policy");

    SingleOutputStreamOperator<Envelope> models =
        env.fromSource(
                io.models(),
                InputWatermarks.control(options.get(PrescientOptions.BOUNDED)),
                "models source")
            .uid(UID_SOURCE_MODELS)
            .process(new RouteFunction())
            .uid(UID_ROUTE_MODELS)
            .name("parse, validate, route models");
    BroadcastStream<ModelAnnouncement> announcements =
        models
            .map(e -> e.model)
            .returns(ModelAnnouncement.class)
            .uid(UID_ANNOUNCEMENTS)
            .name("model announcements")
            .broadcast(ScoreFunction.MODELS);
    SingleOutputStreamOperator<Decision> decisions =
        candidates
            .connect(announcements)
            .process(
                new ScoreFunction(
                    options.get(PrescientOptions.MODEL_CHURN),
                    options.get(PrescientOptions.CHURN_HIGH_RISK)))
            .uid(UID_SCORE)
            .name("score (churn model, live swap)");

    DataStream<Rejection> dlq =
        valid
            .getSideOutput(RouteFunction.DLQ)
            .union(
                candidates.getSideOutput(ProfileFunction.LATE),
                models.getSideOutput(RouteFunction.DLQ));
    DataStream<AuditRecord> audit =
        candidates
            .getSideOutput(ProfileFunction.AUDIT)
            .union(decisions.getSideOutput(ScoreFunction.MODEL_AUDIT));

    decisions.sinkTo(io.decisions()).uid(UID_SINK_DECISIONS).name("decisions sink");
    dlq.sinkTo(io.dlq()).uid(UID_SINK_DLQ).name("dlq sink");
    audit.sinkTo(io.audit()).uid(UID_SINK_AUDIT).name("audit sink");
    return decisions;
  }
}

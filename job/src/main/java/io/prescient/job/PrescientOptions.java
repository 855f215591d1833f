package io.prescient.job;

import static org.apache.flink.configuration.ConfigOptions.key;

import io.prescient.models.policy.PolicyEngine;
import io.prescient.operators.PolicyFunction;
import io.prescient.operators.ProfileFunction;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.MemorySize;
import org.apache.flink.configuration.description.HtmlFormatter;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * Every Prescient option, typed, with its default and description. The configuration table of
 * docs/configuration.md is generated from this class ({@link #markdownTable()}) and a test keeps
 * them in sync.
 */
public final class PrescientOptions {
  private PrescientOptions() {}

  /** Where the Kafka source starts when the consumer group has no committed offset. */
  public enum StartingOffsets {
    EARLIEST,
    LATEST,
    COMMITTED
  }

  public static final ConfigOption<String> BOOTSTRAP_SERVERS =
      key("prescient.kafka.bootstrap-servers")
          .stringType()
          .defaultValue("localhost:9092")
          .withDescription("Kafka bootstrap servers of every topic the job reads and writes.");

  public static final ConfigOption<String> GROUP_ID =
      key("prescient.kafka.group-id")
          .stringType()
          .defaultValue("prescient")
          .withDescription("Consumer group of the sources; offsets are committed on checkpoints.");

  public static final ConfigOption<Duration> KAFKA_CHECK_TIMEOUT =
      key("prescient.kafka.check-timeout")
          .durationType()
          .defaultValue(Duration.ofSeconds(30))
          .withDescription(
              "Before the job is submitted, how long to wait for the brokers to answer and to"
                  + " list the topics; an unreachable broker, failed authentication or a missing"
                  + " topic then stops the start with one line. 0 skips the check. Security and"
                  + " other Kafka client settings are given as"
                  + " prescient.kafka.properties.<name> (for example"
                  + " prescient.kafka.properties.security.protocol: SASL_SSL) and reach every"
                  + " source, sink and admin client; a bare Kafka client key is refused.");

  public static final ConfigOption<Duration> EVENTS_FETCH_WAIT =
      key("prescient.kafka.events-fetch-wait")
          .durationType()
          .defaultValue(Duration.ofMillis(10))
          .withDescription(
              "How long the events source lets the broker gather records for one fetch"
                  + " (fetch.max.wait.ms, with fetch.min.bytes 64 KiB): each fetch then carries"
                  + " tens of events instead of one or two, which halves the broker's and the"
                  + " fetchers' CPU at high rates, for at most this much added latency. 0: fetch"
                  + " as soon as anything arrives. The other sources, idle most of the time, keep"
                  + " Kafka's defaults; a prescient.kafka.properties.fetch.* setting overrides"
                  + " this on every source.");

  public static final ConfigOption<StartingOffsets> STARTING_OFFSETS =
      key("prescient.kafka.starting-offsets")
          .enumType(StartingOffsets.class)
          .defaultValue(StartingOffsets.COMMITTED)
          .withDescription(
              "Where to start without a checkpoint: EARLIEST, LATEST, or COMMITTED (the group's"
                  + " committed offsets, earliest when there are none). A restore from a"
                  + " checkpoint or savepoint always continues from its own offsets.");

  public static final ConfigOption<Boolean> BOUNDED =
      key("prescient.kafka.bounded")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "Stop at the latest offsets found at start (replays and tests). At the end of the"
                  + " input event time jumps to the end, so pending timers fire.");

  public static final ConfigOption<String> TOPIC_EVENTS =
      key("prescient.topic.events")
          .stringType()
          .defaultValue("events")
          .withDescription("Input: behavioural events.");

  public static final ConfigOption<String> TOPIC_PRIVACY =
      key("prescient.topic.privacy")
          .stringType()
          .defaultValue("privacy")
          .withDescription("Input: opt-out, opt-in, unsubscribe and erase requests.");

  public static final ConfigOption<String> TOPIC_MODELS =
      key("prescient.topic.models")
          .stringType()
          .defaultValue("models")
          .withDescription(
              "Input: model announcements {name, version, uri, sha256, shadow?}; each one is"
                  + " loaded and swapped in by every parallel instance without a restart.");

  public static final ConfigOption<String> TOPIC_OUTCOMES =
      key("prescient.topic.outcomes")
          .stringType()
          .defaultValue("outcomes")
          .withDescription(
              "Input: outcomes of decisions {decision_id, user_id, type, timestamp, value?}"
                  + " reported by messaging services; joined to their decisions in event time.");

  public static final ConfigOption<String> TOPIC_CATALOG =
      key("prescient.topic.catalog")
          .stringType()
          .defaultValue("catalog")
          .withDescription(
              "Input (key = product id): {product_id, category, price, margin, in_stock,"
                  + " sensitive?}; broadcast to every instance, the latest record per product"
                  + " wins. Products it has not described are in stock with the default margin.");

  public static final ConfigOption<String> TOPIC_REQUESTS =
      key("prescient.topic.requests")
          .stringType()
          .defaultValue("requests")
          .withDescription(
              "Input (key = user id): a web tier's requests for a decision {request_id, user_id,"
                  + " placement, timestamp, context?}, answered at once on the responses topic"
                  + " (docs/onsite-requests.md).");

  public static final ConfigOption<String> TOPIC_RESPONSES =
      key("prescient.topic.responses")
          .stringType()
          .defaultValue("responses")
          .withDescription(
              "Output: one answer per request, a decision record with request_id and placement;"
                  + " no creepiness delay, and never on the decisions topic.");

  public static final ConfigOption<Integer> SERVE_PORT =
      key("prescient.serve.port")
          .intType()
          .defaultValue(8088)
          .withDescription(
              "prescient serve: the HTTP port of the web tier's gateway (GET /v1/decisions).");

  public static final ConfigOption<String> SERVE_BIND_ADDRESS =
      key("prescient.serve.bind-address")
          .stringType()
          .defaultValue("127.0.0.1")
          .withDescription(
              "prescient serve: the address the gateway listens on; loopback unless you expose"
                  + " it on purpose (0.0.0.0: every interface).");

  public static final ConfigOption<Duration> SERVE_TIMEOUT =
      key("prescient.serve.timeout")
          .durationType()
          .defaultValue(Duration.ofMillis(150))
          .withDescription(
              "prescient serve: how long a request waits for the job's answer before the gateway"
                  + " answers the documented fallback (within the page's 200 ms budget).");

  public static final ConfigOption<String> TOPIC_FEEDBACK =
      key("prescient.topic.feedback")
          .stringType()
          .defaultValue("feedback")
          .withDescription(
              "Output: every decision that opened a reward window (released, hold-out and cancelled"
                  + " alike: intent to treat) joined with its outcomes and purchases when its"
                  + " reward window closes (features, logged propensity, reward): the input of"
                  + " offline evaluation and retraining. Opted-out and erased users never appear.");

  public static final ConfigOption<String> TOPIC_DECISIONS =
      key("prescient.topic.decisions")
          .stringType()
          .defaultValue("decisions")
          .withDescription("Output: decision records.");

  public static final ConfigOption<String> TOPIC_DLQ =
      key("prescient.topic.dlq")
          .stringType()
          .defaultValue("dlq")
          .withDescription("Output: rejected input with the source topic and a precise reason.");

  public static final ConfigOption<String> TOPIC_AUDIT =
      key("prescient.topic.audit")
          .stringType()
          .defaultValue("audit")
          .withDescription(
              "Output: receipts of privacy requests (what was changed or erased) and reports of"
                  + " model loads and refusals.");

  public static final ConfigOption<DeliveryGuarantee> DELIVERY_GUARANTEE =
      key("prescient.delivery-guarantee")
          .enumType(DeliveryGuarantee.class)
          .defaultValue(DeliveryGuarantee.EXACTLY_ONCE)
          .withDescription(
              "exactly-once (Kafka transactions committed on checkpoints: consumers with"
                  + " isolation.level=read_committed see output after each checkpoint) or"
                  + " at-least-once (lower latency; consumers de-duplicate on decision_id).");

  public static final ConfigOption<String> TRANSACTIONAL_ID_PREFIX =
      key("prescient.kafka.transactional-id-prefix")
          .stringType()
          .defaultValue("prescient")
          .withDescription(
              "Prefix of the Kafka transactional ids under exactly-once; unique per job on a"
                  + " cluster.");

  public static final ConfigOption<Duration> TRANSACTION_TIMEOUT =
      key("prescient.kafka.transaction-timeout")
          .durationType()
          .defaultValue(Duration.ofMinutes(10))
          .withDescription(
              "transaction.timeout.ms of the sinks; must not exceed the broker's"
                  + " transaction.max.timeout.ms (15 min by default).");

  public static final ConfigOption<Duration> CHECKPOINT_INTERVAL =
      key("prescient.checkpoint.interval")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription(
              "Checkpoint interval; 0 disables checkpointing (not allowed with exactly-once)."
                  + " Under exactly-once it bounds the end-to-end latency from below.");

  public static final ConfigOption<String> CHECKPOINT_DIR =
      key("prescient.checkpoint.dir")
          .stringType()
          .defaultValue("")
          .withDescription(
              "Checkpoint storage URI (file://, s3://, ...). Empty: a prescient/checkpoints"
                  + " folder under the JVM temp directory, fine for local runs only.");

  public static final ConfigOption<String> STATE_LOCAL_DIR =
      key("prescient.state.local-dir")
          .stringType()
          .defaultValue("")
          .withDescription(
              "Local working directory of RocksDB. Empty: Flink's default (the TaskManager's"
                  + " temp directories).");

  public static final ConfigOption<Boolean> INCREMENTAL_CHECKPOINTS =
      key("prescient.state.incremental")
          .booleanType()
          .defaultValue(true)
          .withDescription("Incremental RocksDB checkpoints.");

  public static final ConfigOption<Boolean> STATE_CHANGELOG =
      key("prescient.state.changelog")
          .booleanType()
          .defaultValue(true)
          .withDescription(
              "Flink's changelog state backend over RocksDB (with checkpoints on; ignored"
                  + " without): a checkpoint uploads the state changes since the last one instead"
                  + " of flushing RocksDB in the task thread, which takes the checkpoint stall out"
                  + " of the decision latency (bench-latency, 6,000 events/s: synchronous phase"
                  + " 718-790 -> 4-28 ms, p50 2,149 -> 101-117 ms). RocksDB is materialized in"
                  + " the background every 10 min. A job resumed from a savepoint claims it"
                  + " (execution.state-recovery.claim-mode: CLAIM; NO_CLAIM is refused). false:"
                  + " RocksDB's native checkpoints alone. See deploy/RUNBOOK.md, \"Latency"
                  + " tuning\".");

  public static final ConfigOption<String> STATE_CHANGELOG_DIR =
      key("prescient.state.changelog-dir")
          .stringType()
          .defaultValue("")
          .withDescription(
              "With prescient.state.changelog: durable storage of the state changes (file://,"
                  + " s3://, ...), as durable as the checkpoints. Empty: a changelog folder beside"
                  + " the checkpoints.");

  public static final ConfigOption<Duration> STATE_TTL =
      key("prescient.state.ttl")
          .durationType()
          .defaultValue(Duration.ofDays(400))
          .withDescription(
              "A user's state is dropped after this long without an update (0 keeps it"
                  + " forever).");

  public static final ConfigOption<Integer> PARALLELISM =
      key("prescient.parallelism")
          .intType()
          .defaultValue(-1)
          .withDescription("Job parallelism; -1 uses the cluster's default.");

  public static final ConfigOption<Duration> OUT_OF_ORDERNESS =
      key("prescient.watermark.out-of-orderness")
          .durationType()
          .defaultValue(Duration.ofSeconds(30))
          .withDescription("Bounded out-of-orderness of event time in the events topic.");

  public static final ConfigOption<Duration> IDLENESS =
      key("prescient.watermark.idleness")
          .durationType()
          .defaultValue(Duration.ofSeconds(10))
          .withDescription(
              "A partition without events for this long (wall clock) stops holding back event"
                  + " time; 0 disables idleness detection.");

  public static final ConfigOption<Duration> ALLOWED_LATENESS =
      key("prescient.events.allowed-lateness")
          .durationType()
          .defaultValue(Duration.ofMinutes(10))
          .withDescription(
              "Events behind the watermark by up to this much still update the profile; later"
                  + " ones go to the DLQ as late_event with their lateness.");

  public static final ConfigOption<MemorySize> MAX_RECORD_SIZE =
      key("prescient.input.max-record-size")
          .memoryType()
          .defaultValue(MemorySize.parse("1mb"))
          .withDescription("Larger input records are rejected as record_too_large.");

  public static final ConfigOption<Duration> MAX_FUTURE_SKEW =
      key("prescient.input.max-future-skew")
          .durationType()
          .defaultValue(Duration.ofDays(1))
          .withDescription(
              "Timestamps further than this ahead of the wall clock are rejected as"
                  + " out_of_range.");

  public static final ConfigOption<Boolean> WATERMARK_PER_EVENT =
      key("prescient.watermark.per-event")
          .booleanType()
          .defaultValue(false)
          .withDescription(
              "Advance the watermark after every event that raises it, not only on the periodic"
                  + " tick: timers fire as soon as event time allows, at the cost of more watermark"
                  + " records. Decisions do not depend on it.");

  public static final ConfigOption<String> MIN_TIMESTAMP =
      key("prescient.input.min-timestamp")
          .stringType()
          .defaultValue("2000-01-01T00:00:00Z")
          .withDescription("Earlier timestamps (ISO-8601) are rejected as out_of_range.");

  public static final ConfigOption<MemorySize> DLQ_MAX_RAW_SIZE =
      key("prescient.dlq.max-raw-size")
          .memoryType()
          .defaultValue(MemorySize.parse("256kb"))
          .withDescription(
              "A DLQ record keeps at most this much of the raw input (raw_size and raw_sha256"
                  + " describe the whole record, not what is kept; for a record rejected after"
                  + " parsing, such as a late or duplicate event, the record as re-encoded).");

  public static final ConfigOption<Duration> CART_ABANDON_AFTER =
      key("prescient.rules.cart-abandon-after")
          .durationType()
          .defaultValue(Duration.ofHours(1))
          .withDescription(
              "Event time a cart must stay unchanged, without a purchase, before a reminder is"
                  + " decided.");

  public static final ConfigOption<Duration> BROWSE_ABANDON_AFTER =
      key("prescient.rules.browse-abandon-after")
          .durationType()
          .defaultValue(Duration.ofHours(1))
          .withDescription(
              "Event time after the last product view of a session without a cart or purchase"
                  + " before a browse-abandonment decision point.");

  public static final ConfigOption<Integer> BROWSE_MIN_VIEWS =
      key("prescient.rules.browse-min-views")
          .intType()
          .defaultValue(3)
          .withDescription(
              "Product views a session needs to count as browsing; 0 turns the browse-abandonment"
                  + " trigger off.");

  public static final ConfigOption<Duration> FOLLOW_UP_AFTER =
      key("prescient.rules.follow-up-after")
          .durationType()
          .defaultValue(Duration.ofDays(3))
          .withDescription(
              "Event time after an order before the post-purchase follow-up decision point (a"
                  + " cross-sell in the customer's top category); 0 s turns it off.");

  public static final ConfigOption<Duration> WIN_BACK_AFTER =
      key("prescient.rules.win-back-after")
          .durationType()
          .defaultValue(Duration.ofDays(30))
          .withDescription(
              "Event time without any activity after which a customer (one order or more) is a"
                  + " win-back decision point; the policy acts only at high churn risk"
                  + " (prescient.model.churn-high-risk, needs a churn model); 0 s turns it off.");

  public static final ConfigOption<Duration> DECISION_VALID_FOR =
      key("prescient.rules.decision-valid-for")
          .durationType()
          .defaultValue(Duration.ofDays(7))
          .withDescription(
              "How long a decision may still be acted on: expires_at = send_after + this"
                  + " (send_after: decided_at plus any creepiness delay).");

  public static final ConfigOption<Duration> TIMER_GRANULARITY =
      key("prescient.timers.granularity")
          .durationType()
          .defaultValue(Duration.ofMinutes(1))
          .withDescription(
              "Event-time timers are rounded up to this granularity so that bursts coalesce.");

  public static final ConfigOption<List<String>> SENSITIVE_CATEGORIES =
      key("prescient.privacy.sensitive-categories")
          .stringType()
          .asList()
          .defaultValues("health", "religion", "politics")
          .withDescription(
              "Words that make a category sensitive (matched against the category's words, case"
                  + " insensitive: health matches health_beauty). Events about such categories"
                  + " never enter the profile, features or affinities.");

  /** What an opted-out user gets when a trigger fires. */
  public enum OptOutDecisions {
    /** Nothing at all. */
    NONE,
    /** A generic onsite promotion with nothing of the user in it, never scored. */
    BROAD
  }

  public static final ConfigOption<Duration> ERASE_SUPPRESSION =
      key("prescient.privacy.erase-suppression")
          .durationType()
          .defaultValue(ProfileFunction.DEFAULT_ERASE_SUPPRESSION)
          .withDescription(
              "How long an erased user stays erased: events, outcomes and consent changes dated"
                  + " up to this long after the erase request (event time) are dropped and leave no"
                  + " state; an opt-in lifts it. The job remembers only a salted SHA-256 of the"
                  + " user id, for this long. 0: the next event profiles the user anew.");

  public static final ConfigOption<OptOutDecisions> OPT_OUT_DECISIONS =
      key("prescient.privacy.opt-out-decisions")
          .enumType(OptOutDecisions.class)
          .defaultValue(OptOutDecisions.NONE)
          .withDescription(
              "What an opted-out user gets when a trigger fires: NONE, or BROAD (a"
                  + " generic_promotion on the onsite channel with no product, category, scores"
                  + " or features; the model never scores it).");

  public static final ConfigOption<Duration> AFFINITY_HALF_LIFE =
      key("prescient.profile.affinity-half-life")
          .durationType()
          .defaultValue(Duration.ofDays(30))
          .withDescription("Category affinity scores halve every this much event time.");

  public static final ConfigOption<Integer> MAX_AFFINITIES =
      key("prescient.profile.max-affinities")
          .intType()
          .defaultValue(32)
          .withDescription(
              "Most categories kept per user; a new one replaces the weakest when full.");

  public static final ConfigOption<Integer> PROFILE_CACHE =
      key("prescient.profile.cache-size")
          .intType()
          .defaultValue(ProfileFunction.DEFAULT_PROFILE_CACHE)
          .withDescription(
              "Users each profile task keeps on the heap (profile, browse session, order"
                  + " history: about 4 KB each), least recently used evicted: a user's next input"
                  + " skips the RocksDB read, and changed values are written to RocksDB when"
                  + " evicted and before every checkpoint barrier instead of on every event"
                  + " (checkpoints hold every profile in full). 0 turns it off. See"
                  + " deploy/RUNBOOK.md, \"Profile cache and memory\".");

  public static final ConfigOption<Integer> POLICY_CACHE =
      key("prescient.policy.cache-size")
          .intType()
          .defaultValue(PolicyFunction.DEFAULT_USER_CACHE)
          .withDescription(
              "Users' policy records (consent, last purchase, the keys and times of what is due)"
                  + " each task keeps on the heap, least recently used evicted: every input of the"
                  + " policy reads one, and a cached one skips the RocksDB read;"
                  + " changed records are written when evicted and before every checkpoint barrier"
                  + " (checkpoints hold every record in full). 0 turns it off.");

  public static final ConfigOption<Duration> CACHE_WRITE_AFTER =
      key("prescient.state.cache-write-after")
          .durationType()
          .defaultValue(Duration.ofMillis(2500))
          .withDescription(
              "Values the profile and policy caches changed this long ago are written to RocksDB"
                  + " a few per input instead of all before the next checkpoint barrier, in the"
                  + " task thread, while the records behind the barrier wait (with many users"
                  + " changed per checkpoint that stall was most of the decisions' p99). Smaller:"
                  + " shorter stalls, more writes of users active across it; about a quarter of"
                  + " prescient.checkpoint.interval. 0: only when evicted and at barriers. Without"
                  + " checkpoints it has no effect.");

  public static final ConfigOption<Duration> SESSION_GAP =
      key("prescient.profile.session-gap")
          .durationType()
          .defaultValue(Duration.ofMinutes(30))
          .withDescription("An event after this long without events starts a new session.");

  public static final ConfigOption<String> MODEL_CHURN =
      key("prescient.model.churn")
          .stringType()
          .defaultValue("")
          .withDescription(
              "URI of a churn model manifest (written by 'prescient train churn') to serve from the"
                  + " start; empty: the rules decide until the models topic announces one. A"
                  + " model that fails its checks stops the job at start with the reason.");

  public static final ConfigOption<String> MODEL_OFFERS =
      key("prescient.model.offers")
          .stringType()
          .defaultValue("")
          .withDescription(
              "URI of an offer model manifest (written by 'prescient train offers --feedback') to"
                  + " serve from the start; empty: catalog priors or the rules (see"
                  + " prescient.policy.without-offer-model) until the models topic announces one.");

  public static final ConfigOption<String> MODEL_ITEMS =
      key("prescient.model.items")
          .stringType()
          .defaultValue("")
          .withDescription(
              "URI of an items model manifest (written by 'prescient train items') to serve from the"
                  + " start; empty: decisions recommend no products until the models topic"
                  + " announces one. A model that fails its checks stops the job at start.");

  public static final ConfigOption<List<String>> MODEL_ALLOWED_LOCATIONS =
      key("prescient.model.allowed-locations")
          .stringType()
          .asList()
          .defaultValues("file:", "hdfs:", "s3:", "s3a:", "s3p:", "gs:", "abfs:", "abfss:", "oss:")
          .withDescription(
              "Where model manifests and model files may be read from: URI prefixes separated by"
                  + " ';', such as s3://models/prescient/;file:/srv/models/. A bare scheme allows"
                  + " any absolute path in it; a path without a scheme counts as file:. Relative"
                  + " locations and '..' segments are always refused. Set it to the directories"
                  + " your models are published to: anyone who can write to the models topic can"
                  + " make every task read any location allowed here.");

  public static final ConfigOption<MemorySize> MODEL_MAX_SIZE =
      key("prescient.model.max-size")
          .memoryType()
          .defaultValue(MemorySize.parse("256mb"))
          .withDescription(
              "Largest model manifest or model file read; a larger one is refused (audit record,"
                  + " reason too_large) before it is read, and the previous model keeps serving.");

  public static final ConfigOption<Integer> CATALOG_MAX_ENTRIES =
      key("prescient.catalog.max-entries")
          .intType()
          .defaultValue(100_000)
          .withDescription(
              "Most products the live catalog holds (broadcast state: on every instance's heap"
                  + " and in every checkpoint, about 200 bytes each). Past it a new product goes"
                  + " to the DLQ (out_of_range); a tombstone (the product id as key, no value)"
                  + " removes a product. Catalog records must carry their product_id as the key.");

  public static final ConfigOption<Double> CHURN_HIGH_RISK =
      key("prescient.model.churn-high-risk")
          .doubleType()
          .defaultValue(0.5)
          .withDescription(
              "Churn probability from which the rules choose a discount offer (when one is"
                  + " eligible) for a customer; needs a churn model.");

  public static final ConfigOption<String> POLICY_OFFERS =
      key("prescient.policy.offers")
          .stringType()
          .defaultValue("")
          .withDescription(
              "Offer catalog YAML file (see models/src/main/resources/prescient/offers.yaml for"
                  + " the format); empty: the shipped catalog. A bad file stops the job at start,"
                  + " naming the offer and field.");

  public static final ConfigOption<String> POLICY_EXPERIMENT =
      key("prescient.policy.experiment")
          .stringType()
          .defaultValue("prescient-1")
          .withDescription(
              "Experiment name: it salts the stable hash that assigns users to arms; a new name"
                  + " reshuffles everyone.");

  public static final ConfigOption<Double> POLICY_CONTROL_SHARE =
      key("prescient.policy.control-share")
          .doubleType()
          .defaultValue(0.10)
          .withDescription(
              "Share of users in the control arm (hold-out: decisions are logged with action"
                  + " none, nothing is sent).");

  public static final ConfigOption<Double> POLICY_RULES_SHARE =
      key("prescient.policy.rules-share")
          .doubleType()
          .defaultValue(0.45)
          .withDescription("Share of users in the rules arm; the rest are in the model arm.");

  public static final ConfigOption<Double> POLICY_EPSILON =
      key("prescient.policy.epsilon")
          .doubleType()
          .defaultValue(0.10)
          .withDescription(
              "Exploration rate of the model arm: with this probability a uniformly random"
                  + " eligible offer, otherwise the best expected value. The logged propensity is"
                  + " exact; the draw is seeded from the decision id.");

  public static final ConfigOption<PolicyEngine.WithoutOfferModel> POLICY_WITHOUT_OFFER_MODEL =
      key("prescient.policy.without-offer-model")
          .enumType(PolicyEngine.WithoutOfferModel.class)
          .defaultValue(PolicyEngine.WithoutOfferModel.RULES)
          .withDescription(
              "What the model arm does while no offer model is served: RULES (the rules decide)"
                  + " or PRIOR (epsilon-greedy on the catalog's prior conversion rates, to collect"
                  + " exploration logs for the first offer model).");

  public static final ConfigOption<Duration> POLICY_DELAY =
      key("prescient.policy.creepiness-delay")
          .durationType()
          .defaultValue(Duration.ofHours(24))
          .withDescription(
              "How long outbound (email, push) decisions are held before release and re-check;"
                  + " onsite decisions are immediate.");

  public static final ConfigOption<String> POLICY_DELAY_BY_TRIGGER =
      key("prescient.policy.creepiness-delay-by-trigger")
          .stringType()
          .defaultValue("")
          .withDescription(
              "Per-trigger delays overriding the default, for example cart_abandonment:12h.");

  public static final ConfigOption<String> POLICY_CAPS =
      key("prescient.policy.frequency-caps")
          .stringType()
          .defaultValue("email:1/1d,3/7d;push:2/1d,5/7d")
          .withDescription(
              "Messages per channel in sliding event-time windows: channel:count/window,...;"
                  + " separated by ';' (windows in m, h or d). Channels not listed are not"
                  + " capped.");

  public static final ConfigOption<Double> POLICY_MARGIN_FLOOR =
      key("prescient.policy.margin-floor")
          .doubleType()
          .defaultValue(0.05)
          .withDescription(
              "An offer is not made when the product's margin minus the offer's discount is"
                  + " below this fraction of the price.");

  public static final ConfigOption<Double> POLICY_UNSURE_SPREAD =
      key("prescient.policy.unsure-spread")
          .doubleType()
          .defaultValue(0.0)
          .withDescription(
              "When the offer model's conversion probabilities for the eligible offers differ by"
                  + " less than this, the model is unsure and the rules decide (reason"
                  + " OFFER_MODEL_UNSURE); 0 turns the fallback off.");

  public static final ConfigOption<Double> POLICY_DEFAULT_ORDER_VALUE =
      key("prescient.policy.default-order-value")
          .doubleType()
          .defaultValue(30.0)
          .withDescription(
              "Order value assumed in expected values when the decision point has none (no cart"
                  + " value, no product price, as in logs without prices).");

  public static final ConfigOption<Double> POLICY_DEFAULT_MARGIN =
      key("prescient.policy.default-margin")
          .doubleType()
          .defaultValue(0.30)
          .withDescription("Margin assumed for products the catalog topic has not described.");

  public static final ConfigOption<Integer> POLICY_SHOWN_LIMIT =
      key("prescient.policy.shown-limit")
          .intType()
          .defaultValue(3)
          .withDescription("A product is named to a user at most this many times per window.");

  public static final ConfigOption<Duration> POLICY_SHOWN_WINDOW =
      key("prescient.policy.shown-window")
          .durationType()
          .defaultValue(Duration.ofDays(30))
          .withDescription("The window of the shown limit.");

  public static final ConfigOption<Integer> POLICY_MIN_HISTORY =
      key("prescient.policy.min-history-events")
          .intType()
          .defaultValue(5)
          .withDescription(
              "Users with fewer events get broad decisions first: the category, not the"
                  + " product.");

  public static final ConfigOption<Duration> REWARD_WINDOW =
      key("prescient.feedback.reward-window")
          .durationType()
          .defaultValue(Duration.ofDays(7))
          .withDescription(
              "After release, how long outcomes and purchases count for a decision; then its"
                  + " feedback record is written.");

  /**
   * The topics the job reads and writes, by their short name: option {@code prescient.topic.<name>}
   * names each one (default: the short name).
   */
  public static final List<String> TOPICS =
      List.of(
          "events",
          "privacy",
          "models",
          "outcomes",
          "catalog",
          "decisions",
          "dlq",
          "audit",
          "feedback",
          "requests",
          "responses");

  /** All options, in declaration order. */
  public static List<ConfigOption<?>> all() {
    List<ConfigOption<?>> options = new ArrayList<>();
    for (Field f : PrescientOptions.class.getDeclaredFields()) {
      if (Modifier.isStatic(f.getModifiers()) && f.getType() == ConfigOption.class) {
        try {
          options.add((ConfigOption<?>) f.get(null));
        } catch (IllegalAccessException e) {
          throw new IllegalStateException(e);
        }
      }
    }
    return options;
  }

  /** The options as {@code --help} prints them: one block per option, wrapped for a terminal. */
  public static String helpText() {
    StringBuilder sb = new StringBuilder();
    java.util.Map<String, OptionChecks.Check<?>> checks = OptionChecks.byKey();
    for (ConfigOption<?> o : all()) {
      Object def = o.defaultValue();
      String shown = def instanceof Duration ? render((Duration) def) : String.valueOf(def);
      sb.append("--").append(o.key()).append(" (default: ");
      sb.append(shown.isEmpty() ? "empty" : shown).append(")\n");
      wrap(sb, "allowed: " + checks.get(o.key()).allowed());
      wrap(sb, new HtmlFormatter().format(o.description()).replace("<br />", " "));
      sb.append('\n');
    }
    return sb.toString();
  }

  private static void wrap(StringBuilder sb, String text) {
    int width = 96;
    StringBuilder line = new StringBuilder("    ");
    for (String word : text.split(" ")) {
      if (line.length() + word.length() + 1 > width && line.length() > 4) {
        sb.append(line).append('\n');
        line = new StringBuilder("    ");
      }
      if (line.length() > 4) {
        line.append(' ');
      }
      line.append(word);
    }
    sb.append(line).append('\n');
  }

  /** The configuration table of docs/configuration.md. */
  public static String markdownTable() {
    StringBuilder sb = new StringBuilder();
    sb.append("| key | default | allowed | description |\n|---|---|---|---|\n");
    java.util.Map<String, OptionChecks.Check<?>> checks = OptionChecks.byKey();
    for (ConfigOption<?> o : all()) {
      Object def = o.defaultValue();
      String shown = def instanceof Duration ? render((Duration) def) : String.valueOf(def);
      sb.append("| `")
          .append(o.key())
          .append("` | `")
          .append(shown.isEmpty() ? "(empty)" : shown)
          .append("` | ")
          .append(checks.get(o.key()).allowed().replace("|", "\\|"))
          .append(" | ")
          .append(new HtmlFormatter().format(o.description()).replace("|", "\\|"))
          .append(" |\n");
    }
    return sb.toString();
  }

  private static String render(Duration d) {
    if (d.isZero()) {
      return "0 s";
    }
    if (d.toDays() > 0 && d.equals(Duration.ofDays(d.toDays()))) {
      return d.toDays() + " d";
    }
    if (d.toHours() > 0 && d.equals(Duration.ofHours(d.toHours()))) {
      return d.toHours() + " h";
    }
    if (d.toMinutes() > 0 && d.equals(Duration.ofMinutes(d.toMinutes()))) {
      return d.toMinutes() + " min";
    }
    return d.toMillis() % 1000 == 0 ? d.toSeconds() + " s" : d.toMillis() + " ms";
  }
}

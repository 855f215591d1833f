package io.prescient.job;

import static io.prescient.job.PrescientOptions.*;

import io.prescient.models.policy.FrequencyCaps;
import io.prescient.models.policy.OfferCatalog;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.MemorySize;

/**
 * What each option of {@link PrescientOptions} allows. {@link PrescientConfig} checks every value
 * at start, before anything runs, so that a value out of range stops the job with one line naming
 * the key, the value and what is allowed, instead of failing inside a task and restarting.
 */
final class OptionChecks {
  private OptionChecks() {}

  /**
   * One option's rule.
   *
   * @param allowed what docs/configuration.md and the error say is allowed
   * @param bad a value the rule refuses, for the test that walks all options (null: none, as for a
   *     free-form string)
   */
  record Check<T>(ConfigOption<T> option, Predicate<T> ok, String allowed, String bad) {
    String test(Configuration c) {
      T v = c.get(option);
      boolean passed;
      try {
        passed = ok.test(v);
      } catch (RuntimeException e) {
        return e.getMessage() + "; allowed: " + allowed;
      }
      return passed ? null : "allowed: " + allowed;
    }
  }

  /** The triggers a decision can have; per-trigger settings must name one of them. */
  static final Set<String> TRIGGERS = OfferCatalog.TRIGGERS;

  private static final Pattern TOPIC = Pattern.compile("[a-zA-Z0-9._-]{1,249}");

  /** host:port, or [IPv6]:port. */
  private static final Pattern HOST_PORT =
      Pattern.compile("(?:[^\\s:,\\[\\]]+|\\[[0-9a-fA-F:.]+\\]):(\\d{1,5})");

  private static final Duration MAX_TIMER_GRANULARITY = Duration.ofHours(1);
  private static final MemorySize MAX_RECORD = MemorySize.parse("64mb");

  static final List<Check<?>> CHECKS =
      List.of(
          check(
              BOOTSTRAP_SERVERS,
              OptionChecks::hostPorts,
              "host:port[,host:port...], ports 1..65535",
              "localhost"),
          check(GROUP_ID, OptionChecks::nonBlank, "a non-blank name", " "),
          check(
              KAFKA_CHECK_TIMEOUT,
              d -> !d.isNegative() && d.compareTo(Duration.ofMinutes(10)) <= 0,
              "0 (no check) .. 10 min",
              "-1 s"),
          check(
              EVENTS_FETCH_WAIT,
              d -> !d.isNegative() && d.compareTo(Duration.ofSeconds(1)) <= 0,
              "0 (no batching) .. 1 s",
              "-5 ms"),
          check(STARTING_OFFSETS, v -> true, "EARLIEST, LATEST or COMMITTED", "SOMETIMES"),
          check(BOUNDED, v -> true, "true or false", "maybe"),
          topic(TOPIC_EVENTS),
          topic(TOPIC_PRIVACY),
          topic(TOPIC_MODELS),
          topic(TOPIC_OUTCOMES),
          topic(TOPIC_CATALOG),
          topic(TOPIC_FEEDBACK),
          topic(TOPIC_DECISIONS),
          topic(TOPIC_DLQ),
          topic(TOPIC_AUDIT),
          topic(TOPIC_REQUESTS),
          topic(TOPIC_RESPONSES),
          check(SERVE_PORT, p -> p >= 0 && p <= 65535, "0 (any free port) .. 65535", "70000"),
          check(SERVE_BIND_ADDRESS, OptionChecks::nonBlank, "a host name or address", " "),
          check(
              SERVE_TIMEOUT,
              d ->
                  d.compareTo(Duration.ofMillis(1)) >= 0
                      && d.compareTo(Duration.ofSeconds(30)) <= 0,
              "1 ms .. 30 s",
              "0 s"),
          check(DELIVERY_GUARANTEE, v -> true, "EXACTLY_ONCE, AT_LEAST_ONCE or NONE", "ONCE"),
          check(TRANSACTIONAL_ID_PREFIX, OptionChecks::nonBlank, "a non-blank prefix", ""),
          check(
              TRANSACTION_TIMEOUT,
              d -> d.compareTo(Duration.ofSeconds(1)) >= 0 && d.compareTo(Duration.ofHours(1)) <= 0,
              "1 s .. 1 h, and at most the broker's transaction.max.timeout.ms (15 min by default)",
              "0 s"),
          check(
              CHECKPOINT_INTERVAL,
              d -> d.isZero() || d.compareTo(Duration.ofMillis(100)) >= 0,
              "0 (off) or at least 100 ms",
              "5 ms"),
          check(CHECKPOINT_DIR, v -> true, "a path or URI; empty: under the temp directory", null),
          check(STATE_LOCAL_DIR, v -> true, "a path; empty: Flink's default", null),
          check(INCREMENTAL_CHECKPOINTS, v -> true, "true or false", "perhaps"),
          check(STATE_CHANGELOG, v -> true, "true or false", "sometimes"),
          check(
              STATE_CHANGELOG_DIR, v -> true, "a path or URI; empty: beside the checkpoints", null),
          check(STATE_TTL, d -> !d.isNegative(), ">= 0 (0: kept until erased)", "-1 d"),
          check(PARALLELISM, p -> p == -1 || p >= 1 && p <= 32768, "-1 (Flink's) or 1..32768", "0"),
          check(OUT_OF_ORDERNESS, OptionChecks::notNegative, ">= 0", "-1 s"),
          check(IDLENESS, OptionChecks::notNegative, ">= 0 (0: never idle)", "-1 s"),
          check(ALLOWED_LATENESS, OptionChecks::notNegative, ">= 0", "-5 min"),
          check(
              MAX_RECORD_SIZE,
              m -> m.getBytes() >= 64 && m.compareTo(MAX_RECORD) <= 0,
              "64 bytes .. 64 mb",
              "10gb"),
          check(MAX_FUTURE_SKEW, OptionChecks::notNegative, ">= 0", "-1 d"),
          check(WATERMARK_PER_EVENT, v -> true, "true or false", "often"),
          check(
              MIN_TIMESTAMP,
              OptionChecks::instantInPast,
              "an ISO-8601 instant in the past, such as 2000-01-01T00:00:00Z",
              "yesterday"),
          check(DLQ_MAX_RAW_SIZE, m -> m.compareTo(MAX_RECORD) <= 0, "0 bytes .. 64 mb", "1tb"),
          check(CART_ABANDON_AFTER, OptionChecks::positive, "> 0", "0 s"),
          check(BROWSE_ABANDON_AFTER, OptionChecks::positive, "> 0", "0 s"),
          check(BROWSE_MIN_VIEWS, n -> n >= 1, ">= 1", "0"),
          check(FOLLOW_UP_AFTER, OptionChecks::notNegative, ">= 0 (0: no follow-ups)", "-3 d"),
          check(WIN_BACK_AFTER, OptionChecks::notNegative, ">= 0 (0: no win-backs)", "-30 d"),
          check(DECISION_VALID_FOR, OptionChecks::positive, "> 0", "0 s"),
          check(
              TIMER_GRANULARITY,
              d ->
                  d.compareTo(Duration.ofMillis(1)) >= 0 && d.compareTo(MAX_TIMER_GRANULARITY) <= 0,
              "1 ms .. 1 h",
              "0 s"),
          check(
              SENSITIVE_CATEGORIES,
              l -> l.stream().noneMatch(String::isBlank),
              "a list of non-blank category names, separated by ';'",
              "health;;politics"),
          check(
              ERASE_SUPPRESSION,
              d -> !d.isNegative() && d.compareTo(Duration.ofDays(3650)) <= 0,
              "0 (off) .. 3650 d",
              "-1 d"),
          check(OPT_OUT_DECISIONS, v -> true, "NONE or BROAD", "SOME"),
          check(AFFINITY_HALF_LIFE, OptionChecks::positive, "> 0", "0 s"),
          check(MAX_AFFINITIES, n -> n >= 1 && n <= 1024, "1 .. 1024", "0"),
          check(PROFILE_CACHE, n -> n >= 0 && n <= 1_000_000, "0 (off) .. 1000000", "-1"),
          check(POLICY_CACHE, n -> n >= 0 && n <= 1_000_000, "0 (off) .. 1000000", "-1"),
          check(
              CACHE_WRITE_AFTER,
              d -> !d.isNegative() && d.compareTo(Duration.ofHours(1)) <= 0,
              "0 (off) .. 1 h",
              "-1 s"),
          check(SESSION_GAP, OptionChecks::positive, "> 0", "0 s"),
          check(MODEL_CHURN, v -> v.isEmpty() || !v.isBlank(), "a model path; empty: none", " "),
          check(MODEL_OFFERS, v -> v.isEmpty() || !v.isBlank(), "a model path; empty: none", " "),
          check(MODEL_ITEMS, v -> v.isEmpty() || !v.isBlank(), "a model path; empty: none", " "),
          check(
              MODEL_ALLOWED_LOCATIONS,
              l -> !l.isEmpty() && l.stream().allMatch(OptionChecks::locationPrefix),
              "URI prefixes (scheme: or scheme://authority/path/ or file:/path/), separated by ';'",
              "models/"),
          check(
              MODEL_MAX_SIZE,
              m -> m.getBytes() >= 1024 && m.getBytes() <= (2L << 30) - 16,
              "1 kb .. 2 gb",
              "10gb"),
          check(CATALOG_MAX_ENTRIES, n -> n >= 1 && n <= 10_000_000, "1 .. 10000000", "0"),
          check(CHURN_HIGH_RISK, OptionChecks::share, "0 .. 1", "1.5"),
          check(
              POLICY_OFFERS,
              v -> v.isEmpty() || !v.isBlank(),
              "an offers file (checked when the job is built); empty: the built-in offers",
              " "),
          check(POLICY_EXPERIMENT, OptionChecks::nonBlank, "a non-blank name", ""),
          check(POLICY_CONTROL_SHARE, OptionChecks::share, "0 .. 1", "-0.1"),
          check(POLICY_RULES_SHARE, OptionChecks::share, "0 .. 1", "2"),
          check(POLICY_EPSILON, OptionChecks::share, "0 .. 1", "7"),
          check(POLICY_WITHOUT_OFFER_MODEL, v -> true, "RULES or PRIOR", "GUESS"),
          check(POLICY_DELAY, OptionChecks::notNegative, ">= 0", "-24 h"),
          check(
              POLICY_DELAY_BY_TRIGGER,
              v -> {
                PrescientPipeline.delaysByTrigger(v);
                return true;
              },
              "empty, or trigger:duration[,trigger:duration...] with triggers among "
                  + String.join(", ", TRIGGERS.stream().sorted().toList()),
              "teleport:1h"),
          check(
              POLICY_CAPS,
              v -> {
                FrequencyCaps.parse(v);
                return true;
              },
              "channel:count/window[,count/window...][;channel:...], windows in m, h or d",
              "email:many"),
          check(POLICY_MARGIN_FLOOR, OptionChecks::share, "0 .. 1", "1.2"),
          check(POLICY_UNSURE_SPREAD, OptionChecks::share, "0 .. 1", "-1"),
          check(POLICY_DEFAULT_ORDER_VALUE, v -> v >= 0 && v < 1e9, ">= 0 and below 1e9", "-30"),
          check(POLICY_DEFAULT_MARGIN, OptionChecks::share, "0 .. 1", "30"),
          check(POLICY_SHOWN_LIMIT, n -> n >= 1 && n <= 1000, "1 .. 1000", "0"),
          check(POLICY_SHOWN_WINDOW, OptionChecks::positive, "> 0", "0 s"),
          check(POLICY_MIN_HISTORY, n -> n >= 0 && n <= 1_000_000, "0 .. 1000000", "-5"),
          check(REWARD_WINDOW, OptionChecks::positive, "> 0", "0 s"));

  private static <T> Check<T> check(
      ConfigOption<T> option, Predicate<T> ok, String allowed, String bad) {
    return new Check<>(option, ok, allowed, bad);
  }

  private static Check<String> topic(ConfigOption<String> option) {
    return check(
        option,
        t -> TOPIC.matcher(t).matches() && !t.equals(".") && !t.equals(".."),
        "a Kafka topic name: 1..249 of a-z A-Z 0-9 . _ -",
        "my topic");
  }

  /** The rule of each option, by key. */
  static Map<String, Check<?>> byKey() {
    Map<String, Check<?>> m = new LinkedHashMap<>();
    for (Check<?> c : CHECKS) {
      m.put(c.option().key(), c);
    }
    return m;
  }

  /**
   * Every option against its rule, then the rules between options.
   *
   * @return null when all hold, else what is wrong, naming the key, the value and what is allowed
   */
  static String firstProblem(Configuration c, Map<String, String> given) {
    for (Check<?> check : CHECKS) {
      String why = check.test(c);
      if (why != null) {
        String key = check.option().key();
        String value = given.getOrDefault(key, String.valueOf(c.get(check.option())));
        return key + " = '" + value + "' is not allowed; " + why;
      }
    }
    double control = c.get(POLICY_CONTROL_SHARE);
    double rules = c.get(POLICY_RULES_SHARE);
    if (control + rules > 1 + 1e-12) {
      return POLICY_CONTROL_SHARE.key()
          + " + "
          + POLICY_RULES_SHARE.key()
          + " = "
          + control
          + " + "
          + rules
          + " is over 1; allowed: a sum of at most 1 (the model arm gets the rest)";
    }
    Map<String, String> topics = new HashMap<>();
    for (String name : TOPICS) {
      String key = "prescient.topic." + name;
      String topic = c.getString(key, name);
      String other = topics.put(topic, key);
      if (other != null) {
        return key + " = '" + topic + "' is also " + other + "; allowed: a topic of its own";
      }
    }
    return null;
  }

  private static boolean nonBlank(String s) {
    return !s.isBlank();
  }

  private static boolean positive(Duration d) {
    return !d.isNegative() && !d.isZero();
  }

  private static boolean notNegative(Duration d) {
    return !d.isNegative();
  }

  private static boolean share(double v) {
    return v >= 0 && v <= 1; // false for NaN
  }

  private static final Pattern LOCATION = Pattern.compile("[a-zA-Z][a-zA-Z0-9+.-]*:(/.*)?");

  private static boolean locationPrefix(String s) {
    return LOCATION.matcher(s).matches() && !s.contains("/../") && !s.endsWith("/..");
  }

  private static boolean hostPorts(String s) {
    for (String part : s.split(",", -1)) {
      var m = HOST_PORT.matcher(part.trim());
      if (!m.matches()) {
        return false;
      }
      int port = Integer.parseInt(m.group(1));
      if (port < 1 || port > 65535) {
        return false;
      }
    }
    return true;
  }

  private static boolean instantInPast(String s) {
    try {
      return Instant.parse(s).isBefore(Instant.now());
    } catch (DateTimeParseException e) {
      return false;
    }
  }
}

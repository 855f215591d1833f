package io.prescient.job.bench;

import static io.prescient.job.cli.CommandOptions.opt;

import io.prescient.job.PrescientConfig;
import io.prescient.job.PrescientJob;
import io.prescient.job.PrescientOptions;
import io.prescient.job.PrescientPipeline;
import io.prescient.job.cli.CommandOptions;
import io.prescient.job.cli.CommandOptions.Opt;
import io.prescient.models.rules.CartAbandonmentRule;
import io.prescient.operators.Envelope;
import io.prescient.operators.InputParser;
import io.prescient.operators.InputWatermarks;
import io.prescient.operators.PolicyInput;
import io.prescient.operators.ProfileFunction;
import io.prescient.operators.ProfileOperator;
import io.prescient.operators.UserProfileSerializer;
import io.prescient.state.contract.CopyIds;
import io.prescient.state.contract.Event;
import io.prescient.state.json.JsonLimits;
import io.prescient.state.json.RecordParser;
import io.prescient.state.profile.CartLine;
import io.prescient.state.profile.InMemoryStore;
import io.prescient.state.profile.ProfileUpdater;
import io.prescient.state.profile.UserProfile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobExecutionResult;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.functions.RichMapFunction;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.streaming.api.datastream.DataStream;
import org.apache.flink.streaming.api.datastream.KeyedStream;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.functions.sink.legacy.DiscardingSink;
import org.apache.flink.util.Collector;

/**
 * Measures the per-user profile on a real event log: serialized state size per user, and the
 * throughput of the profile job against a job that only parses the same events, side by side in one
 * run, at parallelism 1 (one core) on RocksDB.
 *
 * <pre>
 * ./prescient convert --dataset online-retail --input ../shared/data/online-retail/online-retail.csv.gz \
 *     --output .local/data/online-retail.jsonl
 * ./prescient bench-profile --input .local/data/online-retail.jsonl [--copies 3] [--rounds 2] \
 *     [--flink.key value ...]
 * </pre>
 *
 * {@code --copies N} replays the log N times with user and event ids re-keyed per copy (more users,
 * same behaviour), so job start-up is a small part of each measurement.
 */
public final class ProfileBenchmark {
  private ProfileBenchmark() {}

  /** Job and Flink options from the command line, for every job. */
  private static final Map<String, String> FLINK_OPTIONS = new LinkedHashMap<>();

  static final String COMMAND = "prescient bench-profile";

  static final List<Opt> OPTIONS =
      List.of(
          opt(
              "--input",
              "FILE",
              Path.of(".local", "data", "online-retail.jsonl").toString(),
              "events JSON lines"),
          opt("--copies", "N", "3", "the log N times over, ids re-keyed per copy"),
          opt("--rounds", "N", "2", "alternating rounds of the four jobs"),
          opt("--results", "FILE", null, "also write the figures as JSON"));

  public static void main(String[] args) throws Exception {
    CommandOptions.main(COMMAND, () -> run(args));
  }

  /** The command with {@code args}; a user error is a {@link CommandOptions.UsageError}. */
  static void run(String[] args) throws Exception {
    CommandOptions.Parsed p =
        CommandOptions.parse(
            COMMAND,
            "The per-user profile on a real event log: serialized state size per user, and the"
                + " throughput of the profile job (with and without its cache) and of a stateless"
                + " keyed job against a job that only parses the same events, side by side in one"
                + " run, at parallelism 1 on RocksDB.",
            OPTIONS,
            CommandOptions.Rest.JOB_OPTIONS,
            args);
    if (p == null) {
      return;
    }
    Path input = Path.of(p.get("--input"));
    int copies = p.getInt("--copies", 1, Integer.MAX_VALUE);
    int rounds = p.getInt("--rounds", 1, Integer.MAX_VALUE);
    Path resultsFile = p.has("--results") ? Path.of(p.get("--results")) : null;
    FLINK_OPTIONS.putAll(p.checkedJobOptions());
    if (!Files.isRegularFile(input)) {
      throw p.error(input + " not found: convert a dataset first (./prescient convert)");
    }
    List<String> lines = Files.readAllLines(input);
    System.out.printf(
        "input %s: %,d events; %d copies -> %,d events%n",
        input, lines.size(), copies, (long) lines.size() * copies);
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("input", input.getFileName().toString());
    out.put("events", (long) lines.size() * copies);
    out.put("state_per_user", stateSize(lines));
    out.put("rounds", throughput(input, lines.size(), copies, rounds));
    BenchResults.write(resultsFile, out);
  }

  /** Replays the log through the profile logic and measures each user's serialized state. */
  static Map<String, Object> stateSize(List<String> lines) throws Exception {
    RecordParser parser = new RecordParser(JsonLimits.defaults());
    ProfileUpdater.Settings settings = ProfileUpdater.Settings.defaults();
    Map<String, UserState> users = new HashMap<>();
    long maxTs = 0;
    for (String line : lines) {
      Event e = parser.parseEvent(line.getBytes(StandardCharsets.UTF_8), Long.MAX_VALUE / 2);
      UserState u = users.computeIfAbsent(e.userId, k -> new UserState());
      u.profile.recentEventIds.add(e.eventId, e.timestamp);
      ProfileUpdater.apply(u.profile, u.cart, e, settings);
      maxTs = Math.max(maxTs, e.timestamp);
    }
    // Event ids are only kept while not late: as at the end of the replay (pruned below).
    long bound =
        maxTs
            - PrescientOptions.OUT_OF_ORDERNESS.defaultValue().toMillis()
            - PrescientOptions.ALLOWED_LATENESS.defaultValue().toMillis();
    SerializerConfigImpl config = new SerializerConfigImpl();
    config.setGenericTypes(false);
    TypeSerializer<UserProfile> profileSer = UserProfileSerializer.INSTANCE; // as in ProfileState
    TypeSerializer<CartLine> cartSer = TypeInformation.of(CartLine.class).createSerializer(config);
    TypeSerializer<String> stringSer = Types.STRING.createSerializer(config);
    DataOutputSerializer out = new DataOutputSerializer(4096);
    List<Integer> sizes = new ArrayList<>();
    long total = 0;
    for (Map.Entry<String, UserState> entry : users.entrySet()) {
      int keyBytes = size(out, stringSer, entry.getKey());
      // RocksDB key of every entry: key group (2 bytes) + user key + namespace (1 byte).
      int rowKey = 2 + keyBytes + 1;
      UserState u = entry.getValue();
      u.profile.recentEventIds.pruneBefore(bound);
      u.profile.mapsMerged = true; // as the job writes it
      // The profile holds the user's affinities and remembered event ids (profile format 2).
      int bytes = rowKey + size(out, profileSer, u.profile);
      for (Map.Entry<String, CartLine> c : u.cart.asMap().entrySet()) {
        bytes += rowKey + size(out, stringSer, c.getKey()) + size(out, cartSer, c.getValue());
      }
      sizes.add(bytes);
      total += bytes;
    }
    Collections.sort(sizes);
    System.out.printf(
        "state per user (serialized, RocksDB keys included, %,d users): median %,d B, p90 %,d B,"
            + " p99 %,d B, max %,d B, mean %,d B, total %,d KB%n",
        sizes.size(),
        pct(sizes, 0.5),
        pct(sizes, 0.9),
        pct(sizes, 0.99),
        sizes.get(sizes.size() - 1),
        total / sizes.size(),
        total / 1024);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("users", sizes.size());
    m.put("median_bytes", pct(sizes, 0.5));
    m.put("p90_bytes", pct(sizes, 0.9));
    m.put("p99_bytes", pct(sizes, 0.99));
    m.put("max_bytes", sizes.get(sizes.size() - 1));
    m.put("mean_bytes", total / sizes.size());
    return m;
  }

  private static <T> int size(DataOutputSerializer out, TypeSerializer<T> ser, T value)
      throws IOException {
    out.clear();
    ser.serialize(value, out);
    return out.length();
  }

  private static int pct(List<Integer> sorted, double q) {
    return sorted.get(Math.min(sorted.size() - 1, (int) Math.floor(q * sorted.size())));
  }

  /** What a benchmark job does with the parsed events. */
  enum Mode {
    /** Parses and drops: the reference. */
    PARSE("parse only"),
    /** Parses, assigns watermarks and sends each event to its user's keyed task, which drops it. */
    KEYED("parse + keyBy, no state"),
    /** The same, and the keyed task is the profile operator on RocksDB. */
    PROFILE("parse + profile (RocksDB)"),
    /** The profile operator without its profile cache: every event reads and writes RocksDB. */
    PROFILE_NO_CACHE("parse + profile, no cache");

    final String label;

    Mode(String label) {
      this.label = label;
    }
  }

  /**
   * The profile job against the parse-only job on the same input, alternating, p = 1; the keyed job
   * without state in between shows what the exchange to the keyed task costs by itself.
   */
  static List<Map<String, Object>> throughput(Path input, int lines, int copies, int rounds)
      throws Exception {
    long n = (long) lines * copies;
    // Not measured: each job once over one copy, so that no round pays for the JIT compiling the
    // parser (otherwise the first parse-only run is the slowest of all and flatters round 1).
    for (Mode mode : Mode.values()) {
      JobExecutionResult r = run(input, lines, lines, mode);
      System.out.printf(
          "warm-up  %-26s %,d events in %,.1f s%n", mode.label, lines, r.getNetRuntime() / 1000.0);
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      Map<Mode, Double> rate = new LinkedHashMap<>();
      for (Mode mode : Mode.values()) {
        JobExecutionResult r = run(input, n, lines, mode);
        rate.put(mode, n / (r.getNetRuntime() / 1000.0));
        System.out.printf(
            "round %d  %-26s %,d events in %,.1f s: %,.0f events/s%n",
            round, mode.label, n, r.getNetRuntime() / 1000.0, rate.get(mode));
      }
      double ratio = rate.get(Mode.PROFILE) / rate.get(Mode.PARSE);
      System.out.printf(
          "round %d ratio profile / parse-only: %.2f (keyBy without state / parse-only: %.2f)%n",
          round, ratio, rate.get(Mode.KEYED) / rate.get(Mode.PARSE));
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("round", round);
      m.put("parse_events_per_second", Math.round(rate.get(Mode.PARSE)));
      m.put("keyed_events_per_second", Math.round(rate.get(Mode.KEYED)));
      m.put("profile_events_per_second", Math.round(rate.get(Mode.PROFILE)));
      m.put("profile_nocache_events_per_second", Math.round(rate.get(Mode.PROFILE_NO_CACHE)));
      m.put("ratio", Math.round(ratio * 1000) / 1000.0);
      out.add(m);
    }
    return out;
  }

  private static JobExecutionResult run(Path input, long n, int lines, Mode mode) throws Exception {
    Map<String, String> o = new HashMap<>(FLINK_OPTIONS);
    o.put("prescient.parallelism", "1");
    o.put(
        "prescient.checkpoint.dir",
        Files.createTempDirectory("prescient-bench").toUri().toString());
    Configuration options = PrescientConfig.fromMap(o);
    StreamExecutionEnvironment env = PrescientJob.environment(options);
    DataStream<Envelope> parsed =
        env.fromSequence(0, n - 1)
            .uid("bench-source")
            .map(new LineAt(input.toAbsolutePath().toString(), lines, n / lines))
            .uid("bench-parse")
            .returns(TypeInformation.of(Envelope.class))
            .filter(env1 -> env1.event != null)
            .uid("bench-valid");
    if (mode == Mode.PARSE) {
      parsed.addSink(new DiscardingSink<>()).uid("bench-discard");
      return env.execute("bench-parse-only");
    }
    KeyedStream<Envelope, String> keyed =
        parsed
            .assignTimestampsAndWatermarks(
                InputWatermarks.events(
                    options.get(PrescientOptions.OUT_OF_ORDERNESS), Duration.ZERO))
            .uid("bench-watermarks")
            .keyBy(Envelope::userId);
    if (mode == Mode.KEYED) {
      keyed.process(new Drop()).uid("bench-keyed-drop");
      return env.execute("bench-keyed");
    }
    DataStream<PolicyInput> decisions =
        keyed
            .transform(
                "profile",
                TypeInformation.of(PolicyInput.class),
                new ProfileOperator(
                    new ProfileFunction(
                            new CartAbandonmentRule(
                                options.get(PrescientOptions.CART_ABANDON_AFTER).toMillis(),
                                options.get(PrescientOptions.DECISION_VALID_FOR).toMillis()),
                            options.get(PrescientOptions.ALLOWED_LATENESS),
                            options.get(PrescientOptions.TIMER_GRANULARITY),
                            options.get(PrescientOptions.STATE_TTL),
                            1024,
                            PrescientPipeline.profileSettings(options))
                        .withProfileCache(
                            mode == Mode.PROFILE_NO_CACHE
                                ? 0
                                : options.get(PrescientOptions.PROFILE_CACHE),
                            java.time.Duration.ZERO)))
            .uid("bench-profile");
    decisions.addSink(new DiscardingSink<>()).uid("bench-discard");
    return env.execute("bench-profile");
  }

  /** The keyed task without state: receives each event and drops it. */
  static final class Drop extends KeyedProcessFunction<String, Envelope, Void> {
    private static final long serialVersionUID = 1L;

    @Override
    public void processElement(Envelope e, Context ctx, Collector<Void> out) {}
  }

  /** Event {@code i} of the input: line {@code i % lines}, re-keyed for copy {@code i / lines}. */
  static final class LineAt extends RichMapFunction<Long, Envelope> {
    private static final long serialVersionUID = 1L;
    private final String file;
    private final int lines;
    private final long copies;
    private transient List<String> content;
    private transient InputParser parser;

    LineAt(String file, int lines, long copies) {
      this.file = file;
      this.lines = lines;
      this.copies = copies;
    }

    @Override
    public void open(OpenContext ctx) throws IOException {
      content = Files.readAllLines(Path.of(file));
      parser = new InputParser(InputParser.Kind.EVENTS, JsonLimits.defaults(), 1024);
    }

    @Override
    public Envelope map(Long i) {
      // Copies interleaved line by line, so that event time never goes back: one timeline with
      // `copies` times the users. (Copy after copy, every copy but the first would be late.)
      String line = content.get((int) (i / copies));
      long copy = i % copies;
      if (copy > 0) {
        // CopyIds' convention, as CopyLog writes it; a plain replace, not CopyLog.rekey's parse,
        // because this runs inside the measured job (the converted logs are compact JSON).
        String prefix = CopyIds.prefix((int) copy);
        line =
            line.replace("\"user_id\":\"", "\"user_id\":\"" + prefix)
                .replace("\"event_id\":\"", "\"event_id\":\"" + prefix);
      }
      return parser.parse(
          line.getBytes(StandardCharsets.UTF_8), "events", 0, i, -1, System.currentTimeMillis());
    }
  }

  /** One user's state, as the job holds it in RocksDB: the profile and the cart. */
  static final class UserState {
    final UserProfile profile = new UserProfile();
    final InMemoryStore<CartLine> cart = new InMemoryStore<>();
  }
}

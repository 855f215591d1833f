package io.prescient.job.savepoint;

import static io.prescient.job.cli.CommandOptions.opt;

import io.prescient.job.PrescientOptions;
import io.prescient.job.PrescientPipeline;
import io.prescient.job.cli.CommandOptions;
import io.prescient.job.cli.CommandOptions.Opt;
import io.prescient.job.savepoint.ExportTable.Column;
import io.prescient.job.savepoint.ExportTable.ExportRow;
import io.prescient.job.savepoint.ExportTable.Type;
import io.prescient.operators.HeldDecision;
import io.prescient.operators.MapStateStore;
import io.prescient.operators.PolicyState;
import io.prescient.operators.ProfileState;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.Feedback;
import io.prescient.state.features.FeatureSchema;
import io.prescient.state.profile.Affinity;
import io.prescient.state.profile.BrowseSession;
import io.prescient.state.profile.CartLine;
import io.prescient.state.profile.LifecycleState;
import io.prescient.state.profile.UserProfile;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * {@code ./prescient export-savepoint PATH [--output DIR] [--as-of INSTANT] [job options]}: every
 * user's profile and live features, every pending decision point and every delayed decision held by
 * the policy, from a savepoint or retained checkpoint, as CSV and Parquet, with the State Processor
 * API and no running cluster. Features are computed by the live feature code as of {@code --as-of},
 * or as of each user's latest event.
 */
public final class ExportSavepoint {
  private ExportSavepoint() {}

  static final String COMMAND = "prescient export-savepoint";

  static final List<Opt> OPTIONS =
      List.of(
          CommandOptions.positional(
              "PATH", "a savepoint or retained checkpoint (file:// URI or path)"),
          opt(
              "--output",
              "DIR",
              Path.of(".local", "export").toString(),
              "where the tables go, each as NAME.csv and NAME.parquet: profiles, pending_triggers,"
                  + " held_decisions"),
          opt(
              "--as-of",
              "INSTANT",
              null,
              "compute every user's features at this ISO-8601 instant (default: at each user's"
                  + " latest event)"));

  static final String PROFILES = "profiles";
  static final String PENDING = "pending_triggers";
  static final String HELD = "held_decisions";

  /** The profile table: the profile's main fields, then every live feature. */
  static List<Column> profileColumns() {
    List<Column> c = new ArrayList<>();
    c.add(new Column("user_id", Type.STRING));
    c.add(new Column("first_seen", Type.TIMESTAMP));
    c.add(new Column("last_seen", Type.TIMESTAMP));
    c.add(new Column("events", Type.LONG));
    c.add(new Column("purchases", Type.LONG));
    c.add(new Column("orders", Type.LONG));
    c.add(new Column("revenue", Type.DOUBLE));
    c.add(new Column("cart_lines", Type.LONG));
    c.add(new Column("opted_out", Type.BOOLEAN));
    c.add(new Column("unsubscribed_channels", Type.STRING));
    c.add(new Column("features_as_of", Type.TIMESTAMP));
    for (String f : FeatureSchema.names()) {
      c.add(new Column(f, Type.FLOAT));
    }
    return c;
  }

  /** A decision point the profile operator will reach at {@code due_at} (its timer). */
  static final List<Column> PENDING_COLUMNS =
      List.of(
          new Column("user_id", Type.STRING),
          new Column("trigger", Type.STRING),
          new Column("due_at", Type.TIMESTAMP),
          new Column("event_id", Type.STRING),
          new Column("timer_registered", Type.BOOLEAN));

  /** An outbound decision waiting out its creepiness delay in the policy operator. */
  static final List<Column> HELD_COLUMNS =
      List.of(
          new Column("user_id", Type.STRING),
          new Column("decision_id", Type.STRING),
          new Column("trigger", Type.STRING),
          new Column("arm", Type.STRING),
          new Column("channel", Type.STRING),
          new Column("action", Type.STRING),
          new Column("offer_id", Type.STRING),
          new Column("product_id", Type.STRING),
          new Column("category", Type.STRING),
          new Column("decided_at", Type.TIMESTAMP),
          new Column("send_after", Type.TIMESTAMP),
          new Column("expires_at", Type.TIMESTAMP),
          new Column("explored", Type.BOOLEAN),
          new Column("propensity", Type.DOUBLE));

  public static void main(String[] args) throws Exception {
    CommandOptions.main(COMMAND, () -> run(args));
  }

  static void run(String[] args) throws Exception {
    CommandOptions.Parsed p = parse(args);
    if (p == null) {
      return;
    }
    String path = InspectSavepoint.checkSavepoint(p, p.get("PATH"));
    Path out = Path.of(p.get("--output"));
    long asOf = 0;
    if (p.has("--as-of")) {
      try {
        asOf = Instant.parse(p.get("--as-of").trim()).toEpochMilli();
      } catch (DateTimeParseException e) {
        throw p.error(
            "--as-of needs an ISO-8601 instant (2011-12-01T00:00:00Z), not '"
                + p.get("--as-of")
                + "'");
      }
    }
    Configuration options = p.jobConfiguration();
    long t0 = System.nanoTime();
    List<ExportTable> tables = export(path, out, asOf, options);
    for (ExportTable t : tables) {
      System.out.printf(
          "%-16s %,9d rows -> %s (.csv, .parquet)%n", t.name(), t.size(), out.resolve(t.name()));
    }
    System.out.printf("exported in %.1f s%n", (System.nanoTime() - t0) / 1e9);
  }

  /** The command line parsed; null when --help printed the usage. */
  static CommandOptions.Parsed parse(String... args) {
    return CommandOptions.parse(
        COMMAND,
        "Every user's profile and live features, every pending decision point and every delayed"
            + " decision held by the policy, from a savepoint or retained checkpoint, as CSV and"
            + " Parquet, with the State Processor API and no running cluster.",
        OPTIONS,
        CommandOptions.Rest.JOB_OPTIONS,
        args,
        "Job options: the profile settings (affinity half-life, ...) and the state TTL.");
  }

  /** Writes the three tables (CSV and Parquet each) into {@code out} and returns them. */
  public static List<ExportTable> export(
      String savepoint, Path out, long asOf, Configuration options) throws Exception {
    ExportTable profiles = new ExportTable(PROFILES, profileColumns());
    ExportTable pending = new ExportTable(PENDING, PENDING_COLUMNS);
    ExportTable held = new ExportTable(HELD, HELD_COLUMNS);
    Map<String, ExportTable> byName = Map.of(PROFILES, profiles, PENDING, pending, HELD, held);
    Reader profileReader =
        new Reader(
            options.get(PrescientOptions.STATE_TTL),
            PrescientPipeline.profileSettings(options).affinityHalfLifeMs(),
            asOf);
    collect(savepoint, PrescientPipeline.UID_PROFILE, profileReader, byName);
    collect(savepoint, PrescientPipeline.UID_POLICY, new HeldReader(), byName);
    List<ExportTable> tables = List.of(profiles, pending, held);
    for (ExportTable t : tables) {
      t.write(out);
    }
    return tables;
  }

  private static void collect(
      String savepoint,
      String uid,
      KeyedStateReaderFunction<String, ExportRow> reader,
      Map<String, ExportTable> tables)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    SavepointReader sp = SavepointReader.read(env, savepoint, new EmbeddedRocksDBStateBackend());
    try (CloseableIterator<ExportRow> it =
        sp.readKeyedState(OperatorIdentifier.forUid(uid), reader).executeAndCollect()) {
      while (it.hasNext()) {
        ExportRow row = it.next();
        tables.get(row.table).add(row.cells);
      }
    }
  }

  static String time(long millis) {
    return millis == 0 ? null : Instant.ofEpochMilli(millis).toString();
  }

  /** A profile row per user, and a pending-trigger row per decision point waiting on a timer. */
  static final class Reader extends KeyedStateReaderFunction<String, ExportRow> {
    private static final long serialVersionUID = 1L;
    private final Duration ttl;
    private final long halfLifeMs;
    private final long asOf;
    private transient ValueState<UserProfile> profile;
    private transient MapState<String, CartLine> cart;
    private transient MapState<String, Affinity> legacyAffinities;
    private transient MapState<String, Long> legacyEventIds;
    private transient ValueState<BrowseSession> browse;
    private transient ValueState<LifecycleState> lifecycle;

    Reader(Duration ttl, long halfLifeMs, long asOf) {
      this.ttl = ttl;
      this.halfLifeMs = halfLifeMs;
      this.asOf = asOf;
    }

    @Override
    public void open(OpenContext ctx) {
      profile = getRuntimeContext().getState(ProfileState.profile(ttl));
      cart = getRuntimeContext().getMapState(ProfileState.cart(ttl));
      legacyAffinities = getRuntimeContext().getMapState(ProfileState.affinities(ttl));
      legacyEventIds = getRuntimeContext().getMapState(ProfileState.seenEventIds(ttl));
      browse = getRuntimeContext().getState(ProfileState.browse(ttl));
      lifecycle = getRuntimeContext().getState(ProfileState.lifecycle(ttl));
    }

    @Override
    public void readKey(String user, Context ctx, Collector<ExportRow> out) throws Exception {
      UserProfile p = profile.value();
      if (p == null) {
        return; // only remembered event ids: nothing to describe
      }
      ProfileState.mergeLegacyMaps(p, legacyAffinities, legacyEventIds); // older savepoints
      long now = asOf > 0 ? asOf : p.lastSeen;
      float[] f =
          FeatureSchema.extract(
              FeatureSchema.Inputs.of(p, new MapStateStore<>(cart), now, halfLifeMs));
      List<String> row = new ArrayList<>();
      row.add(user);
      row.add(time(p.firstSeen));
      row.add(time(p.lastSeen));
      row.add(Long.toString(p.events));
      row.add(Long.toString(p.purchases));
      row.add(Long.toString(p.orders));
      row.add(Double.toString(p.revenue));
      row.add(Integer.toString(p.cartLines));
      row.add(Boolean.toString(p.optedOut));
      row.add(String.join(" ", p.unsubscribedChannels));
      row.add(time(now));
      for (float v : f) {
        row.add(Float.isNaN(v) ? null : Float.toString(v));
      }
      out.collect(new ExportRow(PROFILES, row.toArray(new String[0])));

      Set<Long> timers = new HashSet<>();
      ctx.registeredEventTimeTimers().forEach(timers::add);
      pending(out, user, "cart_abandonment", p.pendingTimer, p.cartLastEventId, timers);
      BrowseSession b = browse.value();
      if (b != null) {
        pending(out, user, "browse_abandonment", b.pendingTimer, b.lastViewEventId, timers);
      }
      LifecycleState l = lifecycle.value();
      if (l != null) {
        pending(out, user, "lifecycle", l.pendingTimer, l.lastOrderEventId, timers);
      }
    }

    private static void pending(
        Collector<ExportRow> out,
        String user,
        String trigger,
        long dueAt,
        String eventId,
        Set<Long> timers) {
      if (dueAt != 0) {
        out.collect(
            new ExportRow(
                PENDING,
                new String[] {
                  user, trigger, time(dueAt), eventId, Boolean.toString(timers.contains(dueAt))
                }));
      }
    }
  }

  /**
   * A held-decision row per outbound decision waiting out its delay (its decision stored in the
   * held entry or in its open feedback record, see {@link HeldDecision}).
   */
  static final class HeldReader extends KeyedStateReaderFunction<String, ExportRow> {
    private static final long serialVersionUID = 1L;
    private transient MapState<String, HeldDecision> held;
    private transient MapState<String, Feedback> open;

    @Override
    public void open(OpenContext ctx) {
      held = getRuntimeContext().getMapState(PolicyState.held());
      open = getRuntimeContext().getMapState(PolicyState.open());
    }

    @Override
    public void readKey(String user, Context ctx, Collector<ExportRow> out) throws Exception {
      for (Map.Entry<String, HeldDecision> e : held.entries()) {
        HeldDecision h = e.getValue();
        Decision d = h.decisionWith(h.decision == null ? open.get(e.getKey()) : null);
        if (d == null) {
          continue; // no decision stored for it: nothing the job would release
        }
        out.collect(
            new ExportRow(
                HELD,
                new String[] {
                  user,
                  d.decisionId,
                  d.trigger,
                  d.arm,
                  d.channel,
                  d.action,
                  d.offerId,
                  d.productId,
                  d.category,
                  time(d.decidedAt),
                  time(d.sendAfter),
                  time(d.expiresAt),
                  Boolean.toString(d.explored),
                  Double.toString(d.propensity)
                }));
      }
    }
  }
}

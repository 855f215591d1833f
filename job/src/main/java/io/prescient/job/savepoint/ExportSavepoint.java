package io.prescient.job.savepoint;

import io.prescient.job.PrescientConfig;
import io.prescient.job.PrescientOptions;
import io.prescient.job.PrescientPipeline;
import io.prescient.operators.MapStateStore;
import io.prescient.operators.ProfileState;
import io.prescient.state.features.FeatureSchema;
import io.prescient.state.profile.Affinity;
import io.prescient.state.profile.CartLine;
import io.prescient.state.profile.UserProfile;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
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
 * user's profile and live features, and every pending delayed decision, from a savepoint or
 * retained checkpoint, as CSV, with the State Processor API and no running cluster. Features are
 * computed by the live feature code as of {@code --as-of}, or as of each user's latest event.
 */
public final class ExportSavepoint {
  private ExportSavepoint() {}

  static final String USAGE =
      String.join(
          "\n",
          "usage: prescient export-savepoint PATH [--output DIR] [--as-of INSTANT] [--config FILE]"
              + " [--prescient.<key> VALUE ...]",
          "  PATH              a savepoint or retained checkpoint (file:// URI or path)",
          "  --output DIR      where profiles.csv and pending_decisions.csv go (.local/export)",
          "  --as-of INSTANT   compute every user's features at this ISO-8601 instant; default: at",
          "                    each user's latest event",
          "  job options       the job's profile settings (affinity half-life, ...) and state TTL");

  static final String PROFILE_COLUMNS =
      "user_id,first_seen,last_seen,events,purchases,orders,revenue,cart_lines,opted_out,"
          + "unsubscribed_channels,pending_timer_at,features_as_of";

  public static void main(String[] args) throws Exception {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h")) {
      System.out.println(USAGE);
      return;
    }
    String path = args[0];
    Path out = Path.of(".local", "export");
    long asOf = 0;
    List<String> rest = new ArrayList<>();
    for (int i = 1; i < args.length; i++) {
      if (args[i].equals("--output") && i + 1 < args.length) {
        out = Path.of(args[++i]);
      } else if (args[i].equals("--as-of") && i + 1 < args.length) {
        asOf = Instant.parse(args[++i]).toEpochMilli();
      } else {
        rest.add(args[i]);
      }
    }
    Configuration options = PrescientConfig.fromArgs(rest.toArray(new String[0]));
    long t0 = System.nanoTime();
    int[] counts = export(path, out, asOf, options);
    System.out.printf(
        "%,d users -> %s, %,d pending decisions -> %s (%.1f s)%n",
        counts[0],
        out.resolve("profiles.csv"),
        counts[1],
        out.resolve("pending_decisions.csv"),
        (System.nanoTime() - t0) / 1e9);
  }

  /** Writes the two CSV files; returns {users, pending decisions}. */
  public static int[] export(String savepoint, Path out, long asOf, Configuration options)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    SavepointReader reader =
        SavepointReader.read(env, savepoint, new EmbeddedRocksDBStateBackend());
    List<String> profiles = new ArrayList<>();
    List<String> pending = new ArrayList<>();
    Reader fn =
        new Reader(
            options.get(PrescientOptions.STATE_TTL),
            PrescientPipeline.profileSettings(options).affinityHalfLifeMs(),
            asOf);
    try (CloseableIterator<String> it =
        reader
            .readKeyedState(OperatorIdentifier.forUid(PrescientPipeline.UID_PROFILE), fn)
            .executeAndCollect()) {
      while (it.hasNext()) {
        String row = it.next();
        (row.startsWith("T") ? pending : profiles).add(row.substring(1));
      }
    }
    profiles.sort(null);
    pending.sort(null);
    Files.createDirectories(out);
    StringBuilder header = new StringBuilder(PROFILE_COLUMNS);
    for (String f : FeatureSchema.names()) {
      header.append(',').append(f);
    }
    write(out.resolve("profiles.csv"), header.toString(), profiles);
    write(
        out.resolve("pending_decisions.csv"),
        "user_id,fires_at,trigger,cart_last_event_id,cart_lines",
        pending);
    return new int[] {profiles.size(), pending.size()};
  }

  private static void write(Path file, String header, List<String> rows) throws Exception {
    StringBuilder sb = new StringBuilder(header).append('\n');
    rows.forEach(r -> sb.append(r).append('\n'));
    Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
  }

  /** Emits "P" + a profile row and "T" + a pending-decision row per registered timer. */
  static final class Reader extends KeyedStateReaderFunction<String, String> {
    private static final long serialVersionUID = 1L;
    private final Duration ttl;
    private final long halfLifeMs;
    private final long asOf;
    private transient ValueState<UserProfile> profile;
    private transient MapState<String, CartLine> cart;
    private transient MapState<String, Affinity> affinities;

    Reader(Duration ttl, long halfLifeMs, long asOf) {
      this.ttl = ttl;
      this.halfLifeMs = halfLifeMs;
      this.asOf = asOf;
    }

    @Override
    public void open(OpenContext ctx) {
      profile = getRuntimeContext().getState(ProfileState.profile(ttl));
      cart = getRuntimeContext().getMapState(ProfileState.cart(ttl));
      affinities = getRuntimeContext().getMapState(ProfileState.affinities(ttl));
    }

    @Override
    public void readKey(String user, Context ctx, Collector<String> out) throws Exception {
      UserProfile p = profile.value();
      if (p == null) {
        return; // only remembered event ids: nothing to describe
      }
      long now = asOf > 0 ? asOf : p.lastSeen;
      float[] f =
          FeatureSchema.extract(
              FeatureSchema.Inputs.of(
                  p, new MapStateStore<>(cart), new MapStateStore<>(affinities), now, halfLifeMs));
      StringBuilder row = new StringBuilder("P").append(quote(user));
      row.append(',').append(Instant.ofEpochMilli(p.firstSeen));
      row.append(',').append(Instant.ofEpochMilli(p.lastSeen));
      row.append(',').append(p.events).append(',').append(p.purchases);
      row.append(',').append(p.orders).append(',').append(p.revenue);
      row.append(',').append(p.cartLines).append(',').append(p.optedOut);
      row.append(',').append(quote(String.join(" ", p.unsubscribedChannels)));
      row.append(',').append(p.pendingTimer == 0 ? "" : Instant.ofEpochMilli(p.pendingTimer));
      row.append(',').append(Instant.ofEpochMilli(now));
      for (float v : f) {
        row.append(',');
        if (!Float.isNaN(v)) {
          row.append(v);
        }
      }
      out.collect(row.toString());
      for (Long t : ctx.registeredEventTimeTimers()) {
        out.collect(
            "T"
                + quote(user)
                + ','
                + Instant.ofEpochMilli(t)
                + ",cart_abandonment,"
                + quote(p.cartLastEventId == null ? "" : p.cartLastEventId)
                + ','
                + p.cartLines);
      }
    }

    static String quote(String s) {
      return '"' + s.replace("\"", "\"\"") + '"';
    }
  }
}

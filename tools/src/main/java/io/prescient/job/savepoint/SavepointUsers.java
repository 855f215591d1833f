package io.prescient.job.savepoint;

import io.prescient.job.PrescientOptions;
import io.prescient.job.PrescientPipeline;
import io.prescient.operators.HeldDecision;
import io.prescient.operators.PolicyState;
import io.prescient.operators.ProfileState;
import io.prescient.state.contract.Feedback;
import io.prescient.state.contract.Outcome;
import io.prescient.state.profile.Affinity;
import io.prescient.state.profile.BrowseSession;
import io.prescient.state.profile.CartLine;
import io.prescient.state.profile.LifecycleState;
import io.prescient.state.profile.UserProfile;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.flink.api.common.RuntimeExecutionMode;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.state.api.OperatorIdentifier;
import org.apache.flink.state.api.SavepointReader;
import org.apache.flink.state.api.functions.KeyedStateReaderFunction;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.util.CloseableIterator;
import org.apache.flink.util.Collector;

/**
 * Reads a savepoint with the State Processor API, without the job: one line per user found in any
 * keyed state of the profile operator, saying what is stored for them.
 */
public final class SavepointUsers {
  private SavepointUsers() {}

  /**
   * One line per user, sorted: {@code user: profile=.. cart=.. seen=.. affinities=.. timers=..}.
   */
  public static List<String> read(String savepoint) throws Exception {
    return lines(savepoint, PrescientPipeline.UID_PROFILE, new Reader());
  }

  /** The lines {@code reader} makes of every key of operator {@code uid}, sorted. */
  private static List<String> lines(
      String savepoint, String uid, KeyedStateReaderFunction<String, String> reader)
      throws Exception {
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment();
    env.setRuntimeMode(RuntimeExecutionMode.BATCH);
    SavepointReader sp = SavepointReader.read(env, savepoint, new EmbeddedRocksDBStateBackend());
    List<String> users = new ArrayList<>();
    try (CloseableIterator<String> it =
        sp.readKeyedState(OperatorIdentifier.forUid(uid), reader).executeAndCollect()) {
      it.forEachRemaining(users::add);
    }
    users.sort(null);
    return users;
  }

  /**
   * One line per user found in any keyed state of the policy operator, sorted: {@code user: held=..
   * open=.. outcomes=.. sends=.. shown=.. timers=..} (held decisions waiting out their delay,
   * decisions in their reward window, buffered outcomes, message-history channels, products shown,
   * event-time timers).
   */
  public static List<String> readPolicy(String savepoint) throws Exception {
    return lines(savepoint, PrescientPipeline.UID_POLICY, new PolicyReader());
  }

  /** "user: held=.. open=.. outcomes=.. sends=.. shown=.. timers=..". */
  public static final class PolicyReader extends KeyedStateReaderFunction<String, String> {
    private static final long serialVersionUID = 1L;
    private transient MapState<String, HeldDecision> held;
    private transient MapState<String, Feedback> open;
    private transient MapState<String, Outcome> outcomes;
    private transient MapState<String, long[]> sends;
    private transient MapState<String, long[]> shown;

    @Override
    public void open(OpenContext ctx) {
      held = getRuntimeContext().getMapState(PolicyState.held());
      open = getRuntimeContext().getMapState(PolicyState.open());
      outcomes = getRuntimeContext().getMapState(PolicyState.outcomes());
      sends = getRuntimeContext().getMapState(PolicyState.sends());
      shown = getRuntimeContext().getMapState(PolicyState.shown());
      getRuntimeContext().getState(PolicyState.user());
    }

    @Override
    public void readKey(String user, Context ctx, Collector<String> out) throws Exception {
      out.collect(
          user
              + ": held="
              + Reader.count(held.keys())
              + " open="
              + Reader.count(open.keys())
              + " outcomes="
              + Reader.count(outcomes.keys())
              + " sends="
              + Reader.count(sends.keys())
              + " shown="
              + Reader.count(shown.keys())
              + " timers="
              + ctx.registeredEventTimeTimers().size());
    }
  }

  /**
   * "user: profile=.. cart=.. seen=.. affinities=.. timers=.. triggers=.. no_op_timers=..":
   * registered event-time timers; armed triggers (cart, browse, lifecycle); and registered timers
   * that no armed trigger is due at (a lifecycle timer superseded by an earlier one stays
   * registered and fires as a no-op).
   */
  public static final class Reader extends KeyedStateReaderFunction<String, String> {
    private static final long serialVersionUID = 1L;
    private transient ValueState<UserProfile> profile;
    private transient MapState<String, CartLine> cart;
    private transient MapState<String, Long> seen;
    private transient MapState<String, Affinity> affinities;
    private transient ValueState<BrowseSession> browse;
    private transient ValueState<LifecycleState> lifecycle;

    @Override
    public void open(OpenContext ctx) {
      Duration ttl = PrescientOptions.STATE_TTL.defaultValue();
      profile = getRuntimeContext().getState(ProfileState.profile(ttl));
      cart = getRuntimeContext().getMapState(ProfileState.cart(ttl));
      seen = getRuntimeContext().getMapState(ProfileState.seenEventIds(ttl));
      affinities = getRuntimeContext().getMapState(ProfileState.affinities(ttl));
      browse = getRuntimeContext().getState(ProfileState.browse(ttl));
      lifecycle = getRuntimeContext().getState(ProfileState.lifecycle(ttl));
    }

    @Override
    public void readKey(String user, Context ctx, Collector<String> out) throws Exception {
      UserProfile p = profile.value();
      // In the profile since profile format 2, in map states of their own before: both counted.
      int ids = count(seen.keys()) + (p == null ? 0 : p.recentEventIds.size());
      int categories = count(affinities.keys()) + (p == null ? 0 : p.affinityScores.size());
      BrowseSession b = browse.value();
      LifecycleState l = lifecycle.value();
      Set<Long> armed = new HashSet<>();
      int triggers = 0;
      for (long due :
          new long[] {
            p == null ? 0 : p.pendingTimer,
            b == null ? 0 : b.pendingTimer,
            l == null ? 0 : l.pendingTimer
          }) {
        if (due != 0) {
          triggers++;
          armed.add(due);
        }
      }
      int timers = 0;
      int noOp = 0;
      for (long t : ctx.registeredEventTimeTimers()) {
        timers++;
        noOp += armed.contains(t) ? 0 : 1;
      }
      out.collect(
          user
              + ": profile="
              + (p != null)
              + " cart="
              + count(cart.keys())
              + " seen="
              + ids
              + " affinities="
              + categories
              + " timers="
              + timers
              + " triggers="
              + triggers
              + " no_op_timers="
              + noOp);
    }

    static int count(Iterable<String> keys) {
      int n = 0;
      for (String ignored : keys) {
        n++;
      }
      return n;
    }
  }
}

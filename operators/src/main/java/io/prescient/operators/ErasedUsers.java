package io.prescient.operators;

import io.prescient.state.contract.Hashes;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.api.common.state.OperatorStateStore;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.java.tuple.Tuple2;

/**
 * Users who asked to be erased, so that they stay erased: until a lifetime after the request (in
 * event time), their events, outcomes and consent changes create no state again; a later opt-in
 * lifts it. Users are held only as salted SHA-256 hashes, never as ids: the register cannot list
 * who was erased, only tell whether a given id was.
 *
 * <p>One register per parallel instance, kept as union operator state (every instance restores
 * every entry, so a rescale loses none); entries past their lifetime are dropped at checkpoints.
 */
final class ErasedUsers {
  private static final String SALT = "prescient-erased-user:";

  /** Hash of the user id -> event time until which the user stays erased. */
  private final Map<String, Long> until = new HashMap<>();

  private final long lifetimeMs;

  /** Where the register is checkpointed; null outside an operator (tests). */
  private ListState<Tuple2<String, Long>> state;

  /**
   * @param lifetimeMs how long after an erase request the user stays erased; 0 turns it off
   */
  ErasedUsers(long lifetimeMs) {
    this.lifetimeMs = lifetimeMs;
  }

  /** The register restored from an operator's state ({@code erased-users}, union list state). */
  static ErasedUsers restore(OperatorStateStore store, long lifetimeMs) throws Exception {
    ErasedUsers r = new ErasedUsers(lifetimeMs);
    r.state =
        store.getUnionListState(
            new ListStateDescriptor<>("erased-users", Types.TUPLE(Types.STRING, Types.LONG)));
    for (Tuple2<String, Long> e : r.state.get()) {
      r.restore(e.f0, e.f1);
    }
    return r;
  }

  /** Writes the register for a checkpoint, dropping what ended before the watermark. */
  void snapshot(long watermark) throws Exception {
    if (watermark != Long.MIN_VALUE) {
      expireBefore(watermark);
    }
    state.clear();
    List<Tuple2<String, Long>> entries = new ArrayList<>(until.size());
    until.forEach((hash, end) -> entries.add(Tuple2.of(hash, end)));
    state.addAll(entries);
  }

  static String hash(String user) {
    return Hashes.sha256Hex((SALT + user).getBytes(StandardCharsets.UTF_8));
  }

  boolean enabled() {
    return lifetimeMs > 0;
  }

  /** Records an erase request made at {@code requestedAt} (event time). */
  void erased(String user, long requestedAt) {
    if (enabled()) {
      until.merge(hash(user), requestedAt + lifetimeMs, Math::max);
    }
  }

  /** An opt-in: the user may be profiled again. */
  void optedIn(String user) {
    if (!until.isEmpty()) {
      until.remove(hash(user));
    }
  }

  /** Whether input of this user at event time {@code at} must leave no trace. */
  boolean isErased(String user, long at) {
    if (until.isEmpty()) {
      return false;
    }
    Long end = until.get(hash(user));
    return end != null && at < end;
  }

  /** Drops the entries that ended before this event time (the watermark). */
  void expireBefore(long eventTime) {
    until.values().removeIf(end -> end <= eventTime);
  }

  /** Adds a restored entry (union state: the same entry may come from several instances). */
  private void restore(String hash, long end) {
    until.merge(hash, end, Math::max);
  }

  int size() {
    return until.size();
  }
}

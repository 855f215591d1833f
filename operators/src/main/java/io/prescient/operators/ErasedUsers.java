package io.prescient.operators;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Map;

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

  /**
   * @param lifetimeMs how long after an erase request the user stays erased; 0 turns it off
   */
  ErasedUsers(long lifetimeMs) {
    this.lifetimeMs = lifetimeMs;
  }

  static String hash(String user) {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(d.digest((SALT + user).getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
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

  Map<String, Long> entries() {
    return until;
  }

  /** Adds a restored entry (union state: the same entry may come from several instances). */
  void restore(String hash, long end) {
    until.merge(hash, end, Math::max);
  }

  int size() {
    return until.size();
  }
}

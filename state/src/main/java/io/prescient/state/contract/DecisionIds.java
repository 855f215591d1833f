package io.prescient.state.contract;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** Deterministic decision ids: the same input always yields the same id, on replay too. */
public final class DecisionIds {
  private DecisionIds() {}

  /** 32 hex characters: the first 128 bits of SHA-256(user, trigger, triggering event). */
  public static String of(String userId, String trigger, String triggeringEventId) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      sha.update(userId.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(trigger.getBytes(StandardCharsets.UTF_8));
      sha.update((byte) 0);
      sha.update(triggeringEventId.getBytes(StandardCharsets.UTF_8));
      byte[] digest = sha.digest();
      return HexFormat.of().formatHex(digest, 0, 16);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JVM has SHA-256", e);
    }
  }
}

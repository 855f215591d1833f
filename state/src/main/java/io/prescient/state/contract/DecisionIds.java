package io.prescient.state.contract;

/** Deterministic decision ids: the same input always yields the same id, on replay too. */
public final class DecisionIds {
  private DecisionIds() {}

  /** 32 hex characters: the first 128 bits of SHA-256(user, trigger, triggering event). */
  public static String of(String userId, String trigger, String triggeringEventId) {
    return Hashes.id(userId, trigger, triggeringEventId);
  }
}

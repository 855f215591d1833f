package io.prescient.state.contract;

import java.util.ArrayList;
import java.util.List;

/** A receipt on the {@code audit} topic for a privacy request the job carried out. */
public class AuditRecord {
  /** Version of the record's JSON fields. */
  public static final int SCHEMA_VERSION = 1;

  public String userId;

  /** The request type's wire name: opt_out, opt_in, unsubscribe, erase. */
  public String request;

  /** When the request was made (its timestamp), epoch millis. */
  public long requestedAt;

  /** What was changed or deleted, for example "profile", "cart:3 items", "timers:1". */
  public List<String> effects = new ArrayList<>();

  public AuditRecord() {}

  /** The receipt of a privacy request, before its effects are added. */
  public static AuditRecord receipt(PrivacyRequest r) {
    AuditRecord receipt = new AuditRecord();
    receipt.userId = r.userId;
    receipt.request = r.type.wireName();
    receipt.requestedAt = r.timestamp;
    return receipt;
  }

  /**
   * The record's id: the first 128 bits of SHA-256 over its request, user, time and effects, so a
   * consumer de-duplicates the copies that at-least-once delivery or a replay writes again.
   */
  public String auditId() {
    return Hashes.id(request, userId, Long.toString(requestedAt), String.join("\u0000", effects));
  }

  /** The Kafka key of the record: the user, or for a model announcement "models". */
  public String kafkaKey() {
    return userId != null ? userId : "models";
  }

  @Override
  public String toString() {
    return "AuditRecord{" + userId + ", " + request + ", " + effects + "}";
  }
}

package io.prescient.state.contract;

import java.util.ArrayList;
import java.util.List;

/** A receipt on the {@code audit} topic for a privacy request the job carried out. */
public class AuditRecord {
  /** Version of the record's JSON fields. */
  public static final int SCHEMA_VERSION = 2;

  /**
   * The part of the job that wrote the record: {@value #PROFILE}, {@value #POLICY}, {@value
   * #MODELS}.
   */
  public static final String PROFILE = "profile";

  public static final String POLICY = "policy";
  public static final String MODELS = "models";

  public String userId;

  /**
   * What is receipted: a privacy request's wire name (opt_out, opt_in, unsubscribe, erase),
   * decision_cancelled, decision_suppressed or model_announcement.
   */
  public String request;

  /** Which part of the job acted: {@value #PROFILE}, {@value #POLICY} or {@value #MODELS}. */
  public String component;

  /** When the request was made (its timestamp), epoch millis. */
  public long requestedAt;

  /** What was changed or deleted, in order. */
  public List<Effect> effects = new ArrayList<>();

  public AuditRecord() {}

  /** A record of {@code component} about {@code request}, before its effects are added. */
  public static AuditRecord of(String component, String userId, String request, long at) {
    AuditRecord a = new AuditRecord();
    a.component = component;
    a.userId = userId;
    a.request = request;
    a.requestedAt = at;
    return a;
  }

  /** The receipt of a privacy request by {@code component}, before its effects are added. */
  public static AuditRecord receipt(String component, PrivacyRequest r) {
    return of(component, r.userId, r.type.wireName(), r.timestamp);
  }

  /** Adds an effect; returns this record. */
  public AuditRecord add(Effect e) {
    effects.add(e);
    return this;
  }

  /**
   * The record's id: the first 128 bits of SHA-256 over its request, user, time, component and
   * effects, so a consumer de-duplicates the copies that at-least-once delivery or a replay writes
   * again.
   */
  public String auditId() {
    StringBuilder fx = new StringBuilder();
    for (Effect e : effects) {
      fx.append(e).append('\n');
    }
    return Hashes.id(request, userId, Long.toString(requestedAt), component, fx.toString());
  }

  /** The Kafka key of the record: the user, or for a model announcement "models". */
  public String kafkaKey() {
    return userId != null ? userId : "models";
  }

  @Override
  public String toString() {
    return "AuditRecord{" + userId + ", " + request + ", " + component + ", " + effects + "}";
  }
}

package io.prescient.state.contract;

import java.util.ArrayList;
import java.util.List;

/** A receipt on the {@code audit} topic for a privacy request the job carried out. */
public class AuditRecord {
  public String userId;

  /** The request type's wire name: opt_out, opt_in, unsubscribe, erase. */
  public String request;

  /** When the request was made (its timestamp), epoch millis. */
  public long requestedAt;

  /** What was changed or deleted, for example "profile", "cart:3 items", "timers:1". */
  public List<String> effects = new ArrayList<>();

  public AuditRecord() {}

  @Override
  public String toString() {
    return "AuditRecord{" + userId + ", " + request + ", " + effects + "}";
  }
}

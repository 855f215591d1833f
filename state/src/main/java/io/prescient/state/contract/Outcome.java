package io.prescient.state.contract;

/**
 * A record of the {@code outcomes} topic: what happened to one decision, reported by the messaging
 * service that acted on it (or by the simulator). Keyed by user, joined to its decision by id.
 */
public class Outcome {
  public String decisionId;
  public String userId;
  public OutcomeType type;

  /** Event time, epoch millis. */
  public long timestamp;

  /** Order value of a conversion, when known. */
  public Double value;

  public Outcome() {}

  public Outcome(String decisionId, String userId, OutcomeType type, long timestamp, Double value) {
    this.decisionId = decisionId;
    this.userId = userId;
    this.type = type;
    this.timestamp = timestamp;
    this.value = value;
  }

  @Override
  public String toString() {
    return "Outcome{" + decisionId + ", " + userId + ", " + type + ", " + timestamp + "}";
  }
}

package io.prescient.state.contract;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A request from the {@code requests} topic, after validation: a web tier asks for a decision for
 * one user and one placement of a page now. It is answered at once on {@code responses}, with no
 * creepiness delay, from the same per-user state and policy as behavioural triggers.
 */
public class DecisionRequest {
  /** The caller's id of the request: the answer carries it, and a repeat gets the same answer. */
  public String requestId;

  public String userId;

  /** Where the answer is shown (home_banner, product_page, ...): carried into the answer. */
  public String placement;

  /** When the request was made, epoch milliseconds UTC: the decision's event time. */
  public long timestamp;

  /** Optional caller context (page, device, ...): at most 16 string values, carried, not used. */
  public Map<String, String> context = new LinkedHashMap<>();

  public DecisionRequest() {}

  public DecisionRequest(String requestId, String userId, String placement, long timestamp) {
    this.requestId = requestId;
    this.userId = userId;
    this.placement = placement;
    this.timestamp = timestamp;
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof DecisionRequest r)) {
      return false;
    }
    return timestamp == r.timestamp
        && Objects.equals(requestId, r.requestId)
        && Objects.equals(userId, r.userId)
        && Objects.equals(placement, r.placement)
        && Objects.equals(context, r.context);
  }

  @Override
  public int hashCode() {
    return Objects.hash(requestId, userId, placement, timestamp, context);
  }

  @Override
  public String toString() {
    return "DecisionRequest{"
        + requestId
        + ", "
        + userId
        + ", "
        + placement
        + ", "
        + timestamp
        + "}";
  }
}

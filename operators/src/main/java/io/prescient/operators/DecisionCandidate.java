package io.prescient.operators;

import io.prescient.state.contract.Decision;
import java.util.ArrayList;
import java.util.List;

/**
 * A decision point the profile found for a user (the trigger's skeleton decision), with the user's
 * live feature vector at that moment (feature schema order), on its way to the policy. The vector
 * leaves the job only in feedback records, the input of retraining.
 */
public class DecisionCandidate {
  public Decision decision;
  public float[] features;

  /** Events the user has made so far: little history means broad before specific. */
  public long userEvents;

  /** The order value at stake (the cart's value), for the expected value of each offer. */
  public double orderValue;

  /**
   * The products the user bought most recently (oldest first) and when ({@link #historyAt}), for
   * item-to-item recommendations; empty for decisions made without the user's data.
   */
  public List<String> history = new ArrayList<>();

  public long[] historyAt = new long[0];

  /**
   * The products the user viewed most recently (oldest first), for recommending a product looked at
   * and not bought; empty for decisions made without the user's data.
   */
  public List<String> viewed = new ArrayList<>();

  /** The products in the user's cart: never recommended. */
  public List<String> cart = new ArrayList<>();

  public DecisionCandidate() {}

  public DecisionCandidate(Decision decision, float[] features) {
    this(decision, features, 0, 0);
  }

  public DecisionCandidate(
      Decision decision, float[] features, long userEvents, double orderValue) {
    this.decision = decision;
    this.features = features;
    this.userEvents = userEvents;
    this.orderValue = orderValue;
  }
}

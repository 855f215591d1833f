package io.prescient.operators;

import io.prescient.state.contract.Decision;

/**
 * A decision the rules made for a user, with the user's live feature vector at that moment (feature
 * schema order), on its way to the scorer. The vector never leaves the job.
 */
public class DecisionCandidate {
  public Decision decision;
  public float[] features;

  public DecisionCandidate() {}

  public DecisionCandidate(Decision decision, float[] features) {
    this.decision = decision;
    this.features = features;
  }
}

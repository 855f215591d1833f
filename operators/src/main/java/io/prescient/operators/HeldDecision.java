package io.prescient.operators;

import io.prescient.state.contract.Decision;

/**
 * An outbound decision waiting out its creepiness delay in keyed state, released at {@code
 * decision.sendAfter} (event time) after a re-check, with the features it was decided on (for the
 * feedback record).
 */
public class HeldDecision {
  public Decision decision;
  public float[] features = new float[0];

  public HeldDecision() {}

  public HeldDecision(Decision decision, float[] features) {
    this.decision = decision;
    this.features = features;
  }
}

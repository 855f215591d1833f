package io.prescient.operators;

import io.prescient.state.contract.Decision;

/**
 * An outbound decision waiting out its creepiness delay in keyed state, released at {@code
 * decision.sendAfter} (event time) after a re-check. The features it was decided on are stored
 * once, in the decision's open feedback record.
 */
public class HeldDecision {
  public Decision decision;

  /**
   * Empty since the features are stored once (in the open feedback); state written before held a
   * copy here, which nothing reads. Kept so that the held-decisions state keeps its POJO schema.
   */
  public float[] features = new float[0];

  public HeldDecision() {}

  public HeldDecision(Decision decision) {
    this.decision = decision;
  }
}

package io.prescient.operators;

import io.prescient.state.contract.Decision;
import io.prescient.state.contract.Feedback;

/**
 * An outbound decision waiting out its creepiness delay in keyed state, released at its {@code
 * sendAfter} (event time) after a re-check.
 *
 * <p>The decision is stored once: when its open feedback record outlives the delay (the user had
 * not opted out, and the reward window is longer than the delay), that record holds it and this
 * entry keeps only when it is due ({@link #inFeedback}); the release reads the decision from the
 * feedback. Otherwise this entry holds the decision itself. Entries written by earlier versions all
 * hold it.
 */
public class HeldDecision {
  /** The decision; null: its open feedback record holds it. */
  public Decision decision;

  /**
   * Empty since the features are stored once (in the open feedback); state written before held a
   * copy here, which nothing reads. Kept so that the held-decisions state keeps its POJO schema.
   */
  public float[] features = new float[0];

  /** When it is due (the decision's sendAfter) for an entry whose decision its feedback holds. */
  public long sendAfter;

  public HeldDecision() {}

  public HeldDecision(Decision decision) {
    this.decision = decision;
  }

  /** An entry for {@code d}, whose open feedback record holds it. */
  static HeldDecision inFeedback(Decision d) {
    HeldDecision h = new HeldDecision();
    h.sendAfter = d.sendAfter;
    return h;
  }

  /**
   * Its decision, wherever stored: this entry's, or else that of its open feedback record {@code f}
   * (which the caller reads when {@link #decision} is null); null when neither holds one.
   */
  public Decision decisionWith(Feedback f) {
    return decision != null ? decision : f == null ? null : f.decision;
  }

  /** When it is due, wherever its decision is stored. */
  long dueAt() {
    return decision != null ? decision.sendAfter : sendAfter;
  }
}

package io.prescient.state.contract;

import java.util.ArrayList;
import java.util.List;

/**
 * A record of the {@code feedback} topic: one released decision joined with what happened within
 * its reward window. This is what offline evaluation and retraining read: the context (features at
 * decision time), the action, the exact logged propensity and the reward.
 *
 * <p>The reward is a conversion: a {@code converted} outcome for the released decision (from {@code
 * send_after}), or a purchase event of the user after {@code decided_at}, before {@code
 * reward_window_end} = decided_at + the reward window. Every decision made gets a record, cancelled
 * ones included ({@code cancelled_reason}): arms are compared on everything they decided (intent to
 * treat), measured the same way (the control arm sends nothing and gets no outcomes).
 */
public class Feedback {
  public static final int SCHEMA_VERSION = 1;

  public Decision decision;

  /** Feature schema version and the features at decision time (empty for broad decisions). */
  public int featureSchemaVersion;

  public float[] features = new float[0];

  public long rewardWindowEnd;

  /** Why the decision was cancelled at release (nothing was sent), or null when it was released. */
  public String cancelledReason;

  public boolean delivered;
  public boolean opened;
  public boolean clicked;
  public boolean dismissed;
  public boolean converted;

  /** "outcome" or "purchase": what showed the conversion first; null when not converted. */
  public String convertedBy;

  public long convertedAt;

  /** Conversion value (order value) within the window; 0 when not converted or not known. */
  public double conversionValue;

  /**
   * Outcome types joined, in the order they were joined; an outcome outside the window is not
   * joined (it goes to the DLQ as unknown_decision).
   */
  public List<String> outcomes = new ArrayList<>();

  public Feedback() {}

  /** 1 when converted within the window, else 0. */
  public double reward() {
    return converted ? 1.0 : 0.0;
  }
}

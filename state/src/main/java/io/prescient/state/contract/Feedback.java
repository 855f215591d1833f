package io.prescient.state.contract;

import java.util.ArrayList;
import java.util.List;

/**
 * A record of the {@code feedback} topic: one released decision joined with what happened within
 * its reward window. This is what offline evaluation and retraining read: the context (features at
 * decision time), the action, the exact logged propensity and the reward.
 *
 * <p>The reward is a conversion: a {@code converted} outcome for the decision, or a purchase event
 * of the user, within {@code [send_after, reward_window_end)}. Measuring it the same way for every
 * arm (the control arm sends nothing and gets no outcomes) makes arms comparable.
 */
public class Feedback {
  public static final int SCHEMA_VERSION = 1;

  public Decision decision;

  /** Feature schema version and the features at decision time (empty for broad decisions). */
  public int featureSchemaVersion;

  public float[] features = new float[0];

  public long rewardWindowEnd;
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

  /** Outcome types in arrival order, including ones outside the window (ignored, listed). */
  public List<String> outcomes = new ArrayList<>();

  public Feedback() {}

  /** 1 when converted within the window, else 0. */
  public double reward() {
    return converted ? 1.0 : 0.0;
  }
}

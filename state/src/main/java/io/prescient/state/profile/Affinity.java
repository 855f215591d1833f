package io.prescient.state.profile;

/**
 * A user's decayed interest in one category (a value of the affinity {@code MapState}, keyed by
 * category): score halves every half-life of event time.
 */
public class Affinity {
  public double score;

  /** Event time the score refers to, epoch millis. */
  public long at;

  public Affinity() {}

  public Affinity(double score, long at) {
    this.score = score;
    this.at = at;
  }

  /** The score decayed to event time {@code now}. */
  public double scoreAt(long now, long halfLifeMs) {
    if (now <= at) {
      return score;
    }
    return score * Math.pow(0.5, (now - at) / (double) halfLifeMs);
  }
}

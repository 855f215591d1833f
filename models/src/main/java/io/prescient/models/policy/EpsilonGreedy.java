package io.prescient.models.policy;

/**
 * Epsilon-greedy choice with an exact logged propensity. With probability 1 - epsilon the action of
 * highest expected value (the first one on ties), with probability epsilon a uniformly random one.
 * The draw is seeded from the decision id, so the same decision always draws the same numbers and a
 * replay reproduces it bit for bit.
 *
 * <p>The propensity is the probability that the policy picks the chosen action given the context:
 * (1 - epsilon) + epsilon / n for the greedy action, epsilon / n for any other. It is exact, not an
 * estimate, which is what IPS needs.
 */
public final class EpsilonGreedy {
  private EpsilonGreedy() {}

  /**
   * @param index the chosen action
   * @param propensity the probability of choosing it
   * @param explored whether the random branch made the choice (it may coincide with greedy)
   */
  public record Choice(int index, int greedy, double propensity, boolean explored) {}

  public static Choice choose(double[] values, double epsilon, String decisionId) {
    if (values.length == 0) {
      throw new IllegalArgumentException("nothing to choose from");
    }
    if (!(epsilon >= 0 && epsilon <= 1)) {
      throw new IllegalArgumentException("epsilon must be in [0, 1], got " + epsilon);
    }
    int greedy = 0;
    for (int i = 1; i < values.length; i++) {
      if (values[i] > values[greedy]) {
        greedy = i;
      }
    }
    int n = values.length;
    java.util.SplittableRandom random = new java.util.SplittableRandom(seed(decisionId));
    boolean explore = random.nextDouble() < epsilon;
    int chosen = explore ? random.nextInt(n) : greedy;
    double p = (chosen == greedy ? 1 - epsilon : 0) + epsilon / n;
    return new Choice(chosen, greedy, p, explore);
  }

  /** 64 bits of the decision id (hex) or of its hash, as the seed of the draw. */
  static long seed(String decisionId) {
    if (decisionId.length() >= 16) {
      try {
        return Long.parseUnsignedLong(decisionId.substring(0, 16), 16);
      } catch (NumberFormatException ignored) {
        // not hex: fall through
      }
    }
    long h = 1125899906842597L;
    for (int i = 0; i < decisionId.length(); i++) {
      h = 31 * h + decisionId.charAt(i);
    }
    return h;
  }
}

package io.prescient.models.policy;

import io.prescient.state.contract.Hashes;
import java.io.Serializable;
import java.nio.ByteBuffer;

/**
 * Assigns users to experiment arms by a stable hash: SHA-256(experiment, user) mapped to [0, 1),
 * cut by the configured shares. The same user always lands in the same arm of an experiment, on
 * every parallel instance and in every replay; a new experiment name reshuffles everyone.
 */
public final class Arms implements Serializable {
  private static final long serialVersionUID = 1L;

  public enum Arm {
    /** Hold-out: the decision is logged, nothing is sent. */
    CONTROL("control"),
    RULES("rules"),
    MODEL("model");

    public final String wireName;

    Arm(String wireName) {
      this.wireName = wireName;
    }
  }

  private final String experiment;
  private final double controlShare;
  private final double rulesShare;

  /**
   * @param controlShare fraction of users held out
   * @param rulesShare fraction of users the rules decide for; the rest get the model arm
   */
  public Arms(String experiment, double controlShare, double rulesShare) {
    if (experiment == null || experiment.isBlank()) {
      throw new IllegalArgumentException("the experiment needs a name (it salts the hash)");
    }
    if (controlShare < 0 || rulesShare < 0 || controlShare + rulesShare > 1 + 1e-12) {
      throw new IllegalArgumentException(
          "arm shares must be >= 0 and control + rules <= 1, got control "
              + controlShare
              + ", rules "
              + rulesShare);
    }
    this.experiment = experiment;
    this.controlShare = controlShare;
    this.rulesShare = rulesShare;
  }

  public String experiment() {
    return experiment;
  }

  public Arm of(String userId) {
    double u = unit(experiment, userId);
    if (u < controlShare) {
      return Arm.CONTROL;
    }
    return u < controlShare + rulesShare ? Arm.RULES : Arm.MODEL;
  }

  /** A uniform number in [0, 1) from SHA-256(salt, 0, key): 53 bits of the digest. */
  static double unit(String salt, String key) {
    long bits = ByteBuffer.wrap(Hashes.digest(salt, key)).getLong() >>> 11;
    return bits / (double) (1L << 53);
  }
}

package io.prescient.operators;

import io.prescient.state.contract.Event;
import io.prescient.state.contract.Outcome;
import io.prescient.state.contract.PrivacyRequest;
import java.util.ArrayList;
import java.util.List;

/**
 * What reaches the per-user policy operator: a decision point from the profile (with the user's
 * features), a fact about the user that a held decision must be re-checked against (a purchase, a
 * privacy request), or an outcome reported for one of the user's decisions. Everything carries its
 * event time, and everything of one user arrives in one keyed stream, in order.
 */
public class PolicyInput {
  public enum Kind {
    CANDIDATE,
    PURCHASE,
    OPT_OUT,
    OPT_IN,
    UNSUBSCRIBE,
    ERASE,
    OUTCOME,
    /**
     * A model announcement or catalog entry on its way from the broadcast input of the profile
     * operator to the policy chained behind it: not of any user, applied by every policy instance.
     */
    CONTROL
  }

  public Kind kind;
  public String userId;

  /** Event time, epoch millis. */
  public long timestamp;

  public DecisionCandidate candidate;
  public Outcome outcome;

  /** A control record ({@link Kind#CONTROL}): a parsed model announcement or catalog entry. */
  public Envelope control;

  /** Order value of a purchase. */
  public double value;

  /** Channels of an unsubscribe. */
  public List<String> channels = new ArrayList<>();

  /** Where an outcome came from, for its DLQ record. */
  public String sourceTopic;

  public int partition;
  public long offset;

  /**
   * Wall-clock epoch millis when the source read the record this input comes from (0: it comes from
   * a timer): for the latency histograms only, never part of a decision.
   */
  public long receivedAt;

  public PolicyInput() {}

  public static PolicyInput candidate(DecisionCandidate c) {
    PolicyInput in = of(Kind.CANDIDATE, c.decision.userId, c.decision.decidedAt);
    in.candidate = c;
    return in;
  }

  public static PolicyInput signal(Kind kind, String userId, long timestamp) {
    return of(kind, userId, timestamp);
  }

  /**
   * A purchase as the policy needs it (held decisions it cancels, open ones it converts): its value
   * is price times quantity.
   */
  public static PolicyInput purchase(Event e, long receivedAt) {
    PolicyInput in = of(Kind.PURCHASE, e.userId, e.timestamp);
    in.value = (e.price == null ? 0 : e.price) * (e.quantity == null ? 1 : e.quantity);
    in.receivedAt = receivedAt;
    return in;
  }

  /** The privacy request as the policy operator needs it (held decisions, open feedback). */
  public static PolicyInput privacy(PrivacyRequest r) {
    PolicyInput.Kind kind =
        switch (r.type) {
          case OPT_OUT -> PolicyInput.Kind.OPT_OUT;
          case OPT_IN -> PolicyInput.Kind.OPT_IN;
          case UNSUBSCRIBE -> PolicyInput.Kind.UNSUBSCRIBE;
          case ERASE -> PolicyInput.Kind.ERASE;
        };
    PolicyInput in = PolicyInput.signal(kind, r.userId, r.timestamp);
    if (r.channels != null) {
      in.channels.addAll(r.channels);
    }
    return in;
  }

  public static PolicyInput outcome(Envelope env) {
    PolicyInput in = of(Kind.OUTCOME, env.outcome.userId, env.outcome.timestamp);
    in.outcome = env.outcome;
    in.sourceTopic = env.sourceTopic;
    in.partition = env.partition;
    in.offset = env.offset;
    in.receivedAt = env.receivedAt;
    return in;
  }

  /** A broadcast record handed on to the policy; its user id is empty (it has no user). */
  public static PolicyInput control(Envelope env) {
    PolicyInput in = of(Kind.CONTROL, "", Long.MIN_VALUE);
    in.control = env;
    in.receivedAt = env.receivedAt;
    return in;
  }

  private static PolicyInput of(Kind kind, String userId, long timestamp) {
    PolicyInput in = new PolicyInput();
    in.kind = kind;
    in.userId = userId;
    in.timestamp = timestamp;
    return in;
  }

  @Override
  public String toString() {
    return "PolicyInput{" + kind + ", " + userId + ", " + timestamp + "}";
  }
}

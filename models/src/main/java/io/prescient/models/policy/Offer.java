package io.prescient.models.policy;

import java.io.Serializable;
import java.util.List;

/**
 * One action the policy may choose, as declared in the offer catalog file (see {@code
 * prescient/offers.yaml} for the meaning of each field). {@code template} (the sender's message
 * template) and {@code coupon} (a code the message carries) are optional: null when not given.
 */
public record Offer(
    String id,
    String kind,
    String channel,
    List<String> triggers,
    double sendCost,
    double discount,
    double conversionCost,
    double priorConversion,
    boolean usesProduct,
    int rulesRank,
    String template,
    String coupon)
    implements Serializable {

  public static final List<String> KINDS =
      List.of("reminder", "discount", "free_shipping", "recommendation");
  public static final List<String> CHANNELS = List.of("email", "push", "onsite");

  /** Email and push reach the user outside the site: the creepiness delay holds them. */
  public boolean outbound() {
    return !"onsite".equals(channel);
  }

  /**
   * Expected value of sending this offer: P(convert) x (order value x (margin - discount) -
   * conversion cost) - send cost.
   */
  public double expectedValue(double conversion, double orderValue, double margin) {
    return conversion * (orderValue * (margin - discount) - conversionCost) - sendCost;
  }
}

package io.prescient.state.profile;

/**
 * What the activity windows count. The ordinal is the position in a bucket's counter array and is
 * part of the state format: append new metrics at the end, never reorder.
 */
public enum Metric {
  EVENTS,
  VIEWS,
  SEARCHES,
  CART_ADDS,
  CART_REMOVES,
  PURCHASES,
  /** Purchase value in cents. */
  SPEND_CENTS,
  REFUNDS,
  /** Refund value in cents. */
  REFUND_CENTS,
  DWELL_SECONDS,
  EMAIL_OPENS,
  EMAIL_CLICKS,
  SUPPORT_TICKETS,
  /** Sum of support-ticket sentiment in thousandths (-1000..1000 per ticket). */
  SENTIMENT_MILLIS,
  SESSIONS;

  public static final int COUNT = values().length;
}

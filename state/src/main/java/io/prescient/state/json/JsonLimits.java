package io.prescient.state.json;

import java.io.Serializable;

/**
 * Bounds that make input "sane". Records outside them are rejected with a precise reason; the
 * defaults suit live traffic and replays of historical datasets (events back to 2000).
 */
public class JsonLimits implements Serializable {
  private static final long serialVersionUID = 1L;

  /** 2000-01-01T00:00:00Z: nothing older is a real behavioural event for this product. */
  public static final long DEFAULT_MIN_TIMESTAMP = 946_684_800_000L;

  public final int maxRecordBytes;
  public final long minTimestamp;
  public final long maxFutureSkewMs;
  public final double maxPrice;
  public final int maxQuantity;

  public JsonLimits(
      int maxRecordBytes,
      long minTimestamp,
      long maxFutureSkewMs,
      double maxPrice,
      int maxQuantity) {
    this.maxRecordBytes = maxRecordBytes;
    this.minTimestamp = minTimestamp;
    this.maxFutureSkewMs = maxFutureSkewMs;
    this.maxPrice = maxPrice;
    this.maxQuantity = maxQuantity;
  }

  public static JsonLimits defaults() {
    return new JsonLimits(1 << 20, DEFAULT_MIN_TIMESTAMP, 24L * 3600 * 1000, 1_000_000.0, 100_000);
  }
}

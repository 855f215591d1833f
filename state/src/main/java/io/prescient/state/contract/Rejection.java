package io.prescient.state.contract;

/**
 * A record that did not make it into the job: what arrived, from where, and why it was rejected.
 * Written to the {@code dlq} topic by {@link io.prescient.state.json.OutputJson#rejection}.
 */
public class Rejection {
  /** The version of the DLQ record format (the {@code schema_version} field). */
  public static final int SCHEMA_VERSION = 1;

  public String sourceTopic;
  public int partition;
  public long offset;

  /** The Kafka record timestamp, epoch millis (-1 when unknown). */
  public long kafkaTimestamp;

  public RejectReason reason;
  public String detail;

  /** The raw value, possibly truncated to the configured maximum; see {@link #rawSize}. */
  public byte[] raw;

  /** Size of the original value in bytes, before any truncation. */
  public int rawSize;

  /** Hex SHA-256 of the original value, so truncated records can still be matched. */
  public String rawSha256;

  /** User id when it could be read, else null. */
  public String userId;

  public Rejection() {}

  public boolean truncated() {
    return raw != null && raw.length < rawSize;
  }

  @Override
  public String toString() {
    return "Rejection{"
        + sourceTopic
        + "@"
        + partition
        + ":"
        + offset
        + " "
        + reason
        + ": "
        + detail
        + "}";
  }
}

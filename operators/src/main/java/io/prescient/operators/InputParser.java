package io.prescient.operators;

import io.prescient.state.contract.CatalogEntry;
import io.prescient.state.contract.Hashes;
import io.prescient.state.contract.InvalidRecordException;
import io.prescient.state.contract.RejectReason;
import io.prescient.state.contract.Rejection;
import io.prescient.state.json.JsonLimits;
import io.prescient.state.json.OutputJson;
import io.prescient.state.json.RecordParser;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;

/** Turns the bytes of one record of an input topic into an {@link Envelope}. */
public final class InputParser implements Serializable {
  private static final long serialVersionUID = 1L;

  /** Which contract the topic carries. */
  public enum Kind {
    EVENTS,
    PRIVACY,
    MODELS,
    OUTCOMES,
    CATALOG,
    REQUESTS
  }

  private final Kind kind;
  private final JsonLimits limits;
  private final int dlqMaxRawBytes;
  private transient RecordParser parser;

  public InputParser(Kind kind, JsonLimits limits, int dlqMaxRawBytes) {
    this.kind = kind;
    this.limits = limits;
    this.dlqMaxRawBytes = dlqMaxRawBytes;
  }

  /** A record read from a file: there is no key to check. */
  public Envelope parse(
      byte[] value, String topic, int partition, long offset, long kafkaTimestamp, long now) {
    return parse(null, value, topic, partition, offset, kafkaTimestamp, now, false);
  }

  /**
   * A Kafka record. On the catalog topic the key is the product id: a record whose key is missing
   * or is not its {@code product_id} is rejected, and a tombstone (no value) removes the product.
   */
  public Envelope parse(
      byte[] key,
      byte[] value,
      String topic,
      int partition,
      long offset,
      long kafkaTimestamp,
      long now,
      boolean keyed) {
    if (parser == null) {
      parser = new RecordParser(limits);
    }
    Envelope env;
    try {
      if (keyed && kind == Kind.CATALOG) {
        env = catalog(key, value, topic, partition, offset, now);
        env.receivedAt = now;
        return env;
      }
      env =
          switch (kind) {
            case EVENTS -> Envelope.of(parser.parseEvent(value, now), topic, partition, offset);
            case PRIVACY -> Envelope.of(parser.parsePrivacy(value, now), topic, partition, offset);
            case MODELS -> Envelope.of(parser.parseModel(value), topic, partition, offset);
            case OUTCOMES -> Envelope.of(parser.parseOutcome(value, now), topic, partition, offset);
            case CATALOG -> Envelope.of(parser.parseCatalog(value), topic, partition, offset);
            case REQUESTS -> Envelope.of(parser.parseRequest(value, now), topic, partition, offset);
          };
    } catch (InvalidRecordException e) {
      env =
          Envelope.of(
              rejection(e, value, topic, partition, offset, kafkaTimestamp, dlqMaxRawBytes));
    }
    env.receivedAt = now;
    return env;
  }

  /** A DLQ record for {@code value}: raw bytes kept up to {@code maxRawBytes}, hashed in full. */
  private Envelope catalog(
      byte[] key, byte[] value, String topic, int partition, long offset, long now)
      throws InvalidRecordException {
    String productId = key == null ? null : new String(key, StandardCharsets.UTF_8);
    if (productId == null || productId.isBlank()) {
      throw new InvalidRecordException(
          RejectReason.INVALID_VALUE, "a catalog record needs its product_id as the record key");
    }
    if (value == null) {
      Envelope env =
          Envelope.of(
              new CatalogEntry(productId, null, 0, 0, false, false), topic, partition, offset);
      env.catalogDelete = true;
      return env;
    }
    CatalogEntry c = parser.parseCatalog(value);
    if (!productId.equals(c.productId)) {
      throw new InvalidRecordException(
          RejectReason.INVALID_VALUE,
          "the record key is not its product_id ('"
              + c.productId
              + "'): catalog records are keyed by product_id");
    }
    return Envelope.of(c, topic, partition, offset);
  }

  public static Rejection rejection(
      InvalidRecordException e,
      byte[] value,
      String topic,
      int partition,
      long offset,
      long kafkaTimestamp,
      int maxRawBytes) {
    byte[] raw = value == null ? new byte[0] : value;
    Rejection r = new Rejection();
    r.sourceTopic = topic;
    r.partition = partition;
    r.offset = offset;
    r.kafkaTimestamp = kafkaTimestamp;
    r.reason = e.reason();
    r.detail = e.getMessage();
    r.rawSize = raw.length;
    r.raw = raw.length <= maxRawBytes ? raw : Arrays.copyOf(raw, maxRawBytes);
    r.rawSha256 = Hashes.sha256Hex(raw);
    r.userId = raw.length <= maxRawBytes ? RecordParser.userIdOrNull(raw) : null;
    return r;
  }

  /** A late event for the DLQ: how far behind the watermark it was. */
  static Rejection late(Envelope env, long watermark, long allowedLatenessMs, int maxRawBytes) {
    long at = env.event.timestamp;
    String detail =
        "event time "
            + Instant.ofEpochMilli(at)
            + " is "
            + (watermark - at)
            + " ms behind the watermark "
            + Instant.ofEpochMilli(watermark)
            + " (allowed lateness "
            + allowedLatenessMs
            + " ms); raw is the parsed event re-encoded";
    return reencoded(env, RejectReason.LATE_EVENT, detail, maxRawBytes);
  }

  /** A repeated event id for the DLQ, with when the first was seen. */
  static Rejection duplicate(Envelope env, long firstSeenAt, int maxRawBytes) {
    String detail =
        "event_id '"
            + env.event.eventId
            + "' was already processed (event time "
            + Instant.ofEpochMilli(firstSeenAt)
            + "); raw is the parsed event re-encoded";
    return reencoded(env, RejectReason.DUPLICATE_EVENT, detail, maxRawBytes);
  }

  private static Rejection reencoded(
      Envelope env, RejectReason reason, String detail, int maxRawBytes) {
    return rejection(
        new InvalidRecordException(reason, detail),
        OutputJson.event(env.event),
        env.sourceTopic,
        env.partition,
        env.offset,
        -1,
        maxRawBytes);
  }
}

package io.prescient.operators;

import io.prescient.state.contract.CatalogEntry;
import io.prescient.state.contract.DecisionRequest;
import io.prescient.state.contract.Event;
import io.prescient.state.contract.ModelAnnouncement;
import io.prescient.state.contract.Outcome;
import io.prescient.state.contract.PrivacyRequest;
import io.prescient.state.contract.Rejection;
import org.apache.flink.api.common.typeinfo.TypeInfo;

/**
 * What a source emits for one Kafka record: exactly one of a valid event, privacy request, model
 * announcement, outcome, catalog entry or decision request, or a rejection. Parsing never throws,
 * so bad input cannot fail the source; the router sends rejections to the DLQ. Source coordinates
 * travel along so a later rejection (a late event) can still name the record. Its serializer is
 * {@link EnvelopeSerializer}.
 */
@TypeInfo(EnvelopeSerializer.Factory.class)
public class Envelope {
  public Event event;
  public PrivacyRequest privacy;
  public ModelAnnouncement model;
  public Outcome outcome;
  public CatalogEntry catalog;

  /** With {@link #catalog}: a tombstone, the product ({@code catalog.productId}) is removed. */
  public boolean catalogDelete;

  /** A decision request of a web tier, answered at once. */
  public DecisionRequest request;

  public Rejection rejection;
  public String sourceTopic;
  public int partition;
  public long offset;

  /**
   * Wall-clock epoch millis when the source parsed the record (0: unknown): the start of the
   * pipeline and decision latency histograms. Never part of any output or decision.
   */
  public long receivedAt;

  public Envelope() {}

  public static Envelope of(Event e, String topic, int partition, long offset) {
    Envelope env = new Envelope();
    env.event = e;
    return env.at(topic, partition, offset);
  }

  public static Envelope of(PrivacyRequest r, String topic, int partition, long offset) {
    Envelope env = new Envelope();
    env.privacy = r;
    return env.at(topic, partition, offset);
  }

  public static Envelope of(ModelAnnouncement m, String topic, int partition, long offset) {
    Envelope env = new Envelope();
    env.model = m;
    return env.at(topic, partition, offset);
  }

  public static Envelope of(Outcome o, String topic, int partition, long offset) {
    Envelope env = new Envelope();
    env.outcome = o;
    return env.at(topic, partition, offset);
  }

  public static Envelope of(CatalogEntry c, String topic, int partition, long offset) {
    Envelope env = new Envelope();
    env.catalog = c;
    return env.at(topic, partition, offset);
  }

  public static Envelope of(DecisionRequest r, String topic, int partition, long offset) {
    Envelope env = new Envelope();
    env.request = r;
    return env.at(topic, partition, offset);
  }

  public static Envelope of(Rejection r) {
    Envelope env = new Envelope();
    env.rejection = r;
    return env.at(r.sourceTopic, r.partition, r.offset);
  }

  private Envelope at(String topic, int partition, long offset) {
    this.sourceTopic = topic;
    this.partition = partition;
    this.offset = offset;
    return this;
  }

  /** The user this input belongs to; only valid (non-rejected) envelopes are keyed. */
  public String userId() {
    if (event != null) {
      return event.userId;
    }
    if (request != null) {
      return request.userId;
    }
    return privacy != null ? privacy.userId : outcome.userId;
  }

  /** Event time of a valid input, epoch millis. */
  public long timestamp() {
    if (event != null) {
      return event.timestamp;
    }
    if (request != null) {
      return request.timestamp;
    }
    return privacy != null ? privacy.timestamp : outcome.timestamp;
  }
}

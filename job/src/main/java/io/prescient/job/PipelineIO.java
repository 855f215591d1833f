package io.prescient.job;

import io.prescient.operators.Envelope;
import io.prescient.state.contract.AuditRecord;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.Feedback;
import io.prescient.state.contract.Rejection;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.source.Source;

/**
 * The sources and sinks the topology is wired to. Production wires Kafka ({@link KafkaIO}); a test
 * may wire its own, and the topology cannot tell the difference. {@code outcomes}, {@code catalog}
 * and {@code feedback} may be null: no outcomes are joined, every product counts as in stock with
 * the default margin, feedback records are not written. {@code requests} and {@code responses} are
 * null together: no web tier's requests are answered.
 */
public record PipelineIO(
    Source<Envelope, ?, ?> events,
    Source<Envelope, ?, ?> privacy,
    Source<Envelope, ?, ?> models,
    Source<Envelope, ?, ?> outcomes,
    Source<Envelope, ?, ?> catalog,
    Sink<Decision> decisions,
    Sink<Rejection> dlq,
    Sink<AuditRecord> audit,
    Sink<Feedback> feedback,
    Source<Envelope, ?, ?> requests,
    Sink<Decision> responses) {

  public PipelineIO {
    if ((requests == null) != (responses == null)) {
      throw new IllegalArgumentException("requests and responses go together: both or neither");
    }
  }

  /** Without outcomes, catalog and feedback. */
  public PipelineIO(
      Source<Envelope, ?, ?> events,
      Source<Envelope, ?, ?> privacy,
      Source<Envelope, ?, ?> models,
      Sink<Decision> decisions,
      Sink<Rejection> dlq,
      Sink<AuditRecord> audit) {
    this(events, privacy, models, null, null, decisions, dlq, audit, null, null, null);
  }
}

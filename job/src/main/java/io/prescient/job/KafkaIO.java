package io.prescient.job;

import io.prescient.operators.Envelope;
import io.prescient.operators.InputParser;
import io.prescient.operators.JsonRecordSerializer;
import io.prescient.operators.KafkaEnvelopeDeserializer;
import io.prescient.state.contract.AuditRecord;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.Feedback;
import io.prescient.state.contract.Rejection;
import io.prescient.state.json.JsonLimits;
import io.prescient.state.json.OutputJson;
import java.time.Instant;
import java.util.Properties;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.apache.flink.connector.kafka.sink.KafkaRecordSerializationSchema;
import org.apache.flink.connector.kafka.sink.KafkaSink;
import org.apache.flink.connector.kafka.sink.KafkaSinkBuilder;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.KafkaSourceBuilder;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.OffsetResetStrategy;

/** The production sources and sinks: the Kafka topics of DESIGN.md. */
public final class KafkaIO {
  private KafkaIO() {}

  /** fetch.min.bytes of the events source when it batches (see EVENTS_FETCH_WAIT). */
  static final int EVENTS_FETCH_MIN_BYTES = 64 * 1024;

  public static PipelineIO create(Configuration c) {
    JsonLimits limits = limits(c);
    int dlqMax = (int) c.get(PrescientOptions.DLQ_MAX_RAW_SIZE).getBytes();
    return new PipelineIO(
        source(c, c.get(PrescientOptions.TOPIC_EVENTS), InputParser.Kind.EVENTS, limits, dlqMax),
        source(c, c.get(PrescientOptions.TOPIC_PRIVACY), InputParser.Kind.PRIVACY, limits, dlqMax),
        source(c, c.get(PrescientOptions.TOPIC_MODELS), InputParser.Kind.MODELS, limits, dlqMax),
        source(
            c, c.get(PrescientOptions.TOPIC_OUTCOMES), InputParser.Kind.OUTCOMES, limits, dlqMax),
        source(c, c.get(PrescientOptions.TOPIC_CATALOG), InputParser.Kind.CATALOG, limits, dlqMax),
        sink(
            c,
            "decisions",
            new JsonRecordSerializer<Decision>(
                c.get(PrescientOptions.TOPIC_DECISIONS), d -> d.userId, OutputJson::decision)),
        sink(
            c,
            "dlq",
            new JsonRecordSerializer<Rejection>(
                c.get(PrescientOptions.TOPIC_DLQ), r -> r.userId, OutputJson::rejection)),
        sink(
            c,
            "audit",
            new JsonRecordSerializer<AuditRecord>(
                c.get(PrescientOptions.TOPIC_AUDIT), AuditRecord::kafkaKey, OutputJson::audit)),
        sink(
            c,
            "feedback",
            new JsonRecordSerializer<Feedback>(
                c.get(PrescientOptions.TOPIC_FEEDBACK),
                f -> f.decision.userId,
                OutputJson::feedback)),
        source(
            c, c.get(PrescientOptions.TOPIC_REQUESTS), InputParser.Kind.REQUESTS, limits, dlqMax),
        sink(
            c,
            "responses",
            new JsonRecordSerializer<Decision>(
                c.get(PrescientOptions.TOPIC_RESPONSES), d -> d.userId, OutputJson::response)));
  }

  public static JsonLimits limits(Configuration c) {
    return new JsonLimits(
        (int) c.get(PrescientOptions.MAX_RECORD_SIZE).getBytes(),
        Instant.parse(c.get(PrescientOptions.MIN_TIMESTAMP)).toEpochMilli(),
        c.get(PrescientOptions.MAX_FUTURE_SKEW).toMillis(),
        JsonLimits.defaults().maxPrice,
        JsonLimits.defaults().maxQuantity);
  }

  private static KafkaSource<Envelope> source(
      Configuration c, String topic, InputParser.Kind kind, JsonLimits limits, int dlqMax) {
    KafkaSourceBuilder<Envelope> b =
        KafkaSource.<Envelope>builder()
            .setBootstrapServers(c.get(PrescientOptions.BOOTSTRAP_SERVERS))
            .setTopics(topic)
            .setGroupId(c.get(PrescientOptions.GROUP_ID))
            .setClientIdPrefix(c.get(PrescientOptions.GROUP_ID) + "-" + topic)
            .setStartingOffsets(startingOffsets(c))
            .setDeserializer(new KafkaEnvelopeDeserializer(new InputParser(kind, limits, dlqMax)))
            .setProperties(sourceProperties(c, kind));
    if (c.get(PrescientOptions.BOUNDED)) {
      b.setBounded(OffsetsInitializer.latest());
    }
    return b.build();
  }

  /** The Kafka consumer settings of the source of {@code kind}. */
  static Properties sourceProperties(Configuration c, InputParser.Kind kind) {
    Properties p = new Properties();
    // Only read committed input, so an upstream exactly-once producer is honoured.
    p.setProperty("isolation.level", "read_committed");
    p.setProperty("commit.offsets.on.checkpoint", "true");
    long fetchWait = c.get(PrescientOptions.EVENTS_FETCH_WAIT).toMillis();
    if (kind == InputParser.Kind.EVENTS && fetchWait > 0) {
      // Without a minimum, a busy topic is fetched a record or two at a time: a request per poll
      // for the broker and the fetcher. Idle topics keep the defaults (a 500 ms long poll).
      p.setProperty("fetch.min.bytes", Integer.toString(EVENTS_FETCH_MIN_BYTES));
      p.setProperty("fetch.max.wait.ms", Long.toString(fetchWait));
    }
    p.putAll(KafkaClientProperties.of(c));
    return p;
  }

  private static OffsetsInitializer startingOffsets(Configuration c) {
    return switch (c.get(PrescientOptions.STARTING_OFFSETS)) {
      case EARLIEST -> OffsetsInitializer.earliest();
      case LATEST -> OffsetsInitializer.latest();
      case COMMITTED -> OffsetsInitializer.committedOffsets(OffsetResetStrategy.EARLIEST);
    };
  }

  /**
   * A sink of the job's kind (delivery guarantee, transactional id prefix + {@code name}, client
   * properties): the job's outputs, and the Kafka variant of the throughput benchmark.
   */
  public static <T> KafkaSink<T> sink(
      Configuration c, String name, KafkaRecordSerializationSchema<T> serializer) {
    DeliveryGuarantee guarantee = c.get(PrescientOptions.DELIVERY_GUARANTEE);
    KafkaSinkBuilder<T> b =
        KafkaSink.<T>builder()
            .setBootstrapServers(c.get(PrescientOptions.BOOTSTRAP_SERVERS))
            .setRecordSerializer(serializer)
            .setDeliveryGuarantee(guarantee)
            .setTransactionalIdPrefix(c.get(PrescientOptions.TRANSACTIONAL_ID_PREFIX) + "-" + name)
            .setProperty(
                "transaction.timeout.ms",
                Long.toString(c.get(PrescientOptions.TRANSACTION_TIMEOUT).toMillis()))
            .setProperty("linger.ms", "5");
    KafkaClientProperties.of(c).forEach((k, v) -> b.setProperty((String) k, (String) v));
    return b.build();
  }
}

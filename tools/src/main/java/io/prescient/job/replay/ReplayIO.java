package io.prescient.job.replay;

import io.prescient.job.KafkaIO;
import io.prescient.job.PipelineIO;
import io.prescient.job.PrescientOptions;
import io.prescient.operators.Envelope;
import io.prescient.operators.InputParser;
import io.prescient.operators.KafkaEnvelopeDeserializer;
import io.prescient.state.json.JsonLimits;
import io.prescient.state.json.OutputJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSource;
import org.apache.flink.connector.kafka.source.KafkaSource;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;

/**
 * The topology's sources and sinks for a replay: JSON-lines files (the topics' formats, parsed by
 * the same parser) or a range of the Kafka events topic in, JSON-lines part files out. The topology
 * itself is the production one.
 */
public final class ReplayIO {
  private ReplayIO() {}

  /** Input files (null: none) and the directory for the output parts. */
  public static PipelineIO create(Configuration c, Path events, Path privacy, Path models, Path out)
      throws IOException {
    return create(c, events, privacy, models, null, null, out);
  }

  /** As above, with outcomes and catalog files (null: none). */
  public static PipelineIO create(
      Configuration c,
      Path events,
      Path privacy,
      Path models,
      Path outcomes,
      Path catalog,
      Path out)
      throws IOException {
    JsonLimits limits = KafkaIO.limits(c);
    int dlqMax = (int) c.get(PrescientOptions.DLQ_MAX_RAW_SIZE).getBytes();
    return create(
        c,
        source(events, InputParser.Kind.EVENTS, limits, dlqMax),
        privacy,
        models,
        outcomes,
        catalog,
        out);
  }

  /**
   * A range of a Kafka events topic: from {@code from} (inclusive) to {@code to} (exclusive), each
   * a timestamp or per-partition offsets.
   */
  public static Source<Envelope, ?, ?> kafkaRange(
      Configuration c,
      String bootstrap,
      String topic,
      OffsetsInitializer from,
      OffsetsInitializer to) {
    JsonLimits limits = KafkaIO.limits(c);
    int dlqMax = (int) c.get(PrescientOptions.DLQ_MAX_RAW_SIZE).getBytes();
    return KafkaSource.<Envelope>builder()
        .setBootstrapServers(bootstrap)
        .setTopics(topic)
        .setGroupId("prescient-replay")
        .setStartingOffsets(from)
        .setBounded(to)
        .setDeserializer(
            new KafkaEnvelopeDeserializer(new InputParser(InputParser.Kind.EVENTS, limits, dlqMax)))
        .setProperty("isolation.level", "read_committed")
        .setProperty("enable.auto.commit", "false")
        .build();
  }

  /** As {@link #create(Configuration, Path, Path, Path, Path)} with any events source. */
  public static PipelineIO create(
      Configuration c, Source<Envelope, ?, ?> events, Path privacy, Path models, Path out)
      throws IOException {
    return create(c, events, privacy, models, null, null, out);
  }

  /** Any events source, with outcomes and catalog files (null: none). */
  public static PipelineIO create(
      Configuration c,
      Source<Envelope, ?, ?> events,
      Path privacy,
      Path models,
      Path outcomes,
      Path catalog,
      Path out)
      throws IOException {
    JsonLimits limits = KafkaIO.limits(c);
    int dlqMax = (int) c.get(PrescientOptions.DLQ_MAX_RAW_SIZE).getBytes();
    Path empty = out.resolve(".empty.jsonl");
    Files.createDirectories(out);
    Files.write(empty, new byte[0]);
    return new PipelineIO(
        events,
        source(privacy == null ? empty : privacy, InputParser.Kind.PRIVACY, limits, dlqMax),
        source(models == null ? empty : models, InputParser.Kind.MODELS, limits, dlqMax),
        source(outcomes == null ? empty : outcomes, InputParser.Kind.OUTCOMES, limits, dlqMax),
        source(catalog == null ? empty : catalog, InputParser.Kind.CATALOG, limits, dlqMax),
        new JsonLinesSink<>(out, "decisions", OutputJson::decision),
        new JsonLinesSink<>(out, "dlq", OutputJson::rejection),
        new JsonLinesSink<>(out, "audit", OutputJson::audit),
        new JsonLinesSink<>(out, "feedback", OutputJson::feedback),
        null,
        null);
  }

  private static FileSource<Envelope> source(
      Path file, InputParser.Kind kind, JsonLimits limits, int dlqMax) {
    return FileSource.forRecordStreamFormat(
            new JsonLinesFormat(
                new InputParser(kind, limits, dlqMax), file.getFileName().toString()),
            new org.apache.flink.core.fs.Path(file.toAbsolutePath().toUri()))
        .build();
  }
}

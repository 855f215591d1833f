package io.prescient.job.replay;

import io.prescient.job.KafkaIO;
import io.prescient.job.PipelineIO;
import io.prescient.job.PrescientOptions;
import io.prescient.operators.Envelope;
import io.prescient.operators.InputParser;
import io.prescient.state.json.JsonLimits;
import io.prescient.state.json.OutputJson;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.FileSource;

/**
 * The topology's sources and sinks for a replay: JSON-lines files in (the topics' formats, parsed
 * by the same parser), JSON-lines part files out. The topology itself is the production one.
 */
public final class ReplayIO {
  private ReplayIO() {}

  /** Input files (null: none) and the directory for the output parts. */
  public static PipelineIO create(Configuration c, Path events, Path privacy, Path models, Path out)
      throws IOException {
    JsonLimits limits = KafkaIO.limits(c);
    int dlqMax = (int) c.get(PrescientOptions.DLQ_MAX_RAW_SIZE).getBytes();
    Path empty = out.resolve(".empty.jsonl");
    Files.createDirectories(out);
    Files.write(empty, new byte[0]);
    return new PipelineIO(
        source(events, InputParser.Kind.EVENTS, limits, dlqMax),
        source(privacy == null ? empty : privacy, InputParser.Kind.PRIVACY, limits, dlqMax),
        source(models == null ? empty : models, InputParser.Kind.MODELS, limits, dlqMax),
        new JsonLinesSink<>(out, "decisions", OutputJson::decision),
        new JsonLinesSink<>(out, "dlq", OutputJson::rejection),
        new JsonLinesSink<>(out, "audit", OutputJson::audit));
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

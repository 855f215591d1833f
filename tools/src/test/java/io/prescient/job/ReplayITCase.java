package io.prescient.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.job.replay.ReplayCommand;
import io.prescient.job.replay.ReplayIO;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The replay command against the live job: 3,000 real Taobao events (with a malformed line added)
 * go through the job on Kafka and through {@code ReplayCommand} on the file, with the same options;
 * both write the same decisions, byte for byte, and the same DLQ reasons.
 */
class ReplayITCase extends PipelineTestBase {
  static final Path LOG = TAOBAO_3000;

  @Test
  void replayWritesExactlyTheLiveJobsDecisions(@TempDir Path tmp) throws Exception {
    String p = "replay";
    createTopicsWithEventsInFileOrder(p);
    List<String> lines = new ArrayList<>(Files.readAllLines(LOG, StandardCharsets.UTF_8));
    lines.add(1500, "{\"event_id\":\"bad-1\",\"user_id\":\"tb-x\",\"type\":\"teleport\"}");
    Path log = tmp.resolve("events.jsonl");
    Files.write(log, lines, StandardCharsets.UTF_8);
    List<Map.Entry<String, byte[]>> records = new ArrayList<>();
    for (String l : lines) {
      records.add(json(null, l));
    }
    kafka.produce(p + "-events", records);

    Map<String, String> o = baseOptions(p, tmp.resolve("checkpoints"));
    o.put("prescient.kafka.bounded", "true");
    o.put("prescient.watermark.idleness", "0 s");
    o.put("prescient.watermark.out-of-orderness", "5 min");
    // The whole policy as in production: all three arms, exploration, the 24 h delay.
    o.put("prescient.policy.control-share", "0.1");
    o.put("prescient.policy.rules-share", "0.45");
    o.put("prescient.policy.creepiness-delay", "24 h");
    o.put("prescient.policy.without-offer-model", "PRIOR");
    buildJob(o).execute("prescient-live-for-replay");
    List<String> live = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(p + "-decisions")) {
      live.add(new String(r.value(), StandardCharsets.UTF_8));
    }
    live.sort(null);

    Configuration options = PrescientConfig.fromMap(o);
    ReplayCommand.Summary s = ReplayCommand.run(options, log, null, null, tmp.resolve("out"));
    List<String> replayed = Files.readAllLines(tmp.resolve("out").resolve("decisions.jsonl"));

    assertThat(live).hasSizeGreaterThan(50);
    assertThat(replayed).containsExactlyElementsOf(live);
    assertThat(live).anyMatch(d -> d.contains("\"arm\":\"control\""));
    assertThat(live).anyMatch(d -> d.contains("\"arm\":\"rules\""));
    assertThat(live).anyMatch(d -> d.contains("\"arm\":\"model\""));
    assertThat(live).anyMatch(d -> d.contains("\"explored\":true"));
    List<String> liveFeedback = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(p + "-feedback")) {
      liveFeedback.add(new String(r.value(), StandardCharsets.UTF_8));
    }
    liveFeedback.sort(null);
    assertThat(liveFeedback).isNotEmpty();
    assertThat(Files.readAllLines(tmp.resolve("out").resolve("feedback.jsonl")))
        .containsExactlyElementsOf(liveFeedback);
    assertThat(s.lines().get("decisions")).isEqualTo(live.size());
    List<String> dlq = Files.readAllLines(tmp.resolve("out").resolve("dlq.jsonl"));
    assertThat(dlq).hasSize(1);
    assertThat(dlq.get(0))
        .contains("\"source_topic\":\"events.jsonl\"")
        .contains("\"offset\":1501")
        .contains("\"reason\":\"unknown_type\"");

    // The same range replayed from the Kafka topic itself gives the same decisions again.
    ReplayCommand.run(
        options,
        ReplayIO.kafkaRange(
            options,
            kafka.bootstrapServers(),
            p + "-events",
            OffsetsInitializer.earliest(),
            OffsetsInitializer.latest()),
        null,
        null,
        tmp.resolve("out-kafka"));
    assertThat(Files.readAllLines(tmp.resolve("out-kafka").resolve("decisions.jsonl")))
        .containsExactlyElementsOf(live);
    assertThat(values(p + "-dlq"))
        .extracting(d -> d.get("reason").asText())
        .containsExactly("unknown_type");
  }
}

package io.prescient.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.networknt.schema.JsonSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A consumer written only from docs/consumers.md: it reads {@code decisions}, {@code feedback} and
 * {@code audit} with read_committed as a group member would, de-duplicates on the documented ids,
 * and routes decisions by channel. Whatever the job wrote, nothing a hold-out says can be sent.
 */
class ConsumerGuideITCase extends PipelineTestBase {

  /** The guide's consumer: every committed record of a topic, as text, by its id field. */
  static Map<String, JsonNode> consume(String topic, String idField) throws Exception {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    c.put(ConsumerConfig.GROUP_ID_CONFIG, "guide-" + topic);
    c.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, StringDeserializer.class.getName());
    Map<String, JsonNode> byId = new LinkedHashMap<>();
    try (KafkaConsumer<String, String> consumer = new KafkaConsumer<>(c)) {
      consumer.subscribe(List.of(topic));
      int emptyPolls = 0;
      while (emptyPolls < 5) {
        var records = consumer.poll(Duration.ofSeconds(1));
        emptyPolls = records.isEmpty() ? emptyPolls + 1 : 0;
        for (ConsumerRecord<String, String> r : records) {
          assertThat(r.key()).as("every record has a key").isNotNull();
          JsonNode v = JSON.readTree(r.value());
          assertThat(v.has("schema_version")).isTrue();
          byId.putIfAbsent(idOf(v, idField), v); // de-duplication on the documented id
        }
      }
    }
    return byId;
  }

  /** A schema of docs/schemas. */
  static JsonSchema schema(String name) throws Exception {
    return Schemas.schema(name);
  }

  /** Asserts that a record validates against a schema of docs/schemas. */
  static void assertValid(JsonSchema schema, JsonNode record) throws Exception {
    Schemas.assertValid(schema, record.toString());
  }

  /** Validates every record against a schema of docs/schemas; how many, at least one. */
  static int assertAllValid(String schema, java.util.Collection<JsonNode> records)
      throws Exception {
    JsonSchema s = schema(schema);
    for (JsonNode r : records) {
      assertValid(s, r);
    }
    assertThat(records).as("records validated against " + schema).isNotEmpty();
    return records.size();
  }

  private static String idOf(JsonNode v, String field) {
    JsonNode id = field.contains(".") ? v.path("decision").path("decision_id") : v.path(field);
    assertThat(id.isTextual()).as(field + " in " + v).isTrue();
    return id.asText();
  }

  @Test
  void aConsumerWrittenFromTheGuideDeduplicatesAndRoutesByChannel(@TempDir Path tmp)
      throws Exception {
    String p = "guide";
    createTopicsWithEventsInFileOrder(p);
    List<String> lines = new ArrayList<>(Files.readAllLines(TAOBAO_3000, StandardCharsets.UTF_8));
    // One later event carries event time past every reward window: feedback is written.
    lines.add(
        "{\"event_id\":\"guide-clock\",\"user_id\":\"guide-clock\",\"type\":\"view\","
            + "\"timestamp\":\"2018-03-01T00:00:00Z\",\"product_id\":\"tb-0\","
            + "\"category\":\"tb-cat-0\"}");
    List<Map.Entry<String, byte[]>> records = new ArrayList<>();
    for (String l : lines) {
      records.add(json(JSON.readTree(l).get("user_id").asText(), l));
    }
    // Input the job refuses, so that the DLQ has records to check against its schema: a duplicate
    // (refused after parsing: re-encoded, no Kafka timestamp), malformed JSON, an unknown event
    // type, a missing field, and bytes that are not UTF-8 (kept as base64).
    records.add(1, records.get(0));
    records.add(json("guide-bad", "{\"event_id\":\"guide-bad-1\",\"user_id\":\"guide-bad\""));
    records.add(
        json(
            "guide-bad",
            "{\"event_id\":\"guide-bad-2\",\"user_id\":\"guide-bad\",\"type\":\"teleport\","
                + "\"timestamp\":\"2017-11-20T00:00:00Z\"}"));
    records.add(
        json(
            "guide-bad",
            "{\"event_id\":\"guide-bad-3\",\"user_id\":\"guide-bad\",\"type\":\"view\"}"));
    records.add(
        new java.util.AbstractMap.SimpleImmutableEntry<>(
            "guide-bad", new byte[] {'{', (byte) 0xff, (byte) 0xfe, '}'}));
    kafka.produce(p + "-events", records);
    kafka.produce(p + "-privacy", List.of(privacy("guide-someone", "opt_out")));
    Map<String, String> o = baseOptions(p, tmp.resolve("checkpoints"));
    o.put("prescient.policy.control-share", "0.2");
    o.put("prescient.policy.rules-share", "0.4");
    o.put("prescient.policy.without-offer-model", "PRIOR");
    JobClient job = start(o, "prescient-guide");
    try {
      waitUntil(() -> !values(p + "-feedback").isEmpty(), "feedback written");
      waitUntil(() -> !values(p + "-audit").isEmpty(), "the opt-out's receipt");
      waitUntil(() -> values(p + "-dlq").size() >= 5, "the refused input in the DLQ");
      Thread.sleep(3_000); // a few more checkpoints
    } finally {
      cancelAndWait(job);
    }

    Map<String, JsonNode> decisions = consume(p + "-decisions", "decision_id");
    Map<String, JsonNode> feedback = consume(p + "-feedback", "decision.decision_id");
    Map<String, JsonNode> audit = consume(p + "-audit", "audit_id");
    // A DLQ record without a readable user id has no key.
    List<JsonNode> dlq = values(p + "-dlq");
    assertThat(dlq).isNotEmpty().allMatch(r -> r.path("schema_version").asInt() == 1);
    assertThat(decisions).hasSizeGreaterThan(50);

    // Routing by channel, as the guide says: a hold-out has none and says action none.
    Map<String, Integer> sent = new HashMap<>();
    int heldOut = 0;
    for (JsonNode d : decisions.values()) {
      if (d.get("channel").isNull()) {
        assertThat(d.get("action").asText()).isEqualTo("none");
        assertThat(d.get("arm").asText()).isEqualTo("control");
        assertThat(d.get("holdout_channel").asText()).isNotEmpty();
        heldOut++;
      } else {
        assertThat(d.get("channel").asText()).isIn("email", "push", "onsite");
        assertThat(d.get("action").asText()).isNotEqualTo("none");
        assertThat(d.get("arm").asText()).isIn("rules", "model");
        sent.merge(d.get("channel").asText(), 1, Integer::sum);
      }
      // Times as the guide says: send between send_after and expires_at, 7 days apart.
      assertThat(
              java.time.Instant.parse(d.get("expires_at").asText()).toEpochMilli()
                  - java.time.Instant.parse(d.get("send_after").asText()).toEpochMilli())
          .isEqualTo(Duration.ofDays(7).toMillis());
    }
    assertThat(heldOut).isPositive();
    assertThat(sent).isNotEmpty();
    // Feedback: hold-outs too (intent to treat), each with its decision's id and features.
    assertThat(feedback.values())
        .anySatisfy(f -> assertThat(f.get("decision").get("action").asText()).isEqualTo("none"));
    assertThat(feedback.values()).allSatisfy(f -> assertThat(f.get("features").isArray()).isTrue());
    // Audit: the receipt of the opt-out, with its id and user.
    assertThat(audit.values())
        .anySatisfy(
            a -> {
              assertThat(a.get("user_id").asText()).isEqualTo("guide-someone");
              assertThat(a.get("request").asText()).isEqualTo("opt_out");
            });
    assertThat(Set.copyOf(audit.keySet())).hasSameSizeAs(audit.keySet());

    // The DLQ: each refused record with its reason.
    assertThat(dlq).isNotEmpty();
    assertThat(dlq)
        .extracting(r -> r.get("reason").asText())
        .contains(
            "duplicate_event", "malformed_json", "unknown_type", "missing_field", "invalid_utf8");

    // Every record the job wrote validates against the published schemas: per topic, how many.
    int decisionsValid = assertAllValid("decision.schema.json", decisions.values());
    int feedbackValid = assertAllValid("feedback.schema.json", feedback.values()); // + decision
    int auditValid = assertAllValid("audit.schema.json", audit.values());
    int dlqValid = assertAllValid("dlq.schema.json", dlq);
    System.out.printf(
        "guide: validated %d decisions, %d feedback, %d audit and %d dlq records%n",
        decisionsValid, feedbackValid, auditValid, dlqValid);
  }
}

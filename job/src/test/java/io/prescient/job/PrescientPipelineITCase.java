package io.prescient.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.state.contract.DecisionIds;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The whole topology on a Flink MiniCluster at parallelism 2 against a real in-JVM Kafka cluster:
 * real input including malformed records goes in, and the exact decisions, DLQ records and audit
 * receipts that come out are asserted.
 */
class PrescientPipelineITCase extends PipelineTestBase {
  @Test
  void decidesFromValidInputAndSendsEveryBadRecordToTheDlq(@TempDir Path checkpoints)
      throws Exception {
    String prefix = "e2e";
    createTopics(prefix);

    List<Map.Entry<String, byte[]>> events = new ArrayList<>();
    events.add(event("a1", "u-a", "add_to_cart", "2011-01-04T10:00:00Z", "p1"));
    events.add(event("b1", "u-b", "add_to_cart", "2011-01-04T10:00:00Z", "p2"));
    events.add(event("b2", "u-b", "purchase", "2011-01-04T10:10:00Z", "p2"));
    events.add(event("b2", "u-b", "purchase", "2011-01-04T10:10:00Z", "p2")); // redelivered
    events.add(event("c1", "u-c", "add_to_cart", "2011-01-04T10:00:00Z", "p3"));
    events.add(event("c2", "u-c", "add_to_cart", "2011-01-04T10:30:00Z", "p4"));
    // u-d opts out: whether the request is read before or after the cart, no reminder follows.
    events.add(event("d1", "u-d", "add_to_cart", "2011-01-04T12:00:00Z", "p5"));
    // Hostile input, one of each kind.
    events.add(json("u-x", "{\"event_id\":\"x1\",\"user_id\":"));
    events.add(
        json(
            "u-x",
            "{\"event_id\":\"x2\",\"user_id\":\"u-x\",\"type\":\"teleport\","
                + "\"timestamp\":\"2011-01-04T10:00:00Z\"}"));
    events.add(
        json(
            null,
            "{\"event_id\":\"x3\",\"type\":\"view\",\"timestamp\":\"2011-01-04T10:00:00Z\"}"));
    byte[] huge = new byte[10 * 1024 * 1024];
    Arrays.fill(huge, (byte) 'a');
    events.add(Map.entry("u-x", huge));
    events.add(Map.entry("u-x", new byte[] {'{', (byte) 0xC3, (byte) 0x28, '}'}));
    events.add(
        json(
            "u-x",
            "{\"event_id\":\"x6\",\"user_id\":\"u-x\",\"type\":\"purchase\",\"product_id\":\"p\","
                + "\"timestamp\":\"2011-01-04T10:00:00Z\",\"quantity\":-4}"));
    kafka.produce(prefix + "-events", events);
    kafka.produce(
        prefix + "-privacy", List.of(privacy("u-d", "opt_out"), privacy("u-y", "forget")));

    Map<String, String> o = baseOptions(prefix, checkpoints);
    o.put("prescient.kafka.bounded", "true");
    buildJob(o).execute("prescient-e2e");

    List<JsonNode> decisions = values(prefix + "-decisions");
    assertThat(decisions)
        .extracting(d -> d.get("user_id").asText() + ":" + d.get("triggering_event_id").asText())
        .containsExactlyInAnyOrder("u-a:a1", "u-c:c2", "u-b:b2");
    assertThat(decisions)
        .extracting(d -> d.get("decision_id").asText())
        .containsExactlyInAnyOrder(
            DecisionIds.of("u-a", "cart_abandonment", "a1"),
            DecisionIds.of("u-c", "cart_abandonment", "c2"),
            // u-b bought: at the end of the input event time jumps past the follow-up's time
            DecisionIds.of("u-b", "post_purchase", "b2"));
    JsonNode a =
        decisions.stream().filter(d -> d.get("user_id").asText().equals("u-a")).findFirst().get();
    assertThat(a.get("schema_version").asInt()).isEqualTo(5);
    assertThat(a.get("action").asText()).isEqualTo("reminder");
    assertThat(a.get("offer_id").asText()).isEqualTo("cart_reminder");
    assertThat(a.get("channel").asText()).isEqualTo("email");
    // u-a has 2 events: broad before specific, the category and not the product
    assertThat(a.has("product_id")).isFalse();
    assertThat(a.get("category").asText()).isEqualTo("bags");
    assertThat(a.get("guardrails").toString()).isEqualTo("[\"broad_first\"]");
    assertThat(a.get("decided_at").asText()).isEqualTo("2011-01-04T11:00:00Z");
    assertThat(a.get("arm").asText()).isEqualTo("rules");
    assertThat(a.get("why").asText()).contains("2 items");

    List<JsonNode> dlq = values(prefix + "-dlq");
    Map<String, List<String>> reasonsByTopic =
        dlq.stream()
            .collect(
                Collectors.groupingBy(
                    d -> d.get("source_topic").asText(),
                    Collectors.mapping(d -> d.get("reason").asText(), Collectors.toList())));
    assertThat(reasonsByTopic.get(prefix + "-events"))
        .containsExactlyInAnyOrder(
            "malformed_json",
            "unknown_type",
            "missing_field",
            "record_too_large",
            "invalid_utf8",
            "out_of_range",
            "duplicate_event");
    assertThat(reasonsByTopic.get(prefix + "-privacy")).containsExactly("unknown_type");
    JsonNode tooLarge =
        dlq.stream()
            .filter(d -> d.get("reason").asText().equals("record_too_large"))
            .findFirst()
            .get();
    assertThat(tooLarge.get("raw_size").asInt()).isEqualTo(10 * 1024 * 1024);
    assertThat(tooLarge.get("raw_truncated").asBoolean()).isTrue();
    JsonNode badUtf8 =
        dlq.stream().filter(d -> d.get("reason").asText().equals("invalid_utf8")).findFirst().get();
    assertThat(badUtf8.get("raw_base64").asText()).isEqualTo("e8MofQ==");

    List<JsonNode> audit = values(prefix + "-audit");
    assertThat(audit)
        .extracting(r -> r.get("user_id").asText() + ":" + r.get("request").asText())
        .containsExactlyInAnyOrder("u-d:opt_out", "u-b:decision_suppressed");
    // u-b's win-back (the end of the input is a lapse too) needs a churn model: suppressed
    JsonNode winBack =
        audit.stream()
            .filter(r -> r.get("request").asText().equals("decision_suppressed"))
            .findFirst()
            .orElseThrow();
    assertThat(winBack.get("effects").toString())
        .contains("{\"what\":\"trigger\",\"value\":\"win_back\"}")
        .contains("{\"what\":\"guardrail\",\"value\":\"churn_risk_unknown\"}");
  }
}

package io.prescient.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.networknt.schema.JsonSchema;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.Feedback;
import io.prescient.state.contract.LineItem;
import io.prescient.state.contract.RejectReason;
import io.prescient.state.contract.Rejection;
import io.prescient.state.json.OutputJson;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The JSON Schemas published in docs/schemas: each is a valid draft 2020-12 schema whose references
 * resolve; what the job's writers produce validates; records that break a schema are rejected (so
 * the ITCases that validate real output can fail); and the DLQ's reason codes are exactly the
 * job's, so a new reason cannot ship undocumented.
 */
class PublishedSchemasTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  /** The schemas of the output topics: every one must be there (others may be added). */
  private static final List<String> PUBLISHED =
      List.of(
          "audit.schema.json",
          "decision.schema.json",
          "dlq.schema.json",
          "feedback.schema.json",
          "response.schema.json");

  /** Schemas that describe every field of their record. */
  private static final List<String> FIELDS_DESCRIBED =
      List.of("dlq.schema.json", "feedback.schema.json", "response.schema.json");

  private static final long T0 = Instant.parse("2026-01-01T10:00:00Z").toEpochMilli();

  private static List<String> files() throws Exception {
    try (Stream<Path> s = Files.list(Schemas.DIR)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static JsonNode read(String name) throws Exception {
    return JSON.readTree(Schemas.DIR.resolve(name).toFile());
  }

  @Test
  void everyFileOfDocsSchemasIsAValidSchemaWhoseReferencesResolve() throws Exception {
    List<String> files = files();
    assertThat(files).containsAll(PUBLISHED).allMatch(f -> f.endsWith(".schema.json"));
    JsonSchema meta = Schemas.metaSchema();
    assertThat(Schemas.errors(meta, "{\"type\":\"objekt\",\"required\":\"id\"}")).isNotEmpty();
    for (String name : files) {
      JsonNode schema = read(name);
      assertThat(Schemas.errors(meta, schema)).as(name).isEmpty();
      assertThat(schema.path("$schema").asText())
          .as(name)
          .isEqualTo("https://json-schema.org/draft/2020-12/schema");
      assertThat(schema.path("$id").asText()).as(name).isEqualTo(Schemas.ID_PREFIX + name);
      assertThat(schema.path("title").asText()).as(name).isNotBlank();
      assertThat(schema.path("description").asText()).as(name).isNotBlank();
      requiredFieldsAreDeclared(name, schema);
      Schemas.schema(name); // compiles, its $refs resolved from docs/schemas
    }
  }

  /** A strict object (additionalProperties false) declares every field it requires: no typos. */
  private static void requiredFieldsAreDeclared(String where, JsonNode node) {
    if (node.isObject()) {
      if (node.path("additionalProperties").isBoolean()
          && !node.get("additionalProperties").asBoolean()) {
        for (JsonNode r : node.path("required")) {
          assertThat(node.path("properties").has(r.asText()))
              .as(where + ": required '" + r.asText() + "' is declared")
              .isTrue();
        }
      }
      node.fields().forEachRemaining(e -> requiredFieldsAreDeclared(where, e.getValue()));
    } else if (node.isArray()) {
      node.forEach(n -> requiredFieldsAreDeclared(where, n));
    }
  }

  @Test
  void everyFieldOfTheDescribedSchemasHasADescription() throws Exception {
    for (String name : FIELDS_DESCRIBED) {
      Iterator<Map.Entry<String, JsonNode>> fields = read(name).get("properties").fields();
      assertThat(fields.hasNext()).isTrue();
      while (fields.hasNext()) {
        Map.Entry<String, JsonNode> f = fields.next();
        assertThat(f.getValue().path("description").asText())
            .as(name + ": " + f.getKey())
            .isNotBlank();
      }
    }
  }

  @Test
  void theDlqReasonsAreExactlyTheJobsRejectReasonsAndTheContractListsThem() throws Exception {
    List<String> codes = Arrays.stream(RejectReason.values()).map(RejectReason::code).toList();
    List<String> documented = new ArrayList<>();
    read("dlq.schema.json").at("/properties/reason/enum").forEach(r -> documented.add(r.asText()));
    assertThat(documented).containsExactlyElementsOf(codes);
    String contracts =
        Files.readString(Schemas.DIR.resolve("../contracts.md"), StandardCharsets.UTF_8);
    for (String code : codes) {
      assertThat(contracts).as("contracts.md names " + code).contains(code);
    }
  }

  // ------------------------------------------------------- what the job's writers produce

  private static Decision decision() {
    Decision d = new Decision();
    d.decisionId = "5fa69a45a81f98c9a68cfe9e2426cd9a";
    d.userId = "u-a";
    d.trigger = "cart_abandonment";
    d.triggeringEventId = "a1";
    d.channel = "email";
    d.action = "discount";
    d.offerId = "cart_discount_10";
    d.discount = 0.1;
    d.template = "cart-discount-email";
    d.coupon = "CART10";
    d.productId = "p1";
    d.category = "bags";
    d.items.add(new LineItem("p1", 2, 4.5));
    d.decidedAt = T0;
    d.sendAfter = T0 + 3_600_000;
    d.expiresAt = d.sendAfter + 7 * 86_400_000L;
    d.arm = "model";
    d.policy = "model";
    d.modelVersions.put("churn", "20261124T115920Z");
    d.scores.put("churn", 0.31);
    d.propensity = 0.925;
    d.candidates.addAll(List.of("cart_discount_10", "cart_reminder"));
    d.candidateScores.put("cart_discount_10", 0.11);
    d.candidateValues.put("cart_discount_10", 0.188);
    d.experiment = "prescient-1";
    d.reasonCodes.addAll(List.of("CART_ABANDONED", "BEST_EXPECTED_VALUE"));
    d.why = "2 items worth 9.00 left in the cart.";
    return d;
  }

  private static Decision holdout() {
    Decision d = decision();
    d.action = Decision.NO_ACTION;
    d.arm = "control";
    d.policy = "control";
    d.offerId = null;
    d.discount = null;
    d.template = null;
    d.coupon = null;
    return d;
  }

  private static Decision answer() {
    Decision d = decision();
    d.trigger = "onsite_request";
    d.requestId = "8c1f";
    d.triggeringEventId = d.requestId;
    d.placement = "home_banner";
    d.channel = "onsite";
    d.sendAfter = d.decidedAt;
    return d;
  }

  private static Feedback feedback(Decision d, boolean converted) {
    Feedback f = new Feedback();
    f.decision = d;
    f.featureSchemaVersion = 2;
    f.features = new float[] {1f, Float.NaN, 0.25f};
    f.rewardWindowEnd = d.decidedAt + 7 * 86_400_000L;
    f.outcomes.addAll(List.of("delivered", "opened"));
    f.delivered = true;
    f.opened = true;
    if (converted) {
      f.converted = true;
      f.convertedBy = "purchase";
      f.convertedAt = d.decidedAt + 86_400_000L;
      f.conversionValue = 9.0;
    }
    return f;
  }

  private static Rejection rejection(byte[] raw, int stored) {
    Rejection r = new Rejection();
    r.sourceTopic = "events";
    r.partition = 1;
    r.offset = 42;
    r.kafkaTimestamp = T0;
    r.reason = RejectReason.MALFORMED_JSON;
    r.detail = "object is not closed";
    r.raw = Arrays.copyOf(raw, stored);
    r.rawSize = raw.length;
    r.rawSha256 = "0".repeat(64);
    r.userId = "u-a";
    return r;
  }

  private static String text(byte[] record) {
    return new String(record, StandardCharsets.UTF_8);
  }

  @Test
  void whatTheWritersProduceValidates() throws Exception {
    JsonSchema decisions = Schemas.schema("decision.schema.json");
    JsonSchema feedback = Schemas.schema("feedback.schema.json");
    JsonSchema responses = Schemas.schema("response.schema.json");
    JsonSchema dlq = Schemas.schema("dlq.schema.json");
    Schemas.assertValid(decisions, text(OutputJson.decision(decision())));
    Schemas.assertValid(decisions, text(OutputJson.decision(holdout())));
    Schemas.assertValid(feedback, text(OutputJson.feedback(feedback(decision(), false))));
    Schemas.assertValid(feedback, text(OutputJson.feedback(feedback(decision(), true))));
    Schemas.assertValid(feedback, text(OutputJson.feedback(feedback(holdout(), false))));
    Feedback cancelled = feedback(decision(), true);
    cancelled.cancelledReason = "purchased";
    Schemas.assertValid(feedback, text(OutputJson.feedback(cancelled)));
    Schemas.assertValid(feedback, text(OutputJson.feedback(feedback(answer(), false))));
    Schemas.assertValid(responses, text(OutputJson.response(answer())));
    Decision heldOutAnswer = answer();
    heldOutAnswer.action = Decision.NO_ACTION;
    heldOutAnswer.arm = "control";
    Schemas.assertValid(responses, text(OutputJson.response(heldOutAnswer)));
    byte[] json = "{\"user_id\":\"u-a\"".getBytes(StandardCharsets.UTF_8);
    Schemas.assertValid(dlq, text(OutputJson.rejection(rejection(json, json.length))));
    Schemas.assertValid(dlq, text(OutputJson.rejection(rejection(json, 4)))); // truncated
    byte[] notUtf8 = {'{', (byte) 0xff, '}'};
    Rejection binary = rejection(notUtf8, notUtf8.length);
    binary.kafkaTimestamp = -1; // re-encoded records have none
    binary.userId = null;
    binary.reason = RejectReason.INVALID_UTF8;
    String base64 = text(OutputJson.rejection(binary));
    assertThat(base64).contains("\"raw_base64\"").doesNotContain("kafka_timestamp");
    Schemas.assertValid(dlq, base64);
  }

  // ------------------------------------------------------- what the schemas reject

  /** A valid record changed by {@code change}: the schema must now reject it. */
  private static void assertRejected(JsonSchema schema, byte[] valid, Consumer<ObjectNode> change)
      throws Exception {
    ObjectNode record = (ObjectNode) JSON.readTree(valid);
    assertThat(Schemas.errors(schema, record)).as("the unchanged record").isEmpty();
    change.accept(record);
    assertThat(Schemas.errors(schema, record)).as(record.toString()).isNotEmpty();
  }

  @Test
  void theDlqSchemaRejectsMissingFieldsWrongTypesAndUnknownReasons() throws Exception {
    JsonSchema dlq = Schemas.schema("dlq.schema.json");
    byte[] valid = OutputJson.rejection(rejection("{}".getBytes(StandardCharsets.UTF_8), 2));
    assertRejected(dlq, valid, r -> r.remove("reason"));
    assertRejected(dlq, valid, r -> r.remove("schema_version"));
    assertRejected(dlq, valid, r -> r.put("schema_version", 2));
    assertRejected(dlq, valid, r -> r.remove("source_topic"));
    assertRejected(dlq, valid, r -> r.put("offset", "42"));
    assertRejected(dlq, valid, r -> r.put("raw_truncated", "no"));
    assertRejected(dlq, valid, r -> r.put("reason", "bad_vibes"));
    assertRejected(dlq, valid, r -> r.put("reason", "MALFORMED_JSON"));
    assertRejected(dlq, valid, r -> r.put("kafka_timestamp", "yesterday")); // formats are checked
    assertRejected(dlq, valid, r -> r.put("raw_base64", "e30=")); // raw and raw_base64
    assertRejected(dlq, valid, r -> r.remove("raw")); // neither
    assertRejected(dlq, valid, r -> r.put("severity", "high")); // no unknown fields
  }

  @Test
  void theFeedbackSchemaRejectsBrokenRecordsAndBrokenDecisionsInside() throws Exception {
    JsonSchema feedback = Schemas.schema("feedback.schema.json");
    byte[] valid = OutputJson.feedback(feedback(decision(), true));
    assertRejected(feedback, valid, f -> f.remove("reward_window_end"));
    assertRejected(feedback, valid, f -> f.put("converted", "yes"));
    assertRejected(feedback, valid, f -> f.putArray("features").add("high"));
    assertRejected(feedback, valid, f -> f.put("reward_window_end", "2026-13-01T00:00:00Z"));
    assertRejected(feedback, valid, f -> f.put("cancelled_reason", "bored"));
    assertRejected(feedback, valid, f -> f.remove("converted_by")); // converted: by what
    assertRejected(feedback, valid, f -> f.put("reward", 0.0));
    assertRejected(feedback, valid, f -> f.put("schema_version", 2));
    assertRejected(feedback, valid, f -> f.put("extra", 1));
    // The decision inside is checked against decision.schema.json, through the $ref.
    assertRejected(feedback, valid, f -> ((ObjectNode) f.get("decision")).remove("decision_id"));
    assertRejected(feedback, valid, f -> ((ObjectNode) f.get("decision")).put("arm", "blue"));
    assertRejected(feedback, valid, f -> ((ObjectNode) f.get("decision")).put("x", 1));
    assertRejected(feedback, valid, f -> ((ObjectNode) f.get("decision")).putNull("channel"));
    byte[] notConverted = OutputJson.feedback(feedback(decision(), false));
    assertRejected(feedback, notConverted, f -> f.put("reward", 1.0));
    assertRejected(feedback, notConverted, f -> f.put("converted_at", "2026-01-02T10:00:00Z"));
  }

  @Test
  void theResponseSchemaRejectsDecisionsThatAnswerNoRequest() throws Exception {
    JsonSchema responses = Schemas.schema("response.schema.json");
    byte[] valid = OutputJson.response(answer());
    assertRejected(responses, valid, r -> r.remove("request_id"));
    assertRejected(responses, valid, r -> r.remove("placement"));
    assertRejected(responses, valid, r -> r.remove("why")); // a decision field, via the $ref
    assertRejected(responses, valid, r -> r.put("placement", "Home Page"));
    assertRejected(responses, valid, r -> r.put("request_id", 7));
    assertRejected(responses, valid, r -> r.put("schema_version", 5));
    assertRejected(responses, valid, r -> r.put("trigger", "cart_abandonment"));
    assertRejected(responses, valid, r -> r.put("decided_at", "10:00"));
    assertRejected(responses, valid, r -> r.put("fallback", true)); // the gateway's, not the job's
    // A record of the decisions topic is not an answer.
    assertThat(Schemas.errors(responses, text(OutputJson.decision(decision())))).isNotEmpty();
  }
}

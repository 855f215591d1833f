package io.prescient.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.job.serve.DecisionGateway;
import io.prescient.state.contract.DecisionIds;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Collectors;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A web tier's requests, end to end: the gateway ({@code prescient serve}) over HTTP, a real
 * broker, the job on the MiniCluster answering from the same per-user state and policy, the
 * fallback when no answer comes, and exactly-once through a killed TaskManager.
 */
class OnsiteRequestsITCase extends PipelineTestBase {
  private static final String NOW = "2026-01-01T10:05:00Z";
  private static final HttpClient HTTP = HttpClient.newHttpClient();

  private static HttpResponse<String> get(DecisionGateway g, String query) throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + g.port() + query))
            .timeout(Duration.ofSeconds(60))
            .build(),
        HttpResponse.BodyHandlers.ofString());
  }

  private static JsonNode decide(DecisionGateway g, String user, String requestId)
      throws Exception {
    HttpResponse<String> r =
        get(
            g,
            "/v1/decisions?user_id="
                + user
                + "&placement=home_banner&context.page=%2Fhome"
                + (requestId == null ? "" : "&request_id=" + requestId));
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("fallback").asBoolean(false)).as(r.body()).isFalse();
    return body;
  }

  private static Map<String, String> gatewayOptions(Map<String, String> job, String timeout) {
    Map<String, String> o = new HashMap<>(job);
    o.put("prescient.serve.port", "0");
    o.put("prescient.serve.timeout", timeout);
    return o;
  }

  @Test
  void theGatewayAnswersFromTheUsersStateAndFallsBackWhenNoAnswerComes(@TempDir Path tmp)
      throws Exception {
    String p = "onsite";
    createTopics(p);
    kafka.produce(
        p + "-events",
        List.of(
            // u1 has history enough (prescient.policy.min-history-events, 5) to be named products
            event("e0", "u1", "view", "2026-01-01T09:50:00Z", "p4"),
            event("e01", "u1", "view", "2026-01-01T09:51:00Z", "p5"),
            event("e02", "u1", "view", "2026-01-01T09:52:00Z", "p6"),
            event("e03", "u1", "view", "2026-01-01T09:53:00Z", "p1"),
            event("e1", "u1", "add_to_cart", "2026-01-01T10:00:00Z", "p1"),
            event("e2", "u3", "view", "2026-01-01T10:00:00Z", "p2")));
    kafka.produce(p + "-privacy", List.of(privacy("u3", "opt_out")));
    kafka.produce(
        p + "-requests", List.of(json("u9", "{\"request_id\":\"bad\",\"user_id\":\"u9\"}")));
    Map<String, String> o = baseOptions(p, tmp.resolve("checkpoints"));
    JobClient job = start(o, "prescient-onsite");
    long clock = Instant.parse(NOW).toEpochMilli();
    try (DecisionGateway g =
        DecisionGateway.start(PrescientConfig.fromMap(gatewayOptions(o, "30 s")), () -> clock)) {
      // Inputs of different topics race: ask until the job has read u1's cart.
      AtomicReference<JsonNode> known = new AtomicReference<>();
      waitUntil(
          () -> {
            known.set(decide(g, "u1", null));
            return "p1".equals(known.get().path("product_id").asText(null));
          },
          "an answer that knows u1's cart");
      JsonNode a = known.get();
      String requestId = a.get("request_id").asText();
      assertThat(a.get("decision_id").asText())
          .isEqualTo(DecisionIds.of("u1", "onsite_request", requestId));
      assertThat(a.get("placement").asText()).isEqualTo("home_banner");
      assertThat(a.get("channel").asText()).isEqualTo("onsite");
      assertThat(a.get("offer_id").asText()).isEqualTo("onsite_cart_reminder");
      assertThat(a.get("send_after").asText()).isEqualTo(NOW); // no creepiness delay
      assertThat(a.get("why").asText()).contains("in the cart");

      // The same request id again: the same answer, not a second decision.
      JsonNode again = decide(g, "u1", requestId);
      assertThat(again.get("decision_id").asText()).isEqualTo(a.get("decision_id").asText());
      assertThat(again.get("offer_id")).isEqualTo(a.get("offer_id"));

      // Nothing personal for a user the job does not know, nor for one who opted out.
      JsonNode cold = decide(g, "nobody", null);
      assertThat(cold.get("reason_codes").toString()).contains("COLD_START");
      assertThat(cold.has("product_id")).isFalse();
      assertThat(cold.path("category").isMissingNode() || cold.get("category").isNull()).isTrue();
      JsonNode optedOut = decide(g, "u3", null);
      assertThat(optedOut.get("policy").asText()).isEqualTo("broad");
      assertThat(optedOut.get("reason_codes").toString()).contains("OPTED_OUT");
      assertThat(optedOut.has("product_id")).isFalse();

      // Bad input: 400 and a one-line reason; nothing is published.
      HttpResponse<String> bad = get(g, "/v1/decisions?user_id=u1&placement=Home%20Page");
      assertThat(bad.statusCode()).isEqualTo(400);
      assertThat(JSON.readTree(bad.body()).get("error").asText()).contains("placement");
      assertThat(get(g, "/health").statusCode()).isEqualTo(200);
      assertThat(get(g, "/metrics").body())
          .contains("prescient_gateway_bad_requests_total 1")
          .containsPattern("prescient_gateway_answered_total [4-9]");

      // Committed (after a checkpoint): answers on responses only, never on decisions; the
      // malformed request in the DLQ with its reason.
      waitUntil(
          () ->
              values(p + "-responses").stream()
                  .anyMatch(r -> r.get("request_id").asText().equals(requestId)),
          "u1's answer committed");
      assertThat(values(p + "-decisions")).noneMatch(d -> d.has("request_id"));
      assertThat(values(p + "-responses"))
          .allSatisfy(r -> assertThat(r.get("schema_version").asInt()).isEqualTo(2));
      int responsesValid =
          ConsumerGuideITCase.assertAllValid("response.schema.json", values(p + "-responses"));
      waitUntil(() -> !values(p + "-dlq").isEmpty(), "the malformed request in the DLQ");
      List<JsonNode> dlq = values(p + "-dlq");
      JsonNode rejected = dlq.get(0);
      assertThat(rejected.get("source_topic").asText()).isEqualTo(p + "-requests");
      assertThat(rejected.get("reason").asText()).isEqualTo("missing_field");
      assertThat(rejected.get("detail").asText()).contains("placement");
      int dlqValid = ConsumerGuideITCase.assertAllValid("dlq.schema.json", dlq);
      System.out.printf(
          "onsite: validated %d responses and %d dlq records%n", responsesValid, dlqValid);
    } finally {
      cancelAndWait(job);
    }

    // A gateway whose job does not answer (no job reads these topics): the fallback, in time.
    String idle = "onsite-idle";
    createTopics(idle);
    Map<String, String> io = baseOptions(idle, tmp.resolve("idle"));
    try (DecisionGateway g =
        DecisionGateway.start(PrescientConfig.fromMap(gatewayOptions(io, "300 ms")), () -> clock)) {
      long t0 = System.nanoTime();
      HttpResponse<String> r = get(g, "/v1/decisions?user_id=u1&placement=home_banner");
      long ms = (System.nanoTime() - t0) / 1_000_000;
      assertThat(r.statusCode()).isEqualTo(200);
      assertThat(r.headers().firstValue("X-Prescient-Fallback")).contains("timeout");
      JsonNode f = JSON.readTree(r.body());
      assertThat(f.get("fallback").asBoolean()).isTrue();
      assertThat(f.get("action").asText()).isEqualTo("none");
      assertThat(ms).isBetween(300L, 5_000L);
      assertThat(get(g, "/metrics").body())
          .contains("prescient_gateway_fallbacks_total{reason=\"timeout\"} 1");
    }
  }

  /**
   * Exactly-once with requests: the TaskManager dies while requests stream in. Answers written
   * before the kill but not committed are answered again after the restore, and every answer to one
   * request, committed or not, is the same decision; each request is committed exactly once.
   */
  @Test
  void aKilledTaskManagerNeverAnswersARequestTwiceDifferently(
      @InjectMiniCluster MiniCluster cluster, @TempDir Path tmp) throws Exception {
    String p = "onsite-failover";
    createTopics(p);
    List<Map.Entry<String, byte[]>> carts = new ArrayList<>();
    for (int u = 0; u < 40; u++) {
      carts.add(event("c" + u, "u" + u, "add_to_cart", "2026-01-01T09:00:00Z", "p" + (u % 7)));
    }
    kafka.produce(p + "-events", carts);
    Map<String, String> o = baseOptions(p, tmp.resolve("checkpoints"));
    o.put("prescient.checkpoint.interval", "2 s");
    // Every arm and exploration: answers differ by user, and a replay must draw the same.
    o.put("prescient.policy.control-share", "0.1");
    o.put("prescient.policy.rules-share", "0.3");
    o.put("prescient.policy.without-offer-model", "PRIOR");
    JobClient job = start(o, "prescient-onsite-failover");

    int requests = 600;
    AtomicInteger sent = new AtomicInteger();
    AtomicReference<Exception> failure = new AtomicReference<>();
    Thread sender =
        new Thread(
            () -> {
              try {
                // About 12 s of requests, so that several checkpoints (every 2 s) fall among them.
                for (int i = 0; i < requests; i += 10) {
                  List<Map.Entry<String, byte[]>> batch = new ArrayList<>();
                  for (int k = i; k < i + 10; k++) {
                    String user = "u" + (k % 50); // u40..u49: cold start
                    batch.add(
                        json(
                            user,
                            String.format(
                                "{\"request_id\":\"q%d\",\"user_id\":\"%s\",\"placement\":"
                                    + "\"home_banner\",\"timestamp\":\"2026-01-01T10:%02d:%02dZ\"}",
                                k, user, (k / 60) % 60, k % 60)));
                  }
                  kafka.produceUnacknowledged(p + "-requests", batch);
                  sent.addAndGet(batch.size());
                  Thread.sleep(200);
                }
              } catch (Exception e) {
                failure.set(e);
              }
            },
            "onsite-sender");
    sender.start();
    // Kill once answers are written past the last committed ones: they are in an open transaction.
    waitUntil(
        () -> {
          Set<String> committed = requestIds(values(p + "-responses"));
          return !committed.isEmpty()
              && readUncommitted(p + "-responses").size() > committed.size() + 10;
        },
        "answers committed, and more written since");
    int sentAtKill = sent.get();
    killTheTaskManager(cluster);
    sender.join();
    assertThat(failure.get()).isNull();
    waitUntil(
        () -> requestIds(values(p + "-responses")).size() >= requests,
        "every request answered and committed");
    cancelAndWait(job);

    List<JsonNode> committed = values(p + "-responses");
    Map<String, Long> perRequest =
        committed.stream()
            .collect(
                Collectors.groupingBy(r -> r.get("request_id").asText(), Collectors.counting()));
    assertThat(perRequest).hasSize(requests);
    assertThat(perRequest.values()).allMatch(n -> n == 1); // each committed exactly once
    int responsesValid = ConsumerGuideITCase.assertAllValid("response.schema.json", committed);
    // Every answer written, aborted ones included, is the same record per request.
    List<String> all = readUncommitted(p + "-responses");
    Map<String, Set<String>> variants = new HashMap<>();
    for (String r : all) {
      variants
          .computeIfAbsent(JSON.readTree(r).get("request_id").asText(), k -> new HashSet<>())
          .add(r);
    }
    assertThat(variants.values()).allMatch(v -> v.size() == 1);
    long explored = committed.stream().filter(r -> r.path("explored").asBoolean()).count();
    System.out.printf(
        "onsite failover: %d requests, %d sent at the kill; %d answers written in all (%d"
            + " aborted), each request committed once, one decision per request; %d explored;"
            + " %d responses validated%n",
        requests, sentAtKill, all.size(), all.size() - committed.size(), explored, responsesValid);
    assertThat(all.size()).isGreaterThan(committed.size()); // the kill did abort some answers
  }

  private static Set<String> requestIds(List<JsonNode> responses) {
    Set<String> ids = new HashSet<>();
    responses.forEach(r -> ids.add(r.get("request_id").asText()));
    return ids;
  }
}

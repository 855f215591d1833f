package io.prescient.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.models.artifact.ModelManifest;
import io.prescient.offline.training.LabelledRows;
import io.prescient.offline.training.SyntheticModels;
import io.prescient.state.features.FeatureSchema;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.JobStatus;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Live model swap on a running job (MiniCluster at parallelism 2, real Kafka, no restarts allowed):
 * decisions switch model version exactly between the announcements, a corrupt artifact and a hash
 * mismatch are refused and reported while the old model keeps serving, a shadow model is scored and
 * reported without deciding, and no decision is lost on the way.
 */
class ModelSwapITCase extends PipelineTestBase {
  static final String P = "swap";
  static final long DAY = 86_400_000L;
  static final long T0 = java.time.Instant.parse("2011-03-01T10:00:00Z").toEpochMilli();

  @TempDir Path dir;

  @Test
  void decisionsSwitchVersionAtEachAnnouncementWithoutARestart(@TempDir Path checkpoints)
      throws Exception {
    createTopics(P);
    Path v1 = artifact("v1", 1);
    Path v2 = artifact("v2", 2);
    Path corrupt = corruptArtifact("v3");

    Map<String, String> o = baseOptions(P, checkpoints);
    o.put("restart-strategy.type", "none"); // any failure fails the job, and the test
    JobClient job = start(o, "prescient-model-swap");
    try {
      phase(0); // no model yet: the rules decide
      waitForDecisions(1);

      announce("v1", v1, sha256(v1), false);
      waitForReports("v1", "loaded", 2);
      phase(1);
      waitForDecisions(2);

      announce("v3", corrupt, sha256(corrupt), false); // corrupt protobuf, honest hashes
      announce("v2", v2, "0".repeat(64), false); // the announcement's hash is wrong
      kafka.produce(P + "-models", List.of(json("churn", "{\"name\":\"churn\"}")));
      waitForReports("v3", "refused=corrupt_model", 2);
      waitForReports("v2", "refused=hash_mismatch", 2);
      phase(2);
      waitForDecisions(3);

      announce("v2", v2, sha256(v2), false);
      announce("v1", v1, sha256(v1), true); // v1 stays on as a shadow
      waitForReports("v2", "loaded", 2);
      waitForReports("v1", "loaded", 4);
      phase(3);
      waitForDecisions(4);

      assertThat(job.getJobStatus().get()).isEqualTo(JobStatus.RUNNING);
    } finally {
      cancelAndWait(job);
    }

    assertThat(values(P + "-dlq"))
        .extracting(d -> d.get("source_topic").asText() + ":" + d.get("reason").asText())
        .containsExactly(P + "-models:missing_field");

    List<JsonNode> decisions = values(P + "-decisions");
    assertThat(decisions).hasSize(4);
    Map<String, JsonNode> byUser = new java.util.TreeMap<>();
    decisions.forEach(d -> byUser.put(d.get("user_id").asText(), d));
    assertThat(byUser.get("u0").get("model_versions").has("churn")).isFalse();
    assertThat(byUser.get("u0").get("scores").has("churn")).isFalse();
    assertThat(version(byUser.get("u1"), "churn")).isEqualTo("v1");
    assertThat(version(byUser.get("u2"), "churn")).isEqualTo("v1"); // refusals changed nothing
    assertThat(version(byUser.get("u3"), "churn")).isEqualTo("v2");
    assertThat(version(byUser.get("u3"), "churn:shadow")).isEqualTo("v1");
    for (String u : List.of("u1", "u2", "u3")) {
      JsonNode d = byUser.get(u);
      assertThat(d.get("scores").get("churn").asDouble()).isBetween(0.0, 1.0);
      assertThat(d.get("why").asText()).contains("Churn risk");
      long reasons = 0;
      for (JsonNode r : d.get("reason_codes")) {
        reasons += r.asText().startsWith("CHURN_RISK_") ? 1 : 0;
      }
      assertThat(reasons).isEqualTo(3);
    }
    // The shadow's score is v1's: the same model that decided for u1 and u2.
    assertThat(byUser.get("u3").get("scores").has("churn:shadow")).isTrue();
    assertThat(byUser.get("u3").get("model_versions").get("churn:shadow").asText()).isEqualTo("v1");
  }

  /** One cart per phase, a day apart; a later event of another user moves event time past it. */
  void phase(int n) throws Exception {
    long t = T0 + n * DAY;
    kafka.produce(
        P + "-events",
        List.of(
            event(
                "c" + n,
                "u" + n,
                "add_to_cart",
                java.time.Instant.ofEpochMilli(t).toString(),
                "p" + n),
            keyedAs(
                "u" + n,
                event(
                    "clock" + n,
                    "clock",
                    "view",
                    java.time.Instant.ofEpochMilli(t + 3 * 3_600_000L).toString(),
                    "px"))));
  }

  void waitForDecisions(int n) throws Exception {
    waitUntil(() -> values(P + "-decisions").size() >= n, n + " decisions");
    assertThat(values(P + "-decisions")).hasSize(n);
  }

  void waitForReports(String version, String outcome, int n) throws Exception {
    waitUntil(
        () ->
            values(P + "-audit").stream()
                    .filter(r -> r.get("request").asText().equals("model_announcement"))
                    .filter(r -> contains(r, "version=" + version) && contains(r, outcome))
                    .count()
                >= n,
        n + " reports of " + version + " " + outcome);
  }

  /** Whether the report has {@code effect}, given as {@code what} or {@code what=value}. */
  static boolean contains(JsonNode report, String effect) {
    for (JsonNode e : report.get("effects")) {
      String what = e.get("what").asText();
      if ((e.has("value") ? what + "=" + e.get("value").asText() : what).equals(effect)) {
        return true;
      }
    }
    return false;
  }

  static String version(JsonNode decision, String slot) {
    JsonNode v = decision.get("model_versions").get(slot);
    return v == null ? null : v.asText();
  }

  void announce(String version, Path manifest, String sha, boolean shadow) throws Exception {
    kafka.produce(
        P + "-models",
        List.of(
            json(
                "churn",
                String.format(
                    "{\"name\":\"churn\",\"version\":\"%s\",\"uri\":\"%s\",\"sha256\":\"%s\","
                        + "\"shadow\":%s}",
                    version, manifest.toUri(), sha, shadow))));
  }

  /** A small real model over the live feature schema, written as an artifact. */
  Path artifact(String version, long seed) throws Exception {
    return SyntheticModels.writeChurn(dir.resolve(version), version, seed);
  }

  /** A manifest whose hashes are right but whose model file is not a model. */
  Path corruptArtifact(String version) throws Exception {
    Path d = Files.createDirectories(dir.resolve(version));
    byte[] garbage = "definitely not protobuf".getBytes(StandardCharsets.UTF_8);
    Files.write(d.resolve("model.tribuo"), garbage);
    ModelManifest m =
        new ModelManifest(
            "churn",
            version,
            FeatureSchema.VERSION,
            FeatureSchema.names(),
            LabelledRows.POSITIVE,
            "model.tribuo",
            HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(garbage)),
            false,
            Map.of(),
            Map.of(),
            "2026-11-24T00:00:00Z");
    Path manifest = d.resolve("churn-" + version + ".json");
    Files.writeString(manifest, m.toJson());
    return manifest;
  }

  static String sha256(Path file) throws Exception {
    return HexFormat.of()
        .formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
  }
}

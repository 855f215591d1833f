package io.prescient.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ScramCredentialInfo;
import org.apache.kafka.clients.admin.ScramMechanism;
import org.apache.kafka.clients.admin.UserScramCredentialUpsertion;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.common.acl.AccessControlEntry;
import org.apache.kafka.common.acl.AclBinding;
import org.apache.kafka.common.acl.AclOperation;
import org.apache.kafka.common.acl.AclPermissionType;
import org.apache.kafka.common.resource.PatternType;
import org.apache.kafka.common.resource.ResourcePattern;
import org.apache.kafka.common.resource.ResourceType;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job on a secured Kafka: a SASL listener with ACLs enforced, the job authenticating with
 * SCRAM-SHA-256 as a user of its own, given only through {@code prescient.kafka.properties.*}. It
 * reads its inputs and writes its outputs through that listener; wrong credentials and missing
 * topics stop the start-up check with one clear line; a job started without the check fails (it
 * does not restart for ever) with the broker's authentication error as its cause.
 */
class SecuredKafkaITCase {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final String USER = "prescient-job";
  private static final String PASSWORD = "job-secret-7f3a";

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .build());

  static KafkaTestCluster kafka;

  @BeforeAll
  static void startSecuredKafka() throws Exception {
    kafka = new KafkaTestCluster(true);
    try (Admin admin = kafka.admin()) {
      admin
          .alterUserScramCredentials(
              List.of(
                  new UserScramCredentialUpsertion(
                      USER, new ScramCredentialInfo(ScramMechanism.SCRAM_SHA_256, 4096), PASSWORD)))
          .all()
          .get(30, TimeUnit.SECONDS);
      String principal = "User:" + USER;
      admin
          .createAcls(
              List.of(
                  allow(ResourceType.TOPIC, "sec-", PatternType.PREFIXED, principal),
                  allow(ResourceType.GROUP, "sec", PatternType.PREFIXED, principal),
                  allow(ResourceType.TRANSACTIONAL_ID, "sec", PatternType.PREFIXED, principal),
                  allow(ResourceType.CLUSTER, "kafka-cluster", PatternType.LITERAL, principal)))
          .all()
          .get(30, TimeUnit.SECONDS);
    }
  }

  @AfterAll
  static void stopKafka() throws Exception {
    kafka.close();
  }

  private static AclBinding allow(
      ResourceType type, String name, PatternType pattern, String principal) {
    return new AclBinding(
        new ResourcePattern(type, name, pattern),
        new AccessControlEntry(principal, "*", AclOperation.ALL, AclPermissionType.ALLOW));
  }

  private static Map<String, String> options(String prefix, Path checkpoints, String password) {
    Map<String, String> o = new HashMap<>();
    o.put("prescient.kafka.bootstrap-servers", kafka.bootstrapServers());
    o.put("prescient.kafka.group-id", prefix);
    o.put("prescient.kafka.transactional-id-prefix", prefix);
    o.put("prescient.kafka.starting-offsets", "EARLIEST");
    o.put("prescient.kafka.bounded", "true");
    o.put("prescient.kafka.check-timeout", "20 s");
    for (String t : PrescientOptions.TOPICS) {
      o.put("prescient.topic." + t, prefix + "-" + t);
    }
    o.put("prescient.checkpoint.interval", "1 s");
    o.put("prescient.checkpoint.dir", checkpoints.toUri().toString());
    o.put("prescient.watermark.idleness", "0 s");
    o.put("prescient.kafka.properties.security.protocol", "SASL_PLAINTEXT");
    o.put("prescient.kafka.properties.sasl.mechanism", "SCRAM-SHA-256");
    o.put(
        "prescient.kafka.properties.sasl.jaas.config",
        "org.apache.kafka.common.security.scram.ScramLoginModule required username=\""
            + USER
            + "\" password=\""
            + password
            + "\";");
    return o;
  }

  private static void createTopics(String prefix) throws Exception {
    kafka.createTopics(
        2, PrescientOptions.TOPICS.stream().map(t -> prefix + "-" + t).toArray(String[]::new));
  }

  @Test
  void theJobReadsAndWritesThroughScramAndTheCheckPasses(@TempDir Path tmp) throws Exception {
    String p = "sec-ok";
    createTopics(p);
    kafka.produce(
        p + "-events",
        List.of(
            Map.entry("u1", "{\"event_id\":\"e1\",\"user_id\":".getBytes()),
            Map.entry(
                "u1",
                ("{\"event_id\":\"e2\",\"user_id\":\"u1\",\"type\":\"teleport\","
                        + "\"timestamp\":\"2017-11-25T00:00:00Z\"}")
                    .getBytes())));
    kafka.produce(
        p + "-privacy",
        List.of(
            Map.entry(
                "u1",
                "{\"user_id\":\"u1\",\"type\":\"opt_out\",\"timestamp\":1700000000000}"
                    .getBytes())));
    Configuration options = PrescientConfig.fromMap(options(p, tmp, PASSWORD));
    KafkaCheck.run(options); // throws if the credentials, ACLs or topics do not do

    StreamExecutionEnvironment env = PrescientJob.environment(options);
    PrescientPipeline.build(env, KafkaIO.create(options), options);
    env.execute("prescient-secured");

    List<String> reasons =
        kafka.readAll(p + "-dlq").stream().map(r -> field(r, "reason")).sorted().toList();
    assertThat(reasons).containsExactly("malformed_json", "unknown_type");
    assertThat(kafka.readAll(p + "-audit"))
        .singleElement()
        .satisfies(r -> assertThat(field(r, "request")).isEqualTo("opt_out"));
  }

  @Test
  void wrongCredentialsAndMissingTopicsStopTheStartWithOneLine(@TempDir Path tmp) throws Exception {
    String p = "sec-bad";
    createTopics(p);
    assertThatThrownBy(
            () -> KafkaCheck.run(PrescientConfig.fromMap(options(p, tmp, "not-the-password"))))
        .isInstanceOf(KafkaCheck.KafkaUnusableException.class)
        .hasMessageStartingWith("Kafka at " + kafka.bootstrapServers() + " refused the credentials")
        .hasMessageNotContaining("not-the-password");

    Map<String, String> missing = options("sec-none", tmp, PASSWORD);
    assertThatThrownBy(() -> KafkaCheck.run(PrescientConfig.fromMap(missing)))
        .isInstanceOf(KafkaCheck.KafkaUnusableException.class)
        .hasMessageContaining("missing topics on " + kafka.bootstrapServers())
        .hasMessageContaining("sec-none-events (prescient.topic.events)");
  }

  @Test
  void aJobWithWrongCredentialsFailsInsteadOfRestartingForEver(@TempDir Path tmp) throws Exception {
    String p = "sec-fail";
    createTopics(p);
    Map<String, String> o = options(p, tmp, "not-the-password");
    o.put("prescient.kafka.check-timeout", "0 s"); // as if the check had been skipped
    // The default strategy's back-off (1 s .. 1 min, 10 attempts) is for clusters; a short one
    // here shows the same: a bounded number of restarts, then the job fails.
    o.put("restart-strategy.exponential-delay.max-backoff", "200 ms");
    o.put("restart-strategy.exponential-delay.initial-backoff", "100 ms");
    o.put("restart-strategy.exponential-delay.attempts-before-reset-backoff", "2");
    Configuration options = PrescientConfig.fromMap(o);
    StreamExecutionEnvironment env = PrescientJob.environment(options);
    PrescientPipeline.build(env, KafkaIO.create(options), options);
    long t0 = System.nanoTime();
    assertThatThrownBy(() -> env.execute("prescient-secured-wrong-password"))
        .satisfies(
            e ->
                assertThat(PrescientJob.rootCause(e))
                    .contains("Authentication failed")
                    .doesNotContain("not-the-password"));
    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(120);
  }

  private static String field(ConsumerRecord<byte[], byte[]> r, String name) {
    try {
      JsonNode n = JSON.readTree(r.value());
      return n.get(name).asText();
    } catch (java.io.IOException e) {
      throw new IllegalStateException(e);
    }
  }
}

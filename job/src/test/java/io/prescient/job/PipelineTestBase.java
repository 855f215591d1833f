package io.prescient.job;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.testutils.MiniClusterResourceConfiguration;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.ObjectMapper;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.test.junit5.MiniClusterExtension;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * What the end-to-end tests share: a Flink MiniCluster at parallelism 2, a real in-JVM Kafka
 * cluster, the job wired to it exactly as in production ({@link KafkaIO}), and input builders.
 */
abstract class PipelineTestBase {
  static final ObjectMapper JSON = new ObjectMapper();

  /**
   * 3,000 real Taobao events in time order: the job's end-to-end test log, also read by the tools'
   * tests (so given from the repository root's view of this module).
   */
  static final java.nio.file.Path TAOBAO_3000 =
      java.nio.file.Path.of(
          "..", "job", "src", "test", "resources", "datasets", "taobao-3000.jsonl");

  @RegisterExtension
  static final MiniClusterExtension FLINK =
      new MiniClusterExtension(
          new MiniClusterResourceConfiguration.Builder()
              .setNumberTaskManagers(1)
              .setNumberSlotsPerTaskManager(2)
              .setConfiguration(prometheus())
              .build());

  /** The Prometheus reporter, as on a cluster, on ports {@link #PROMETHEUS_PORTS}. */
  static final String PROMETHEUS_PORTS = "9270-9289";

  static Configuration prometheus() {
    Configuration c = new Configuration();
    c.setString(
        "metrics.reporter.prom.factory.class",
        "org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    c.setString("metrics.reporter.prom.port", PROMETHEUS_PORTS);
    return c;
  }

  static KafkaTestCluster kafka;

  @BeforeAll
  static void startKafka() throws Exception {
    kafka = new KafkaTestCluster();
  }

  @AfterAll
  static void stopKafka() throws Exception {
    kafka.close();
  }

  /** Options of a job on its own topics ({@code prefix-events}, ...) and consumer group. */
  static Map<String, String> baseOptions(String prefix, Path checkpoints) {
    Map<String, String> o = new HashMap<>();
    o.put("prescient.kafka.bootstrap-servers", kafka.bootstrapServers());
    o.put("prescient.kafka.group-id", prefix);
    o.put("prescient.kafka.transactional-id-prefix", prefix);
    o.put("prescient.kafka.starting-offsets", "EARLIEST");
    for (String t : PrescientOptions.TOPICS) {
      o.put("prescient.topic." + t, prefix + "-" + t);
    }
    o.put("prescient.parallelism", "2");
    o.put("prescient.checkpoint.interval", "1 s");
    o.put("prescient.checkpoint.dir", checkpoints.toUri().toString());
    o.put("prescient.watermark.out-of-orderness", "0 s");
    o.put("prescient.watermark.idleness", "1 s");
    // Decisions leave when decided: these tests move event time by hours, not days. The delay, its
    // re-check and its timers across restores are proven by PolicyFunctionTest and the cluster
    // upgrade check.
    o.put("prescient.policy.creepiness-delay", "0 s");
    // Everyone in the rules arm, so assertions can name the offer; ReplayITCase runs all arms.
    o.put("prescient.policy.control-share", "0");
    o.put("prescient.policy.rules-share", "1");
    return o;
  }

  static void createTopics(String prefix) throws Exception {
    kafka.createTopics(
        2, PrescientOptions.TOPICS.stream().map(t -> prefix + "-" + t).toArray(String[]::new));
  }

  /**
   * The job's topics with events in one partition: the live job then reads a log in file order, as
   * the replay does. The others have two partitions.
   */
  static void createTopicsWithEventsInFileOrder(String prefix) throws Exception {
    kafka.createTopics(1, prefix + "-events");
    kafka.createTopics(
        2,
        PrescientOptions.TOPICS.stream()
            .filter(t -> !t.equals("events"))
            .map(t -> prefix + "-" + t)
            .toArray(String[]::new));
  }

  static StreamExecutionEnvironment buildJob(Map<String, String> o) {
    Configuration options = PrescientConfig.fromMap(o);
    StreamExecutionEnvironment env = PrescientJob.environment(options);
    PrescientPipeline.build(env, KafkaIO.create(options), options);
    return env;
  }

  static JobClient start(Map<String, String> o, String name) throws Exception {
    return buildJob(o).executeAsync(name);
  }

  static Map.Entry<String, byte[]> json(String user, String json) {
    return new AbstractMap.SimpleImmutableEntry<>(user, json.getBytes(StandardCharsets.UTF_8));
  }

  static Map.Entry<String, byte[]> event(
      String id, String user, String type, String timestamp, String product) {
    return json(
        user,
        String.format(
            "{\"event_id\":\"%s\",\"user_id\":\"%s\",\"type\":\"%s\",\"timestamp\":\"%s\","
                + "\"product_id\":\"%s\",\"price\":4.5,\"quantity\":2,\"category\":\"bags\"}",
            id, user, type, timestamp, product));
  }

  /**
   * The same record under another Kafka key. A test that moves event time with a later event of
   * another user sends it under the key of the record it must overtake: both land in one partition,
   * in order. Otherwise, once both partitions go idle, event time stays at the slower one (Flink
   * does not advance the watermark past idle inputs), and whether the timer fires is a race.
   */
  static Map.Entry<String, byte[]> keyedAs(String key, Map.Entry<String, byte[]> record) {
    return new AbstractMap.SimpleImmutableEntry<>(key, record.getValue());
  }

  static Map.Entry<String, byte[]> privacy(String user, String type) {
    return json(
        user,
        "{\"user_id\":\"" + user + "\",\"type\":\"" + type + "\",\"timestamp\":1700000000000}");
  }

  /** Every committed record of a topic, parsed. */
  static List<JsonNode> values(String topic) throws Exception {
    List<JsonNode> out = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(topic)) {
      out.add(JSON.readTree(r.value()));
    }
    return out;
  }

  /** "user:triggering event" of every committed decision, sorted. */
  static List<String> decisionKeys(String prefix) throws Exception {
    return values(prefix + "-decisions").stream()
        .map(d -> d.get("user_id").asText() + ":" + d.get("triggering_event_id").asText())
        .sorted()
        .toList();
  }

  static void waitUntil(Callable<Boolean> condition, String what) throws Exception {
    long deadline = System.nanoTime() + 90_000_000_000L;
    while (!condition.call()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("timed out waiting for " + what);
      }
      Thread.sleep(250);
    }
  }

  /**
   * Cancels a job and waits until it has stopped: {@code cancel()} returns when the cancellation is
   * acknowledged, while tasks may still write checkpoint files into a {@code @TempDir} that JUnit
   * is about to delete (the cause of "Failed to close extension context").
   */
  static void cancelAndWait(JobClient job) throws Exception {
    job.cancel().get(60, TimeUnit.SECONDS);
    long deadline = System.nanoTime() + 60_000_000_000L;
    while (!job.getJobStatus().get(10, TimeUnit.SECONDS).isGloballyTerminalState()) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError("the job did not stop within 60 s of its cancellation");
      }
      Thread.sleep(100);
    }
  }

  /** Kills the only TaskManager (its tasks fail) and starts a fresh one to recover on. */
  static void killTheTaskManager(MiniCluster cluster) throws Exception {
    cluster.terminateTaskManager(0).get(60, TimeUnit.SECONDS);
    cluster.startTaskManager();
  }

  /** Every record of a topic including those in open transactions, as text. */
  static List<String> readUncommitted(String topic) throws Exception {
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, kafka.bootstrapServers());
    c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    c.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> consumer = new KafkaConsumer<>(c);
        Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      List<TopicPartition> parts =
          consumer.partitionsFor(topic).stream()
              .map(i -> new TopicPartition(topic, i.partition()))
              .toList();
      Map<TopicPartition, OffsetSpec> latest = new HashMap<>();
      parts.forEach(tp -> latest.put(tp, OffsetSpec.latest()));
      Map<TopicPartition, Long> end = new HashMap<>();
      admin.listOffsets(latest).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
      consumer.assign(parts);
      consumer.seekToBeginning(parts);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
      while (parts.stream().anyMatch(tp -> consumer.position(tp) < end.get(tp))
          && System.nanoTime() < deadline) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(100))) {
          out.add(new String(r.value(), StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }
}

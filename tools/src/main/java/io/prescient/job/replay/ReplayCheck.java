package io.prescient.job.replay;

import static io.prescient.job.cli.CommandOptions.opt;

import io.prescient.job.KafkaIO;
import io.prescient.job.PrescientConfig;
import io.prescient.job.PrescientJob;
import io.prescient.job.PrescientOptions;
import io.prescient.job.PrescientPipeline;
import io.prescient.job.cli.CommandOptions;
import io.prescient.job.cli.CommandOptions.Opt;
import io.prescient.job.local.EventReplayer;
import io.prescient.job.local.LocalKafkaBroker;
import io.prescient.job.savepoint.ExportSavepoint;
import io.prescient.job.savepoint.ExportTable;
import io.prescient.state.contract.InvalidRecordException;
import io.prescient.state.json.JsonLimits;
import io.prescient.state.json.RecordParser;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * {@code ./prescient check-replay [--events FILE] [job options]}: the analyst's guarantees, checked
 * end to end on a real log. The same events go (a) through the live job, reading a real Kafka
 * broker process and writing its decisions topic (exactly-once, on a MiniCluster), which is stopped
 * with a savepoint once every event is committed (draining: event time runs to its end, as at the
 * end of a bounded replay), and (b) through {@code prescient replay} on the file. Both decision
 * sets are written sorted, and their SHA-256 must be equal. The savepoint is then exported (CSV and
 * Parquet) and must hold one profile row per user of the log. Exit status 0 when both hold.
 */
public final class ReplayCheck {
  private ReplayCheck() {}

  static final String COMMAND = "prescient check-replay";

  static final List<Opt> OPTIONS =
      List.of(
          opt(
              "--events",
              "FILE",
              Path.of(".local", "data", "online-retail.jsonl").toString(),
              "events JSON lines; make the default with ./prescient convert --dataset"
                  + " online-retail"),
          opt(
              "--work-dir",
              "DIR",
              Path.of(".local", "check-replay").toString(),
              "broker data, checkpoints and both decision files"),
          opt("--port", "N", "0", "the Kafka broker's port (0: a free one)"),
          opt(
              "--kafka-classpath-file",
              "F",
              Path.of("deploy", "local-kafka", "target", "kafka.classpath").toString(),
              "the broker's class path (./prescient passes it)"));

  public static void main(String[] args) throws Exception {
    CommandOptions.main(COMMAND, () -> run(args));
  }

  static void run(String[] args) throws Exception {
    CommandOptions.Parsed p = parse(args);
    if (p == null) {
      return;
    }
    Path events = Path.of(p.get("--events"));
    if (!Files.isRegularFile(events)) {
      throw p.error(events + " not found");
    }
    long port = p.getLong("--port");
    if (port < 0 || port > 65535) {
      throw p.error("--port needs a port number from 0 to 65535, not " + port);
    }
    Path kafkaCp = Path.of(p.get("--kafka-classpath-file"));
    if (!Files.isRegularFile(kafkaCp)) {
      throw p.error(
          "--kafka-classpath-file "
              + kafkaCp
              + " is not a file (build it with 'mvn -q package -DskipTests')");
    }
    Map<String, String> overrides = p.checkedJobOptions();
    Result r =
        run(
            events,
            Path.of(p.get("--work-dir")),
            Files.readString(kafkaCp).strip(),
            (int) port,
            overrides);
    System.out.printf("live   %,9d decisions  sha256 %s  %s%n", r.live, r.liveSha256, r.liveFile);
    System.out.printf(
        "replay %,9d decisions  sha256 %s  %s%n", r.replay, r.replaySha256, r.replayFile);
    System.out.println(
        r.identical()
            ? "IDENTICAL: the replay wrote exactly the live job's decisions"
            : "DIFFERENT: compare the two files (both sorted)");
    System.out.printf(
        "export of the live job's savepoint %s: %,d profile rows for %,d users in the log, %,d"
            + " pending triggers, %,d held decisions -> %s%n",
        r.savepoint, r.profileRows, r.users, r.pendingTriggers, r.heldDecisions, r.export);
    boolean oneRowPerUser = r.profileRows == r.users;
    if (!oneRowPerUser) {
      System.out.println("EXPORT INCOMPLETE: not one profile row per user");
    }
    System.exit(r.identical() && oneRowPerUser ? 0 : 1);
  }

  /** The command line parsed; null when --help printed the usage. */
  static CommandOptions.Parsed parse(String... args) {
    return CommandOptions.parse(
        COMMAND,
        "The analyst's guarantees, checked end to end on a real log: the live job (a real Kafka"
            + " broker process, exactly-once, on a MiniCluster) and the replay over the same"
            + " events must write the same decisions, and the live job's final savepoint must"
            + " export one profile row per user of the log.",
        OPTIONS,
        CommandOptions.Rest.JOB_OPTIONS,
        args,
        "Job options are used by both runs (defaults: the production policy, with the",
        "watermark settings a bounded live read needs).",
        "Writes WORK-DIR/live-decisions.jsonl and WORK-DIR/replay/decisions.jsonl (both",
        "sorted), the live job's final savepoint under WORK-DIR/savepoints and its export",
        "under WORK-DIR/export; exits 1 when the decisions differ or the export misses a",
        "user.");
  }

  /** Both runs' decision counts, files and hashes, and the export of the live savepoint. */
  public record Result(
      long live,
      String liveSha256,
      Path liveFile,
      long replay,
      String replaySha256,
      Path replayFile,
      String savepoint,
      Path export,
      long users,
      long profileRows,
      long pendingTriggers,
      long heldDecisions) {
    public boolean identical() {
      return liveSha256.equals(replaySha256);
    }
  }

  static final String GROUP = "prescient-check-replay";

  /**
   * The job options both runs use: the production policy with the given overrides, checkpoints
   * (they commit the live job's offsets) every 2 s.
   */
  static Map<String, String> options(String bootstrap, Path checkpoints, Map<String, String> o) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("prescient.kafka.bootstrap-servers", bootstrap);
    m.put("prescient.kafka.group-id", GROUP);
    m.put("prescient.checkpoint.dir", checkpoints.toUri().toString());
    m.put("prescient.checkpoint.interval", "2 s");
    // No input turns idle: the check drains the job once every event is committed, which can be
    // seconds after the last one was read, and a source idle at the drain drops the final
    // watermark (FLINK-40499), leaving the last timers unfired and the check flaky (1 run in 2).
    // Without idleness event time waits for every partition and the drain fires everything.
    m.put("prescient.watermark.idleness", "0 s");
    m.putAll(o);
    return m;
  }

  public static Result run(
      Path events, Path work, String kafkaClasspath, int port, Map<String, String> overrides)
      throws Exception {
    long t0 = System.nanoTime();
    ReplayCommand.deleteTree(work);
    Files.createDirectories(work);
    say(t0, "starting a Kafka broker (separate process) ...");
    try (LocalKafkaBroker broker =
        LocalKafkaBroker.start(
            work.resolve("kafka"), kafkaClasspath, port, Duration.ofSeconds(90))) {
      Map<String, String> o =
          options(broker.bootstrapServers(), work.resolve("checkpoints"), overrides);
      Configuration config = PrescientConfig.fromMap(o);
      // Two partitions, events keyed by user: each user's events stay in file order.
      Map<String, Integer> topics = new LinkedHashMap<>();
      for (String t : PrescientOptions.TOPICS) {
        topics.put(topic(config, t), 2);
      }
      broker.createTopics(
          topics,
          Map.of("max.message.bytes", Integer.toString(LocalKafkaBroker.MAX_MESSAGE_BYTES)));

      EventReplayer producer =
          new EventReplayer(events, topic(config, "events"), broker.bootstrapServers(), 0, 0, 0);
      producer.run();
      if (producer.failure() != null || producer.failed() > 0) {
        throw new IOException(
            "the broker did not take every event: "
                + (producer.failure() != null ? producer.failure() : producer.lastSendError()));
      }
      say(t0, String.format("%,d events in topic '%s'", producer.sent(), topic(config, "events")));

      StreamExecutionEnvironment env = PrescientJob.environment(config);
      PrescientPipeline.build(env, KafkaIO.create(config), config);
      say(t0, "live job: reading the topic on a MiniCluster ...");
      JobClient job = env.executeAsync("prescient-check-replay-live");
      waitUntilCommitted(broker.bootstrapServers(), topic(config, "events"), job, t0);
      say(t0, "every event committed; stopping with a savepoint (draining to end of event time)");
      String savepoint =
          job.stopWithSavepoint(
                  true,
                  work.resolve("savepoints").toUri().toString(),
                  SavepointFormatType.CANONICAL)
              .get(10, TimeUnit.MINUTES);
      job.getJobExecutionResult().get(10, TimeUnit.MINUTES);
      List<String> live = readAll(broker.bootstrapServers(), topic(config, "decisions"));
      live.sort(null);
      Path liveFile = work.resolve("live-decisions.jsonl");
      StringBuilder sb = new StringBuilder();
      live.forEach(l -> sb.append(l).append('\n'));
      Files.writeString(liveFile, sb.toString(), StandardCharsets.UTF_8);
      say(t0, String.format("live job done: %,d decisions", live.size()));

      say(t0, "replay: the same topology over the file ...");
      ReplayCommand.Summary s =
          ReplayCommand.run(
              config,
              events,
              new ReplayCommand.Inputs(null, null, null, null),
              work.resolve("replay"));
      say(t0, String.format("replay done: %,d decisions", s.lines().get("decisions")));

      say(t0, "exporting the live job's savepoint " + savepoint + " ...");
      Path export = work.resolve("export");
      List<ExportTable> tables = ExportSavepoint.export(savepoint, export, 0, config);
      say(t0, "export done");
      return new Result(
          live.size(),
          ReplayCommand.sha256(liveFile),
          liveFile,
          s.lines().get("decisions"),
          s.decisionsSha256(),
          s.output().resolve("decisions.jsonl"),
          savepoint,
          export,
          users(events),
          tables.get(0).size(),
          tables.get(1).size(),
          tables.get(2).size());
    }
  }

  /** Distinct users of the log's valid events (what the profile operator keeps a row for). */
  static long users(Path events) throws IOException {
    RecordParser parser = new RecordParser(JsonLimits.defaults());
    Set<String> users = new HashSet<>();
    try (var lines = Files.lines(events, StandardCharsets.UTF_8)) {
      lines.forEach(
          l -> {
            try {
              users.add(
                  parser.parseEvent(l.getBytes(StandardCharsets.UTF_8), Long.MAX_VALUE / 2).userId);
            } catch (InvalidRecordException rejected) {
              // not an event: no profile
            }
          });
    }
    return users.size();
  }

  /** Waits until the job's committed offsets (written on checkpoints) reach the topic's end. */
  static void waitUntilCommitted(String bootstrap, String topic, JobClient job, long t0)
      throws Exception {
    waitUntilCommitted(
        bootstrap, topic, GROUP, () -> job.getJobStatus().get().isGloballyTerminalState(), t0);
  }

  /**
   * Waits until the consumer group's committed offsets (written on checkpoints) reach the topic's
   * end as it is now, saying how far behind they are every 10 s; fails once {@code stopped} is
   * true.
   */
  public static void waitUntilCommitted(
      String bootstrap, String topic, String group, Callable<Boolean> stopped, long t0)
      throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", bootstrap))) {
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      for (var p :
          admin.describeTopics(List.of(topic)).allTopicNames().get().get(topic).partitions()) {
        request.put(new TopicPartition(topic, p.partition()), OffsetSpec.latest());
      }
      Map<TopicPartition, Long> end = new HashMap<>();
      admin.listOffsets(request).all().get().forEach((tp, info) -> end.put(tp, info.offset()));
      long lastSay = 0;
      while (true) {
        if (stopped.call()) {
          throw new IOException("the job stopped before reading its input");
        }
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        long behind = 0;
        for (var e : end.entrySet()) {
          OffsetAndMetadata c = committed.get(e.getKey());
          behind += e.getValue() - (c == null ? 0 : c.offset());
        }
        if (behind <= 0) {
          return;
        }
        if (System.nanoTime() - lastSay > 10_000_000_000L) {
          say(t0, String.format("job: %,d events not yet committed", behind));
          lastSay = System.nanoTime();
        }
        Thread.sleep(500);
      }
    }
  }

  /** Every committed record of {@code topic}, as text. */
  static List<String> readAll(String bootstrap, String topic) {
    Map<String, Object> props = new HashMap<>();
    props.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    props.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_committed");
    props.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    props.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    props.put(
        ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
    List<String> out = new ArrayList<>();
    try (KafkaConsumer<byte[], byte[]> c = new KafkaConsumer<>(props)) {
      List<TopicPartition> parts =
          c.partitionsFor(topic).stream()
              .map(p -> new TopicPartition(topic, p.partition()))
              .toList();
      c.assign(parts);
      c.seekToBeginning(parts);
      Map<TopicPartition, Long> end = c.endOffsets(parts);
      while (parts.stream().anyMatch(p -> c.position(p) < end.get(p))) {
        for (ConsumerRecord<byte[], byte[]> r : c.poll(Duration.ofMillis(500))) {
          out.add(new String(r.value(), StandardCharsets.UTF_8));
        }
      }
    }
    return out;
  }

  private static String topic(Configuration config, String name) {
    return config.getString("prescient.topic." + name, name);
  }

  private static void say(long t0, String message) {
    System.out.printf("[%6.1f s] %s%n", (System.nanoTime() - t0) / 1e9, message);
  }
}

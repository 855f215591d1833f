package io.prescient.job.bench;

import static io.prescient.job.cli.CommandOptions.opt;

import io.prescient.job.KafkaIO;
import io.prescient.job.PrescientConfig;
import io.prescient.job.PrescientJob;
import io.prescient.job.PrescientOptions;
import io.prescient.job.PrescientPipeline;
import io.prescient.job.cli.CommandOptions;
import io.prescient.job.cli.CommandOptions.Opt;
import io.prescient.job.local.LocalKafkaBroker;
import io.prescient.job.replay.ReplayCheck;
import io.prescient.job.replay.ReplayCommand;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.Stream;
import org.apache.flink.api.common.JobID;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.TaskManagerOptions;
import org.apache.flink.core.execution.CheckpointType;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.checkpoint.AbstractCheckpointStats;
import org.apache.flink.runtime.checkpoint.CompletedCheckpointStats;
import org.apache.flink.runtime.jobgraph.SavepointRestoreSettings;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.runtime.minicluster.MiniClusterConfiguration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.flink.streaming.api.graph.StreamGraph;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * State at scale: a million simulated users through the whole job on RocksDB, then the size of that
 * state on disk and per user, full and incremental checkpoints, savepoints in both formats, and how
 * long a restore of each takes.
 *
 * <p>Each simulated user is a real Taobao user's behaviour: a contiguous slice (1 to {@code
 * --max-events} events) of one of the 814 users' complete histories, re-keyed. The slices are
 * written to a real broker in the log's time order, so event time moves as in the log.
 */
public final class StateScaleBenchmark {
  private StateScaleBenchmark() {}

  static final String COMMAND = "prescient bench-state";

  static final List<Opt> OPTIONS =
      List.of(
          opt(
              "--input",
              "FILE",
              Path.of(".local", "data", "taobao.jsonl").toString(),
              "a converted clickstream log"),
          opt("--users", "N", "1000000", "simulated users"),
          opt(
              "--max-events",
              "K",
              "12",
              "each user is a slice of 1..K consecutive events of a real user"),
          opt("--seed", "S", "1", "of the slices"),
          opt(
              "--work-dir",
              "DIR",
              Path.of(".local", "bench-state").toString(),
              "broker data, RocksDB, checkpoints, savepoints (emptied first)"),
          opt(
              "--kafka-classpath-file",
              "F",
              null,
              "the broker's class path (./prescient passes it); required"),
          opt(
              "--results",
              "FILE",
              null,
              "where the JSON figures go (default: WORK/state-benchmark.json)"));

  public static void main(String[] args) throws Exception {
    CommandOptions.main(COMMAND, () -> run(args));
  }

  /** The command with {@code args}; a user error is a {@link CommandOptions.UsageError}. */
  static void run(String[] args) throws Exception {
    CommandOptions.Parsed p =
        CommandOptions.parse(
            COMMAND,
            "State at scale: simulated users (slices of real Taobao users' histories, re-keyed)"
                + " through the whole job on RocksDB, then the size of that state on disk and per"
                + " user, full and incremental checkpoints, savepoints in both formats, and how"
                + " long a restore of each takes.",
            OPTIONS,
            CommandOptions.Rest.JOB_OPTIONS,
            args,
            "",
            "Prints the load (events/s), RocksDB on disk, full and incremental checkpoint size and"
                + " duration, savepoint size and duration (canonical and native), restore time of"
                + " each, and bytes per user; writes them as JSON to the --results file.");
    if (p == null) {
      return;
    }
    Path input = Path.of(p.get("--input"));
    int users = p.getInt("--users", 1, Integer.MAX_VALUE);
    int maxEvents = p.getInt("--max-events", 1, Integer.MAX_VALUE);
    long seed = p.getLong("--seed");
    Path work = Path.of(p.get("--work-dir"));
    Path resultsFile = p.has("--results") ? Path.of(p.get("--results")) : null;
    Map<String, String> overrides = p.checkedJobOptions();
    if (!Files.isRegularFile(input)) {
      throw p.error(input + " not found: convert the Taobao slice first (docs/datasets.md)");
    }
    if (!p.has("--kafka-classpath-file")) {
      throw p.error("--kafka-classpath-file is required (./prescient bench-state passes it)");
    }
    Path kafkaCp = Path.of(p.get("--kafka-classpath-file"));
    if (!Files.isRegularFile(kafkaCp)) {
      throw p.error("--kafka-classpath-file " + kafkaCp + " is not a file");
    }
    long t0 = System.nanoTime();
    ReplayCommand.deleteTree(work);
    Files.createDirectories(work);
    Map<String, Object> result = new LinkedHashMap<>();
    result.put("users", users);
    result.put("max_events_per_user", maxEvents);

    Slices slices =
        Slices.of(Files.readAllLines(input, StandardCharsets.UTF_8), users, maxEvents, seed);
    say(
        t0,
        String.format(
            "%,d simulated users from %,d real users' histories in %s: %,d events",
            users, slices.realUsers, input, slices.events));
    result.put("events", slices.events);

    say(t0, "starting a Kafka broker (separate process) ...");
    try (LocalKafkaBroker broker =
        LocalKafkaBroker.start(
            work.resolve("kafka"), Files.readString(kafkaCp).strip(), 0, Duration.ofSeconds(90))) {
      Map<String, String> o = new LinkedHashMap<>();
      o.put("prescient.kafka.bootstrap-servers", broker.bootstrapServers());
      o.put("prescient.kafka.group-id", "prescient-bench-state");
      o.put("prescient.kafka.starting-offsets", "EARLIEST");
      o.put("prescient.delivery-guarantee", "at-least-once");
      o.put("prescient.parallelism", "2");
      o.put("prescient.checkpoint.interval", "20 s");
      o.put("prescient.checkpoint.dir", work.resolve("checkpoints").toUri().toString());
      o.put("prescient.state.local-dir", work.resolve("rocksdb").toAbsolutePath().toString());
      o.put("execution.checkpointing.num-retained", "100"); // sizes on disk stay measurable
      // RocksDB's own snapshots are measured (a full checkpoint among them, which the changelog
      // backend cannot take); the savepoints are the same with it on, as it hands them to RocksDB.
      o.put("prescient.state.changelog", "false");
      // RocksDB's block cache and write buffers come from managed memory: a TaskManager's share
      // on a small cluster node rather than the embedded default of 128 MB.
      o.put("taskmanager.memory.managed.size", "1g");
      o.putAll(overrides);
      Configuration config;
      try {
        config = PrescientConfig.fromMap(o);
      } catch (PrescientConfig.ConfigException e) {
        throw p.error(e.getMessage());
      }
      Map<String, Integer> topics = new LinkedHashMap<>();
      for (String t : PrescientOptions.TOPICS) {
        topics.put(config.getString("prescient.topic." + t, t), 2);
      }
      broker.createTopics(
          topics,
          Map.of("max.message.bytes", Integer.toString(LocalKafkaBroker.MAX_MESSAGE_BYTES)));
      String eventsTopic = config.getString("prescient.topic.events", "events");

      long p0 = System.nanoTime();
      slices.produce(broker.bootstrapServers(), eventsTopic, t0);
      double produceS = (System.nanoTime() - p0) / 1e9;
      say(t0, String.format("%,d events in the broker in %.0f s", slices.events, produceS));

      Configuration flink = PrescientJob.flinkConfiguration(config);
      flink.set(TaskManagerOptions.NUM_TASK_SLOTS, 2);
      try (MiniCluster cluster =
          new MiniCluster(
              new MiniClusterConfiguration.Builder()
                  .setConfiguration(flink)
                  .setNumTaskManagers(1)
                  .setNumSlotsPerTaskManager(2)
                  .build())) {
        cluster.start();
        JobID job = cluster.submitJob(graph(config, null)).get().getJobID();
        long l0 = System.nanoTime();
        say(t0, "the job reads the topic (parallelism 2, RocksDB, checkpoints every 20 s) ...");
        ReplayCheck.waitUntilCommitted(
            broker.bootstrapServers(),
            eventsTopic,
            "prescient-bench-state",
            () -> cluster.getJobStatus(job).get().isGloballyTerminalState(),
            t0);
        double loadS = (System.nanoTime() - l0) / 1e9;
        result.put("load_seconds", round(loadS));
        result.put("load_events_per_second", Math.round(slices.events / loadS));
        say(
            t0,
            String.format(
                "loaded: %,d events in %.0f s (%,.0f events/s, including the periodic"
                    + " checkpoints); RocksDB on disk %s",
                slices.events, loadS, slices.events / loadS, mb(size(work.resolve("rocksdb")))));
        result.put("rocksdb_bytes_on_disk", size(work.resolve("rocksdb")));
        result.put("incremental_checkpoints_during_load", history(cluster, job));

        CompletedCheckpointStats full = checkpoint(cluster, job, CheckpointType.FULL);
        result.put("full_checkpoint", stats(full));
        say(t0, "full checkpoint: " + stats(full));
        CompletedCheckpointStats incremental = checkpoint(cluster, job, CheckpointType.INCREMENTAL);
        result.put("incremental_checkpoint_after_it", stats(incremental));
        say(t0, "incremental checkpoint right after it (nothing new): " + stats(incremental));
        result.put("bytes_per_user", full.getStateSize() / users);

        Map<SavepointFormatType, String> savepoints = new LinkedHashMap<>();
        for (SavepointFormatType format :
            List.of(SavepointFormatType.CANONICAL, SavepointFormatType.NATIVE)) {
          long s0 = System.nanoTime();
          String path =
              cluster
                  .triggerSavepoint(
                      job, work.resolve("savepoints").toUri().toString(), false, format)
                  .get(30, TimeUnit.MINUTES);
          double seconds = (System.nanoTime() - s0) / 1e9;
          long bytes = size(Path.of(java.net.URI.create(path)));
          savepoints.put(format, path);
          Map<String, Object> r = new LinkedHashMap<>();
          r.put("seconds", round(seconds));
          r.put("bytes", bytes);
          result.put(format.name().toLowerCase(Locale.ROOT) + "_savepoint", r);
          say(t0, String.format("%s savepoint: %.1f s, %s", format, seconds, mb(bytes)));
        }
        cluster.cancelJob(job).get(60, TimeUnit.SECONDS);
        waitTerminal(cluster, job);

        for (Map.Entry<SavepointFormatType, String> sp : savepoints.entrySet()) {
          long r0 = System.nanoTime();
          JobID restored = cluster.submitJob(graph(config, sp.getValue())).get().getJobID();
          // A checkpoint completes only once every task has restored its state and runs.
          CompletedCheckpointStats first = checkpoint(cluster, restored, CheckpointType.FULL);
          double seconds = (System.nanoTime() - r0) / 1e9;
          double restoreS = seconds - first.getEndToEndDuration() / 1e3;
          Map<String, Object> r = new LinkedHashMap<>();
          r.put("seconds_to_running", round(restoreS));
          r.put("first_checkpoint_state_bytes", first.getStateSize());
          result.put("restore_from_" + sp.getKey().name().toLowerCase(Locale.ROOT), r);
          say(
              t0,
              String.format(
                  "restore from the %s savepoint: %.1f s from submission to every task running"
                      + " (state of the first checkpoint after it: %s)",
                  sp.getKey(), restoreS, mb(first.getStateSize())));
          cluster.cancelJob(restored).get(60, TimeUnit.SECONDS);
          waitTerminal(cluster, restored);
        }
      }
    }
    BenchResults.write(
        resultsFile != null ? resultsFile : work.resolve("state-benchmark.json"), result);
  }

  /** The production topology, optionally restoring from a savepoint. */
  private static StreamGraph graph(Configuration config, String savepoint) {
    StreamExecutionEnvironment env = PrescientJob.environment(config);
    PrescientPipeline.build(env, KafkaIO.create(config), config);
    StreamGraph g = env.getStreamGraph();
    g.setJobName(savepoint == null ? "prescient-bench-state" : "prescient-bench-state-restored");
    if (savepoint != null) {
      g.setSavepointRestoreSettings(SavepointRestoreSettings.forPath(savepoint, false));
    }
    return g;
  }

  /** Triggers a checkpoint, retrying while tasks are still starting, and returns its stats. */
  private static CompletedCheckpointStats checkpoint(
      MiniCluster cluster, JobID job, CheckpointType type) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(30);
    while (true) {
      try {
        long id = cluster.triggerCheckpoint(job, type).get(30, TimeUnit.MINUTES);
        AbstractCheckpointStats s =
            cluster
                .getExecutionGraph(job)
                .get()
                .getCheckpointStatsSnapshot()
                .getHistory()
                .getCheckpointById(id);
        if (s instanceof CompletedCheckpointStats c) {
          return c;
        }
        throw new IllegalStateException("checkpoint " + id + " did not complete: " + s);
      } catch (java.util.concurrent.ExecutionException e) {
        if (System.nanoTime() > deadline) {
          throw e;
        }
        Thread.sleep(50); // not all tasks running yet
      }
    }
  }

  private static List<Map<String, Object>> history(MiniCluster cluster, JobID job)
      throws Exception {
    List<Map<String, Object>> out = new ArrayList<>();
    for (AbstractCheckpointStats s :
        cluster
            .getExecutionGraph(job)
            .get()
            .getCheckpointStatsSnapshot()
            .getHistory()
            .getCheckpoints()) {
      if (s instanceof CompletedCheckpointStats c) {
        out.add(0, stats(c));
      }
    }
    return out;
  }

  private static Map<String, Object> stats(CompletedCheckpointStats c) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("id", c.getCheckpointId());
    m.put("seconds", round(c.getEndToEndDuration() / 1e3));
    m.put("state_bytes", c.getStateSize());
    m.put("checkpointed_bytes", c.getCheckpointedSize());
    return m;
  }

  private static void waitTerminal(MiniCluster cluster, JobID job) throws Exception {
    while (!cluster.getJobStatus(job).get().isGloballyTerminalState()) {
      Thread.sleep(100);
    }
  }

  /** Which real user's events each simulated user replays: a contiguous slice of them. */
  static final class Slices {
    final List<String> lines;
    final int[] realUserOfLine;
    final int[] indexInUser;
    final int[][] simsOfReal;
    final int[] start;
    final int[] length;
    final int realUsers;
    final long events;

    private Slices(
        List<String> lines,
        int[] realUserOfLine,
        int[] indexInUser,
        int[][] simsOfReal,
        int[] start,
        int[] length,
        int realUsers,
        long events) {
      this.lines = lines;
      this.realUserOfLine = realUserOfLine;
      this.indexInUser = indexInUser;
      this.simsOfReal = simsOfReal;
      this.start = start;
      this.length = length;
      this.realUsers = realUsers;
      this.events = events;
    }

    static Slices of(List<String> lines, int users, int maxEvents, long seed) {
      Map<String, Integer> ids = new HashMap<>();
      List<Integer> counts = new ArrayList<>();
      int[] realOfLine = new int[lines.size()];
      int[] indexInUser = new int[lines.size()];
      for (int i = 0; i < lines.size(); i++) {
        String u = field(lines.get(i), "user_id");
        int r = ids.computeIfAbsent(u, k -> counts.size());
        if (r == counts.size()) {
          counts.add(0);
        }
        realOfLine[i] = r;
        indexInUser[i] = counts.get(r);
        counts.set(r, counts.get(r) + 1);
      }
      int real = counts.size();
      Random random = new Random(seed);
      int[] start = new int[users];
      int[] length = new int[users];
      int[] perReal = new int[real];
      long events = 0;
      for (int s = 0; s < users; s++) {
        int r = s % real;
        int n = counts.get(r);
        length[s] = Math.min(n, 1 + random.nextInt(maxEvents));
        start[s] = random.nextInt(n - length[s] + 1);
        perReal[r]++;
        events += length[s];
      }
      int[][] sims = new int[real][];
      for (int r = 0; r < real; r++) {
        sims[r] = new int[perReal[r]];
      }
      int[] fill = new int[real];
      for (int s = 0; s < users; s++) {
        int r = s % real;
        sims[r][fill[r]++] = s;
      }
      return new Slices(lines, realOfLine, indexInUser, sims, start, length, real, events);
    }

    /** Every simulated user's slice, in the log's order, keyed by simulated user. */
    void produce(String bootstrap, String topic, long t0) throws Exception {
      Map<String, Object> p = new HashMap<>();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      p.put(ProducerConfig.LINGER_MS_CONFIG, "20");
      p.put(ProducerConfig.BATCH_SIZE_CONFIG, Integer.toString(512 * 1024));
      p.put(ProducerConfig.ACKS_CONFIG, "1");
      AtomicReference<Exception> failure = new AtomicReference<>();
      long sent = 0;
      long lastSay = System.nanoTime();
      try (KafkaProducer<byte[], byte[]> producer = new KafkaProducer<>(p)) {
        for (int i = 0; i < lines.size(); i++) {
          String line = lines.get(i);
          int k = indexInUser[i];
          for (int s : simsOfReal[realUserOfLine[i]]) {
            if (k < start[s] || k >= start[s] + length[s]) {
              continue;
            }
            String user = "sim-" + s;
            String json =
                USER.matcher(line)
                    .replaceFirst("\"user_id\":\"" + user + "\"")
                    .replace("\"event_id\":\"", "\"event_id\":\"" + user + "-");
            producer.send(
                new ProducerRecord<>(
                    topic,
                    user.getBytes(StandardCharsets.UTF_8),
                    json.getBytes(StandardCharsets.UTF_8)),
                (m, e) -> {
                  if (e != null) {
                    failure.compareAndSet(null, e);
                  }
                });
            sent++;
          }
          if (System.nanoTime() - lastSay > 10_000_000_000L) {
            lastSay = System.nanoTime();
            say(t0, String.format("producing: %,d of %,d events", sent, events));
          }
          if (failure.get() != null) {
            throw failure.get();
          }
        }
        producer.flush();
      }
      if (failure.get() != null) {
        throw failure.get();
      }
    }
  }

  private static final java.util.regex.Pattern USER =
      java.util.regex.Pattern.compile("\"user_id\":\"[^\"]*\"");

  static String field(String json, String name) {
    String key = "\"" + name + "\":\"";
    int i = json.indexOf(key);
    if (i < 0) {
      throw new IllegalArgumentException("no " + name + " in " + json);
    }
    i += key.length();
    return json.substring(i, json.indexOf('"', i));
  }

  static long size(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return 0;
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files
          .filter(Files::isRegularFile)
          .mapToLong(
              f -> {
                try {
                  return Files.size(f);
                } catch (IOException e) {
                  return 0; // deleted while walking (RocksDB compaction)
                }
              })
          .sum();
    }
  }

  private static String mb(long bytes) {
    return String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static void say(long t0, String message) {
    System.out.printf("[%6.1f s %s] %s%n", (System.nanoTime() - t0) / 1e9, Instant.now(), message);
  }
}

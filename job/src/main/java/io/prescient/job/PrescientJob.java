package io.prescient.job;

import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.ExternalizedCheckpointRetention;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.RestartStrategyOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.core.execution.CheckpointingMode;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Main class of the shaded jar: reads options, wires Kafka, runs the topology. Everything about the
 * topology itself is in {@link PrescientPipeline}.
 */
public final class PrescientJob {
  private static final Logger LOG = LoggerFactory.getLogger(PrescientJob.class);

  private PrescientJob() {}

  /** Restarts in a row before a failing job is declared failed (Flink keys can override it). */
  public static final int RESTART_ATTEMPTS = 10;

  public static void main(String[] args) throws Exception {
    if (args.length > 0 && args[0].equals("--options-markdown")) {
      System.out.print(PrescientOptions.markdownTable()); // docs/configuration.md's table
      return;
    }
    if (args.length > 0 && (args[0].equals("--help") || args[0].equals("-h"))) {
      System.out.println(
          "Usage: prescient job [--config FILE] [--<key> <value> ...]\n"
              + "Keys not starting with prescient. are Flink options; Kafka client settings are"
              + " prescient.kafka.properties.<name>.\n\n"
              + PrescientOptions.helpText());
      return;
    }
    Configuration options;
    try {
      options = PrescientConfig.fromArgs(args);
    } catch (PrescientConfig.ConfigException e) {
      System.err.println("prescient: " + e.getMessage());
      System.exit(2);
      return;
    }
    // The effective options, secrets masked, for whoever reads the log after an incident.
    LOG.info("prescient options: {}", KafkaClientProperties.masked(options.toMap()));
    try {
      KafkaCheck.run(options);
    } catch (KafkaCheck.KafkaUnusableException e) {
      System.err.println("prescient: " + e.getMessage());
      System.exit(1);
      return;
    }
    StreamExecutionEnvironment env = environment(options);
    try {
      PrescientPipeline.build(env, KafkaIO.create(options), options);
    } catch (IllegalArgumentException e) {
      // An offers file or a spec that the options' rules could not check without reading it.
      System.err.println("prescient: " + e.getMessage());
      System.exit(2);
      return;
    }
    try {
      env.execute("prescient");
    } catch (Exception e) {
      // One line, not a wall of stack traces: the whole trace is in the log.
      System.err.println("prescient: the job failed: " + rootCause(e));
      System.exit(1);
    }
  }

  /** The innermost cause of a failure, as "Type: message". */
  public static String rootCause(Throwable e) {
    Throwable root = root(e);
    return root.getClass().getSimpleName() + ": " + root.getMessage();
  }

  /** The innermost cause of a failure. */
  static Throwable root(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root;
  }

  /**
   * The execution environment: RocksDB state, checkpointing, no Kryo fallback, no generated uids.
   * Flink keys given in {@code options} win over these defaults.
   */
  public static StreamExecutionEnvironment environment(Configuration options) {
    Configuration flink = flinkConfiguration(options);
    StreamExecutionEnvironment env = StreamExecutionEnvironment.getExecutionEnvironment(flink);
    int parallelism = options.get(PrescientOptions.PARALLELISM);
    if (parallelism > 0) {
      env.setParallelism(parallelism);
    }
    return env;
  }

  public static Configuration flinkConfiguration(Configuration options) {
    Configuration flink = new Configuration();
    flink.set(StateBackendOptions.STATE_BACKEND, "rocksdb");
    flink.set(CheckpointingOptions.CHECKPOINT_STORAGE, "filesystem");
    flink.set(CheckpointingOptions.CHECKPOINTS_DIRECTORY, checkpointDir(options));
    flink.set(
        CheckpointingOptions.INCREMENTAL_CHECKPOINTS,
        options.get(PrescientOptions.INCREMENTAL_CHECKPOINTS));
    if (!options.get(PrescientOptions.CHECKPOINT_INTERVAL).isZero()) {
      flink.set(
          CheckpointingOptions.CHECKPOINTING_INTERVAL,
          options.get(PrescientOptions.CHECKPOINT_INTERVAL));
      flink.set(
          CheckpointingOptions.CHECKPOINTING_CONSISTENCY_MODE, CheckpointingMode.EXACTLY_ONCE);
      flink.set(
          CheckpointingOptions.EXTERNALIZED_CHECKPOINT_RETENTION,
          ExternalizedCheckpointRetention.RETAIN_ON_CANCELLATION);
    }
    if (changelog(options)) {
      String dir = options.get(PrescientOptions.STATE_CHANGELOG_DIR);
      flink.setString("state.changelog.enabled", "true");
      flink.setString("state.changelog.storage", "filesystem");
      flink.setString(
          "state.changelog.dstl.dfs.base-path",
          dir.isEmpty() ? checkpointDir(options).replaceAll("/+$", "") + "/changelog" : dir);
      // Resuming in NO_CLAIM (Flink's default) forces a full snapshot the changelog backend
      // cannot take: every checkpoint after the restore would fail. The job claims the snapshot
      // it resumes from instead (a key given in the options still wins; PrescientConfig refuses
      // NO_CLAIM).
      flink.setString(CLAIM_MODE_KEY, "CLAIM");
    }
    String localDir = options.get(PrescientOptions.STATE_LOCAL_DIR);
    if (!localDir.isEmpty()) {
      flink.setString("state.backend.rocksdb.localdir", localDir);
    }
    // A job that cannot run stops instead of restarting for ever: exponential back-off from 1 s to
    // 1 min, at most RESTART_ATTEMPTS restarts in a row (about 2 min of failing in all); an hour
    // without a failure resets the count.
    flink.set(RestartStrategyOptions.RESTART_STRATEGY, "exponential-delay");
    flink.set(RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_ATTEMPTS, RESTART_ATTEMPTS);
    flink.set(
        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_INITIAL_BACKOFF,
        Duration.ofSeconds(1));
    flink.set(
        RestartStrategyOptions.RESTART_STRATEGY_EXPONENTIAL_DELAY_MAX_BACKOFF,
        Duration.ofMinutes(1));
    // Servers a local run starts (MiniCluster: RPC, blob server, REST) listen on loopback only;
    // a cluster's own configuration decides for its processes.
    flink.setString("jobmanager.bind-host", "localhost");
    flink.setString("taskmanager.bind-host", "localhost");
    flink.setString("rest.bind-address", "localhost");
    // Anything that would silently fall back to Kryo, or an operator without a uid, fails fast.
    flink.set(PipelineOptions.GENERIC_TYPES, false);
    flink.set(PipelineOptions.AUTO_GENERATE_UIDS, false);
    // Chained operators (profile -> policy -> sinks) hand records over without a serializer copy
    // (about 5% of the per-user task's CPU). Safe because no operator changes or keeps a record
    // after emitting it: each decision candidate is built fresh, with copies of profile data.
    flink.set(PipelineOptions.OBJECT_REUSE, true);
    // A network buffer leaves a task when full or at this timeout: at Flink's 100 ms the p99 at
    // half the maximum rate was 239 ms, at 20 ms 143 ms (bench-suite, 2026-12-05).
    flink.set(ExecutionOptions.BUFFER_TIMEOUT, BUFFER_TIMEOUT);
    flink.addAll(withoutPrescientKeys(options));
    return flink;
  }

  /** The job's network buffer timeout unless execution.buffer-timeout.interval is given. */
  public static final Duration BUFFER_TIMEOUT = Duration.ofMillis(20);

  /** Flink's key for how a job resumed from a snapshot owns it (CLAIM, NO_CLAIM). */
  static final String CLAIM_MODE_KEY = "execution.state-recovery.claim-mode";

  /**
   * Whether the changelog state backend wraps RocksDB: when asked for and checkpoints are on
   * (without checkpoints there is nothing to upload it for).
   */
  public static boolean changelog(Configuration options) {
    return options.get(PrescientOptions.STATE_CHANGELOG)
        && !options.get(PrescientOptions.CHECKPOINT_INTERVAL).isZero();
  }

  static String checkpointDir(Configuration options) {
    String dir = options.get(PrescientOptions.CHECKPOINT_DIR);
    if (!dir.isEmpty()) {
      return dir;
    }
    return Path.of(System.getProperty("java.io.tmpdir"), "prescient", "checkpoints")
        .toUri()
        .toString();
  }

  private static Configuration withoutPrescientKeys(Configuration options) {
    Configuration c = new Configuration();
    options
        .toMap()
        .forEach(
            (k, v) -> {
              if (!k.startsWith("prescient.")) {
                c.setString(k, v);
              }
            });
    return c;
  }
}

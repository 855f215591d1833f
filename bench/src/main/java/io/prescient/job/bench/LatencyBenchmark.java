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
import io.prescient.job.replay.ReplayCommand;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code ./prescient bench-latency}: end-to-end decision latency of the live job at a fixed input
 * rate, through a real Kafka broker process: from the producer sending the event that causes a
 * decision to a consumer receiving that decision from the decisions topic.
 *
 * <p>The generator sends a steady stream at {@code --rate} events/s, event time = wall clock. Each
 * new user adds a product to the cart and, {@code --close-after} later, views another product. By
 * then the cart deadline ({@code prescient.rules.cart-abandon-after}, set shorter) has passed, so
 * the profile operator decides the cart on that view (its lazy path) and the decision is caused by
 * that record. The watermark is held well behind (out-of-orderness 30 s) so that no timer decides
 * first. The creepiness delay is 0: decisions leave when decided. Latency = consumer receive time -
 * producer send time of the view, both on this machine's clock.
 */
public final class LatencyBenchmark {
  static final String MANAGED_MEMORY = "taskmanager.memory.managed.size";

  private LatencyBenchmark() {}

  static final String COMMAND = "prescient bench-latency";

  static final List<Opt> OPTIONS =
      List.of(
          opt(
              "--rates",
              "LIST",
              "2000,4000",
              "input rates to run one after the other, events/s; N% is N percent of the maximum"
                  + " rate found by an earlier sweep"),
          opt("--max-from", "FILE", null, "the --results file of that sweep (needed for N% rates)"),
          opt(
              "--requests",
              "R",
              "0",
              "also R web-page requests/s through the HTTP gateway (prescient serve, in process)"
                  + " at every rate, timed from the HTTP call to the answer (0: none)"),
          opt(
              "--results",
              "FILE",
              null,
              "also write the figures as JSON (for ./prescient bench-suite)"),
          opt("--warmup", "S", "15", "seconds at each rate before measuring"),
          opt(
              "--prewarm-rate",
              "R",
              "1000",
              "events/s before the first rate, not measured: the JIT compiles the hot path before"
                  + " it counts"),
          opt(
              "--prewarm-seconds",
              "S",
              "20",
              "how long to prewarm (0: none); then it waits until no decision is outstanding for"
                  + " more than 1 s, so that the first rate does not start from a backlog"),
          opt("--seconds", "S", "30", "seconds measured at each rate"),
          opt(
              "--delivery",
              "G",
              "at-least-once",
              "the job's delivery guarantee: at-least-once or exactly-once"),
          opt(
              "--checkpoint-interval",
              "S",
              "10",
              "seconds between checkpoints; exactly-once output is visible to read_committed"
                  + " consumers only after a checkpoint"),
          opt(
              "--close-after",
              "MS",
              "1500",
              "wall-clock ms from a user's cart to the view that decides it"),
          opt(
              "--work-dir",
              "DIR",
              Path.of(".local", "bench-latency").toString(),
              "broker data and checkpoints"),
          opt(
              "--kafka-classpath-file",
              "F",
              Path.of("deploy", "local-kafka", "target", "kafka.classpath").toString(),
              "the broker's class path (./prescient passes it)"),
          opt(
              "--catch-up-timeout",
              "S",
              "300",
              "after the pre-warm and after the last rate, how long to wait for the job to catch"
                  + " up"));

  public static void main(String[] args) throws Exception {
    CommandOptions.main(COMMAND, () -> run(args));
  }

  /**
   * After the pre-warm, waits (the generator still at the pre-warm rate) until no decision has been
   * outstanding for more than a second: a job that fell behind while the JIT compiled would
   * otherwise start the first measured rate from a backlog and measure it, not the rate.
   */
  private static void awaitCaughtUp(Run run, long t0, int timeoutS) throws InterruptedException {
    waitWhile(
        () -> run.oldestOutstandingMs() > 1_000,
        System.nanoTime() + timeoutS * 1_000_000_000L,
        t0,
        () ->
            String.format(
                "pre-warm: the job is %,d ms behind; waiting", run.oldestOutstandingMs()));
    long behind = run.oldestOutstandingMs();
    say(
        t0,
        behind > 1_000
            ? String.format(
                "warning: still %,d ms behind after %d s of waiting: the first rate starts from a"
                    + " backlog",
                behind, timeoutS)
            : "pre-warm done: the job keeps up (no decision outstanding for more than 1 s)");
  }

  /**
   * Polls {@code waiting} every 100 ms until it is false or the deadline ({@link System#nanoTime})
   * passes, saying {@code progress} every 5 s.
   */
  private static void waitWhile(
      BooleanSupplier waiting, long deadline, long t0, Supplier<String> progress)
      throws InterruptedException {
    long lastSay = System.nanoTime();
    while (waiting.getAsBoolean() && System.nanoTime() < deadline) {
      Thread.sleep(100);
      if (System.nanoTime() - lastSay > 5_000_000_000L) {
        lastSay = System.nanoTime();
        say(t0, progress.get());
      }
    }
  }

  /** The command with {@code args}; a user error is a {@link CommandOptions.UsageError}. */
  static void run(String[] args) throws Exception {
    CommandOptions.Parsed p =
        CommandOptions.parse(
            COMMAND,
            "End-to-end decision latency of the live job at fixed input rates, through a real"
                + " Kafka broker process: from the producer sending the event that causes a"
                + " decision to a consumer receiving that decision.",
            OPTIONS,
            CommandOptions.Rest.JOB_OPTIONS,
            args,
            "",
            "A rate counts as sustained when the generator achieved it and the job kept up: the"
                + " median latency of the last third of its measured seconds is at most 1.5 times"
                + " that of the first third plus 250 ms (a backlog makes it grow), and its p50 is"
                + " at most 1 s (a backlog from the rate before does not pass). The largest is the"
                + " maximum rate.",
            "",
            "Prints, per rate: events sent and the achieved rate, decisions received, and latency"
                + " p50 / p95 / p99 / max in ms. After the last rate the generator stops starting"
                + " carts and the benchmark waits until every closed cart has its decision: it"
                + " prints how long the job took to catch up and how many decisions never came"
                + " (run an overload, e.g. 150% of the maximum, as the last rate to see how the job"
                + " recovers from it).");
    if (p == null) {
      return;
    }
    Path maxFrom = p.has("--max-from") ? Path.of(p.get("--max-from")) : null;
    Path resultsFile = p.has("--results") ? Path.of(p.get("--results")) : null;
    int prewarmRate = p.getInt("--prewarm-rate", 0, Integer.MAX_VALUE);
    int prewarmSeconds = p.getInt("--prewarm-seconds", 0, Integer.MAX_VALUE);
    int warmup = p.getInt("--warmup", 0, Integer.MAX_VALUE);
    int catchUpTimeout = p.getInt("--catch-up-timeout", 0, Integer.MAX_VALUE);
    int seconds = p.getInt("--seconds", 1, Integer.MAX_VALUE);
    String delivery = p.get("--delivery");
    int checkpointSeconds = p.getInt("--checkpoint-interval", 0, Integer.MAX_VALUE);
    long closeAfterMs = p.getLong("--close-after");
    if (closeAfterMs < 2) {
      throw p.error("--close-after must be at least 2 ms, not " + closeAfterMs);
    }
    int requestRate = p.getInt("--requests", 0, Integer.MAX_VALUE);
    Path work = Path.of(p.get("--work-dir"));
    Path kafkaCp = Path.of(p.get("--kafka-classpath-file"));
    Map<String, String> overrides = p.checkedJobOptions();
    if (!delivery.equals("at-least-once") && !delivery.equals("exactly-once")) {
      throw p.error("--delivery is at-least-once or exactly-once, not " + delivery);
    }
    if (delivery.equals("exactly-once") && checkpointSeconds == 0) {
      throw p.error("exactly-once needs checkpoints: give --checkpoint-interval above 0");
    }
    if (maxFrom != null && !Files.isRegularFile(maxFrom)) {
      throw p.error("--max-from " + maxFrom + " is not a file");
    }
    if (!Files.isRegularFile(kafkaCp)) {
      throw p.error(
          "--kafka-classpath-file "
              + kafkaCp
              + " is not a file (./prescient bench-latency builds and passes it)");
    }
    List<String> rateArgs = Arrays.asList(p.get("--rates").split(","));
    List<Integer> rates = resolveRates(rateArgs, maxFrom);
    ReplayCommand.deleteTree(work);
    Files.createDirectories(work);
    long t0 = System.nanoTime();
    say(t0, "starting a Kafka broker (separate process) ...");
    try (LocalKafkaBroker broker =
        LocalKafkaBroker.start(
            work.resolve("kafka"), Files.readString(kafkaCp).strip(), 0, Duration.ofSeconds(90))) {
      Map<String, String> o = new LinkedHashMap<>();
      o.put("prescient.kafka.bootstrap-servers", broker.bootstrapServers());
      o.put("prescient.kafka.group-id", "prescient-bench-latency");
      o.put("prescient.kafka.starting-offsets", "EARLIEST");
      o.put("prescient.delivery-guarantee", delivery);
      o.put("prescient.checkpoint.interval", checkpointSeconds + " s");
      o.put("prescient.checkpoint.dir", work.resolve("checkpoints").toUri().toString());
      o.put("prescient.parallelism", "2");
      o.put("prescient.rules.cart-abandon-after", (closeAfterMs / 2) + " ms");
      o.put("prescient.timers.granularity", "10 ms");
      o.put("prescient.watermark.out-of-orderness", "30 s");
      o.put("prescient.policy.creepiness-delay", "0 s");
      // RocksDB's block cache and write buffers come from managed memory: 1 GB, as bench-state
      // and bench-job give the MiniCluster (its default, 128 MB, is not a deployment's figure).
      o.put(MANAGED_MEMORY, "1g");
      o.putAll(overrides);
      Configuration config;
      try {
        config = PrescientConfig.fromMap(o);
      } catch (PrescientConfig.ConfigException e) {
        throw p.error(e.getMessage());
      }
      // Flink's REST API on a port of our choosing: each rate reports its checkpoints' sync phase.
      int restPort = LocalKafkaBroker.freePort();
      config.setString("rest.port", Integer.toString(restPort));
      CheckpointSyncs.Rest rest = CheckpointSyncs.at(restPort);
      Map<String, Integer> topics = new LinkedHashMap<>();
      for (String t : PrescientOptions.TOPICS) {
        topics.put(topic(config, t), 2);
      }
      broker.createTopics(
          topics,
          Map.of("max.message.bytes", Integer.toString(LocalKafkaBroker.MAX_MESSAGE_BYTES)));
      StreamExecutionEnvironment env = PrescientJob.environment(config);
      PrescientPipeline.build(env, KafkaIO.create(config), config);
      JobClient job = env.executeAsync("prescient-bench-latency");
      say(
          t0,
          String.format(
              "job running (parallelism 2, %s, checkpoints every %d s); rates %s events/s, %d s"
                  + " warm-up and %d s measured each",
              delivery, checkpointSeconds, rates, warmup, seconds));
      Run run =
          new Run(
              broker.bootstrapServers(),
              topic(config, "events"),
              topic(config, "decisions"),
              delivery.equals("exactly-once"),
              closeAfterMs);
      RequestLoad requests = null;
      try {
        run.start();
        if (requestRate > 0) {
          requests = new RequestLoad(o, requestRate, () -> run.latestUser);
          say(t0, String.format("web-page requests: %,d/s through the HTTP gateway", requestRate));
        }
        if (prewarmSeconds > 0) {
          run.rate(prewarmRate);
          say(
              t0,
              String.format(
                  "pre-warming at %,d events/s for %d s (not measured)",
                  prewarmRate, prewarmSeconds));
          Thread.sleep(prewarmSeconds * 1000L);
          awaitCaughtUp(run, t0, catchUpTimeout);
        }
        List<String> rows = new ArrayList<>();
        List<Map<String, Object>> measured = new ArrayList<>();
        for (int r = 0; r < rates.size(); r++) {
          int rate = rates.get(r);
          run.rate(rate);
          Thread.sleep(warmup * 1000L);
          run.measure(true);
          if (requests != null) {
            requests.measure(true);
          }
          long sent0 = run.sent.get();
          long s0 = System.nanoTime();
          long measuredFrom = System.currentTimeMillis();
          Thread.sleep(seconds * 1000L);
          List<long[]> timed = run.measure(false);
          long[] lat = sorted(timed);
          double achieved = (run.sent.get() - sent0) / ((System.nanoTime() - s0) / 1e9);
          String row =
              String.format(
                  "| %s | %,d | %,.0f | %,d | %s | %s | %s | %s |",
                  delivery,
                  rate,
                  achieved,
                  lat.length,
                  q(lat, 0.50),
                  q(lat, 0.95),
                  q(lat, 0.99),
                  lat.length == 0 ? "-" : Long.toString(lat[lat.length - 1]));
          // Exactly-once decisions become visible when the checkpoint that covers them completes.
          long maxP50Ms =
              MAX_SUSTAINED_P50_MS
                  + (delivery.equals("exactly-once") ? checkpointSeconds * 1000L : 0);
          Map<String, Object> figures = phase(rateArgs.get(r), rate, achieved, timed, maxP50Ms);
          if (requests != null) {
            List<long[]> answered = requests.measure(false);
            long[] ms = answered.stream().mapToLong(x -> x[0]).sorted().toArray();
            long fallbacks = answered.stream().filter(x -> x[1] == 1).count();
            row +=
                String.format(
                    " requests %,d/s: %,d answered, p50 %s ms, p99 %s ms, max %s ms, %,d fallbacks,"
                        + " %,d over 150 ms |",
                    requestRate,
                    ms.length,
                    q(ms, 0.50),
                    q(ms, 0.99),
                    ms.length == 0 ? "-" : Long.toString(ms[ms.length - 1]),
                    fallbacks,
                    java.util.Arrays.stream(ms).filter(x -> x > 150).count());
            Map<String, Object> req = new LinkedHashMap<>();
            req.put("rate", requestRate);
            req.put("answered", ms.length);
            req.put("p50_ms", ms.length == 0 ? null : ms[(int) Math.ceil(0.5 * ms.length) - 1]);
            req.put("p99_ms", ms.length == 0 ? null : ms[(int) Math.ceil(0.99 * ms.length) - 1]);
            req.put("max_ms", ms.length == 0 ? null : ms[ms.length - 1]);
            req.put("fallbacks", fallbacks);
            figures.put("requests", req);
          }
          List<Long> syncs =
              CheckpointSyncs.of(
                  rest,
                  job.getJobID().toString(),
                  "profile",
                  measuredFrom,
                  System.currentTimeMillis());
          figures.put("checkpoint_sync_ms", syncs);
          rows.add(row);
          measured.add(figures);
          say(t0, row);
          say(
              t0,
              "slowest seconds (decision received, UTC; max latency): " + slowestSeconds(timed));
          say(
              t0,
              "synchronous phase of the per-user task's checkpoints (Flink's statistics, the"
                  + " slowest subtask): "
                  + CheckpointSyncs.describe(syncs));
          if (job.getJobStatus().get().isGloballyTerminalState()) {
            throw new IllegalStateException("the job stopped: " + job.getJobStatus().get());
          }
        }
        // Catch up: no new carts; the carts still open get their closing views, then every closed
        // cart must get its decision.
        run.rate(0);
        long c0 = System.nanoTime();
        Thread.sleep(closeAfterMs + 500);
        waitWhile(
            () -> !run.closedAt.isEmpty(),
            c0 + catchUpTimeout * 1_000_000_000L,
            t0,
            () -> String.format("catching up: %,d decisions outstanding", run.closedAt.size()));
        long[] tail = sorted(run.measure(false));
        double catchUpS = (System.nanoTime() - c0) / 1e9 - (closeAfterMs + 500) / 1e3;
        String catchUp =
            String.format(
                "after the last rate: generator stopped; caught up %.1f s after the last closing"
                    + " view; decisions never received: %,d; latency of the tail max %s ms",
                catchUpS,
                run.closedAt.size(),
                tail.length == 0 ? "-" : Long.toString(tail[tail.length - 1]));
        say(t0, catchUp);
        System.out.println();
        System.out.println(
            "| delivery | target events/s | achieved events/s | decisions measured | p50 ms | p95"
                + " ms | p99 ms | max ms |");
        System.out.println("|---|---|---|---|---|---|---|---|");
        rows.forEach(System.out::println);
        System.out.println();
        System.out.println(catchUp);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("delivery", delivery);
        out.put("checkpoint_interval_seconds", checkpointSeconds);
        out.put("parallelism", 2);
        out.put("prewarm_rate", prewarmRate);
        out.put("prewarm_seconds", prewarmSeconds);
        out.put("warmup_seconds", warmup);
        out.put("measured_seconds", seconds);
        out.put("flink_overrides", overrides);
        out.put("rates", measured);
        Integer max = maxSustained(measured);
        out.put("max_sustained_rate", max);
        out.put(
            "max_rate_is_lower_bound",
            max != null && max == rates.stream().max(Integer::compare).get());
        Map<String, Object> caughtUp = new LinkedHashMap<>();
        caughtUp.put("seconds", Math.round(catchUpS * 10) / 10.0);
        caughtUp.put("decisions_never_received", run.closedAt.size());
        out.put("catch_up", caughtUp);
        if (max != null) {
          say(t0, String.format("largest rate sustained (the job kept up): %,d events/s", max));
        }
        BenchResults.write(resultsFile, out);
      } finally {
        if (requests != null) {
          requests.close();
        }
        run.stop();
        job.cancel().get(30, TimeUnit.SECONDS);
      }
    }
    // The changelog state backend's upload threads outlive a cancelled local job: exit anyway.
    System.exit(0);
  }

  /** The generator and the decision reader, running until stopped. */
  static final class Run {
    final String bootstrap;
    final String events;
    final String decisions;
    final boolean readCommitted;
    final long closeAfterMs;
    final AtomicLong sent = new AtomicLong();
    final AtomicBoolean stop = new AtomicBoolean();
    volatile int rate;

    /** The newest user with a cart: requests ask about users the job has state of. */
    volatile long latestUser;

    /** Send time (epoch ms) of the view that closes each user's cart. */
    final Map<String, Long> closedAt = new ConcurrentHashMap<>();

    private final Object lock = new Object();
    private List<long[]> latencies = new ArrayList<>();
    private Thread producer;
    private Thread consumer;

    Run(String bootstrap, String events, String decisions, boolean readCommitted, long closeMs) {
      this.bootstrap = bootstrap;
      this.events = events;
      this.decisions = decisions;
      this.readCommitted = readCommitted;
      this.closeAfterMs = closeMs;
    }

    void rate(int r) {
      rate = r;
    }

    /** How long the oldest closed cart has waited for its decision, ms (0: none waits). */
    long oldestOutstandingMs() {
      long now = System.currentTimeMillis();
      return closedAt.values().stream().mapToLong(at -> now - at).max().orElse(0);
    }

    /**
     * The decisions received since the last call, in arrival order, as {receive time, latency}
     * pairs; {@code discard}: start afresh.
     */
    List<long[]> measure(boolean discard) {
      List<long[]> l;
      synchronized (lock) {
        l = latencies;
        latencies = new ArrayList<>();
      }
      return discard ? List.of() : l;
    }

    void start() {
      producer = new Thread(this::produce, "bench-latency-producer");
      consumer = new Thread(this::consume, "bench-latency-consumer");
      producer.start();
      consumer.start();
    }

    void stop() throws InterruptedException {
      stop.set(true);
      producer.join(10_000);
      consumer.join(10_000);
    }

    /**
     * Every millisecond, sends the carts due by now at half the rate, and the closing views of
     * carts sent {@code closeAfterMs} ago: the other half.
     */
    private void produce() {
      Map<String, Object> p = new HashMap<>();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      p.put(ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      p.put(ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG, ByteArraySerializer.class.getName());
      p.put(ProducerConfig.ACKS_CONFIG, "1");
      p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
      ArrayDeque<long[]> open = new ArrayDeque<>(); // {user number, cart sent at}
      long users = 0;
      double owed = 0;
      long last = System.nanoTime();
      try (KafkaProducer<byte[], byte[]> kp = new KafkaProducer<>(p)) {
        while (!stop.get()) {
          long now = System.nanoTime();
          owed += rate / 2.0 * (now - last) / 1e9;
          last = now;
          long wall = System.currentTimeMillis();
          while (owed >= 1) {
            owed -= 1;
            long u = users++;
            send(kp, u, "c" + u, "add_to_cart", "p" + (u % 500), wall);
            latestUser = u;
            open.add(new long[] {u, wall});
          }
          while (!open.isEmpty() && wall - open.peek()[1] >= closeAfterMs) {
            long u = open.poll()[0];
            closedAt.put("bl-" + u, System.currentTimeMillis());
            send(kp, u, "v" + u, "view", "p" + ((u + 7) % 500), System.currentTimeMillis());
          }
          Thread.sleep(1);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void send(
        KafkaProducer<byte[], byte[]> kp, long u, String id, String type, String product, long ts) {
      String user = "bl-" + u;
      String json =
          "{\"event_id\":\"bl-"
              + id
              + "\",\"user_id\":\""
              + user
              + "\",\"type\":\""
              + type
              + "\",\"timestamp\":"
              + ts
              + ",\"product_id\":\""
              + product
              + "\",\"category\":\"bags\",\"price\":12.5,\"quantity\":1}";
      kp.send(
          new ProducerRecord<>(
              events,
              user.getBytes(StandardCharsets.UTF_8),
              json.getBytes(StandardCharsets.UTF_8)));
      sent.incrementAndGet();
    }

    private static final Pattern USER = Pattern.compile("\"user_id\":\"([^\"]+)\"");

    private void consume() {
      Map<String, Object> c = new HashMap<>();
      c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      c.put(ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      c.put(ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG, ByteArrayDeserializer.class.getName());
      c.put(
          ConsumerConfig.ISOLATION_LEVEL_CONFIG,
          readCommitted ? "read_committed" : "read_uncommitted");
      c.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "5");
      try (KafkaConsumer<byte[], byte[]> kc = new KafkaConsumer<>(c)) {
        List<TopicPartition> parts =
            kc.partitionsFor(decisions).stream()
                .map(i -> new TopicPartition(decisions, i.partition()))
                .toList();
        kc.assign(parts);
        kc.seekToBeginning(parts);
        while (!stop.get()) {
          for (ConsumerRecord<byte[], byte[]> r : kc.poll(Duration.ofMillis(20))) {
            long now = System.currentTimeMillis();
            Matcher m = USER.matcher(new String(r.value(), StandardCharsets.UTF_8));
            if (m.find()) {
              Long at = closedAt.remove(m.group(1));
              if (at != null) {
                synchronized (lock) {
                  latencies.add(new long[] {now, now - at});
                }
              }
            }
          }
        }
      }
    }
  }

  /** "2000" is 2,000 events/s; "50%" is half the maximum rate in the {@code maxFrom} results. */
  static List<Integer> resolveRates(List<String> args, Path maxFrom) throws java.io.IOException {
    Integer max = null;
    List<Integer> rates = new ArrayList<>();
    for (String a : args) {
      String t = a.strip();
      if (t.endsWith("%")) {
        if (max == null) {
          if (maxFrom == null) {
            throw usage("a rate in percent (" + t + ") needs --max-from SWEEP_RESULTS.json");
          }
          com.fasterxml.jackson.databind.JsonNode m =
              BenchResults.read(maxFrom).path("max_sustained_rate");
          if (!m.isNumber()) {
            throw usage(maxFrom + " has no max_sustained_rate: the sweep sustained no rate");
          }
          max = m.asInt();
        }
        try {
          rates.add(
              (int) Math.round(max * Double.parseDouble(t.substring(0, t.length() - 1)) / 100));
        } catch (NumberFormatException e) {
          throw usage("--rates takes events/s or N%, not " + t);
        }
      } else {
        try {
          rates.add(Integer.parseInt(t));
        } catch (NumberFormatException e) {
          throw usage("--rates takes events/s or N%, not " + t);
        }
      }
    }
    return rates;
  }

  static long[] sorted(List<long[]> timed) {
    return timed.stream().mapToLong(x -> x[1]).sorted().toArray();
  }

  /**
   * One measured rate: the figures, whether the job kept up, and the latency at every percentile
   * for the charts. {@code timed}: {receive time, latency} pairs in arrival order.
   */
  static Map<String, Object> phase(String asked, int rate, double achieved, List<long[]> timed) {
    return phase(asked, rate, achieved, timed, MAX_SUSTAINED_P50_MS);
  }

  /** {@link #phase}, sustained only with a p50 up to {@code maxP50Ms}. */
  static Map<String, Object> phase(
      String asked, int rate, double achieved, List<long[]> timed, long maxP50Ms) {
    long[] lat = sorted(timed);
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("asked", asked);
    m.put("target_events_per_second", rate);
    m.put("achieved_events_per_second", Math.round(achieved));
    m.put("decisions_measured", lat.length);
    if (lat.length > 0) {
      m.put("p50_ms", Long.parseLong(q(lat, 0.50)));
      m.put("p95_ms", Long.parseLong(q(lat, 0.95)));
      m.put("p99_ms", Long.parseLong(q(lat, 0.99)));
      m.put("max_ms", lat[lat.length - 1]);
      List<double[]> curve = new ArrayList<>();
      for (double pct :
          new double[] {1, 5, 10, 20, 30, 40, 50, 60, 70, 80, 90, 95, 97, 99, 99.5, 99.9, 100}) {
        curve.add(new double[] {pct, Long.parseLong(q(lat, pct / 100))});
      }
      m.put("percentiles_ms", curve);
      int third = timed.size() / 3;
      if (third > 0) {
        long first = Long.parseLong(q(sorted(timed.subList(0, third)), 0.5));
        long last =
            Long.parseLong(q(sorted(timed.subList(timed.size() - third, timed.size())), 0.5));
        m.put("first_third_p50_ms", first);
        m.put("last_third_p50_ms", last);
        m.put("kept_up", last <= 1.5 * first + 250);
      }
    }
    m.put("sustained", sustained(m, maxP50Ms));
    return m;
  }

  /**
   * "yes" when a phase counts as sustained: the generator achieved 97% of the rate, the job kept up
   * (its latency did not grow) and decided within {@code maxP50Ms} at the median ({@link
   * #MAX_SUSTAINED_P50_MS} at-least-once, plus the checkpoint interval exactly-once); otherwise
   * "no" and the first reason.
   */
  static String sustained(Map<String, Object> m, long maxP50Ms) {
    int target = (Integer) m.get("target_events_per_second");
    long achieved = (Long) m.get("achieved_events_per_second");
    if (achieved < 0.97 * target) {
      return String.format(Locale.ROOT, "no (generator reached %,d)", achieved);
    }
    if (!(m.get("p50_ms") instanceof Long p50) || !m.containsKey("kept_up")) {
      return "no (too few decisions)";
    }
    if (!Boolean.TRUE.equals(m.get("kept_up"))) {
      return String.format(
          Locale.ROOT,
          "no (p50 %,d -> %,d ms)",
          (Long) m.get("first_third_p50_ms"),
          (Long) m.get("last_third_p50_ms"));
    }
    if (p50 > maxP50Ms) {
      return String.format(Locale.ROOT, "no (steady, but p50 %,d ms > %,d ms)", p50, maxP50Ms);
    }
    return "yes";
  }

  /**
   * The five seconds (by the time the decision was received) with the largest latency, in time
   * order: spaced by the checkpoint interval, the tail is the checkpoints'.
   */
  static String slowestSeconds(List<long[]> timed) {
    Map<Long, Long> maxBySecond = new HashMap<>();
    for (long[] t : timed) {
      maxBySecond.merge(t[0] / 1000, t[1], Math::max);
    }
    return maxBySecond.entrySet().stream()
        .sorted(Map.Entry.<Long, Long>comparingByValue().reversed())
        .limit(5)
        .sorted(Map.Entry.comparingByKey())
        .map(
            e ->
                String.format(
                    "%s %,d ms",
                    Instant.ofEpochSecond(e.getKey()).toString().substring(11, 19), e.getValue()))
        .collect(java.util.stream.Collectors.joining(", "));
  }

  /**
   * A sustained rate decides within this at the median: a sweep runs its rates one after another in
   * one job, so a backlog built at one rate carries into the next, where it no longer grows by half
   * and would pass the relative test alone.
   */
  static final long MAX_SUSTAINED_P50_MS = 1000;

  /**
   * The largest rate achieved (97% or more) that the job kept up with and decided within {@link
   * #MAX_SUSTAINED_P50_MS} at the median; null if none.
   */
  static Integer maxSustained(List<Map<String, Object>> measured) {
    Integer best = null;
    for (Map<String, Object> m : measured) {
      int target = (Integer) m.get("target_events_per_second");
      if ("yes".equals(m.get("sustained")) && (best == null || target > best)) {
        best = target;
      }
    }
    return best;
  }

  static String q(long[] sorted, double q) {
    if (sorted.length == 0) {
      return "-";
    }
    return Long.toString(
        sorted[(int) Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]);
  }

  private static String topic(Configuration config, String name) {
    return config.getString("prescient.topic." + name, name);
  }

  private static void say(long t0, String message) {
    System.out.printf("[%6.1f s %s] %s%n", (System.nanoTime() - t0) / 1e9, Instant.now(), message);
  }

  /** A user error of this command: one line, exit status 2 ({@link CommandOptions#main}). */
  private static CommandOptions.UsageError usage(String message) {
    return new CommandOptions.UsageError(COMMAND + ": " + message);
  }
}

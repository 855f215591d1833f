package io.prescient.job.bench;

import io.prescient.job.KafkaIO;
import io.prescient.job.PipelineIO;
import io.prescient.job.PrescientJob;
import io.prescient.job.PrescientOptions;
import io.prescient.job.PrescientPipeline;
import io.prescient.job.local.LocalKafkaBroker;
import io.prescient.operators.Envelope;
import io.prescient.operators.JsonRecordSerializer;
import io.prescient.state.json.OutputJson;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * {@code bench-job --via kafka}: the same two jobs as the file variant, reading the events from a
 * topic of a real broker process and writing their output to topics, as in production. The events
 * are written to the broker once, before the first round (not timed); each job then reads the whole
 * topic from the start (bounded: to the offsets at its start) into output topics of its own round.
 *
 * <p>The steady state is timed from the first to the last record the job wrote (their timestamps:
 * the job's producers stamp the wall-clock time of writing, {@link JsonRecordSerializer}); a job in
 * this JVM cannot be seen reading from outside, so the time from its submission to its first output
 * counts as start-up. For the full job the first output is its first decision, feedback, audit or
 * DLQ record: events read before it count in the rate without their time, which the start-up column
 * shows the size of.
 */
final class KafkaJobRuns implements AutoCloseable {
  static final String EVENTS = "bench-events";
  static final String PASS_EVENTS = "bench-passthrough-events";
  private static final Pattern USER = Pattern.compile("\"user_id\"\\s*:\\s*\"([^\"]*)\"");

  private final LocalKafkaBroker broker;
  private final int parallelism;

  private KafkaJobRuns(LocalKafkaBroker broker, int parallelism) {
    this.broker = broker;
    this.parallelism = parallelism;
  }

  /**
   * Starts a broker under {@code work} and writes {@code input} to its events topic, {@code
   * passInput} to the passthrough's.
   */
  static KafkaJobRuns start(
      Path work, Path kafkaClasspath, Path input, Path passInput, int parallelism)
      throws Exception {
    LocalKafkaBroker broker =
        LocalKafkaBroker.start(
            work.resolve("kafka"),
            Files.readString(kafkaClasspath).strip(),
            0,
            Duration.ofSeconds(90));
    KafkaJobRuns runs = new KafkaJobRuns(broker, parallelism);
    try {
      for (Map.Entry<String, Path> t : Map.of(EVENTS, input, PASS_EVENTS, passInput).entrySet()) {
        runs.createTopics(List.of(t.getKey()));
        long t0 = System.nanoTime();
        long n = runs.write(t.getValue(), t.getKey());
        System.out.printf(
            "wrote %,d events to topic %s (%d partitions, keyed by user) in %.1f s (not timed)%n",
            n, t.getKey(), parallelism, (System.nanoTime() - t0) / 1e9);
      }
      return runs;
    } catch (Exception e) {
      broker.close();
      throw e;
    }
  }

  private void createTopics(List<String> names) throws IOException {
    Map<String, Integer> topics = new LinkedHashMap<>();
    for (String t : names) {
      topics.put(t, parallelism);
    }
    broker.createTopics(
        topics, Map.of("max.message.bytes", Integer.toString(LocalKafkaBroker.MAX_MESSAGE_BYTES)));
  }

  /** The input lines, each keyed by its user id as an upstream producer would key them. */
  private long write(Path input, String topic) throws Exception {
    Map<String, Object> c = new HashMap<>();
    c.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    c.put(ProducerConfig.LINGER_MS_CONFIG, "20");
    c.put(ProducerConfig.BATCH_SIZE_CONFIG, "262144");
    c.put(ProducerConfig.ACKS_CONFIG, "all");
    long n = 0;
    AtomicReference<Exception> failed = new AtomicReference<>();
    try (KafkaProducer<byte[], byte[]> p =
            new KafkaProducer<>(c, new ByteArraySerializer(), new ByteArraySerializer());
        BufferedReader in = Files.newBufferedReader(input, StandardCharsets.UTF_8)) {
      String line;
      while ((line = in.readLine()) != null) {
        Matcher m = USER.matcher(line);
        byte[] key = m.find() ? m.group(1).getBytes(StandardCharsets.UTF_8) : null;
        p.send(
            new ProducerRecord<>(topic, key, line.getBytes(StandardCharsets.UTF_8)),
            (md, e) -> {
              if (e != null) {
                failed.compareAndSet(null, e);
              }
            });
        n++;
      }
      p.flush();
    }
    if (failed.get() != null) {
      throw new IOException("writing the events to the broker failed: " + failed.get());
    }
    return n;
  }

  /** The options of one job of one round: its own output topics and consumer group. */
  private Configuration options(Configuration base, String prefix, String events)
      throws IOException {
    Configuration c = new Configuration(base);
    c.setString(PrescientOptions.BOOTSTRAP_SERVERS.key(), broker.bootstrapServers());
    c.setString(PrescientOptions.GROUP_ID.key(), prefix);
    c.setString(PrescientOptions.STARTING_OFFSETS.key(), "EARLIEST");
    c.setString(PrescientOptions.TOPIC_EVENTS.key(), events);
    List<String> topics = new ArrayList<>();
    for (String t : PrescientOptions.TOPICS) {
      if (!t.equals("events")) {
        c.setString("prescient.topic." + t, prefix + "-" + t);
        topics.add(prefix + "-" + t);
      }
    }
    createTopics(topics);
    return c;
  }

  /** The passthrough of round {@code round}: read, parse, validate, write to a topic. */
  private JobBenchmark.Timing passthrough(Configuration base, int round, CpuClock clock)
      throws Exception {
    String prefix = "r" + round + "-pass";
    Configuration c = options(base, prefix, PASS_EVENTS);
    String out = prefix + "-out";
    createTopics(List.of(out));
    PipelineIO io = KafkaIO.create(c);
    StreamExecutionEnvironment env = PrescientJob.environment(c);
    JobBenchmark.passthrough(
        env,
        io.events(),
        KafkaIO.sink(
            c,
            "pass",
            new JsonRecordSerializer<Envelope>(
                out, e -> e.event.userId, e -> OutputJson.event(e.event))));
    return time(() -> env.execute("bench-passthrough-kafka"), List.of(out), clock).timing();
  }

  /** The broker's process, whose CPU the benchmark reports beside the job's. */
  ProcessHandle brokerProcess() {
    return ProcessHandle.of(broker.pid()).orElse(null);
  }

  /**
   * The rounds' jobs through this broker, each job with its base options ({@code passBase}, {@code
   * fullBase}) and topics of its own round; {@code clock} measures their CPU.
   */
  JobBenchmark.Jobs jobs(Configuration passBase, Configuration fullBase, CpuClock clock) {
    return new JobBenchmark.Jobs() {
      @Override
      public JobBenchmark.Timing passthrough(int round) throws Exception {
        return KafkaJobRuns.this.passthrough(passBase, round, clock);
      }

      @Override
      public JobBenchmark.FullRun fullJob(int round) throws Exception {
        Written w = KafkaJobRuns.this.fullJob(fullBase, round, clock);
        return new JobBenchmark.FullRun(w.timing(), w.of("decisions"), w.of("dlq"));
      }
    };
  }

  /** The whole job of round {@code round}; returns its timing and what it wrote per topic. */
  private Written fullJob(Configuration base, int round, CpuClock clock) throws Exception {
    String prefix = "r" + round + "-full";
    Configuration c = options(base, prefix, EVENTS);
    StreamExecutionEnvironment env = PrescientJob.environment(c);
    PrescientPipeline.build(env, KafkaIO.create(c), c);
    Function<String, String> t = name -> prefix + "-" + name;
    return time(
        () -> env.execute("bench-full-job-kafka"),
        List.of(t.apply("decisions"), t.apply("feedback"), t.apply("audit"), t.apply("dlq")),
        clock);
  }

  /** A job's timing and the records it wrote per output topic. */
  record Written(JobBenchmark.Timing timing, Map<String, Long> records) {
    long of(String suffix) {
      return records.entrySet().stream()
          .filter(e -> e.getKey().endsWith("-" + suffix))
          .mapToLong(Map.Entry::getValue)
          .sum();
    }
  }

  private Written time(JobBenchmark.Run job, List<String> outputs, CpuClock clock)
      throws Exception {
    long submitted = System.currentTimeMillis();
    job.run();
    long ended = System.currentTimeMillis();
    long first = Long.MAX_VALUE;
    long last = Long.MIN_VALUE;
    Map<String, Long> records = new LinkedHashMap<>();
    Map<String, Object> c = new HashMap<>();
    c.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.bootstrapServers());
    c.put(ConsumerConfig.MAX_POLL_RECORDS_CONFIG, "10000");
    try (KafkaConsumer<byte[], byte[]> consumer =
        new KafkaConsumer<>(c, new ByteArrayDeserializer(), new ByteArrayDeserializer())) {
      for (String topic : outputs) {
        List<TopicPartition> parts = new ArrayList<>();
        for (PartitionInfo p : consumer.partitionsFor(topic)) {
          parts.add(new TopicPartition(topic, p.partition()));
        }
        consumer.assign(parts);
        consumer.seekToBeginning(parts);
        Map<TopicPartition, Long> end = consumer.endOffsets(parts);
        long n = 0;
        while (parts.stream().anyMatch(p -> consumer.position(p) < end.get(p))) {
          for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(500))) {
            first = Math.min(first, r.timestamp());
            last = Math.max(last, r.timestamp());
            n++;
          }
        }
        records.put(topic, n);
      }
    }
    if (first == Long.MAX_VALUE || last <= first) {
      throw new IllegalStateException("the job wrote nothing: no steady state to measure");
    }
    double[] cpu = clock.betweenMillis(first, last);
    return new Written(
        new JobBenchmark.Timing(
            (first - submitted) / 1e3, (last - first) / 1e3, (ended - last) / 1e3, cpu[0], cpu[1]),
        records);
  }

  @Override
  public void close() {
    broker.close();
  }
}

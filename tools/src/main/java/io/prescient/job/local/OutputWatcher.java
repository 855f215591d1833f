package io.prescient.job.local;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;

/**
 * Reads the job's output topics as a messaging service would (read_committed), counts records per
 * topic, keeps the latest one, and appends every record to {@code <outDir>/<topic>.jsonl}.
 */
public final class OutputWatcher implements Runnable, AutoCloseable {
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final Path outDir;
  private final Map<String, AtomicLong> counts = new ConcurrentHashMap<>();
  private final Map<String, String> latest = new ConcurrentHashMap<>();
  private volatile boolean running = true;
  private final String decisionsTopic;
  private final ObjectMapper json = new ObjectMapper();

  /** Per arm, how many decisions. */
  private final Map<String, AtomicLong> arms = new ConcurrentHashMap<>();

  private final AtomicLong explored = new AtomicLong();
  private final AtomicLong churnScored = new AtomicLong();
  private final AtomicLong recommending = new AtomicLong();
  private final AtomicLong belowOnePropensity = new AtomicLong();
  private final AtomicLong delayed = new AtomicLong();

  /** The model versions (slot to version) the latest decision names. */
  private volatile Map<String, String> servedModels = Map.of();

  /**
   * @param topics the topics to read; the first is the decisions topic, whose records are also
   *     tallied by arm, exploration, churn scores and served models
   */
  public OutputWatcher(String bootstrapServers, List<String> topics, Path outDir)
      throws IOException {
    this.outDir = Files.createDirectories(outDir);
    this.decisionsTopic = topics.get(0);
    for (String t : topics) {
      counts.put(t, new AtomicLong());
      Files.deleteIfExists(outDir.resolve(t + ".jsonl"));
    }
    consumer =
        new KafkaConsumer<>(
            Map.of(
                ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
                bootstrapServers,
                ConsumerConfig.GROUP_ID_CONFIG,
                "prescient-demo-watcher",
                ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
                "earliest",
                ConsumerConfig.ISOLATION_LEVEL_CONFIG,
                "read_committed",
                ConsumerConfig.KEY_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName(),
                ConsumerConfig.VALUE_DESERIALIZER_CLASS_CONFIG,
                ByteArrayDeserializer.class.getName()));
    consumer.subscribe(topics);
  }

  public long count(String topic) {
    return counts.get(topic).get();
  }

  public String latest(String topic) {
    return latest.get(topic);
  }

  /** Decisions per arm so far (control, rules, model, broad). */
  public Map<String, Long> arms() {
    Map<String, Long> out = new java.util.TreeMap<>();
    arms.forEach((k, v) -> out.put(k, v.get()));
    return out;
  }

  /** Decisions that explored (a random eligible offer, propensity below 1). */
  public long explored() {
    return explored.get();
  }

  /** Decisions whose logged propensity is below 1: chosen by the epsilon-greedy policy. */
  public long belowOnePropensity() {
    return belowOnePropensity.get();
  }

  /** Decisions that waited out the creepiness delay (send_after after decided_at). */
  public long delayed() {
    return delayed.get();
  }

  /** Decisions that carry a churn score. */
  public long churnScored() {
    return churnScored.get();
  }

  /** Decisions that recommend products (an items model served). */
  public long recommending() {
    return recommending.get();
  }

  /** Slot to version, as the latest decision names them. */
  public Map<String, String> servedModels() {
    return servedModels;
  }

  private void tally(String value) {
    JsonNode d;
    try {
      d = json.readTree(value);
    } catch (IOException e) {
      return;
    }
    arms.computeIfAbsent(d.path("arm").asText("-"), k -> new AtomicLong()).incrementAndGet();
    if (d.path("explored").asBoolean()) {
      explored.incrementAndGet();
    }
    if (d.path("propensity").asDouble(1) < 1) {
      belowOnePropensity.incrementAndGet();
    }
    if (!d.path("send_after").asText().equals(d.path("decided_at").asText())) {
      delayed.incrementAndGet();
    }
    if (d.path("scores").has("churn")) {
      churnScored.incrementAndGet();
    }
    if (d.path("recommendations").size() > 0) {
      recommending.incrementAndGet();
    }
    Map<String, String> models = new java.util.TreeMap<>();
    d.path("model_versions")
        .fields()
        .forEachRemaining(e -> models.put(e.getKey(), e.getValue().asText()));
    servedModels = models;
  }

  public Path file(String topic) {
    return outDir.resolve(topic + ".jsonl");
  }

  @Override
  public void run() {
    Map<String, OutputStream> files = new ConcurrentHashMap<>();
    try {
      while (running) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(250))) {
          String value = new String(r.value(), StandardCharsets.UTF_8);
          counts.get(r.topic()).incrementAndGet();
          latest.put(r.topic(), value);
          if (r.topic().equals(decisionsTopic)) {
            tally(value);
          }
          OutputStream out =
              files.computeIfAbsent(
                  r.topic(),
                  t -> {
                    try {
                      return new BufferedOutputStream(Files.newOutputStream(file(t)));
                    } catch (IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  });
          out.write(r.value());
          out.write('\n');
        }
        for (OutputStream out : files.values()) {
          out.flush();
        }
      }
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    } catch (org.apache.kafka.common.errors.WakeupException stopping) {
      // close() was called
    } finally {
      for (OutputStream out : files.values()) {
        try {
          out.close();
        } catch (IOException ignored) {
          // best effort on shutdown
        }
      }
      consumer.close(Duration.ofSeconds(2));
    }
  }

  @Override
  public void close() {
    running = false;
    consumer.wakeup();
  }
}

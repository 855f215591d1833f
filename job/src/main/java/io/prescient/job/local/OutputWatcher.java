package io.prescient.job.local;

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

  public OutputWatcher(String bootstrapServers, List<String> topics, Path outDir)
      throws IOException {
    this.outDir = Files.createDirectories(outDir);
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

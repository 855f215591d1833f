package io.prescient.job.local;

import io.prescient.state.contract.Event;
import io.prescient.state.contract.InvalidRecordException;
import io.prescient.state.json.JsonLimits;
import io.prescient.state.json.RecordParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArraySerializer;

/**
 * Replays an events JSON-lines file into a topic, keyed by user, paced by event time: the wall time
 * between two events is their event-time gap divided by the speed-up, with any single gap capped
 * (datasets have months-long holes). Lines are sent byte for byte; unreadable lines are sent too
 * (without a key), because the job must see and reject them.
 */
public final class EventReplayer implements Runnable {
  private final Path file;
  private final String topic;
  private final String bootstrapServers;
  private final double speedUp;
  private final long maxGapMs;
  private final long limit;
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong failed = new AtomicLong();
  private volatile Exception lastSendError;
  private final AtomicLong eventTime = new AtomicLong();
  private volatile boolean done;
  private volatile String lastUser;
  private volatile Exception failure;

  public EventReplayer(
      Path file, String topic, String bootstrapServers, double speedUp, long maxGapMs, long limit) {
    this.file = file;
    this.topic = topic;
    this.bootstrapServers = bootstrapServers;
    this.speedUp = speedUp;
    this.maxGapMs = maxGapMs;
    this.limit = limit;
  }

  /** Wall-clock milliseconds to wait for an event-time gap; 0 when speed-up is not positive. */
  static double delayMillis(long eventGapMs, double speedUp, long maxGapMs) {
    if (speedUp <= 0 || eventGapMs <= 0) {
      return 0;
    }
    return Math.min(eventGapMs / speedUp, maxGapMs);
  }

  public long sent() {
    return sent.get();
  }

  /** Event time of the last event sent, epoch millis (0 before the first). */
  public long eventTime() {
    return eventTime.get();
  }

  /** Records the broker did not accept (too large, broker down, ...), counted by callback. */
  /** The user of the latest event sent, or null before the first. */
  public String lastUser() {
    return lastUser;
  }

  public long failed() {
    return failed.get();
  }

  public Exception lastSendError() {
    return lastSendError;
  }

  public boolean done() {
    return done;
  }

  public Exception failure() {
    return failure;
  }

  @Override
  public void run() {
    RecordParser parser = new RecordParser(JsonLimits.defaults());
    try (KafkaProducer<byte[], byte[]> producer = producer(bootstrapServers);
        BufferedReader in = open(file)) {
      String line;
      long previous = Long.MIN_VALUE;
      double debtMs = 0;
      while ((line = in.readLine()) != null && (limit <= 0 || sent.get() < limit)) {
        if (Thread.currentThread().isInterrupted()) {
          return;
        }
        byte[] value = line.getBytes(StandardCharsets.UTF_8);
        byte[] key = null;
        try {
          Event e = parser.parseEvent(value, System.currentTimeMillis());
          key = e.userId.getBytes(StandardCharsets.UTF_8);
          lastUser = e.userId;
          if (previous != Long.MIN_VALUE) {
            debtMs += delayMillis(e.timestamp - previous, speedUp, maxGapMs);
          }
          previous = Math.max(previous, e.timestamp);
          eventTime.set(previous);
        } catch (InvalidRecordException notAnEvent) {
          // sent as it is: the job rejects it to the DLQ
        }
        if (debtMs >= 5) {
          long sleep = (long) debtMs;
          Thread.sleep(sleep);
          debtMs -= sleep;
        }
        producer.send(
            new ProducerRecord<>(topic, key, value),
            (metadata, error) -> {
              if (error != null) {
                failed.incrementAndGet();
                lastSendError = error;
              }
            });
        sent.incrementAndGet();
      }
      producer.flush();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (Exception e) {
      failure = e;
    } finally {
      done = true;
    }
  }

  static KafkaProducer<byte[], byte[]> producer(String bootstrapServers) {
    return new KafkaProducer<>(
        Map.of(
            ProducerConfig.BOOTSTRAP_SERVERS_CONFIG,
            bootstrapServers,
            ProducerConfig.KEY_SERIALIZER_CLASS_CONFIG,
            ByteArraySerializer.class.getName(),
            ProducerConfig.VALUE_SERIALIZER_CLASS_CONFIG,
            ByteArraySerializer.class.getName(),
            ProducerConfig.ACKS_CONFIG,
            "all",
            ProducerConfig.LINGER_MS_CONFIG,
            "5",
            ProducerConfig.MAX_REQUEST_SIZE_CONFIG,
            Integer.toString(LocalKafkaBroker.MAX_MESSAGE_BYTES)));
  }

  private static BufferedReader open(Path p) throws IOException {
    InputStream in = Files.newInputStream(p);
    if (p.toString().endsWith(".gz")) {
      in = new GZIPInputStream(in, 1 << 16);
    }
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
  }
}

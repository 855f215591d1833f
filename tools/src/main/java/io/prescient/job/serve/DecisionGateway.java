package io.prescient.job.serve;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import io.prescient.job.KafkaClientProperties;
import io.prescient.job.KafkaIO;
import io.prescient.job.PrescientJob;
import io.prescient.job.PrescientOptions;
import io.prescient.state.contract.InvalidRecordException;
import io.prescient.state.json.RecordParser;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongSupplier;
import org.apache.flink.configuration.Configuration;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.PartitionInfo;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.errors.WakeupException;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringSerializer;

/**
 * The web tier's door to the job (docs/onsite-requests.md): {@code GET
 * /v1/decisions?user_id=...&placement=...} publishes a request on the {@code requests} topic, waits
 * for the job's answer on {@code responses} and returns it; when no answer comes within the timeout
 * (the job is slow or down, the broker unreachable) it returns the fallback, a non-personal answer
 * marked {@code "fallback": true}, so that the page renders within its budget either way. Also
 * {@code GET /health} (200 when the gateway reads and writes Kafka, else 503) and {@code GET
 * /metrics} (Prometheus text).
 *
 * <p>It reads {@code responses} from the end, without a consumer group (every gateway instance sees
 * every answer and keeps the ones it waits for), read_uncommitted by default: an answer of the
 * exactly-once job is then visible at once instead of after the next checkpoint; should the job
 * fail before that checkpoint, its replay answers the same request with the same decision (decision
 * ids and exploration draws derive from the request).
 */
public final class DecisionGateway implements AutoCloseable {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final String requestsTopic;
  private final String responsesTopic;
  private final Duration timeout;
  private final LongSupplier clock;
  private final RecordParser parser;
  private final KafkaProducer<String, byte[]> producer;
  private final KafkaConsumer<byte[], byte[]> consumer;
  private final HttpServer http;
  private final ExecutorService handlers;
  private final Thread reader;
  private final Map<String, CompletableFuture<JsonNode>> waiting = new ConcurrentHashMap<>();
  private final LatencyWindow latency = new LatencyWindow(4096);
  private final AtomicLong requests = new AtomicLong();
  private final AtomicLong answered = new AtomicLong();
  private final AtomicLong badRequests = new AtomicLong();
  private final AtomicLong lateAnswers = new AtomicLong();
  private final Map<String, AtomicLong> fallbacks = new ConcurrentHashMap<>();
  private volatile long lastPollAt;
  private volatile String readerFailure;
  private volatile String producerFailure;
  private volatile boolean closed;

  /**
   * Starts the gateway on the options' Kafka ({@code prescient.kafka.*}, {@code
   * prescient.topic.requests/responses}) and HTTP settings ({@code prescient.serve.*}).
   *
   * @param clock the requests' timestamps, epoch ms: the wall clock in production; a replay of
   *     historical events (the demo) passes its event-time clock so the job answers as of then
   */
  public static DecisionGateway start(Configuration c, LongSupplier clock) throws IOException {
    return new DecisionGateway(c, clock);
  }

  private DecisionGateway(Configuration c, LongSupplier clock) throws IOException {
    this.requestsTopic = c.get(PrescientOptions.TOPIC_REQUESTS);
    this.responsesTopic = c.get(PrescientOptions.TOPIC_RESPONSES);
    this.timeout = c.get(PrescientOptions.SERVE_TIMEOUT);
    this.clock = clock;
    this.parser = new RecordParser(KafkaIO.limits(c));
    Properties common = KafkaClientProperties.of(c);
    common.put("bootstrap.servers", c.get(PrescientOptions.BOOTSTRAP_SERVERS));
    Properties p = new Properties();
    p.putAll(common);
    p.put(ProducerConfig.LINGER_MS_CONFIG, "0");
    p.put(ProducerConfig.ACKS_CONFIG, "1");
    p.put(ProducerConfig.MAX_BLOCK_MS_CONFIG, Long.toString(Math.max(100, timeout.toMillis())));
    p.put(ProducerConfig.DELIVERY_TIMEOUT_MS_CONFIG, "5000");
    p.put(ProducerConfig.REQUEST_TIMEOUT_MS_CONFIG, "4000");
    producer = new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer());
    Properties q = new Properties();
    q.putAll(common);
    q.put(ConsumerConfig.ISOLATION_LEVEL_CONFIG, "read_uncommitted");
    q.put(ConsumerConfig.FETCH_MAX_WAIT_MS_CONFIG, "10");
    q.put(ConsumerConfig.ENABLE_AUTO_COMMIT_CONFIG, "false");
    consumer = new KafkaConsumer<>(q, new ByteArrayDeserializer(), new ByteArrayDeserializer());
    try {
      List<PartitionInfo> parts = consumer.partitionsFor(responsesTopic, Duration.ofSeconds(30));
      if (parts == null || parts.isEmpty()) {
        throw new IOException("topic '" + responsesTopic + "' does not exist");
      }
      List<TopicPartition> tps = new ArrayList<>();
      parts.forEach(i -> tps.add(new TopicPartition(i.topic(), i.partition())));
      consumer.assign(tps);
      consumer.seekToEnd(tps);
      tps.forEach(consumer::position); // resolve the end now: answers from here on count
    } catch (RuntimeException e) {
      closeQuietly();
      throw new IOException("cannot read '" + responsesTopic + "': " + e.getMessage(), e);
    }
    lastPollAt = System.currentTimeMillis();
    reader = new Thread(this::readAnswers, "prescient-gateway-reader");
    reader.setDaemon(true);
    reader.start();
    handlers = Executors.newFixedThreadPool(32);
    try {
      http =
          HttpServer.create(
              new InetSocketAddress(
                  c.get(PrescientOptions.SERVE_BIND_ADDRESS), c.get(PrescientOptions.SERVE_PORT)),
              128);
    } catch (IOException e) {
      close();
      throw new IOException(
          "cannot listen on "
              + c.get(PrescientOptions.SERVE_BIND_ADDRESS)
              + ":"
              + c.get(PrescientOptions.SERVE_PORT)
              + ": "
              + e.getMessage(),
          e);
    }
    http.setExecutor(handlers);
    http.createContext("/v1/decisions", this::decisions);
    http.createContext("/health", this::health);
    http.createContext("/metrics", this::metrics);
    http.start();
  }

  /** The port the gateway listens on (useful with port 0). */
  public int port() {
    return http.getAddress().getPort();
  }

  // ------------------------------------------------------------------------------ HTTP

  private void decisions(HttpExchange x) throws IOException {
    long t0 = System.nanoTime();
    try (x) {
      if (!"GET".equals(x.getRequestMethod())) {
        error(x, 405, "only GET is supported");
        return;
      }
      Map<String, String> q = query(x.getRequestURI().getRawQuery());
      String requestId = q.getOrDefault("request_id", UUID.randomUUID().toString());
      byte[] request = requestJson(requestId, q);
      String user;
      try {
        // The job's own parser: what it would refuse to the DLQ is refused here, with its reason.
        user = parser.parseRequest(request, System.currentTimeMillis()).userId;
      } catch (InvalidRecordException e) {
        badRequests.incrementAndGet();
        error(x, 400, e.getMessage());
        return;
      }
      requests.incrementAndGet();
      String placement = q.get("placement");
      CompletableFuture<JsonNode> answer = new CompletableFuture<>();
      CompletableFuture<JsonNode> earlier = waiting.putIfAbsent(requestId, answer);
      if (earlier != null) {
        answer = earlier; // the same request id twice at once: both get the one answer
      }
      JsonNode body;
      String fallbackReason = null;
      try {
        if (earlier == null) {
          publish(requestId, user, request);
        }
        body = answer.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (TimeoutException e) {
        fallbackReason = "timeout";
        body = null;
      } catch (Exception e) {
        fallbackReason = "unavailable";
        producerFailure = PrescientJob.rootCause(e);
        body = null;
      } finally {
        waiting.remove(requestId, answer);
      }
      if (body == null) {
        fallbacks.computeIfAbsent(fallbackReason, k -> new AtomicLong()).incrementAndGet();
        body = fallback(requestId, user, placement, fallbackReason);
        x.getResponseHeaders().set("X-Prescient-Fallback", fallbackReason);
      } else {
        answered.incrementAndGet();
        latency.add((System.nanoTime() - t0) / 1_000_000.0);
      }
      send(x, 200, JSON.writeValueAsBytes(body));
    }
  }

  /** The request as the {@code requests} topic carries it, from the query's parameters. */
  private byte[] requestJson(String requestId, Map<String, String> q) throws IOException {
    ObjectNode r = JSON.createObjectNode();
    r.put("request_id", requestId);
    r.put("user_id", q.get("user_id"));
    r.put("placement", q.get("placement"));
    r.put("timestamp", Instant.ofEpochMilli(clock.getAsLong()).toString());
    ObjectNode context = r.putObject("context");
    for (Map.Entry<String, String> e : q.entrySet()) {
      if (e.getKey().startsWith("context.")) {
        context.put(e.getKey().substring("context.".length()), e.getValue());
      }
    }
    return JSON.writeValueAsBytes(r);
  }

  private void publish(String requestId, String user, byte[] request) {
    // The send is asynchronous; a broker that cannot take it fails the future, and the request
    // gets the fallback when its wait ends.
    producer.send(
        new ProducerRecord<>(requestsTopic, user, request),
        (meta, e) -> {
          if (e != null) {
            producerFailure = PrescientJob.rootCause(e);
            CompletableFuture<JsonNode> f = waiting.get(requestId);
            if (f != null) {
              f.completeExceptionally(e);
            }
          } else {
            producerFailure = null;
          }
        });
  }

  /** What a page shows when the job did not answer in time: nothing personal, nothing to track. */
  static ObjectNode fallback(String requestId, String user, String placement, String reason) {
    ObjectNode f = JSON.createObjectNode();
    f.put("request_id", requestId);
    f.put("user_id", user);
    f.put("placement", placement);
    f.put("fallback", true);
    f.put("fallback_reason", reason);
    f.putNull("decision_id");
    f.put("channel", "onsite");
    f.put("action", "none");
    f.put(
        "why",
        "timeout".equals(reason)
            ? "The decision engine did not answer in time: the page shows its default content"
            : "The decision engine cannot be reached: the page shows its default content");
    return f;
  }

  private void health(HttpExchange x) throws IOException {
    try (x) {
      long sincePoll = System.currentTimeMillis() - lastPollAt;
      String problem =
          readerFailure != null
              ? "reading " + responsesTopic + ": " + readerFailure
              : sincePoll > 5_000
                  ? "no poll of " + responsesTopic + " for " + sincePoll + " ms"
                  : producerFailure != null
                      ? "writing " + requestsTopic + ": " + producerFailure
                      : null;
      ObjectNode body = JSON.createObjectNode();
      body.put("status", problem == null ? "ok" : "unavailable");
      if (problem != null) {
        body.put("problem", problem);
      }
      send(x, problem == null ? 200 : 503, JSON.writeValueAsBytes(body));
    }
  }

  private void metrics(HttpExchange x) throws IOException {
    try (x) {
      StringBuilder m = new StringBuilder();
      m.append("# TYPE prescient_gateway_requests_total counter\n");
      m.append("prescient_gateway_requests_total ").append(requests.get()).append('\n');
      m.append("# TYPE prescient_gateway_answered_total counter\n");
      m.append("prescient_gateway_answered_total ").append(answered.get()).append('\n');
      m.append("# TYPE prescient_gateway_fallbacks_total counter\n");
      for (String reason : List.of("timeout", "unavailable")) {
        AtomicLong n = fallbacks.get(reason);
        m.append("prescient_gateway_fallbacks_total{reason=\"")
            .append(reason)
            .append("\"} ")
            .append(n == null ? 0 : n.get())
            .append('\n');
      }
      m.append("# TYPE prescient_gateway_bad_requests_total counter\n");
      m.append("prescient_gateway_bad_requests_total ").append(badRequests.get()).append('\n');
      m.append("# TYPE prescient_gateway_late_answers_total counter\n");
      m.append("prescient_gateway_late_answers_total ").append(lateAnswers.get()).append('\n');
      m.append("# TYPE prescient_gateway_answer_ms summary\n");
      double[] qs = latency.quantiles(0.5, 0.99);
      m.append("prescient_gateway_answer_ms{quantile=\"0.5\"} ").append(qs[0]).append('\n');
      m.append("prescient_gateway_answer_ms{quantile=\"0.99\"} ").append(qs[1]).append('\n');
      byte[] body = m.toString().getBytes(StandardCharsets.UTF_8);
      x.getResponseHeaders().set("Content-Type", "text/plain; version=0.0.4");
      x.sendResponseHeaders(200, body.length);
      try (OutputStream o = x.getResponseBody()) {
        o.write(body);
      }
    }
  }

  private static void error(HttpExchange x, int status, String message) throws IOException {
    ObjectNode body = JSON.createObjectNode();
    body.put("error", message);
    send(x, status, JSON.writeValueAsBytes(body));
  }

  private static void send(HttpExchange x, int status, byte[] body) throws IOException {
    x.getResponseHeaders().set("Content-Type", "application/json");
    x.sendResponseHeaders(status, body.length);
    try (OutputStream o = x.getResponseBody()) {
      o.write(body);
    }
  }

  static Map<String, String> query(String raw) {
    Map<String, String> out = new LinkedHashMap<>();
    if (raw == null || raw.isEmpty()) {
      return out;
    }
    for (String part : raw.split("&")) {
      int eq = part.indexOf('=');
      String k = URLDecoder.decode(eq < 0 ? part : part.substring(0, eq), StandardCharsets.UTF_8);
      String v = eq < 0 ? "" : URLDecoder.decode(part.substring(eq + 1), StandardCharsets.UTF_8);
      out.putIfAbsent(k, v);
    }
    return out;
  }

  // ------------------------------------------------------------------------------ Kafka

  private void readAnswers() {
    try {
      while (!closed) {
        for (ConsumerRecord<byte[], byte[]> r : consumer.poll(Duration.ofMillis(50))) {
          if (r.value() == null) {
            continue;
          }
          JsonNode answer;
          try {
            answer = JSON.readTree(r.value());
          } catch (IOException e) {
            continue; // not an answer of ours
          }
          String id = answer.path("request_id").asText(null);
          CompletableFuture<JsonNode> f = id == null ? null : waiting.get(id);
          if (f == null) {
            lateAnswers.incrementAndGet(); // another gateway's, or it came after the timeout
          } else {
            f.complete(answer);
          }
        }
        lastPollAt = System.currentTimeMillis();
        readerFailure = null;
      }
    } catch (WakeupException e) {
      // closing
    } catch (RuntimeException e) {
      readerFailure = PrescientJob.rootCause(e);
    }
  }

  @Override
  public void close() {
    closed = true;
    if (http != null) {
      http.stop(0);
    }
    if (handlers != null) {
      handlers.shutdownNow();
    }
    consumer.wakeup();
    if (reader != null) {
      try {
        reader.join(5_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    closeQuietly();
  }

  private void closeQuietly() {
    try {
      producer.close(Duration.ofSeconds(2));
    } catch (RuntimeException ignored) {
      // closing anyway
    }
    try {
      consumer.close(Duration.ofSeconds(2));
    } catch (RuntimeException ignored) {
      // closing anyway
    }
  }

  /** The last {@code size} answer latencies, for the metrics endpoint's quantiles. */
  static final class LatencyWindow {
    private final double[] values;
    private long n;

    LatencyWindow(int size) {
      values = new double[size];
    }

    synchronized void add(double v) {
      values[(int) (n++ % values.length)] = v;
    }

    synchronized double[] quantiles(double... qs) {
      int size = (int) Math.min(n, values.length);
      double[] sorted = Arrays.copyOf(values, size);
      Arrays.sort(sorted);
      double[] out = new double[qs.length];
      for (int i = 0; i < qs.length; i++) {
        out[i] = size == 0 ? 0 : sorted[Math.min(size - 1, (int) Math.ceil(qs[i] * size) - 1)];
      }
      return out;
    }
  }
}

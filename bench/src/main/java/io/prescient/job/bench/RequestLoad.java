package io.prescient.job.bench;

import io.prescient.job.PrescientConfig;
import io.prescient.job.serve.DecisionGateway;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * bench-latency's request mode: web-page requests through the HTTP gateway ({@code prescient
 * serve}, in process) at a fixed rate beside the event load, each timed from the HTTP call to its
 * answer, as a web tier sees it. Users are the generator's latest ones, so requests find state.
 */
final class RequestLoad implements AutoCloseable {
  /** Gateway timeout in the benchmark: long enough to measure the job, not the fallback. */
  static final Duration TIMEOUT = Duration.ofSeconds(2);

  private final DecisionGateway gateway;
  private final HttpClient http = HttpClient.newBuilder().build();
  private final int rate;
  private final LongSupplier latestUser;
  private final AtomicBoolean stop = new AtomicBoolean();
  private final Object lock = new Object();
  private List<long[]> results = new ArrayList<>(); // {latency ms, fallback 0/1}
  private final Thread sender;

  RequestLoad(Map<String, String> jobOptions, int rate, LongSupplier latestUser) throws Exception {
    Map<String, String> o = new LinkedHashMap<>(jobOptions);
    o.put("prescient.serve.port", "0");
    o.put("prescient.serve.timeout", TIMEOUT.toMillis() + " ms");
    this.gateway = DecisionGateway.start(PrescientConfig.fromMap(o), System::currentTimeMillis);
    this.rate = rate;
    this.latestUser = latestUser;
    this.sender = new Thread(this::send, "bench-latency-requests");
    sender.setDaemon(true);
    sender.start();
  }

  private void send() {
    double owed = 0;
    long last = System.nanoTime();
    long n = 0;
    while (!stop.get()) {
      long now = System.nanoTime();
      owed += rate * (now - last) / 1e9;
      last = now;
      while (owed >= 1) {
        owed -= 1;
        long user = Math.max(0, latestUser.getAsLong() - (n++ % 100));
        URI uri =
            URI.create(
                "http://127.0.0.1:"
                    + gateway.port()
                    + "/v1/decisions?user_id=bl-"
                    + user
                    + "&placement=bench");
        long t0 = System.nanoTime();
        http.sendAsync(
                HttpRequest.newBuilder(uri).timeout(TIMEOUT.plusSeconds(5)).build(),
                HttpResponse.BodyHandlers.discarding())
            .whenComplete(
                (r, e) -> {
                  long ms = (System.nanoTime() - t0) / 1_000_000;
                  boolean fallback =
                      e != null || r.headers().firstValue("X-Prescient-Fallback").isPresent();
                  synchronized (lock) {
                    results.add(new long[] {ms, fallback ? 1 : 0});
                  }
                });
      }
      try {
        Thread.sleep(1);
      } catch (InterruptedException e) {
        return;
      }
    }
  }

  /** The requests answered since the last call; {@code discard}: start afresh. */
  List<long[]> measure(boolean discard) {
    List<long[]> l;
    synchronized (lock) {
      l = results;
      results = new ArrayList<>();
    }
    return discard ? List.of() : l;
  }

  @Override
  public void close() {
    stop.set(true);
    sender.interrupt();
    gateway.close();
  }
}

package io.prescient.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.core.execution.JobClient;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Scrapes the Prometheus endpoint of a running job (the reporter a cluster runs, on the
 * MiniCluster): events in by type, DLQ by reason, decisions by arm/action/channel are there, and
 * they move when more input arrives.
 */
class MetricsITCase extends PipelineTestBase {
  static final String P = "metrics";

  @Test
  void prometheusShowsTheJobsCountersAndTheyMove(@TempDir Path checkpoints) throws Exception {
    createTopics(P);
    Map<String, String> o = baseOptions(P, checkpoints);
    JobClient job = start(o, "prescient-metrics");
    try {
      kafka.produce(
          P + "-events",
          List.of(
              event("a1", "u-a", "add_to_cart", "2011-01-04T10:00:00Z", "p1"),
              // u-a's own view after the cart deadline: the cart decides on this record (the
              // lazy path), so the decision latency histogram has a record to measure from.
              event("v1", "u-a", "view", "2011-01-04T12:00:00Z", "p2"),
              json("u-x", "{\"event_id\":")));
      waitUntil(() -> values(P + "-decisions").size() == 1, "the first decision");
      waitUntil(
          () -> sum(scrape(), "prescient_arm_action_channel_decisionsOut", "arm=\"rules\"") >= 1,
          "decisionsOut in the Prometheus output");
      String first = scrape();
      assertThat(sum(first, "prescient_event_type_eventsIn", "event_type=\"add_to_cart\""))
          .isEqualTo(1);
      assertThat(sum(first, "prescient_event_type_eventsIn", "event_type=\"view\"")).isEqualTo(1);
      assertThat(sum(first, "prescient_reason_dlq", "reason=\"malformed_json\"")).isEqualTo(1);
      assertThat(
              sum(
                  first,
                  "prescient_arm_action_channel_decisionsOut",
                  "action=\"reminder\",",
                  "channel=\"email\""))
          .isEqualTo(1);

      kafka.produce(
          P + "-events",
          List.of(
              event("c1", "u-c", "add_to_cart", "2011-01-04T13:00:00Z", "p3"),
              keyedAs("u-c", event("v2", "u-b", "view", "2011-01-04T15:00:00Z", "p2"))));
      waitUntil(
          () -> sum(scrape(), "prescient_arm_action_channel_decisionsOut", "arm=\"rules\"") >= 2,
          "decisionsOut to move");
      String second = scrape();
      assertThat(sum(second, "prescient_event_type_eventsIn", "event_type=\"view\"")).isEqualTo(2);
      assertThat(sum(second, "prescient_event_type_eventsIn", "event_type=\"add_to_cart\""))
          .isEqualTo(2);

      // The latency histograms: every event measured at the profile, u-a's decision at the
      // policy (u-c's came from a timer: no record caused it, so it is not measured).
      assertThat(sum(second, "prescient_eventLatencyMs_count")).isEqualTo(4);
      assertThat(sum(second, "prescient_decisionLatencyMs_count")).isEqualTo(1);

      // Every series the Grafana dashboard queries exists on the endpoint.
      String dashboard =
          Files.readString(Path.of("..", "deploy", "grafana", "prescient-dashboard.json"));
      Matcher m = Pattern.compile("\\b(flink_[A-Za-z_]+)").matcher(dashboard);
      Set<String> queried = new TreeSet<>();
      while (m.find()) {
        queried.add(m.group(1));
      }
      assertThat(queried).hasSizeGreaterThan(10);
      for (String series : queried) {
        assertThat(second).as("dashboard series " + series).contains(series);
      }
    } finally {
      cancelAndWait(job);
    }
  }

  /** Every reporter endpoint of the MiniCluster (JobManager and TaskManager), concatenated. */
  static String scrape() throws Exception {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofMillis(300)).build();
    String[] range = PROMETHEUS_PORTS.split("-");
    StringBuilder all = new StringBuilder();
    for (int port = Integer.parseInt(range[0]); port <= Integer.parseInt(range[1]); port++) {
      try {
        all.append(
            http.send(
                    HttpRequest.newBuilder(URI.create("http://localhost:" + port + "/metrics"))
                        .timeout(Duration.ofSeconds(2))
                        .build(),
                    HttpResponse.BodyHandlers.ofString())
                .body());
      } catch (IOException e) {
        // nothing listens on this port
      }
    }
    // Kept for whoever reads a failure: what the endpoints said last.
    java.nio.file.Files.writeString(Path.of("target", "prometheus-scrape.txt"), all);
    return all.toString();
  }

  /** Sum over every series of a metric whose labels contain all {@code labels} (subtasks add). */
  static double sum(String exposition, String metricSuffix, String... labels) {
    double total = 0;
    List<String> matched = new ArrayList<>();
    for (String line : exposition.split("\n")) {
      if (line.startsWith("#")) {
        continue;
      }
      int brace = line.indexOf('{');
      if (brace < 0 || !line.substring(0, brace).endsWith(metricSuffix)) {
        continue;
      }
      boolean all = true;
      for (String l : labels) {
        all &= line.contains(l);
      }
      if (all) {
        matched.add(line);
        total += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return total;
  }
}

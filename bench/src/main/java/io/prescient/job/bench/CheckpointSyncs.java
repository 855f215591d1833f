package io.prescient.job.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The synchronous phase of one task's checkpoints, from Flink's checkpoint statistics (the REST API
 * of the job's MiniCluster): the time the task stops processing records for each checkpoint, which
 * is what the decisions behind a barrier wait out.
 */
final class CheckpointSyncs {
  /** Reads a path of the REST API as JSON (null when it cannot). */
  interface Rest {
    JsonNode get(String path);
  }

  private CheckpointSyncs() {}

  /** The REST API at {@code http://127.0.0.1:port}; a failed request reads as null. */
  static Rest at(int port) {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
    ObjectMapper json = new ObjectMapper();
    return path -> {
      try {
        HttpRequest r =
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                .timeout(Duration.ofSeconds(5))
                .build();
        HttpResponse<String> res = http.send(r, HttpResponse.BodyHandlers.ofString());
        return res.statusCode() == 200 ? json.readTree(res.body()) : null;
      } catch (Exception e) {
        return null;
      }
    };
  }

  /**
   * The largest synchronous phase over the subtasks of the task whose name starts with {@code
   * task}, in ms, of each completed checkpoint triggered from {@code fromMs} to {@code toMs} (epoch
   * ms), oldest first. Empty when the statistics cannot be read.
   */
  static List<Long> of(Rest rest, String jobId, String task, long fromMs, long toMs) {
    List<Long> out = new ArrayList<>();
    JsonNode job = rest.get("/jobs/" + jobId);
    JsonNode checkpoints = rest.get("/jobs/" + jobId + "/checkpoints");
    if (job == null || checkpoints == null) {
      return out;
    }
    String vertex = null;
    for (JsonNode v : job.path("vertices")) {
      if (v.path("name").asText().startsWith(task)) {
        vertex = v.path("id").asText();
      }
    }
    if (vertex == null) {
      return out;
    }
    List<JsonNode> history = new ArrayList<>();
    checkpoints.path("history").forEach(history::add);
    history.sort((a, b) -> Long.compare(a.path("id").asLong(), b.path("id").asLong()));
    for (JsonNode c : history) {
      long at = c.path("trigger_timestamp").asLong();
      if (!c.path("status").asText().equals("COMPLETED") || at < fromMs || at > toMs) {
        continue;
      }
      JsonNode subtasks =
          rest.get(
              "/jobs/"
                  + jobId
                  + "/checkpoints/details/"
                  + c.path("id").asLong()
                  + "/subtasks/"
                  + vertex);
      if (subtasks == null) {
        continue;
      }
      long max = -1;
      for (JsonNode s : subtasks.path("subtasks")) {
        max = Math.max(max, s.path("checkpoint").path("sync").asLong(-1));
      }
      if (max >= 0) {
        out.add(max);
      }
    }
    return out;
  }

  /** "3 checkpoints: 120, 250, 364 ms" or a note that there were none. */
  static String describe(List<Long> syncs) {
    if (syncs.isEmpty()) {
      return "no completed checkpoint in the measured span (or no statistics)";
    }
    StringBuilder b =
        new StringBuilder(String.format(Locale.ROOT, "%d checkpoints:", syncs.size()));
    for (int i = 0; i < syncs.size(); i++) {
      b.append(i == 0 ? " " : ", ").append(String.format(Locale.ROOT, "%,d", syncs.get(i)));
    }
    return b.append(" ms").toString();
  }
}

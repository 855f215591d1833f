package io.prescient.offline.eval;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Feedback records (the {@code feedback} topic's JSON lines) as plain rows for offline evaluation
 * and the simulator. A line that is not a feedback record is counted with its line number, never
 * silently dropped.
 */
public final class FeedbackLog {
  private FeedbackLog() {}

  /** One logged decision and what happened within its reward window. */
  public record Row(
      String decisionId,
      String userId,
      String trigger,
      String arm,
      String policy,
      String offerId,
      String action,
      String channel,
      double propensity,
      boolean explored,
      List<String> candidates,
      Map<String, Double> candidateScores,
      Map<String, Double> candidateValues,
      long decidedAt,
      long sendAfter,
      String cancelledReason,
      boolean converted,
      double conversionValue,
      Map<String, Float> features) {

    /** 1 when converted, else 0. */
    public double reward() {
      return converted ? 1.0 : 0.0;
    }
  }

  /** The rows, and the lines that were not feedback records ("line N: why"). */
  public record Read(List<Row> rows, List<String> bad) {}

  /** Reads a feedback file; {@code featureNames} name the features array (schema order). */
  public static Read read(Path file, List<String> featureNames) throws IOException {
    ObjectMapper json = new ObjectMapper();
    List<Row> rows = new ArrayList<>();
    List<String> bad = new ArrayList<>();
    try (BufferedReader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      String line;
      int n = 0;
      while ((line = in.readLine()) != null) {
        n++;
        if (line.isBlank()) {
          continue;
        }
        try {
          rows.add(row(json.readTree(line), featureNames));
        } catch (IOException | RuntimeException e) {
          bad.add("line " + n + ": " + e.getMessage());
        }
      }
    }
    return new Read(rows, bad);
  }

  static Row row(JsonNode f, List<String> featureNames) {
    JsonNode d = f.get("decision");
    if (d == null || !d.isObject()) {
      throw new IllegalArgumentException("no 'decision' object");
    }
    List<String> candidates = new ArrayList<>();
    d.path("candidates").forEach(c -> candidates.add(c.asText()));
    Map<String, Double> scores = new LinkedHashMap<>();
    d.path("candidate_scores")
        .fields()
        .forEachRemaining(e -> scores.put(e.getKey(), e.getValue().asDouble()));
    Map<String, Double> values = new LinkedHashMap<>();
    d.path("candidate_values")
        .fields()
        .forEachRemaining(e -> values.put(e.getKey(), e.getValue().asDouble()));
    Map<String, Float> features = new LinkedHashMap<>();
    JsonNode x = f.path("features");
    if (x.size() == featureNames.size()) {
      for (int i = 0; i < featureNames.size(); i++) {
        features.put(
            featureNames.get(i), x.get(i).isNull() ? Float.NaN : (float) x.get(i).asDouble());
      }
    }
    return new Row(
        text(d, "decision_id"),
        text(d, "user_id"),
        text(d, "trigger"),
        text(d, "arm"),
        text(d, "policy"),
        d.hasNonNull("offer_id") ? d.get("offer_id").asText() : null,
        text(d, "action"),
        text(d, "channel"),
        d.path("propensity").asDouble(1.0),
        d.path("explored").asBoolean(false),
        candidates,
        scores,
        values,
        Instant.parse(text(d, "decided_at")).toEpochMilli(),
        Instant.parse(text(d, "send_after")).toEpochMilli(),
        f.hasNonNull("cancelled_reason") ? f.get("cancelled_reason").asText() : null,
        f.path("converted").asBoolean(false),
        f.path("conversion_value").asDouble(0),
        features);
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || v.isNull()) {
      throw new IllegalArgumentException("missing '" + field + "'");
    }
    return v.asText();
  }
}

package io.prescient.models.artifact;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prescient.models.drift.DriftBaseline;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class ModelManifestTest {
  static ModelManifest manifest() {
    Map<String, String> training = new LinkedHashMap<>();
    training.put("data", "events.jsonl");
    training.put("note", "say \"hi\"\n\u00e9");
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("auc", 0.7123456789);
    metrics.put("undefined", Double.NaN);
    metrics.put("count", 3.0);
    Map<String, DriftBaseline.Bins> features = new LinkedHashMap<>();
    features.put(
        "a", new DriftBaseline.Bins(new double[] {0.5, 1.5}, new double[] {0.25, 0.5, 0.2, 0.05}));
    features.put("constant", new DriftBaseline.Bins(new double[0], new double[] {1.0, 0.0}));
    return new ModelManifest(
            "churn",
            "20261124T000000Z",
            3,
            List.of("a", "constant"),
            "churned",
            "churn-20261124T000000Z.tribuo",
            "ab".repeat(32),
            false,
            training,
            metrics,
            "2026-11-24T00:00:00Z")
        .withBaseline(
            new DriftBaseline(
                features,
                new DriftBaseline.Bins(new double[] {0.1}, new double[] {0.4, 0.6, 0.0})));
  }

  /** The file's format is a contract with the models already published: it must not move. */
  @Test
  void theManifestFileKeepsItsFieldsOrderAndLayout() throws Exception {
    String json = manifest().toJson();
    assertThat(json)
        .isEqualTo(
            """
            {
              "name" : "churn",
              "version" : "20261124T000000Z",
              "feature_schema_version" : 3,
              "feature_names" : [ "a", "constant" ],
              "positive_label" : "churned",
              "model_file" : "churn-20261124T000000Z.tribuo",
              "model_sha256" : "abababababababababababababababababababababababababababababababab",
              "shadow" : false,
              "training" : {
                "data" : "events.jsonl",
                "note" : "say \\"hi\\"\\n\u00e9"
              },
              "metrics" : {
                "auc" : 0.7123456789,
                "undefined" : null,
                "count" : 3.0
              },
              "created_at" : "2026-11-24T00:00:00Z",
              "baseline" : {
                "features" : {
                  "a" : {
                    "edges" : [ 0.5, 1.5 ],
                    "shares" : [ 0.25, 0.5, 0.2, 0.05 ]
                  },
                  "constant" : {
                    "edges" : [ ],
                    "shares" : [ 1.0, 0.0 ]
                  }
                },
                "score" : {
                  "edges" : [ 0.1 ],
                  "shares" : [ 0.4, 0.6, 0.0 ]
                }
              }
            }
            """);
    ModelManifest back = ModelManifest.parse(json);
    assertThat(back.toJson()).isEqualTo(json);
    assertThat(back.baseline()).isEqualTo(manifest().baseline());
    assertThat(back.metrics().get("undefined")).isNaN();
    // Without a baseline there is no "baseline" field.
    ModelManifest none = back.withBaseline(DriftBaseline.NONE);
    assertThat(none.toJson()).doesNotContain("baseline").endsWith("\"\n}\n");
    assertThat(ModelManifest.parse(none.toJson())).isEqualTo(none);
  }

  @Test
  void numbersAndOtherValuesAreReadAsEarlierVersionsReadThem() throws Exception {
    ModelManifest m =
        ModelManifest.parse(
            """
            {"name": "n", "version": "v", "feature_schema_version": 3.9, "feature_names": [],
             "positive_label": "p", "model_file": "f", "model_sha256": "s", "shadow": "true",
             "training": {"rows": 100, "ok": true, "none": null, "text": "t"},
             "metrics": {"auc": 1, "name": "x", "none": null}, "created_at": 5,
             "name": "last one wins"}
            """);
    assertThat(m.name()).isEqualTo("last one wins");
    assertThat(m.featureSchemaVersion()).isEqualTo(3);
    assertThat(m.shadow()).isFalse(); // only JSON true is true
    assertThat(m.training())
        .containsExactly(
            Map.entry("rows", "100.0"),
            Map.entry("ok", "true"),
            Map.entry("none", "null"),
            Map.entry("text", "t"));
    assertThat(m.metrics()).containsEntry("auc", 1.0);
    assertThat(m.metrics().get("name")).isNaN();
    assertThat(m.metrics().get("none")).isNaN();
    assertThat(m.createdAt()).isEmpty();
    assertThat(m.baseline()).isEqualTo(DriftBaseline.NONE);
  }

  @Test
  void anythingButACompleteManifestIsABadManifestSayingWhy() {
    String rest = "\"positive_label\": \"p\", \"model_file\": \"f\", \"model_sha256\": \"s\"";
    String complete =
        "{\"name\": \"n\", \"version\": \"v\", \"feature_schema_version\": 1, \"feature_names\":"
            + " [], "
            + rest;
    Map<String, String> refused = new LinkedHashMap<>();
    refused.put("", "not a JSON object");
    refused.put("[{}]", "not a JSON object");
    refused.put("[".repeat(5000), "not a JSON object");
    refused.put(
        "{\"name\": \"churn\"", "not a JSON model manifest (invalid JSON at line 1, column 17)");
    refused.put("{\n\"a\": [1,,]}", "not a JSON model manifest (invalid JSON at line 2, column 9)");
    refused.put("{\"a\":" + "[".repeat(1100) + "]".repeat(1100) + "}", "(invalid JSON");
    refused.put("{}", "feature_names must be an array of strings");
    refused.put("{\"feature_names\": [\"a\", 1]}", "feature_names must be an array of strings");
    refused.put(
        "{\"feature_names\": [], \"feature_schema_version\": \"1\"}",
        "feature_schema_version must be a number");
    refused.put(complete.replace("\"n\"", "\"\"") + "}", "'name' is missing or not a string");
    refused.put(complete.replace("\"s\"", "5") + "}", "'model_sha256' is missing or not a string");
    refused.put(complete + ", \"baseline\": []}", "baseline must be an object");
    refused.put(
        complete + ", \"baseline\": {\"features\": {\"a\": {\"edges\": [], \"shares\": [1]}}}}",
        "baseline.a must be {edges: [numbers], shares: [numbers, edges + 2 of them]}");
    refused.put(
        complete + ", \"baseline\": {\"score\": {\"edges\": [\"1\"], \"shares\": [0, 1, 0]}}}",
        "baseline.score must be");
    refused.forEach(
        (json, why) ->
            assertThatThrownBy(() -> ModelManifest.parse(json))
                .as(json.length() > 80 ? json.substring(0, 80) : json)
                .isInstanceOfSatisfying(
                    ModelLoadException.class,
                    e -> assertThat(e.reason()).isEqualTo(ModelLoadException.Reason.BAD_MANIFEST))
                .hasMessageContaining(why));
  }
}

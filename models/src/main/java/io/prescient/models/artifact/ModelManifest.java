package io.prescient.models.artifact;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prescient.models.drift.DriftBaseline;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.stream.StreamSupport;

/**
 * What a model artifact is and where it came from: the JSON file beside the Tribuo protobuf model,
 * and the record published on the {@code models} topic. The job checks {@code feature_names}
 * against the live schema and {@code model_sha256} against the bytes it loads; the rest is
 * provenance for analysts (training data, its hash and range, metrics, creation time).
 *
 * @param name model name, the slot it serves: {@code churn} or {@code offer}
 * @param version version label, unique per name (the trainer uses the UTC creation time)
 * @param featureSchemaVersion {@code FeatureSchema.VERSION} the model was trained on
 * @param featureNames the feature vector the model scores, in order
 * @param positiveLabel the Tribuo label whose probability is the score
 * @param modelFile the protobuf file: a path relative to the manifest, or absolute
 * @param modelSha256 SHA-256 of the protobuf file
 * @param shadow true: score and report, never decide
 * @param training training data: file names, hashes, time range, row counts, settings
 * @param metrics evaluation figures, by name
 * @param createdAt ISO-8601 UTC instant
 * @param baseline the training distribution of every feature and of the score, for live drift
 *     (PSI); {@link DriftBaseline#NONE} when the trainer did not record one
 */
public record ModelManifest(
    String name,
    String version,
    int featureSchemaVersion,
    List<String> featureNames,
    String positiveLabel,
    String modelFile,
    String modelSha256,
    boolean shadow,
    Map<String, String> training,
    Map<String, Double> metrics,
    String createdAt,
    DriftBaseline baseline) {

  /** A manifest without a drift baseline. */
  public ModelManifest(
      String name,
      String version,
      int featureSchemaVersion,
      List<String> featureNames,
      String positiveLabel,
      String modelFile,
      String modelSha256,
      boolean shadow,
      Map<String, String> training,
      Map<String, Double> metrics,
      String createdAt) {
    this(
        name,
        version,
        featureSchemaVersion,
        featureNames,
        positiveLabel,
        modelFile,
        modelSha256,
        shadow,
        training,
        metrics,
        createdAt,
        DriftBaseline.NONE);
  }

  /** This manifest with the training distribution {@code b}. */
  public ModelManifest withBaseline(DriftBaseline b) {
    return new ModelManifest(
        name,
        version,
        featureSchemaVersion,
        featureNames,
        positiveLabel,
        modelFile,
        modelSha256,
        shadow,
        training,
        metrics,
        createdAt,
        b);
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  /** This manifest, pointing at {@code file} with hash {@code sha256}. */
  public ModelManifest withModelFile(String file, String sha256) {
    return new ModelManifest(
        name,
        version,
        featureSchemaVersion,
        featureNames,
        positiveLabel,
        file,
        sha256,
        shadow,
        training,
        metrics,
        createdAt,
        baseline);
  }

  /** The manifest file: pretty-printed JSON with the fields in this order, and a final newline. */
  public String toJson() {
    ObjectNode o = JSON.createObjectNode();
    o.put("name", name);
    o.put("version", version);
    o.put("feature_schema_version", featureSchemaVersion);
    featureNames.forEach(o.putArray("feature_names")::add);
    o.put("positive_label", positiveLabel);
    o.put("model_file", modelFile);
    o.put("model_sha256", modelSha256);
    o.put("shadow", shadow);
    training.forEach(o.putObject("training")::put);
    ObjectNode m = o.putObject("metrics");
    metrics.forEach((k, v) -> m.put(k, v.isNaN() ? null : v));
    o.put("created_at", createdAt);
    if (!baseline.isEmpty()) {
      ObjectNode b = o.putObject("baseline");
      ObjectNode features = b.putObject("features");
      baseline.features().forEach((k, bins) -> features.set(k, json(bins)));
      if (baseline.score() != null) {
        b.set("score", json(baseline.score()));
      }
    }
    try {
      return JSON.writerWithDefaultPrettyPrinter().writeValueAsString(o) + "\n";
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static ObjectNode json(DriftBaseline.Bins b) {
    ObjectNode o = JSON.createObjectNode();
    Arrays.stream(b.edges()).forEach(o.putArray("edges")::add);
    Arrays.stream(b.shares()).forEach(o.putArray("shares")::add);
    return o;
  }

  /** The optional "baseline" object; a malformed one is a bad manifest. */
  private static DriftBaseline baseline(JsonNode value) throws ModelLoadException {
    if (value == null || value.isNull()) {
      return DriftBaseline.NONE;
    }
    if (!value.isObject()) {
      throw bad("baseline must be an object");
    }
    Map<String, DriftBaseline.Bins> features = new LinkedHashMap<>();
    JsonNode f = value.path("features");
    if (f.isObject()) {
      for (Map.Entry<String, JsonNode> e : f.properties()) {
        features.put(e.getKey(), bins(e.getValue(), "baseline." + e.getKey()));
      }
    }
    JsonNode score = value.get("score");
    return new DriftBaseline(
        features, score == null || score.isNull() ? null : bins(score, "baseline.score"));
  }

  private static DriftBaseline.Bins bins(JsonNode value, String where) throws ModelLoadException {
    double[] edges = numbers(value.path("edges"));
    double[] shares = numbers(value.path("shares"));
    if (edges == null || shares == null || shares.length != edges.length + 2) {
      throw bad(where + " must be {edges: [numbers], shares: [numbers, edges + 2 of them]}");
    }
    return new DriftBaseline.Bins(edges, shares);
  }

  /** An array of numbers, or null for anything else. */
  private static double[] numbers(JsonNode array) {
    if (!array.isArray() || !all(array, JsonNode::isNumber)) {
      return null;
    }
    return StreamSupport.stream(array.spliterator(), false)
        .mapToDouble(JsonNode::doubleValue)
        .toArray();
  }

  private static boolean all(JsonNode array, Predicate<JsonNode> test) {
    return StreamSupport.stream(array.spliterator(), false).allMatch(test);
  }

  /**
   * Reads a manifest.
   *
   * @throws ModelLoadException ({@code bad_manifest}) for anything but a complete manifest
   */
  public static ModelManifest parse(String json) throws ModelLoadException {
    JsonNode m;
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw bad("not a JSON object");
      }
      m = JSON.readTree(p);
    } catch (IOException e) {
      // Where, never what: the parser's own message quotes the file's content, which may be any
      // file the announcement pointed at.
      String where =
          e instanceof JsonProcessingException j && j.getLocation() != null
              ? " at line "
                  + j.getLocation().getLineNr()
                  + ", column "
                  + j.getLocation().getColumnNr()
              : "";
      throw new ModelLoadException(
          ModelLoadException.Reason.BAD_MANIFEST,
          "not a JSON model manifest (invalid JSON" + where + ")");
    }
    JsonNode names = m.path("feature_names");
    if (!names.isArray() || !all(names, JsonNode::isTextual)) {
      throw bad("feature_names must be an array of strings");
    }
    List<String> featureNames = new ArrayList<>();
    names.forEach(n -> featureNames.add(n.textValue()));
    Map<String, String> training = new LinkedHashMap<>();
    if (m.path("training").isObject()) {
      m.get("training").properties().forEach(e -> training.put(e.getKey(), text(e.getValue())));
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    if (m.path("metrics").isObject()) {
      m.get("metrics")
          .properties()
          .forEach(
              e -> {
                JsonNode v = e.getValue();
                metrics.put(e.getKey(), v.isNumber() ? v.doubleValue() : Double.NaN);
              });
    }
    JsonNode version = m.path("feature_schema_version");
    if (!version.isNumber()) {
      throw bad("feature_schema_version must be a number");
    }
    return new ModelManifest(
        string(m, "name"),
        string(m, "version"),
        (int) version.doubleValue(),
        List.copyOf(featureNames),
        string(m, "positive_label"),
        string(m, "model_file"),
        string(m, "model_sha256"),
        m.path("shadow").booleanValue(),
        training,
        metrics,
        m.path("created_at").isTextual() ? m.get("created_at").textValue() : "",
        baseline(m.get("baseline")));
  }

  /** A training value as text: a number as a double ({@code 100.0}), anything else as written. */
  private static String text(JsonNode v) {
    return v.isNumber()
        ? String.valueOf(v.doubleValue())
        : v.isValueNode() ? v.asText() : v.toString();
  }

  private static String string(JsonNode m, String field) throws ModelLoadException {
    JsonNode v = m.path(field);
    if (!v.isTextual() || v.textValue().isEmpty()) {
      throw bad("'" + field + "' is missing or not a string");
    }
    return v.textValue();
  }

  private static ModelLoadException bad(String why) {
    return new ModelLoadException(ModelLoadException.Reason.BAD_MANIFEST, why);
  }
}

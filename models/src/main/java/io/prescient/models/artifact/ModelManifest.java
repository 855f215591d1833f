package io.prescient.models.artifact;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.prescient.models.drift.DriftBaseline;
import java.io.IOException;
import java.io.StringWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

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

  private static final JsonFactory JSON = new JsonFactory();

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

  public String toJson() {
    StringWriter w = new StringWriter();
    try (JsonGenerator g = JSON.createGenerator(w)) {
      g.useDefaultPrettyPrinter();
      g.writeStartObject();
      g.writeStringField("name", name);
      g.writeStringField("version", version);
      g.writeNumberField("feature_schema_version", featureSchemaVersion);
      g.writeArrayFieldStart("feature_names");
      for (String f : featureNames) {
        g.writeString(f);
      }
      g.writeEndArray();
      g.writeStringField("positive_label", positiveLabel);
      g.writeStringField("model_file", modelFile);
      g.writeStringField("model_sha256", modelSha256);
      g.writeBooleanField("shadow", shadow);
      g.writeObjectFieldStart("training");
      for (Map.Entry<String, String> e : training.entrySet()) {
        g.writeStringField(e.getKey(), e.getValue());
      }
      g.writeEndObject();
      g.writeObjectFieldStart("metrics");
      for (Map.Entry<String, Double> e : metrics.entrySet()) {
        if (e.getValue().isNaN()) {
          g.writeNullField(e.getKey());
        } else {
          g.writeNumberField(e.getKey(), e.getValue());
        }
      }
      g.writeEndObject();
      g.writeStringField("created_at", createdAt);
      if (!baseline.isEmpty()) {
        g.writeObjectFieldStart("baseline");
        g.writeObjectFieldStart("features");
        for (Map.Entry<String, DriftBaseline.Bins> e : baseline.features().entrySet()) {
          g.writeFieldName(e.getKey());
          writeBins(g, e.getValue());
        }
        g.writeEndObject();
        if (baseline.score() != null) {
          g.writeFieldName("score");
          writeBins(g, baseline.score());
        }
        g.writeEndObject();
      }
      g.writeEndObject();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
    return w.toString() + "\n";
  }

  private static void writeBins(JsonGenerator g, DriftBaseline.Bins b) throws IOException {
    g.writeStartObject();
    g.writeFieldName("edges");
    g.writeArray(b.edges(), 0, b.edges().length);
    g.writeFieldName("shares");
    g.writeArray(b.shares(), 0, b.shares().length);
    g.writeEndObject();
  }

  /** The optional "baseline" object; a malformed one is a bad manifest. */
  private static DriftBaseline baseline(Object value) throws ModelLoadException {
    if (value == null) {
      return DriftBaseline.NONE;
    }
    if (!(value instanceof Map<?, ?> m)) {
      throw bad("baseline must be an object");
    }
    Map<String, DriftBaseline.Bins> features = new LinkedHashMap<>();
    if (m.get("features") instanceof Map<?, ?> f) {
      for (Map.Entry<?, ?> e : f.entrySet()) {
        features.put((String) e.getKey(), bins(e.getValue(), "baseline." + e.getKey()));
      }
    }
    Object score = m.get("score");
    return new DriftBaseline(features, score == null ? null : bins(score, "baseline.score"));
  }

  private static DriftBaseline.Bins bins(Object value, String where) throws ModelLoadException {
    if (value instanceof Map<?, ?> m
        && m.get("edges") instanceof List<?> edges
        && m.get("shares") instanceof List<?> shares
        && edges.stream().allMatch(Double.class::isInstance)
        && shares.stream().allMatch(Double.class::isInstance)
        && shares.size() == edges.size() + 2) {
      return new DriftBaseline.Bins(
          edges.stream().mapToDouble(Double.class::cast).toArray(),
          shares.stream().mapToDouble(Double.class::cast).toArray());
    }
    throw bad(where + " must be {edges: [numbers], shares: [numbers, edges + 2 of them]}");
  }

  /**
   * Reads a manifest.
   *
   * @throws ModelLoadException ({@code bad_manifest}) for anything but a complete manifest
   */
  public static ModelManifest parse(String json) throws ModelLoadException {
    Map<String, Object> m;
    try (JsonParser p = JSON.createParser(json)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        throw bad("not a JSON object");
      }
      m = readObject(p);
    } catch (IOException e) {
      // Where, never what: the parser's own message quotes the file's content, which may be any
      // file the announcement pointed at.
      String where =
          e instanceof com.fasterxml.jackson.core.JsonProcessingException j
                  && j.getLocation() != null
              ? " at line "
                  + j.getLocation().getLineNr()
                  + ", column "
                  + j.getLocation().getColumnNr()
              : "";
      throw new ModelLoadException(
          ModelLoadException.Reason.BAD_MANIFEST,
          "not a JSON model manifest (invalid JSON" + where + ")");
    }
    Object names = m.get("feature_names");
    if (!(names instanceof List<?> list) || list.stream().anyMatch(o -> !(o instanceof String))) {
      throw bad("feature_names must be an array of strings");
    }
    List<String> featureNames = new ArrayList<>();
    list.forEach(o -> featureNames.add((String) o));
    Map<String, String> training = new LinkedHashMap<>();
    if (m.get("training") instanceof Map<?, ?> t) {
      t.forEach((k, v) -> training.put((String) k, String.valueOf(v)));
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    if (m.get("metrics") instanceof Map<?, ?> t) {
      t.forEach(
          (k, v) -> metrics.put((String) k, v instanceof Number n ? n.doubleValue() : Double.NaN));
    }
    Object version = m.get("feature_schema_version");
    if (!(version instanceof Number n)) {
      throw bad("feature_schema_version must be a number");
    }
    return new ModelManifest(
        string(m, "name"),
        string(m, "version"),
        n.intValue(),
        List.copyOf(featureNames),
        string(m, "positive_label"),
        string(m, "model_file"),
        string(m, "model_sha256"),
        Boolean.TRUE.equals(m.get("shadow")),
        training,
        metrics,
        m.get("created_at") instanceof String s ? s : "",
        baseline(m.get("baseline")));
  }

  private static String string(Map<String, Object> m, String field) throws ModelLoadException {
    if (!(m.get(field) instanceof String s) || s.isEmpty()) {
      throw bad("'" + field + "' is missing or not a string");
    }
    return s;
  }

  private static ModelLoadException bad(String why) {
    return new ModelLoadException(ModelLoadException.Reason.BAD_MANIFEST, why);
  }

  private static Map<String, Object> readObject(JsonParser p) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      p.nextToken();
      out.put(key, readValue(p));
    }
    return out;
  }

  private static Object readValue(JsonParser p) throws IOException {
    return switch (p.currentToken()) {
      case START_OBJECT -> readObject(p);
      case START_ARRAY -> {
        List<Object> list = new ArrayList<>();
        while (p.nextToken() != JsonToken.END_ARRAY) {
          list.add(readValue(p));
        }
        yield list;
      }
      case VALUE_STRING -> p.getText();
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> p.getDoubleValue();
      case VALUE_TRUE -> Boolean.TRUE;
      case VALUE_FALSE -> Boolean.FALSE;
      default -> null;
    };
  }
}

package io.prescient.state.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonGenerator;
import io.prescient.state.contract.Formats;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;

/** Shared plumbing of the JSON writers of the output topics. */
final class JsonWriting {
  static final JsonFactory FACTORY = new JsonFactory();

  private JsonWriting() {}

  interface Body {
    void write(JsonGenerator g) throws IOException;
  }

  static byte[] object(Body body) {
    ByteArrayOutputStream out = new ByteArrayOutputStream(512);
    try (JsonGenerator g = FACTORY.createGenerator(out)) {
      g.writeStartObject();
      body.write(g);
      g.writeEndObject();
    } catch (IOException e) {
      throw new UncheckedIOException("writing JSON to memory cannot fail", e);
    }
    return out.toByteArray();
  }

  static void optional(JsonGenerator g, String field, String value) throws IOException {
    if (value != null) {
      g.writeStringField(field, value);
    }
  }

  static void instant(JsonGenerator g, String field, long millis) throws IOException {
    g.writeStringField(field, Formats.isoInstant(millis));
  }

  static void numbers(JsonGenerator g, String field, java.util.Map<String, Double> values)
      throws IOException {
    g.writeObjectFieldStart(field);
    for (java.util.Map.Entry<String, Double> e : values.entrySet()) {
      g.writeNumberField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
  }

  static void strings(JsonGenerator g, String field, Iterable<String> values) throws IOException {
    g.writeArrayFieldStart(field);
    for (String v : values) {
      g.writeString(v);
    }
    g.writeEndArray();
  }
}

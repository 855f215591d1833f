package io.prescient.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import java.nio.file.Files;
import java.nio.file.Path;

/** The published JSON Schemas of docs/schemas, for tests that check records the job wrote. */
public final class Schemas {
  private Schemas() {}

  private static final ObjectMapper JSON = new ObjectMapper();

  /** A schema of docs/schemas. */
  public static JsonSchema schema(String name) throws Exception {
    return JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V202012)
        .getSchema(Files.readString(Path.of("..", "docs", "schemas", name)));
  }

  /** Asserts that a record (its JSON text) validates against {@code schema}. */
  public static void assertValid(JsonSchema schema, String record) throws Exception {
    assertThat(schema.validate(JSON.readTree(record))).as(record).isEmpty();
  }
}

package io.prescient.job;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SchemaLocation;
import com.networknt.schema.SchemaValidatorsConfig;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import java.nio.file.Path;
import java.util.Set;

/**
 * The published JSON Schemas of docs/schemas, for tests that check records the job wrote. A schema
 * is loaded by its {@code $id}, and the {@code $id} prefix maps to the docs/schemas directory, so a
 * {@code $ref} from one schema to another ({@code "$ref": "decision.schema.json"}) resolves to the
 * file next to it, never over the network. Formats ({@code date-time}, ...) are asserted, not only
 * annotated as draft 2020-12 does by default.
 */
public final class Schemas {
  private Schemas() {}

  /** The {@code $id} of every published schema is this prefix and its file name. */
  public static final String ID_PREFIX = "https://prescient.example/schemas/";

  /** docs/schemas, from a module's directory (job or tools: tests run there). */
  public static final Path DIR = Path.of("..", "docs", "schemas").toAbsolutePath().normalize();

  private static final ObjectMapper JSON = new ObjectMapper();

  private static final JsonSchemaFactory FACTORY =
      JsonSchemaFactory.getInstance(
          SpecVersion.VersionFlag.V202012,
          b -> b.schemaMappers(m -> m.mapPrefix(ID_PREFIX, directoryUri())));

  private static final SchemaValidatorsConfig CONFIG =
      SchemaValidatorsConfig.builder().formatAssertionsEnabled(true).build();

  private static String directoryUri() {
    String uri = DIR.toUri().toString();
    return uri.endsWith("/") ? uri : uri + "/";
  }

  /**
   * A schema of docs/schemas, by file name, with its references resolved now: a {@code $ref} to a
   * file that does not exist fails here rather than at the first record.
   */
  public static JsonSchema schema(String name) {
    JsonSchema s = FACTORY.getSchema(SchemaLocation.of(ID_PREFIX + name), CONFIG);
    s.initializeValidators();
    return s;
  }

  /** The draft 2020-12 meta-schema (from the validator's classpath): what a schema must be. */
  public static JsonSchema metaSchema() {
    return FACTORY.getSchema(
        SchemaLocation.of("https://json-schema.org/draft/2020-12/schema"), CONFIG);
  }

  /** What a record (its JSON text) breaks of {@code schema}; empty when it validates. */
  public static Set<ValidationMessage> errors(JsonSchema schema, String record) throws Exception {
    return schema.validate(JSON.readTree(record));
  }

  /** What a parsed record breaks of {@code schema}; empty when it validates. */
  public static Set<ValidationMessage> errors(JsonSchema schema, JsonNode record) {
    return schema.validate(record);
  }

  /** Asserts that a record (its JSON text) validates against {@code schema}. */
  public static void assertValid(JsonSchema schema, String record) throws Exception {
    assertThat(errors(schema, record)).as(record).isEmpty();
  }
}

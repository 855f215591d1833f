package io.prescient.job.deploy;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.networknt.schema.JsonSchema;
import com.networknt.schema.JsonSchemaFactory;
import com.networknt.schema.SpecVersion;
import com.networknt.schema.ValidationMessage;
import io.prescient.job.PrescientConfig;
import io.prescient.job.PrescientOptions;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.apache.flink.configuration.Configuration;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * deploy/k8s cannot be applied here, so this proves it is well formed and consistent with the job:
 * each overlay is rendered as kustomize renders a patch on a custom resource (maps merge, lists and
 * scalars replace) and validated against the Flink Kubernetes Operator's FlinkDeployment CRD
 * schema, made strict as the API server is (unknown fields are an error); its job arguments must be
 * valid Prescient options, and its storage and upgrade settings must agree with them.
 */
class KubernetesManifestsTest {
  static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());
  static final Path K8S = Path.of("..", "deploy", "k8s");
  static JsonSchema schema;

  @BeforeAll
  static void loadCrd() throws Exception {
    JsonNode crd =
        YAML.readTree(
            Path.of("src", "test", "resources", "k8s", "flinkdeployments.flink.apache.org-v1.yml")
                .toFile());
    JsonNode version = crd.get("spec").get("versions").get(0);
    assertThat(version.get("name").asText()).isEqualTo("v1beta1");
    JsonNode openApi = version.get("schema").get("openAPIV3Schema").deepCopy();
    // apiVersion, kind and metadata are the API server's, not in the CRD schema: strict below them.
    openApi.get("properties").elements().forEachRemaining(KubernetesManifestsTest::strict);
    schema = JsonSchemaFactory.getInstance(SpecVersion.VersionFlag.V4).getSchema(openApi);
  }

  /** Unknown fields are errors, except where the CRD keeps them (x-kubernetes-preserve-...). */
  static void strict(JsonNode node) {
    if (node instanceof ObjectNode o) {
      if (o.has("properties")
          && !o.has("additionalProperties")
          && !o.path("x-kubernetes-preserve-unknown-fields").asBoolean(false)) {
        o.put("additionalProperties", false);
      }
      o.elements().forEachRemaining(KubernetesManifestsTest::strict);
    } else if (node.isArray()) {
      node.elements().forEachRemaining(KubernetesManifestsTest::strict);
    }
  }

  /** The FlinkDeployment an overlay renders to. */
  static JsonNode render(String overlay) throws Exception {
    Path dir = K8S.resolve("overlays").resolve(overlay);
    JsonNode kustomization = YAML.readTree(dir.resolve("kustomization.yaml").toFile());
    JsonNode base = null;
    for (JsonNode r : kustomization.get("resources")) {
      Path baseDir = dir.resolve(r.asText()).normalize();
      JsonNode baseK = YAML.readTree(baseDir.resolve("kustomization.yaml").toFile());
      base = YAML.readTree(baseDir.resolve(baseK.get("resources").get(0).asText()).toFile());
    }
    for (JsonNode p : kustomization.path("patches")) {
      merge((ObjectNode) base, YAML.readTree(dir.resolve(p.get("path").asText()).toFile()));
    }
    if (kustomization.has("namespace")) {
      ((ObjectNode) base.get("metadata")).put("namespace", kustomization.get("namespace").asText());
    }
    return base;
  }

  static void merge(ObjectNode target, JsonNode patch) {
    Iterator<Map.Entry<String, JsonNode>> it = patch.fields();
    while (it.hasNext()) {
      Map.Entry<String, JsonNode> e = it.next();
      JsonNode current = target.get(e.getKey());
      if (current instanceof ObjectNode o && e.getValue().isObject()) {
        merge(o, e.getValue());
      } else {
        target.set(e.getKey(), e.getValue());
      }
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void overlaysAreValidFlinkDeployments(String overlay) throws Exception {
    JsonNode d = render(overlay);
    Set<ValidationMessage> errors = schema.validate(d);
    assertThat(errors).as("CRD validation of overlay " + overlay).isEmpty();
    assertThat(d.get("kind").asText()).isEqualTo("FlinkDeployment");
    assertThat(d.get("apiVersion").asText()).isEqualTo("flink.apache.org/v1beta1");
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void jobArgumentsAreValidOptionsAndAgreeWithTheFlinkConfiguration(String overlay)
      throws Exception {
    JsonNode d = render(overlay);
    JsonNode job = d.get("spec").get("job");
    List<String> args = new ArrayList<>();
    job.get("args").forEach(a -> args.add(a.asText()));
    // Parsed exactly as the job parses them: unknown keys and bad values fail here.
    Configuration options = PrescientConfig.fromArgs(args.toArray(new String[0]));
    // The operator owns parallelism (rescaling); the job must not pin it.
    assertThat(options.get(PrescientOptions.PARALLELISM)).isEqualTo(-1);
    JsonNode flink = d.get("spec").get("flinkConfiguration");
    assertThat(options.get(PrescientOptions.CHECKPOINT_DIR))
        .isEqualTo(flink.get("execution.checkpointing.dir").asText());
    assertThat(options.get(PrescientOptions.INCREMENTAL_CHECKPOINTS)).isTrue();
    assertThat(flink.get("execution.checkpointing.incremental").asText()).isEqualTo("true");
    assertThat(flink.get("state.backend.type").asText()).isEqualTo("rocksdb");
    assertThat(flink.get("metrics.reporter.prom.factory.class").asText())
        .isEqualTo("org.apache.flink.metrics.prometheus.PrometheusReporterFactory");
    assertThat(job.get("upgradeMode").asText()).isEqualTo("savepoint");
    assertThat(Class.forName(job.get("entryClass").asText()).getMethod("main", String[].class))
        .isNotNull();
    assertThat(job.get("jarURI").asText()).startsWith("local:///opt/flink/usrlib/");
    if (overlay.equals("prod")) {
      assertThat(flink.get("high-availability.type").asText()).isEqualTo("kubernetes");
      assertThat(d.get("spec").get("jobManager").get("replicas").asInt()).isGreaterThan(1);
    }
  }

  @ParameterizedTest
  @ValueSource(strings = {"dev", "prod"})
  void aTypoInAFieldNameIsCaught(String overlay) throws Exception {
    // The validation is able to fail: a misspelt field must be reported.
    JsonNode d = render(overlay);
    ((ObjectNode) d.get("spec").get("job")).put("upgradMode", "savepoint");
    assertThat(schema.validate(d)).isNotEmpty();
  }
}

package io.prescient.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prescient.operators.InputParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.configuration.ExecutionOptions;
import org.apache.flink.configuration.PipelineOptions;
import org.apache.flink.configuration.StateBackendOptions;
import org.apache.flink.connector.base.DeliveryGuarantee;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PrescientConfigTest {
  @Test
  void defaultsNeedNoConfiguration() {
    Configuration c = PrescientConfig.fromArgs(new String[0]);
    assertThat(c.get(PrescientOptions.DELIVERY_GUARANTEE))
        .isEqualTo(DeliveryGuarantee.EXACTLY_ONCE);
    assertThat(c.get(PrescientOptions.TOPIC_EVENTS)).isEqualTo("events");
  }

  @Test
  void argumentsOverrideTheFileAndFlinkKeysPassThrough(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("prescient.yaml");
    Files.writeString(
        file,
        "# comment\n"
            + "prescient.topic.events: clicks\n"
            + "prescient.checkpoint.interval: 30 s\n"
            + "prescient.delivery-guarantee: at-least-once\n"
            + "pipeline.max-parallelism: \"64\"\n");
    Configuration c =
        PrescientConfig.fromArgs(
            new String[] {
              "--config",
              file.toString(),
              "--prescient.topic.events",
              "views",
              "--prescient.parallelism=3"
            });
    assertThat(c.get(PrescientOptions.TOPIC_EVENTS)).isEqualTo("views");
    assertThat(c.get(PrescientOptions.CHECKPOINT_INTERVAL)).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.get(PrescientOptions.PARALLELISM)).isEqualTo(3);
    assertThat(c.get(PrescientOptions.DELIVERY_GUARANTEE))
        .isEqualTo(DeliveryGuarantee.AT_LEAST_ONCE);

    Configuration flink = PrescientJob.flinkConfiguration(c);
    assertThat(flink.get(PipelineOptions.MAX_PARALLELISM)).isEqualTo(64);
    assertThat(flink.get(StateBackendOptions.STATE_BACKEND)).isEqualTo("rocksdb");
    assertThat(flink.get(PipelineOptions.GENERIC_TYPES)).isFalse();
    assertThat(flink.get(PipelineOptions.AUTO_GENERATE_UIDS)).isFalse();
    assertThat(flink.get(CheckpointingOptions.CHECKPOINTING_INTERVAL))
        .isEqualTo(Duration.ofSeconds(30));
    assertThat(flink.toMap()).noneSatisfy((k, v) -> assertThat(k).startsWith("prescient."));
  }

  /** Each option has a rule, its default passes it, and a value out of range is refused. */
  @Test
  void everyOptionIsCheckedAtStartNamingKeyValueAndWhatIsAllowed() {
    Map<String, OptionChecks.Check<?>> checks = OptionChecks.byKey();
    assertThat(checks.keySet())
        .as("every option needs a rule in OptionChecks")
        .containsExactlyInAnyOrderElementsOf(
            PrescientOptions.all().stream().map(o -> o.key()).toList());
    int refused = 0;
    for (OptionChecks.Check<?> check : checks.values()) {
      String key = check.option().key();
      if (check.bad() == null) {
        continue; // free-form (a path)
      }
      // A checkpoint interval is needed for exactly-once: out of the way for the other checks.
      assertThatThrownBy(() -> PrescientConfig.fromMap(Map.of(key, check.bad())))
          .as(key + " = '" + check.bad() + "'")
          .isInstanceOf(PrescientConfig.ConfigException.class)
          .hasMessageStartingWith(key + " = '" + check.bad() + "' is not allowed")
          .hasMessageContaining("allowed: " + check.allowed());
      refused++;
    }
    assertThat(refused).isGreaterThan(60);
  }

  @Test
  void epsilonOutOfRangeFailsAtStartWhateverTheMode() {
    for (String mode : new String[] {"RULES", "PRIOR"}) {
      assertThatThrownBy(
              () ->
                  PrescientConfig.fromArgs(
                      new String[] {
                        "--prescient.policy.epsilon",
                        "7",
                        "--prescient.policy.without-offer-model",
                        mode
                      }))
          .hasMessage("prescient.policy.epsilon = '7' is not allowed; allowed: 0 .. 1");
    }
    assertThatThrownBy(() -> PrescientConfig.fromMap(Map.of("prescient.policy.epsilon", "NaN")))
        .hasMessageContaining("prescient.policy.epsilon");
  }

  @Test
  void kafkaClientSettingsNeedThePrefixAndSecretsAreMasked() {
    assertThatThrownBy(
            () -> PrescientConfig.fromArgs(new String[] {"--security.protocol", "SASL_SSL"}))
        .hasMessage(
            "'security.protocol' is a Kafka client setting: give it as"
                + " prescient.kafka.properties.security.protocol, so that every source and sink"
                + " gets it");
    assertThatThrownBy(() -> PrescientConfig.fromMap(Map.of("sasl.jaas.config", "x required;")))
        .hasMessageContaining("prescient.kafka.properties.sasl.jaas.config");
    assertThatThrownBy(
            () ->
                PrescientConfig.fromMap(
                    Map.of("prescient.kafka.properties.bootstrap.servers", "x:1")))
        .hasMessageContaining("use prescient.kafka.bootstrap-servers");
    assertThatThrownBy(
            () -> PrescientConfig.fromMap(Map.of("prescient.kafka.properties.no.such", "1")))
        .hasMessageContaining("'no.such' is not a Kafka client setting");

    Configuration c =
        PrescientConfig.fromMap(
            Map.of(
                "prescient.kafka.properties.security.protocol", "SASL_SSL",
                "prescient.kafka.properties.sasl.jaas.config", "Scram required password=\"s3\";",
                "prescient.kafka.properties.ssl.truststore.password", "s4"));
    assertThat(KafkaClientProperties.of(c))
        .containsEntry("security.protocol", "SASL_SSL")
        .containsEntry("ssl.truststore.password", "s4");
    assertThat(KafkaClientProperties.masked(c.toMap()).toString())
        .contains("security.protocol=SASL_SSL")
        .doesNotContain("s3")
        .doesNotContain("s4");
    // Never handed to Flink's configuration.
    assertThat(PrescientJob.flinkConfiguration(c).toMap())
        .noneSatisfy((k, v) -> assertThat(v).contains("s3"));
  }

  /** Low-latency defaults for Flink's own settings; a Flink key given by the user wins. */
  @Test
  void theJobSetsItsBufferTimeoutAndObjectReuseUnlessGiven() {
    Configuration defaults =
        PrescientJob.flinkConfiguration(PrescientConfig.fromArgs(new String[0]));
    assertThat(defaults.get(ExecutionOptions.BUFFER_TIMEOUT)).isEqualTo(Duration.ofMillis(20));
    assertThat(defaults.get(PipelineOptions.OBJECT_REUSE)).isTrue();
    Configuration given =
        PrescientJob.flinkConfiguration(
            PrescientConfig.fromArgs(
                new String[] {
                  "--execution.buffer-timeout.interval", "100ms", "--pipeline.object-reuse", "false"
                }));
    assertThat(given.get(ExecutionOptions.BUFFER_TIMEOUT)).isEqualTo(Duration.ofMillis(100));
    assertThat(given.get(PipelineOptions.OBJECT_REUSE)).isFalse();
  }

  /**
   * The events source batches its fetches (the busy topic); the idle sources keep Kafka's long
   * poll; 0 turns batching off; a client setting given by the user wins on every source.
   */
  @Test
  void theEventsSourceBatchesItsFetchesAndTheUserHasTheLastWord() {
    Configuration defaults = PrescientConfig.fromArgs(new String[0]);
    assertThat(KafkaIO.sourceProperties(defaults, InputParser.Kind.EVENTS))
        .containsEntry("fetch.min.bytes", "65536")
        .containsEntry("fetch.max.wait.ms", "10")
        .containsEntry("isolation.level", "read_committed");
    for (InputParser.Kind idle :
        List.of(InputParser.Kind.PRIVACY, InputParser.Kind.OUTCOMES, InputParser.Kind.REQUESTS)) {
      assertThat(KafkaIO.sourceProperties(defaults, idle))
          .doesNotContainKeys("fetch.min.bytes", "fetch.max.wait.ms");
    }
    Configuration off =
        PrescientConfig.fromArgs(new String[] {"--prescient.kafka.events-fetch-wait", "0 ms"});
    assertThat(KafkaIO.sourceProperties(off, InputParser.Kind.EVENTS))
        .doesNotContainKeys("fetch.min.bytes", "fetch.max.wait.ms");
    Configuration user =
        PrescientConfig.fromMap(Map.of("prescient.kafka.properties.fetch.max.wait.ms", "3"));
    assertThat(KafkaIO.sourceProperties(user, InputParser.Kind.EVENTS))
        .containsEntry("fetch.max.wait.ms", "3");
    assertThat(KafkaIO.sourceProperties(user, InputParser.Kind.PRIVACY))
        .containsEntry("fetch.max.wait.ms", "3");
    assertThatThrownBy(
            () -> PrescientConfig.fromMap(Map.of("prescient.kafka.events-fetch-wait", "2 s")))
        .hasMessageContaining("prescient.kafka.events-fetch-wait")
        .hasMessageContaining("0 (no batching) .. 1 s");
  }

  /**
   * The changelog backend is on with checkpoints and off without; a job resumed with it claims the
   * snapshot, because NO_CLAIM (Flink's default) would fail every checkpoint after the restore.
   */
  @Test
  void changelogStateWithCheckpointsClaimsWhatItResumesFrom() throws Exception {
    Configuration on = PrescientJob.flinkConfiguration(PrescientConfig.fromMap(Map.of()));
    assertThat(on.toMap())
        .containsEntry("state.changelog.enabled", "true")
        .containsEntry("execution.state-recovery.claim-mode", "CLAIM");
    assertThat(on.toMap().get("state.changelog.dstl.dfs.base-path")).endsWith("/changelog");

    Configuration noCheckpoints =
        PrescientJob.flinkConfiguration(
            PrescientConfig.fromMap(
                Map.of(
                    "prescient.checkpoint.interval", "0 s",
                    "prescient.delivery-guarantee", "at-least-once")));
    assertThat(noCheckpoints.toMap())
        .doesNotContainKey("state.changelog.enabled")
        .doesNotContainKey("execution.state-recovery.claim-mode");

    Configuration off =
        PrescientJob.flinkConfiguration(
            PrescientConfig.fromMap(Map.of("prescient.state.changelog", "false")));
    assertThat(off.toMap())
        .doesNotContainKey("state.changelog.enabled")
        .doesNotContainKey("execution.state-recovery.claim-mode");

    // A claim mode given by the user wins; NO_CLAIM with the changelog is refused at start.
    Map<String, String> legacy = Map.of("execution.state-recovery.claim-mode", "LEGACY");
    assertThat(PrescientJob.flinkConfiguration(PrescientConfig.fromMap(legacy)).toMap())
        .containsEntry("execution.state-recovery.claim-mode", "LEGACY");
    assertThatThrownBy(
            () ->
                PrescientConfig.fromMap(Map.of("execution.state-recovery.claim-mode", "NO_CLAIM")))
        .isInstanceOf(PrescientConfig.ConfigException.class)
        .hasMessageContaining("NO_CLAIM cannot resume the changelog state backend");
    assertThat(
            PrescientConfig.fromMap(
                Map.of(
                    "execution.state-recovery.claim-mode", "NO_CLAIM",
                    "prescient.state.changelog", "false")))
        .isNotNull();
  }

  @Test
  void rulesBetweenOptions() {
    assertThatThrownBy(
            () ->
                PrescientConfig.fromMap(
                    Map.of(
                        "prescient.policy.control-share", "0.6",
                        "prescient.policy.rules-share", "0.6")))
        .hasMessageContaining("is over 1");
    assertThatThrownBy(() -> PrescientConfig.fromMap(Map.of("prescient.topic.dlq", "events")))
        .hasMessage(
            "prescient.topic.dlq = 'events' is also prescient.topic.events; allowed: a topic of"
                + " its own");
    Configuration ok =
        PrescientConfig.fromMap(
            Map.of(
                "prescient.policy.creepiness-delay-by-trigger",
                "cart_abandonment:1h,win_back:0s",
                "prescient.kafka.bootstrap-servers",
                "a:9092, b:9093,[::1]:9094"));
    assertThat(ok.get(PrescientOptions.POLICY_DELAY_BY_TRIGGER)).startsWith("cart_abandonment");
  }

  @Test
  void rejectsUnknownOptionsBadValuesAndUnsafeCombinations() {
    assertThatThrownBy(() -> PrescientConfig.fromMap(Map.of("prescient.topic.event", "x")))
        .hasMessageContaining("unknown option 'prescient.topic.event'")
        .hasMessageContaining("prescient.topic.events");
    assertThatThrownBy(
            () -> PrescientConfig.fromMap(Map.of("prescient.checkpoint.interval", "often")))
        .hasMessageContaining("prescient.checkpoint.interval");
    assertThatThrownBy(
            () -> PrescientConfig.fromMap(Map.of("prescient.delivery-guarantee", "MAYBE")))
        .hasMessageContaining("prescient.delivery-guarantee");
    assertThatThrownBy(() -> PrescientConfig.fromMap(Map.of("prescient.checkpoint.interval", "0")))
        .hasMessageContaining("exactly-once needs checkpointing");
    assertThatThrownBy(() -> PrescientConfig.fromArgs(new String[] {"--prescient.parallelism"}))
        .hasMessageContaining("needs a value");
    assertThatThrownBy(() -> PrescientConfig.fromArgs(new String[] {"--config", "/nonexistent"}))
        .hasMessageContaining("cannot read config file");
  }

  @Test
  void aConfigFileMayNestItsKeysAndGivesTheValuesAsWritten(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("prescient.yaml");
    Files.writeString(
        file,
        """
        # a comment line
        prescient.topic.events: clicks   # a comment after a value
        prescient:
          checkpoint: {interval: 100 ms}
          kafka:
            bootstrap-servers: "a:9092,b:9092"
            properties.sasl.jaas.config: 'Scram required password="s3";'
          state:
            incremental: false
          parallelism: 5
        pipeline: {max-parallelism: '64'}
        prescient.checkpoint.dir: ""
        my.note: "it's # not a comment"
        """);
    assertThat(PrescientConfig.readFile(file))
        .containsExactly(
            Map.entry("prescient.topic.events", "clicks"),
            Map.entry("prescient.checkpoint.interval", "100 ms"),
            Map.entry("prescient.kafka.bootstrap-servers", "a:9092,b:9092"),
            Map.entry(
                "prescient.kafka.properties.sasl.jaas.config", "Scram required password=\"s3\";"),
            Map.entry("prescient.state.incremental", "false"),
            Map.entry("prescient.parallelism", "5"),
            Map.entry("pipeline.max-parallelism", "64"),
            Map.entry("prescient.checkpoint.dir", ""),
            Map.entry("my.note", "it's # not a comment"));

    Configuration c = PrescientConfig.fromArgs(new String[] {"--config", file.toString()});
    assertThat(c.get(PrescientOptions.CHECKPOINT_INTERVAL)).isEqualTo(Duration.ofMillis(100));
    assertThat(c.get(PrescientOptions.PARALLELISM)).isEqualTo(5);
    assertThat(c.get(PrescientOptions.INCREMENTAL_CHECKPOINTS)).isFalse();
    assertThat(PrescientJob.flinkConfiguration(c).get(PipelineOptions.MAX_PARALLELISM))
        .isEqualTo(64);
  }

  @Test
  void anEmptyConfigFileOrOneOfCommentsGivesNothing(@TempDir Path dir) throws Exception {
    Path empty = Files.writeString(dir.resolve("empty.yaml"), "");
    Path comments = Files.writeString(dir.resolve("comments.yaml"), "# nothing yet\n\n# here\n");
    assertThat(PrescientConfig.readFile(empty)).isEmpty();
    assertThat(PrescientConfig.readFile(comments)).isEmpty();
  }

  @Test
  void aBadConfigFileIsRefusedOnOneLineWithItsFileAndLine(@TempDir Path dir) throws Exception {
    Map<String, String> refused = new LinkedHashMap<>();
    refused.put("a.b: 1\na.b: 2\n", ":2: Duplicate field 'a.b'");
    refused.put("a:\n  b: 1\n  b: 2\n", ":3: Duplicate field 'b'");
    refused.put("a.b: 1\na:\n  c: 2\n  b: 3\n", ":4: a.b is given twice");
    refused.put("x: 1\ny: {a: 1\n", ":2: while parsing a flow mapping: expected ',' or '}'");
    refused.put("x: 1\n\ny: 'open\n", ":3: while scanning a quoted scalar: found unexpected end");
    refused.put("x: 1\ny: b: c\n", ":2: mapping values are not allowed here");
    refused.put("x: 1\na:\n  b: 1\n c: 2\n", ":4: while parsing a block mapping");
    refused.put("x: 1\ny:\n", ":2: y has no value (write \"\" for an empty one)");
    refused.put("x: ~\n", ":1: x has no value");
    refused.put("x: {}\n", ":1: x has no value");
    refused.put("x:\n  - a\n  - b\n", ":2: x: a list is not accepted");
    refused.put("x: [a, b]\n", ":1: x: a list is not accepted");
    refused.put("x: &v 1\ny: *v\n", ":2: y: aliases (*v) are not accepted");
    refused.put(
        "just text\n",
        ":1: expected 'key: value' lines (a space after the colon), got 'just text'");
    refused.put("- a\n", ":1: expected 'key: value' lines (a space after the colon), got a list");
    refused.put("x: 1\n---\ny: 2\n", ":3: a second YAML document");
    int n = 0;
    for (Map.Entry<String, String> e : refused.entrySet()) {
      Path file = Files.writeString(dir.resolve("bad" + n++ + ".yaml"), e.getKey());
      assertThatThrownBy(() -> PrescientConfig.readFile(file))
          .as(e.getKey())
          .isInstanceOf(PrescientConfig.ConfigException.class)
          .hasMessageStartingWith(file + e.getValue())
          .hasMessageNotContaining("\n");
    }
  }

  /** Every YAML example in docs/configuration.md is a usable --config file. */
  @Test
  void theDocumentedConfigFilesAreAccepted(@TempDir Path dir) throws Exception {
    String doc = Files.readString(Path.of("..", "docs", "configuration.md"));
    Matcher block = Pattern.compile("(?s)```yaml\n(.*?)```").matcher(doc);
    List<Map<String, String>> read = new ArrayList<>();
    while (block.find()) {
      Path file = Files.writeString(dir.resolve("example" + read.size() + ".yaml"), block.group(1));
      Map<String, String> values = PrescientConfig.readFile(file);
      assertThat(values).isNotEmpty();
      PrescientConfig.fromMap(values);
      read.add(values);
    }
    assertThat(read).as("the flat and the nested example").hasSize(2);
    assertThat(read.get(1)).isEqualTo(read.get(0));
  }

  @Test
  void theReadmeConfigurationTableIsGeneratedFromTheOptions() throws Exception {
    String readme = Files.readString(Path.of("..", "docs", "configuration.md"));
    assertThat(readme)
        .as(
            "docs/configuration.md is out of date: paste the output of ./prescient job --options-markdown")
        .contains(PrescientOptions.markdownTable());
  }
}

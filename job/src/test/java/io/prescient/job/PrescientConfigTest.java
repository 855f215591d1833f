package io.prescient.job;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.configuration.CheckpointingOptions;
import org.apache.flink.configuration.Configuration;
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
  void theReadmeConfigurationTableIsGeneratedFromTheOptions() throws Exception {
    String readme = Files.readString(Path.of("..", "README.md"));
    assertThat(readme)
        .as("README.md is out of date: paste PrescientOptions.markdownTable() (see README)")
        .contains(PrescientOptions.markdownTable());
  }
}

package io.prescient.job.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prescient.job.cli.CommandOptions;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

/**
 * {@code prescient demo}'s command line (nothing is started): the options and defaults scripts and
 * tests rely on, job and Flink options passed on, and one-line errors for anything wrong.
 */
class LocalDemoOptionsTest {
  @Test
  void theDefaultsAreTheDocumentedOnes() {
    LocalDemo d = LocalDemo.parse();
    assertThat(d.dataset).isEqualTo("taobao");
    assertThat(d.speedUp).isEqualTo(3600);
    assertThat(d.maxGapMs).isEqualTo(500);
    assertThat(d.limit).isZero();
    assertThat(d.port).isEqualTo(9092);
    assertThat(d.servePort).isEqualTo(8088);
    assertThat(d.churnModel).isEqualTo("train");
    assertThat(d.itemsModel).isEqualTo("train");
    assertThat(d.offerModelAfter).isEqualTo(500);
    assertThat(d.dataDir).isEqualTo(Path.of("..", "shared", "data"));
    assertThat(d.workDir).isEqualTo(Path.of(".local"));
    assertThat(d.kafkaClasspathFile)
        .isEqualTo(Path.of("deploy", "local-kafka", "target", "kafka.classpath"));
    assertThat(d.exitAfterReplay).isFalse();
    assertThat(d.jobOptions).isEmpty();
  }

  @Test
  void theTestsOptionsJobOptionsAndFlinkOptionsAreTaken() {
    LocalDemo d =
        LocalDemo.parse(
            "--dataset",
            "online-retail",
            "--port",
            "0",
            "--serve-port",
            "-1",
            "--speed-up",
            "0",
            "--max-gap",
            "0.25",
            "--limit=1000",
            "--churn-model",
            "none",
            "--items-model",
            "none",
            "--offer-model-after",
            "100",
            "--kafka-classpath-file",
            "k.cp",
            "--exit-after-replay",
            "--prescient.checkpoint.interval",
            "1 s",
            "--prescient.policy.creepiness-delay=0 s",
            "--rest.bind-address",
            "0.0.0.0",
            "--web.cancel.enable=true");
    assertThat(d.dataset).isEqualTo("online-retail");
    assertThat(d.port).isZero();
    assertThat(d.servePort).isEqualTo(-1);
    assertThat(d.speedUp).isZero();
    assertThat(d.maxGapMs).isEqualTo(250);
    assertThat(d.limit).isEqualTo(1000);
    assertThat(d.churnModel).isEqualTo("none");
    assertThat(d.itemsModel).isEqualTo("none");
    assertThat(d.offerModelAfter).isEqualTo(100);
    assertThat(d.kafkaClasspathFile).isEqualTo(Path.of("k.cp"));
    assertThat(d.exitAfterReplay).isTrue();
    assertThat(d.jobOptions("localhost:1"))
        .containsEntry("prescient.checkpoint.interval", "1 s")
        .containsEntry("prescient.policy.creepiness-delay", "0 s")
        .containsEntry("rest.bind-address", "0.0.0.0")
        .containsEntry("web.cancel.enable", "true")
        .containsEntry("prescient.parallelism", "2");
  }

  @Test
  void anUnknownOptionOrABadValueIsOneLineBeforeAnythingStarts() {
    assertThatThrownBy(() -> LocalDemo.run("--no-such-flag"))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient demo: unknown argument --no-such-flag");
    assertThatThrownBy(() -> LocalDemo.parse("--serve-prot", "0"))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient demo: unknown argument --serve-prot (did you mean --serve-port?)");
    assertThatThrownBy(() -> LocalDemo.parse("--dataset", "movielens"))
        .hasMessage(
            "prescient demo: unknown dataset 'movielens' (--dataset: online-retail, rees46,"
                + " taobao)");
    assertThatThrownBy(() -> LocalDemo.parse("--port", "70000"))
        .hasMessage("prescient demo: --port must be a whole number from 0 to 65535, not 70000");
    assertThatThrownBy(() -> LocalDemo.parse("--speed-up", "fast"))
        .hasMessage("prescient demo: --speed-up needs a number, not 'fast'");
    assertThatThrownBy(() -> LocalDemo.parse("--limit", "-5"))
        .hasMessageContaining("--limit needs a number of events");
    assertThatThrownBy(() -> LocalDemo.parse("--churn-model", "no/such/manifest.json"))
        .hasMessage(
            "prescient demo: --churn-model no/such/manifest.json is not a file (give train, none"
                + " or a manifest)");
    assertThatThrownBy(() -> LocalDemo.parse("--prescient.policy.epsilon", "2"))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessageStartingWith("prescient demo: prescient.policy.epsilon = '2'");
    assertThatThrownBy(() -> LocalDemo.parse("--prescient.no-such-key", "1"))
        .hasMessageStartingWith("prescient demo: unknown option 'prescient.no-such-key'");
    assertThatThrownBy(() -> LocalDemo.parse("--rest.bind-address"))
        .hasMessage("prescient demo: --rest.bind-address needs a value");
  }

  @Test
  void helpPrintsTheUsageAndRunsNothing() throws Exception {
    PrintStream out = System.out;
    ByteArrayOutputStream buffer = new ByteArrayOutputStream();
    System.setOut(new PrintStream(buffer, true, StandardCharsets.UTF_8));
    try {
      assertThat(LocalDemo.run("--port", "0", "--help")).isNull();
    } finally {
      System.setOut(out);
    }
    assertThat(buffer.toString(StandardCharsets.UTF_8).replaceAll("\\s+", " "))
        .contains("Usage: prescient demo")
        .contains("--dataset", "--speed-up", "--offer-model-after", "--exit-after-replay")
        .contains("(default: 3600)", "The web UI is on loopback", "<work-dir>/out/<topic>.jsonl");
  }
}

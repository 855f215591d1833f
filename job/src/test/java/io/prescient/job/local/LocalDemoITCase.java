package io.prescient.job.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The demo as a user runs it, on a real Kafka broker process: a real Taobao slice goes in,
 * decisions and the DLQ records of the malformed samples come out, and nothing is left running.
 */
class LocalDemoITCase {
  @Test
  void runsTheWholeLocalStackAndLeavesNothingRunning(@TempDir Path tmp) throws Exception {
    Path data = tmp.resolve("data");
    Path slice = data.resolve("clickstream").resolve("taobao-userbehavior-head.csv.gz");
    Files.createDirectories(slice.getParent());
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(slice))) {
      out.write(Files.readAllBytes(Path.of("src/test/resources/datasets/taobao-slice.csv")));
    }

    LocalDemo.Summary s =
        LocalDemo.run(
            "--dataset",
            "taobao",
            "--data-dir",
            data.toString(),
            "--work-dir",
            tmp.resolve("work").toString(),
            "--kafka-classpath-file",
            "../deploy/local-kafka/target/kafka.classpath",
            "--port",
            "0",
            "--serve-port",
            "0",
            // A small real model over the live feature schema: the demo serves it from the start.
            "--churn-model",
            io.prescient.models.training.SyntheticModels.writeChurn(
                    tmp.resolve("churn"), "20261203T000000Z", 7)
                .toString(),
            "--speed-up",
            "0",
            "--exit-after-replay",
            "--prescient.checkpoint.interval",
            "1 s");

    assertThat(s.failed).isFalse();
    assertThat(s.eventsSent).isEqualTo(29); // 15 views + 9 carts + 5 purchases
    assertThat(s.dlq).isEqualTo(LocalDemo.HOSTILE_RECORDS.size());
    assertThat(s.decisions).isPositive();
    // The product, not only the rules: churn scores, and the epsilon-greedy policy's exact
    // propensities (below 1 for every model-arm decision) from the first decision on.
    assertThat(s.churnScored).isPositive();
    assertThat(s.belowOnePropensity).isPositive();
    // The demo asked its gateway for a decision as a web page would, and the job answered.
    assertThat(s.onsiteRequests).isPositive();
    assertThat(s.onsiteAnswered).isEqualTo(s.onsiteRequests);
    List<String> decisions = Files.readAllLines(tmp.resolve("work/out/decisions.jsonl"));
    assertThat(decisions).hasSize((int) s.decisions);
    assertThat(decisions)
        .allSatisfy(
            d ->
                assertThat(d)
                    .containsPattern(
                        "\"trigger\":\"(cart_abandonment|browse_abandonment|post_purchase|win_back)\""));
    assertThat(ProcessHandle.of(s.brokerPid).map(ProcessHandle::isAlive).orElse(false))
        .as("the broker process is gone")
        .isFalse();
  }
}

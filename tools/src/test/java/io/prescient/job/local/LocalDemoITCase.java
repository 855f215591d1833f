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
    LocalDemo.Summary s =
        runDemo(
            tmp,
            Files.readAllBytes(Path.of("src/test/resources/datasets/taobao-slice.csv")),
            "--serve-port",
            "0",
            // A small real model over the live feature schema: the demo serves it from the start.
            "--churn-model",
            io.prescient.offline.training.SyntheticModels.writeChurn(
                    tmp.resolve("churn"), "20261203T000000Z", 7)
                .toString(),
            "--prescient.checkpoint.interval",
            "1 s");
    assertThat(s.failed).as(whyFailed(s, tmp)).isFalse();
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
    // Next best product: the demo trained item neighbours from the replayed log and announced
    // them; the follow-up of the customer who bought names products, each with its reason.
    assertThat(s.itemsModel).isNotNull();
    assertThat(s.recommending).isPositive();
    List<String> decisions = Files.readAllLines(tmp.resolve("work/out/decisions.jsonl"));
    assertThat(decisions)
        .filteredOn(d -> d.contains("\"recommendations\""))
        .allSatisfy(
            d ->
                assertThat(d)
                    .containsPattern("\"trigger\":\"(browse_abandonment|post_purchase|win_back)\"")
                    .containsPattern("\"reason\":\"(bought together with [^\"]+|popular now)\"")
                    .contains("\"items\":\"" + s.itemsModel + "\""));
    // ... and every decision the demo wrote, recommendations included, fits the published schema.
    com.networknt.schema.JsonSchema schema =
        io.prescient.job.Schemas.schema("decision.schema.json");
    for (String d : decisions) {
      io.prescient.job.Schemas.assertValid(schema, d);
    }
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

  /**
   * The demo's live swap: once its own feedback holds enough records, it trains an offer model from
   * them, announces it on {@code models}, and the job loads it without a restart (its audit report
   * names the version). A synthetic clickstream in the Taobao format: 300 users ten minutes apart,
   * each viewing and carting a product, every third buying it 90 minutes later.
   */
  @Test
  void theDemoTrainsAnOfferModelFromItsOwnFeedbackAndTheJobSwapsItIn(@TempDir Path tmp)
      throws Exception {
    StringBuilder csv = new StringBuilder("user_id,item_id,category_id,behavior_type,timestamp\n");
    long base = 1511827200L; // 2017-11-28T00:00:00Z
    for (int i = 0; i < 300; i++) {
      long t = base + i * 600L;
      String user = Integer.toString(2_000_000 + i);
      String item = Integer.toString(1000 + i % 40);
      String category = Integer.toString(50 + i % 5);
      csv.append(user).append(',').append(item).append(',').append(category).append(",pv,");
      csv.append(t).append('\n');
      csv.append(user).append(',').append(item).append(',').append(category).append(",cart,");
      csv.append(t + 60).append('\n');
      if (i % 3 == 0) {
        csv.append(user).append(',').append(item).append(',').append(category).append(",buy,");
        csv.append(t + 5400).append('\n');
      }
    }
    // The CSV is by user, like the dataset: the replay sorts nothing, so write it in time order.
    List<String> lines = new java.util.ArrayList<>(List.of(csv.toString().split("\n")));
    String header = lines.remove(0);
    lines.sort(
        java.util.Comparator.comparingLong(
            l -> Long.parseLong(l.substring(l.lastIndexOf(',') + 1))));
    LocalDemo.Summary s =
        runDemo(
            tmp,
            (header + "\n" + String.join("\n", lines) + "\n")
                .getBytes(java.nio.charset.StandardCharsets.UTF_8),
            "--serve-port",
            "-1",
            "--churn-model",
            "none",
            "--offer-model-after",
            "100",
            "--prescient.feedback.reward-window",
            "2 h",
            "--prescient.policy.creepiness-delay",
            "0 s",
            "--prescient.checkpoint.interval",
            "1 s");
    assertThat(s.failed).as(whyFailed(s, tmp)).isFalse();
    assertThat(s.offerModel).as("an offer model trained and announced").isNotNull();
    List<String> audit = Files.readAllLines(tmp.resolve("work/out/audit.jsonl"));
    assertThat(audit)
        .as("the job's report of loading the announced model")
        .anyMatch(
            a ->
                a.contains("{\"what\":\"version\",\"value\":\"" + s.offerModel + "\"}")
                    && a.contains("{\"what\":\"model\",\"value\":\"offers\"}")
                    && a.contains("{\"what\":\"loaded\"}"));
  }

  /** The demo's reason for failing and the end of its job log, for an assertion's message. */
  private static String whyFailed(LocalDemo.Summary s, Path tmp) throws java.io.IOException {
    Path log = tmp.resolve("work/demo.log");
    List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
    return "the demo failed: "
        + s.failure
        + "\n--- last lines of demo.log ---\n"
        + String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
  }

  /**
   * Runs the demo as a user would, on {@code csv} as the Taobao dataset (gzipped into a data dir of
   * its own), on a free broker port, at full speed until the replay is done; {@code options}
   * follow.
   */
  private static LocalDemo.Summary runDemo(Path tmp, byte[] csv, String... options)
      throws Exception {
    Path data = tmp.resolve("data");
    Path slice = data.resolve("clickstream").resolve("taobao-userbehavior-head.csv.gz");
    Files.createDirectories(slice.getParent());
    try (OutputStream out = new GZIPOutputStream(Files.newOutputStream(slice))) {
      out.write(csv);
    }
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
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
                "--speed-up",
                "0",
                "--exit-after-replay"));
    args.addAll(List.of(options));
    return LocalDemo.run(args.toArray(String[]::new));
  }
}

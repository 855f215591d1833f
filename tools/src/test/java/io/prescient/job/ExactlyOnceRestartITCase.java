package io.prescient.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.job.savepoint.ExportSavepoint;
import io.prescient.job.savepoint.SavepointUsers;
import java.io.ByteArrayInputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.apache.parquet.format.Util;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Stop with a savepoint, feed more input, resume from the savepoint: state, pending timers and
 * offsets continue where they left off, and under exactly-once no decision is lost or duplicated.
 */
class ExactlyOnceRestartITCase extends PipelineTestBase {

  @Test
  void resumesFromASavepointWithoutLosingOrDuplicatingDecisions(
      @TempDir Path checkpoints, @TempDir Path savepoints) throws Exception {
    String p = "restart";
    createTopics(p);
    Map<String, String> base = baseOptions(p, checkpoints);
    assertThat(base).doesNotContainKey("prescient.delivery-guarantee"); // the default: exactly-once

    // Phase 1: u-p's cart is abandoned within this phase; u-f, u-g and u-h have open carts whose
    // deadlines (11:00) lie after the last event time of the phase (10:30).
    kafka.produce(
        p + "-events",
        List.of(
            event("p1", "u-p", "add_to_cart", "2011-01-04T09:00:00Z", "x1"),
            event("f1", "u-f", "add_to_cart", "2011-01-04T10:00:00Z", "x2"),
            event("g1", "u-g", "add_to_cart", "2011-01-04T10:00:00Z", "x3"),
            event("h1", "u-h", "add_to_cart", "2011-01-04T10:00:00Z", "x4"),
            event("k1", "u-clock1", "view", "2011-01-04T10:30:00Z", "x0"),
            event("k2", "u-clock2", "view", "2011-01-04T10:30:00Z", "x0")));
    JobClient first = start(base, "prescient-phase-1");
    waitUntil(() -> decisionKeys(p).equals(List.of("u-p:p1")), "the phase 1 decision");
    waitUntil(() -> allInputCommitted(p), "phase 1 offsets committed by a checkpoint");
    String savepoint =
        first
            .stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
            .get(60, TimeUnit.SECONDS);

    // Phase 2 on the restored job: u-g is erased (its receipt lists the restored cart and timer),
    // then u-h buys and event time moves past every deadline.
    kafka.produce(p + "-privacy", List.of(privacy("u-g", "erase")));
    Map<String, String> resumed = new HashMap<>(base);
    resumed.put("execution.state-recovery.path", savepoint);
    JobClient second = start(resumed, "prescient-phase-2");
    // One receipt from each keyed operator: the profile's, and the policy's (nothing held yet).
    waitUntil(() -> values(p + "-audit").size() == 2, "the erase receipts");
    JsonNode receipt =
        values(p + "-audit").stream()
            .filter(r -> r.get("component").asText().equals("profile"))
            .findFirst()
            .orElseThrow();
    JsonNode policyReceipt =
        values(p + "-audit").stream()
            .filter(r -> r.get("component").asText().equals("policy"))
            .findFirst()
            .orElseThrow();
    assertThat(receipt.get("user_id").asText()).isEqualTo("u-g");
    assertThat(policyReceipt.get("user_id").asText()).isEqualTo("u-g");
    assertThat(policyReceipt.get("request").asText()).isEqualTo("erase");
    assertThat(policyReceipt.get("effects").toString())
        .isEqualTo("[{\"what\":\"nothing_stored\"}]");
    assertThat(receipt.get("effects").toString())
        .isEqualTo(
            "[{\"what\":\"profile\"},{\"what\":\"trigger_timers\",\"count\":1},"
                + "{\"what\":\"cart_products\",\"count\":1},{\"what\":\"event_ids\",\"count\":1},"
                + "{\"what\":\"category_affinities\",\"count\":1},"
                + "{\"what\":\"suppressed_days\",\"count\":30}]");

    // The purchase must be processed before event time jumps (an idle partition does not hold
    // the watermark back, so the clock events could otherwise make it late): wait for a checkpoint
    // that covers it, then move event time.
    kafka.produce(
        p + "-events", List.of(event("h2", "u-h", "purchase", "2011-01-04T10:40:00Z", "x4")));
    waitUntil(() -> allInputCommitted(p), "the purchase committed by a checkpoint");
    kafka.produce(
        p + "-events",
        List.of(
            event("k3", "u-clock1", "view", "2011-01-04T13:00:00Z", "x0"),
            event("k4", "u-clock2", "view", "2011-01-04T13:00:00Z", "x0")));
    waitUntil(() -> decisionKeys(p).size() >= 2, "the phase 2 decision");
    waitUntil(() -> allInputCommitted(p), "phase 2 offsets committed by a checkpoint");
    String finalSavepoint =
        second
            .stopWithSavepoint(false, savepoints.toUri().toString(), SavepointFormatType.CANONICAL)
            .get(60, TimeUnit.SECONDS);

    // u-p decided once (not again after the restore), u-f's restored timer fired, u-g was erased,
    // u-h bought: exactly two decisions. (This also catches output stamped with 2011 event time:
    // Kafka's time-based retention deleted such records minutes after they were written.)
    assertThat(decisionKeys(p)).containsExactly("u-f:f1", "u-p:p1");
    assertThat(values(p + "-dlq")).isEmpty();

    // Read back with the State Processor API: nothing of the erased user is in any state, the
    // others are all there.
    List<String> users = SavepointUsers.read(finalSavepoint);
    assertThat(users).noneMatch(u -> u.startsWith("u-g:"));
    assertThat(users)
        .extracting(u -> u.substring(0, u.indexOf(':')))
        .containsExactly("u-clock1", "u-clock2", "u-f", "u-h", "u-p");
    // u-h bought: no cart, and one timer pending, the post-purchase follow-up three days later
    assertThat(users)
        .contains(
            "u-h: profile=true cart=0 seen=2 affinities=1 timers=1 triggers=1 no_op_timers=0");
    List<String> policy = SavepointUsers.readPolicy(finalSavepoint);
    assertThat(policy).noneMatch(u -> u.startsWith("u-g:"));
    assertThat(policy).anyMatch(u -> u.startsWith("u-f: ") || u.startsWith("u-p: "));

    // The analyst's export of the same savepoint: one row per profile, none for the erased user,
    // the live features as of each user's latest event.
    Path export = checkpoints.resolve("export");
    ExportSavepoint.export(finalSavepoint, export, 0, PrescientConfig.fromMap(Map.of()));
    List<String> rows = Files.readAllLines(export.resolve("profiles.csv"));
    assertThat(rows.get(0)).startsWith("user_id,first_seen").endsWith(",affinity_concentration");
    assertThat(rows.subList(1, rows.size()))
        .extracting(r -> r.substring(0, r.indexOf(',')))
        .containsExactly("\"u-clock1\"", "\"u-clock2\"", "\"u-f\"", "\"u-h\"", "\"u-p\"");
    String h = rows.stream().filter(r -> r.startsWith("\"u-h\"")).findFirst().orElseThrow();
    assertThat(h.split(",", -1)).hasSize(rows.get(0).split(",").length);
    // Every pending decision point is on a registered timer, and every user with a timer has one.
    List<String> pending = Files.readAllLines(export.resolve("pending_triggers.csv"));
    assertThat(pending.get(0)).isEqualTo("user_id,trigger,due_at,event_id,timer_registered");
    assertThat(pending.subList(1, pending.size())).allMatch(r -> r.endsWith(",true"));
    assertThat(pending.subList(1, pending.size()))
        .extracting(r -> r.substring(1, r.indexOf('"', 1)))
        .containsExactlyInAnyOrderElementsOf(
            users.stream()
                .filter(u -> !u.contains(" timers=0 "))
                .map(u -> u.substring(0, u.indexOf(':')))
                .toList());
    assertThat(pending).anyMatch(r -> r.startsWith("\"u-h\",\"lifecycle\","));
    // The Parquet files hold the same number of rows as the CSV files (footer row counts: the
    // full read-back of Parquet is ExportTableTest's, where Hadoop's API is on the class path).
    for (String table : List.of("profiles", "pending_triggers", "held_decisions")) {
      assertThat(parquetRows(export.resolve(table + ".parquet")))
          .as(table)
          .isEqualTo(Files.readAllLines(export.resolve(table + ".csv")).size() - 1);
    }
  }

  /** The row count in a Parquet file's footer (Thrift metadata, read without Hadoop). */
  static long parquetRows(Path file) throws Exception {
    byte[] bytes = Files.readAllBytes(file);
    int n = bytes.length;
    assertThat(new String(bytes, n - 4, 4, StandardCharsets.US_ASCII)).isEqualTo("PAR1");
    int footer = ByteBuffer.wrap(bytes, n - 8, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
    return Util.readFileMetaData(new ByteArrayInputStream(bytes, n - 8 - footer, footer))
        .getNum_rows();
  }

  /** True when the group's committed offsets (written on checkpoints) reach every input's end. */
  private static boolean allInputCommitted(String prefix) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> committed =
          admin.listConsumerGroupOffsets(prefix).partitionsToOffsetAndMetadata().get();
      Map<TopicPartition, OffsetSpec> request = new HashMap<>();
      for (String t : List.of(prefix + "-events", prefix + "-privacy")) {
        for (int partition = 0; partition < 2; partition++) {
          request.put(new TopicPartition(t, partition), OffsetSpec.latest());
        }
      }
      Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> ends =
          admin.listOffsets(request).all().get();
      for (Map.Entry<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> e : ends.entrySet()) {
        long end = e.getValue().offset();
        OffsetAndMetadata c = committed.get(e.getKey());
        if (end > 0 && (c == null || c.offset() < end)) {
          return false;
        }
      }
      return true;
    }
  }
}

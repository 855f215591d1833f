package io.prescient.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.job.replay.ReplayCommand;
import io.prescient.job.savepoint.SavepointUsers;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.flink.core.execution.JobClient;
import org.apache.flink.core.execution.SavepointFormatType;
import org.apache.flink.runtime.minicluster.MiniCluster;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.flink.test.junit5.InjectMiniCluster;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.common.TopicPartition;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Exactly-once through failures: the TaskManager running the job is killed twice mid-stream, and
 * the decisions are still exactly those of a failure-free replay of the same log, none lost and
 * none twice. The first kill races an {@code erase}: the erase has been processed (its receipt
 * written, not yet committed) when the TaskManager dies, so the restored state holds the user
 * again; after recovery nothing of the user is left in a savepoint, and the receipt is committed
 * once.
 */
class FailureRecoveryITCase extends PipelineTestBase {

  private static final Pattern USER = Pattern.compile("\"user_id\":\"([^\"]+)\"");

  @Test
  void killedTaskManagersLoseAndDuplicateNothingAndAnEraseRacingAKillStillErases(
      @InjectMiniCluster MiniCluster cluster, @TempDir Path tmp) throws Exception {
    String p = "failover";
    createTopicsWithEventsInFileOrder(p);
    // The log, then one later event that carries event time past every deadline of the log (the
    // 24 h delay, follow-ups, win-backs, reward windows). The job is then stopped without
    // draining: a drain would not do, because Flink 2.2 drops the final watermark of a source that
    // is idle when drained (FLINK-40499), and every source here is idle by then.
    List<String> lines =
        new ArrayList<>(Files.readAllLines(ReplayITCase.LOG, StandardCharsets.UTF_8));
    lines.add(
        "{\"event_id\":\"tb-clock\",\"user_id\":\"tb-clock\",\"type\":\"view\","
            + "\"timestamp\":\"2018-03-01T00:00:00Z\",\"product_id\":\"tb-0\","
            + "\"category\":\"tb-cat-0\"}");
    Path log = tmp.resolve("events.jsonl");
    Files.write(log, lines, StandardCharsets.UTF_8);
    int firstPart = 1_000;
    String erased = userWithEverythingBefore(lines, firstPart);

    Map<String, String> o = baseOptions(p, tmp.resolve("checkpoints"));
    // Exactly-once (the default). Checkpoints every 3 s leave each kill a window in which output
    // is written but not committed.
    o.put("prescient.checkpoint.interval", "3 s");
    o.put("prescient.watermark.out-of-orderness", "5 min");
    // The whole policy as in production: all three arms, exploration, a delay, but of 30 min so
    // that decisions are released while the six hours of the log stream by (and both kills catch
    // some in flight), not only at the end.
    o.put("prescient.policy.control-share", "0.1");
    o.put("prescient.policy.rules-share", "0.45");
    o.put("prescient.policy.creepiness-delay", "30 min");
    o.put("prescient.policy.without-offer-model", "PRIOR");

    // The failure-free run: the same topology over the same log, no erase.
    ReplayCommand.run(
        PrescientConfig.fromMap(o),
        log,
        new ReplayCommand.Inputs(null, null, null, null),
        tmp.resolve("replay"));
    List<String> replayed = Files.readAllLines(tmp.resolve("replay").resolve("decisions.jsonl"));
    List<String> replayedOthers = replayed.stream().filter(d -> !userOf(d).equals(erased)).toList();
    assertThat(replayed).hasSizeGreaterThan(200);

    kafka.produceUnacknowledged(p + "-events", records(lines.subList(0, firstPart)));
    JobClient job = start(o, "prescient-failover");
    waitUntil(() -> committed(p + "-events") >= firstPart, "the first part committed");

    // Kill 1 races the erase: the TaskManager dies once the erase was processed (its receipt
    // written) but, most likely, before the checkpoint that commits it.
    kafka.produce(p + "-privacy", List.of(privacy(erased, "erase")));
    waitUntil(
        () -> readUncommitted(p + "-audit").stream().anyMatch(r -> r.contains(erased)),
        "the erase processed (its receipt written)");
    boolean eraseCommittedAtKill1 =
        values(p + "-audit").stream().anyMatch(r -> r.get("user_id").asText().equals(erased));
    killTheTaskManager(cluster);

    int decisionsAtKill1 = values(p + "-decisions").size();
    // Kill 2 in the middle of the rest of the log: sent in small batches over several seconds, the
    // TaskManager dies once a checkpoint has committed part of it and decisions were written
    // (in a transaction) since.
    AtomicInteger sent = new AtomicInteger(firstPart);
    AtomicReference<Exception> sendFailure = new AtomicReference<>();
    Thread sender =
        new Thread(
            () -> {
              try {
                for (int i = firstPart; i < lines.size(); i += 50) {
                  List<String> batch = lines.subList(i, Math.min(lines.size(), i + 50));
                  kafka.produceUnacknowledged(p + "-events", records(batch));
                  sent.addAndGet(batch.size());
                  Thread.sleep(150);
                }
              } catch (Exception e) {
                sendFailure.set(e);
              }
            },
            "failover-sender");
    sender.start();
    waitUntil(
        () ->
            committed(p + "-events") > firstPart
                && distinctIds(readUncommitted(p + "-decisions"))
                    > distinctIds(
                        kafka.readAll(p + "-decisions").stream()
                            .map(r -> new String(r.value(), StandardCharsets.UTF_8))
                            .toList()),
        "a checkpoint in the second part, and decisions written since");
    int sentAtKill2 = sent.get();
    int decisionsAtKill2 = values(p + "-decisions").size();
    killTheTaskManager(cluster);
    sender.join();
    assertThat(sendFailure.get()).isNull();

    // Everything read and decided, then stopped with a savepoint (which commits the rest).
    waitUntil(() -> committed(p + "-events") >= lines.size(), "every event committed");
    waitUntil(() -> committed(p + "-privacy") >= 1, "the erase committed");
    waitUntil(
        () ->
            readUncommitted(p + "-decisions").stream()
                    .filter(d -> !userOf(d).equals(erased))
                    .map(FailureRecoveryITCase::decisionId)
                    .distinct()
                    .count()
                >= replayedOthers.size(),
        "every decision of the failure-free run written");
    String savepoint =
        job.stopWithSavepoint(
                false, tmp.resolve("savepoints").toUri().toString(), SavepointFormatType.CANONICAL)
            .get(120, TimeUnit.SECONDS);

    // Every decision exactly as in the failure-free run, once; the erased user's decisions are
    // some of those the replay makes (it has no erase), none after the erase.
    assertThat(values(p + "-dlq")).isEmpty();
    List<String> live = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> r : kafka.readAll(p + "-decisions")) {
      live.add(new String(r.value(), StandardCharsets.UTF_8));
    }
    live.sort(null);
    assertThat(live.stream().filter(d -> !userOf(d).equals(erased)).toList())
        .containsExactlyElementsOf(replayedOthers);
    assertThat(replayed.stream().filter(d -> userOf(d).equals(erased)).toList())
        .containsAll(live.stream().filter(d -> userOf(d).equals(erased)).toList());

    // The erase: one receipt per keyed operator, committed once, and no trace in any state.
    List<JsonNode> receipts =
        values(p + "-audit").stream()
            .filter(r -> r.get("user_id").asText().equals(erased))
            .toList();
    assertThat(receipts).hasSize(2);
    assertThat(receipts)
        .anySatisfy(
            r -> assertThat(r.get("effects").get(0).get("what").asText()).isEqualTo("profile"));
    List<String> users = SavepointUsers.read(savepoint);
    assertThat(users).hasSizeGreaterThan(100);
    assertThat(users).noneMatch(u -> u.startsWith(erased + ":"));
    assertThat(SavepointUsers.readPolicy(savepoint)).noneMatch(u -> u.startsWith(erased + ":"));
    System.out.printf(
        "failover: 2 TaskManager kills (erase receipt already committed at kill 1: %s; %,d of %,d"
            + " events sent at kill 2; %d and %d decisions committed at the kills); %,d decisions as in the failure-free run; %s erased%n",
        eraseCommittedAtKill1,
        sentAtKill2,
        lines.size(),
        decisionsAtKill1,
        decisionsAtKill2,
        live.size(),
        erased);
  }

  /** A user with a cart add whose every event lies in the first {@code n} lines. */
  private static String userWithEverythingBefore(List<String> lines, int n) {
    Map<String, Integer> last = new LinkedHashMap<>();
    Map<String, Boolean> cart = new HashMap<>();
    for (int i = 0; i < lines.size(); i++) {
      String u = userOf(lines.get(i));
      last.put(u, i);
      if (lines.get(i).contains("\"add_to_cart\"")) {
        cart.put(u, true);
      }
    }
    return last.entrySet().stream()
        .filter(e -> e.getValue() < n && cart.containsKey(e.getKey()))
        .map(Map.Entry::getKey)
        .findFirst()
        .orElseThrow();
  }

  private static String userOf(String json) {
    Matcher m = USER.matcher(json);
    if (!m.find()) {
      throw new IllegalArgumentException("no user_id in " + json);
    }
    return m.group(1);
  }

  private static long distinctIds(List<String> decisions) {
    return decisions.stream().map(FailureRecoveryITCase::decisionId).distinct().count();
  }

  private static String decisionId(String json) {
    int i = json.indexOf("\"decision_id\":\"") + 15;
    return json.substring(i, json.indexOf('"', i));
  }

  private static List<Map.Entry<String, byte[]>> records(List<String> lines) {
    return lines.stream().map(l -> json(userOf(l), l)).toList();
  }

  /** The group's committed offsets over all partitions of a topic. */
  private static long committed(String topic) throws Exception {
    try (Admin admin = Admin.create(Map.of("bootstrap.servers", kafka.bootstrapServers()))) {
      Map<TopicPartition, OffsetAndMetadata> c =
          admin.listConsumerGroupOffsets("failover").partitionsToOffsetAndMetadata().get();
      return c.entrySet().stream()
          .filter(e -> e.getKey().topic().equals(topic) && e.getValue() != null)
          .mapToLong(e -> e.getValue().offset())
          .sum();
    }
  }
}

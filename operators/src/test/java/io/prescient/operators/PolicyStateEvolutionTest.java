package io.prescient.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.models.rules.CartAbandonmentRule;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.DecisionIds;
import io.prescient.state.contract.Feedback;
import java.nio.file.Path;
import java.time.Duration;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;

/**
 * Policy state written before the due-time index (commit 63ff416, policy state format 2: {@link
 * PolicyUser} without {@code dueAt}, {@code dueKind}, {@code dueKey}) restores into {@link
 * PolicyOperator}. The snapshot in src/test/resources/migration was written by that version's code
 * on RocksDB: u2 decided at T0 and released at T0 + 1 day, with a CLICKED outcome at T0 + 2 days
 * buffered ahead of the watermark; u1 decided at T0 + 1 day, held until T0 + 2 days; the watermark
 * at T0 + 1 day. Each user's index is built from its map states on its first settle.
 */
class PolicyStateEvolutionTest {
  static final long T0 = 1_300_000_020_000L;
  static final long DAY = 24 * 3_600_000L;

  @Test
  void restoresStateWrittenBeforeTheDueIndexAndSettlesIt() throws Exception {
    OperatorSubtaskState v2 =
        OperatorSnapshotUtil.readStateHandle(
            Path.of("src/test/resources/migration/policy-v2-rocksdb.snapshot").toString());
    PolicyFunction fn =
        new PolicyFunction(
            PolicyFunctionTest.rulesOnly(), "", Duration.ofDays(7), Duration.ofMinutes(1), 1024);
    try (KeyedBroadcastOperatorTestHarness<String, PolicyInput, Envelope, Decision> h =
        new KeyedBroadcastOperatorTestHarness<>(
            new PolicyOperator(fn), in -> in.userId, Types.STRING, 1, 1, 0)) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend());
      h.initializeState(v2);
      h.open();

      PolicyUser u1 = PolicyStateReads.user(h, "u1");
      assertThat(u1.dueAt).isNull(); // as written: no index yet
      assertThat(u1.nextDueAt).isEqualTo(T0 + 2 * DAY);

      h.watermark(T0 + 2 * DAY);
      assertThat(h.extractOutputValues())
          .extracting(d -> d.userId + "@" + d.sendAfter)
          .containsExactly("u1@" + (T0 + 2 * DAY));
      u1 = PolicyStateReads.user(h, "u1");
      assertThat(u1.dueAt).containsExactly(T0 + 8 * DAY); // its reward window, indexed
      assertThat(u1.dueKind).containsExactly(DueIndex.CLOSE);
      assertThat(u1.nextDueAt).isEqualTo(T0 + 8 * DAY);

      h.watermark(T0 + 9 * DAY);
      assertThat(h.getSideOutput(PolicyFunction.FEEDBACK))
          .extracting(StreamRecord::getValue)
          .extracting(PolicyStateEvolutionTest::summary)
          .containsExactlyInAnyOrder(
              "u2 " + DecisionIds.of("u2", CartAbandonmentRule.TRIGGER, "f1") + " clicked=true",
              "u1 " + DecisionIds.of("u1", CartAbandonmentRule.TRIGGER, "e1") + " clicked=false");
      assertThat(PolicyStateReads.user(h, "u2").dueAt).isEmpty();
      assertThat(PolicyStateReads.user(h, "u2").nextDueAt).isEqualTo(Long.MAX_VALUE);
    }
  }

  private static String summary(Feedback f) {
    return f.decision.userId + " " + f.decision.decisionId + " clicked=" + f.clicked;
  }
}

package io.prescient.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.models.rules.CartAbandonmentRule;
import io.prescient.state.contract.AuditRecord;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.DecisionIds;
import io.prescient.state.contract.Outcome;
import io.prescient.state.contract.OutcomeType;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The policy's write-behind cache of user records ({@link PolicyStateStore} under {@link
 * PolicyOperator}), and its answer of a user without a record's message and shown histories without
 * reading them, change nothing: one seeded stream of decision points, purchases, outcomes, consent
 * changes and erasures gives the same decisions, feedback, audit and DLQ records, timers and final
 * state as Flink's own operator (no cache, every history read from state), with a cache smaller
 * than the users (every input evicts a changed record) or larger, and across a checkpoint taken
 * mid-stream and restored into a new task (records only in the cache then must be in the
 * checkpoint).
 */
class PolicyUserCacheTest {
  static final long T0 = 1_300_000_020_000L;
  static final long HOUR = 3_600_000L;
  static final long DAY = 24 * HOUR;
  static final int USERS = 10;

  /** The stream's results without the cache (run once). */
  private static List<Object> reference;

  private KeyedBroadcastOperatorTestHarness<String, PolicyInput, Envelope, Decision> harness;

  @ParameterizedTest
  @CsvSource({
    "2, false, 0",
    "1000, false, 0",
    "2, true, 0",
    "1000, true, 0",
    "1000, false, 1",
    "1000, true, 1"
  })
  void theCacheChangesNothing(int cacheSize, boolean restoreMidway, long writeAfterMs)
      throws Exception {
    if (reference == null) {
      reference = run(0, false, 0);
    }
    List<?> audits = (List<?>) reference.get(2);
    assertThat((List<?>) reference.get(0)).hasSizeGreaterThan(100);
    assertThat((List<?>) reference.get(1)).hasSizeGreaterThan(50); // feedback: windows closed
    assertThat(audits).anyMatch(a -> a.toString().startsWith("decision_cancelled"));
    assertThat(audits).anyMatch(a -> a.toString().startsWith("erase"));
    assertThat((List<?>) reference.get(3)).isNotEmpty(); // outcomes of no open decision
    assertThat(reference.subList(5, reference.size())).anyMatch(u -> u != null);

    assertThat(run(cacheSize, restoreMidway, writeAfterMs))
        .usingRecursiveComparison()
        .withEqualsForType(Double::equals, Double.class)
        .withEqualsForType(Float::equals, Float.class)
        .isEqualTo(reference);
  }

  /**
   * A record changed longer ago than the write-after age is in the state before any barrier (the
   * next input wrote it); one changed by the last input is only in the cache.
   */
  @ParameterizedTest
  @CsvSource({"20, true", "0, false"})
  void aRecordThatWaitedTheWriteAfterAgeIsWrittenByTheNextInput(long writeAfterMs, boolean written)
      throws Exception {
    harness = open(1000, null, writeAfterMs);
    harness.processElement(purchase("u1", T0), T0);
    Thread.sleep(60);
    harness.processElement(purchase("u2", T0 + 1), T0 + 1);
    if (written) {
      assertThat(PolicyStateReads.storedUser(harness, "u1").lastPurchaseAt).isEqualTo(T0);
    } else {
      assertThat(PolicyStateReads.storedUser(harness, "u1")).isNull();
    }
    assertThat(PolicyStateReads.storedUser(harness, "u2")).isNull();
    assertThat(PolicyStateReads.user(harness, "u2").lastPurchaseAt).isEqualTo(T0 + 1); // barrier
    harness.close();
  }

  private static PolicyInput purchase(String user, long at) {
    PolicyInput in = PolicyInput.signal(PolicyInput.Kind.PURCHASE, user, at);
    in.value = 20.0;
    return in;
  }

  /** Decisions, feedback, audit, DLQ, timers left and every user's final record of one stream. */
  private List<Object> run(int cacheSize, boolean restoreMidway, long writeAfterMs)
      throws Exception {
    harness = open(cacheSize, null, writeAfterMs);
    List<Object> decisions = new ArrayList<>();
    List<Object> feedback = new ArrayList<>();
    List<Object> audits = new ArrayList<>();
    List<Object> rejected = new ArrayList<>();
    List<String[]> made = new ArrayList<>(); // decision id, user
    Random r = new Random(11);
    OutcomeType[] outcomeTypes = OutcomeType.values();
    long t = T0;
    long watermark = Long.MIN_VALUE;
    for (int i = 0; i < 2_000; i++) {
      t += r.nextInt((int) (3 * HOUR));
      String user = "u" + r.nextInt(USERS);
      int dice = r.nextInt(100);
      PolicyInput in;
      if (dice < 45) {
        in = PolicyFunctionTest.candidate(user, "e" + i, t, "p" + r.nextInt(6));
        made.add(new String[] {DecisionIds.of(user, CartAbandonmentRule.TRIGGER, "e" + i), user});
      } else if (dice < 60) {
        in = PolicyInput.signal(PolicyInput.Kind.PURCHASE, user, t);
        in.value = 20.0;
      } else if (dice < 88 && !made.isEmpty()) {
        String[] made1 = made.get(made.size() - 1 - r.nextInt(Math.min(made.size(), 40)));
        // Some outcomes arrive ahead of the watermark (buffered), some behind it (joined now).
        long at = t + (r.nextBoolean() ? 0 : r.nextInt((int) (2 * DAY)));
        Outcome o =
            new Outcome(made1[0], made1[1], outcomeTypes[r.nextInt(outcomeTypes.length)], at, 5.0);
        in = PolicyInput.outcome(Envelope.of(o, "outcomes", 0, i));
      } else if (dice < 97) {
        PolicyInput.Kind[] consent = {
          PolicyInput.Kind.OPT_OUT,
          PolicyInput.Kind.OPT_IN,
          PolicyInput.Kind.OPT_IN,
          PolicyInput.Kind.UNSUBSCRIBE
        };
        in = PolicyInput.signal(consent[r.nextInt(consent.length)], user, t);
        in.channels.add("email");
      } else {
        in = PolicyInput.signal(PolicyInput.Kind.ERASE, user, t);
      }
      harness.processElement(in, in.timestamp);
      if (i % 25 == 0) {
        watermark = t - HOUR;
        harness.processWatermark(new Watermark(watermark));
      }
      if (restoreMidway && i == 1_000) {
        // As a task does at a checkpoint: flush before the barrier, then snapshot.
        harness.prepareSnapshotPreBarrier(1);
        OperatorSubtaskState snapshot = harness.snapshot(1, t);
        collect(decisions, feedback, audits, rejected);
        harness.close();
        harness = open(cacheSize, snapshot, writeAfterMs);
        harness.processWatermark(new Watermark(watermark)); // not in checkpoints: sent again
      }
    }
    harness.processWatermark(new Watermark(t + 10 * DAY));
    harness.prepareSnapshotPreBarrier(2); // the cached records reach the state
    collect(decisions, feedback, audits, rejected);
    List<Object> out = new ArrayList<>(List.of(decisions, feedback, audits, rejected));
    out.add(harness.numEventTimeTimers());
    for (int u = 0; u < USERS; u++) {
      out.add(PolicyStateReads.user(harness, "u" + u));
    }
    harness.close();
    return out;
  }

  private static KeyedBroadcastOperatorTestHarness<String, PolicyInput, Envelope, Decision> open(
      int cacheSize, OperatorSubtaskState restore, long writeAfterMs) throws Exception {
    PolicyFunction fn =
        new PolicyFunction(
                PolicyFunctionTest.engine(0.2, 0.8, "email:1/1d,3/7d", 0),
                "",
                Duration.ofDays(7),
                Duration.ofMinutes(1),
                1024)
            .withUserCache(cacheSize, Duration.ofMillis(writeAfterMs));
    // Without a cache: Flink's own operator for the function, as before the cache existed.
    CoBroadcastWithKeyedOperator<String, PolicyInput, Envelope, Decision> op =
        cacheSize == 0
            ? new CoBroadcastWithKeyedOperator<>(
                fn, List.of(PolicyState.MODELS, PolicyState.CATALOG))
            : new PolicyOperator(fn);
    KeyedBroadcastOperatorTestHarness<String, PolicyInput, Envelope, Decision> h =
        new KeyedBroadcastOperatorTestHarness<>(op, in -> in.userId, Types.STRING, 1, 1, 0);
    h.setStateBackend(new EmbeddedRocksDBStateBackend());
    if (restore != null) {
      h.initializeState(restore);
    }
    h.open();
    return h;
  }

  private void collect(
      List<Object> decisions, List<Object> feedback, List<Object> audits, List<Object> rejected) {
    decisions.addAll(harness.extractOutputValues());
    feedback.addAll(side(PolicyFunction.FEEDBACK));
    for (AuditRecord a : side(PolicyFunction.AUDIT)) {
      audits.add(a.request + " " + a.userId + " " + a.effects);
    }
    side(PolicyFunction.DLQ).forEach(x -> rejected.add(x.reason + " " + x.detail));
  }

  private <T> List<T> side(OutputTag<T> tag) {
    ConcurrentLinkedQueue<StreamRecord<T>> q = harness.getSideOutput(tag);
    return q == null ? List.of() : q.stream().map(StreamRecord::getValue).toList();
  }
}

package io.prescient.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prescient.models.artifact.LoadedModel;
import io.prescient.models.drift.DriftMonitor;
import io.prescient.models.items.ItemSimilarity;
import io.prescient.models.policy.Arms;
import io.prescient.models.policy.ChurnModelPolicy;
import io.prescient.models.policy.FrequencyCaps;
import io.prescient.models.policy.Guardrails;
import io.prescient.models.policy.OfferCatalog;
import io.prescient.models.policy.PolicyEngine;
import io.prescient.models.rules.CartAbandonmentRule;
import io.prescient.models.rules.LifecycleRule;
import io.prescient.offline.training.SyntheticModels;
import io.prescient.state.contract.AuditRecord;
import io.prescient.state.contract.CatalogEntry;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.DecisionIds;
import io.prescient.state.contract.Effect;
import io.prescient.state.contract.Feedback;
import io.prescient.state.contract.ModelAnnouncement;
import io.prescient.state.contract.Outcome;
import io.prescient.state.contract.OutcomeType;
import io.prescient.state.contract.RejectReason;
import io.prescient.state.contract.Rejection;
import io.prescient.state.features.FeatureSchema;
import io.prescient.state.profile.SensitiveCategories;
import io.prescient.state.profile.UserProfile;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentLinkedQueue;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.co.CoBroadcastWithKeyedOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedBroadcastOperatorTestHarness;
import org.apache.flink.util.OutputTag;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The policy operator on real RocksDB state, driven by a harness: the creepiness delay and its
 * re-check at release (each cancellation reason), guardrails that need the user's history (caps,
 * the shown limit), held decisions across a snapshot and restore, the feedback join and erase.
 */
class PolicyFunctionTest {
  private static final long T0 = 1_300_000_020_000L; // a whole minute
  private static final long MINUTE = 60_000L;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;

  @TempDir Path dir;

  private KeyedBroadcastOperatorTestHarness<String, PolicyInput, Envelope, Decision> harness;

  @AfterEach
  void close() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  /** Everyone in the rules arm unless said otherwise; email capped at 1 a day, 3 a week. */
  static PolicyEngine engine(double control, double rules, String caps, long minHistory) {
    return new PolicyEngine(
        new PolicyEngine.Settings(
            OfferCatalog.load(""),
            new Arms("test", control, rules),
            0.10,
            0.5,
            PolicyEngine.WithoutOfferModel.PRIOR,
            Map.of(),
            DAY,
            7 * DAY,
            30.0,
            0.0),
        new Guardrails(
            new Guardrails.Settings(
                FrequencyCaps.parse(caps),
                0.05,
                3,
                30 * DAY,
                minHistory,
                0.30,
                new SensitiveCategories(SensitiveCategories.DEFAULTS))));
  }

  static PolicyEngine rulesOnly() {
    return engine(0, 1, "email:1/1d,3/7d", 0);
  }

  private KeyedBroadcastOperatorTestHarness<String, PolicyInput, Envelope, Decision> open(
      PolicyFunction fn, OperatorSubtaskState restore) throws Exception {
    KeyedBroadcastOperatorTestHarness<String, PolicyInput, Envelope, Decision> h =
        new KeyedBroadcastOperatorTestHarness<>(
            new CoBroadcastWithKeyedOperator<>(
                fn, List.of(PolicyState.MODELS, PolicyState.CATALOG)),
            in -> in.userId,
            Types.STRING,
            1,
            1,
            0);
    h.setStateBackend(new EmbeddedRocksDBStateBackend());
    if (restore != null) {
      h.initializeState(restore);
    }
    h.open();
    return h;
  }

  private static PolicyFunction function(PolicyEngine engine) {
    return new PolicyFunction(engine, "", Duration.ofDays(7), Duration.ofMinutes(1), 1024);
  }

  /** A cart-abandonment decision point as the profile emits it. */
  static PolicyInput candidate(String user, String event, long at, String product) {
    Decision d = new Decision();
    d.decisionId = DecisionIds.of(user, CartAbandonmentRule.TRIGGER, event);
    d.userId = user;
    d.trigger = CartAbandonmentRule.TRIGGER;
    d.triggeringEventId = event;
    d.decidedAt = at;
    d.productId = product;
    d.category = "bags";
    d.scores.put("cart_value", 50.0);
    d.reasonCodes.add("CART_ABANDONED");
    d.why = "1 item left in the cart";
    return PolicyInput.candidate(
        new DecisionCandidate(d, new float[FeatureSchema.names().size()], 40, 50.0));
  }

  private static PolicyInput signal(PolicyInput.Kind kind, String user, long at, String... ch) {
    PolicyInput in = PolicyInput.signal(kind, user, at);
    in.channels.addAll(List.of(ch));
    return in;
  }

  private static PolicyInput outcome(String decisionId, String user, OutcomeType t, long at) {
    Envelope env = Envelope.of(new Outcome(decisionId, user, t, at, 42.0), "outcomes", 0, 7);
    return PolicyInput.outcome(env);
  }

  private void send(PolicyInput in) throws Exception {
    harness.processElement(in, in.timestamp);
  }

  private void catalog(String product, boolean inStock, double margin, boolean sensitive)
      throws Exception {
    harness.processBroadcastElement(
        Envelope.of(
            new CatalogEntry(product, "bags", 25.0, margin, inStock, sensitive), "catalog", 0, 0),
        0L);
  }

  private List<Decision> decisions() {
    return harness.extractOutputValues();
  }

  private <T> List<T> side(OutputTag<T> tag) {
    ConcurrentLinkedQueue<StreamRecord<T>> q = harness.getSideOutput(tag);
    return q == null ? List.of() : q.stream().map(StreamRecord::getValue).toList();
  }

  private List<String> cancellations() {
    return side(PolicyFunction.AUDIT).stream()
        .filter(a -> a.request.equals("decision_cancelled"))
        .flatMap(a -> a.effects.stream())
        .filter(e -> e.what.equals("reason"))
        .map(e -> e.value)
        .toList();
  }

  @Test
  void anOutboundDecisionIsHeldForTheDelayThenReleased() throws Exception {
    harness = open(function(rulesOnly()), null);
    send(candidate("u1", "e1", T0, "p1"));
    assertThat(decisions()).isEmpty();
    assertThat(harness.numEventTimeTimers()).isEqualTo(2); // the release and the reward window
    harness.watermark(T0 + DAY - MINUTE);
    assertThat(decisions()).isEmpty();

    harness.watermark(T0 + DAY);
    assertThat(decisions()).hasSize(1);
    Decision d = decisions().get(0);
    assertThat(d.arm).isEqualTo("rules");
    assertThat(d.offerId).isEqualTo("cart_reminder");
    assertThat(d.action).isEqualTo("reminder");
    assertThat(d.channel).isEqualTo("email");
    assertThat(d.productId).isEqualTo("p1");
    assertThat(d.decidedAt).isEqualTo(T0);
    assertThat(d.sendAfter).isEqualTo(T0 + DAY);
    assertThat(d.expiresAt).isEqualTo(T0 + 8 * DAY);
    assertThat(d.propensity).isEqualTo(1.0);
    assertThat(d.reasonCodes).contains("CART_ABANDONED", "CREEPINESS_DELAY");
    assertThat(d.candidates)
        .containsExactly(
            "cart_discount_10", "cart_reminder", "cart_reminder_push", "cart_free_shipping");
    assertThat(d.candidateValues).containsKeys(d.candidates.toArray(new String[0]));
    assertThat(d.experiment).isEqualTo("test");
  }

  @Test
  void aHeldDecisionIsStoredOnceInItsFeedbackRecordUnlessTheWindowClosesFirst() throws Exception {
    harness = open(function(rulesOnly()), null);
    send(candidate("u1", "e1", T0, "p1"));
    String id = DecisionIds.of("u1", CartAbandonmentRule.TRIGGER, "e1");
    HeldDecision held = PolicyStateReads.held(harness, "u1", id);
    assertThat(held.decision).isNull(); // the feedback record holds it
    assertThat(held.sendAfter).isEqualTo(T0 + DAY);
    harness.watermark(T0 + DAY);
    assertThat(decisions()).extracting(d -> d.decisionId).containsExactly(id);
    assertThat(PolicyStateReads.held(harness, "u1", id)).isNull();
    harness.close();

    // A reward window shorter than the delay closes before the release: the entry keeps it.
    harness =
        open(
            new PolicyFunction(rulesOnly(), "", Duration.ofHours(1), Duration.ofMinutes(1), 1024),
            null);
    send(candidate("u1", "e1", T0, "p1"));
    assertThat(PolicyStateReads.held(harness, "u1", id).decision.decisionId).isEqualTo(id);
    harness.watermark(T0 + DAY);
    assertThat(decisions()).extracting(d -> d.decisionId).containsExactly(id);
    assertThat(side(PolicyFunction.FEEDBACK)).hasSize(1);
  }

  @Test
  void heldDecisionsSurviveASnapshotAndRestore() throws Exception {
    harness = open(function(rulesOnly()), null);
    send(candidate("u1", "e1", T0, "p1"));
    send(candidate("u2", "e2", T0 + HOUR, "p2"));
    OperatorSubtaskState snapshot = harness.snapshot(1L, T0 + HOUR);
    harness.close();

    harness = open(function(rulesOnly()), snapshot);
    assertThat(harness.numEventTimeTimers()).isEqualTo(4); // 2 releases, 2 reward windows
    harness.watermark(T0 + 2 * DAY);
    assertThat(decisions())
        .extracting(d -> d.userId + "@" + d.sendAfter)
        .containsExactly("u1@" + (T0 + DAY), "u2@" + (T0 + HOUR + DAY));
  }

  @Test
  void aDecisionDueBeforeTheNextInputIsReleasedFirstThoughItsTimerHasNotFired() throws Exception {
    harness = open(function(rulesOnly()), null);
    send(candidate("u1", "e1", T0, "p1")); // held until T0 + 1 day
    send(candidate("u2", "e2", T0, "p2"));
    // No watermark: only u1's own purchase after the release time settles it, first; a purchase
    // before it cancels it. u2's purchase comes within the delay.
    send(signal(PolicyInput.Kind.PURCHASE, "u1", T0 + DAY + MINUTE));
    send(signal(PolicyInput.Kind.PURCHASE, "u2", T0 + HOUR));
    assertThat(decisions()).extracting(d -> d.userId).containsExactly("u1");
    harness.watermark(T0 + 2 * DAY);
    assertThat(decisions()).extracting(d -> d.userId).containsExactly("u1");
    assertThat(cancellations()).containsExactly("purchased");
  }

  @Test
  void stateRestoredFromASnapshotWithoutTheFormatMarkerIsScannedOnEveryInput() throws Exception {
    PolicyFunction first = function(rulesOnly());
    harness = open(first, null);
    send(candidate("u1", "e1", T0, "p1"));
    assertThat(first.scansOnEveryInput()).isFalse(); // a new job writes format 2 from the start
    OperatorSubtaskState current = harness.snapshot(1L, T0);
    harness.close();
    // What a job before format 2 left: the keyed state, no marker in the operator state.
    OperatorSubtaskState legacy =
        OperatorSubtaskState.builder().setManagedKeyedState(current.getManagedKeyedState()).build();

    PolicyFunction restored = function(rulesOnly());
    harness = open(restored, legacy);
    assertThat(restored.scansOnEveryInput()).isTrue();
    send(signal(PolicyInput.Kind.PURCHASE, "u1", T0 + DAY + MINUTE));
    assertThat(decisions()).extracting(d -> d.userId).containsExactly("u1");
    OperatorSubtaskState again = harness.snapshot(2L, T0 + DAY);
    harness.close();

    PolicyFunction later = function(rulesOnly());
    harness = open(later, again);
    assertThat(later.scansOnEveryInput()).isTrue(); // it stays so: users may still lack the index
    harness.close();
    PolicyFunction fromCurrent = function(rulesOnly());
    harness = open(fromCurrent, current);
    assertThat(fromCurrent.scansOnEveryInput()).isFalse();
  }

  @Test
  void aPurchaseDuringTheDelayCancelsTheDecision() throws Exception {
    harness = open(function(rulesOnly()), null);
    send(candidate("u1", "e1", T0, "p1"));
    PolicyInput purchase = signal(PolicyInput.Kind.PURCHASE, "u1", T0 + 2 * HOUR);
    purchase.value = 30.0;
    send(purchase);
    harness.watermark(T0 + 2 * DAY);
    assertThat(decisions()).isEmpty();
    assertThat(cancellations()).containsExactly("purchased");
    // The decision still counts for its arm (intent to treat): converted, though nothing was sent.
    harness.watermark(T0 + 8 * DAY);
    Feedback f = side(PolicyFunction.FEEDBACK).get(0);
    assertThat(f.cancelledReason).isEqualTo("purchased");
    assertThat(f.converted).isTrue();
    assertThat(f.convertedBy).isEqualTo("purchase");
    assertThat(f.conversionValue).isEqualTo(30.0);
    // An outcome for a cancelled decision cannot be: nothing was sent.
    send(outcome(f.decision.decisionId, "u1", OutcomeType.OPENED, T0 + 2 * DAY));
    assertThat(side(PolicyFunction.DLQ)).hasSize(1);
  }

  @Test
  void optOutAndUnsubscribeDuringTheDelayCancel() throws Exception {
    harness = open(function(rulesOnly()), null);
    send(candidate("u1", "e1", T0, "p1"));
    send(signal(PolicyInput.Kind.OPT_OUT, "u1", T0 + HOUR));
    send(candidate("u2", "e2", T0, "p1"));
    send(signal(PolicyInput.Kind.UNSUBSCRIBE, "u2", T0 + HOUR, "email"));
    harness.watermark(T0 + 2 * DAY);
    assertThat(decisions()).isEmpty();
    assertThat(cancellations()).containsExactlyInAnyOrder("opt_out", "unsubscribed");
  }

  @Test
  void aProductOutOfStockAtReleaseCancels() throws Exception {
    harness = open(function(rulesOnly()), null);
    send(candidate("u1", "e1", T0, "p1"));
    catalog("p1", false, 0.3, false);
    harness.watermark(T0 + 2 * DAY);
    assertThat(decisions()).isEmpty();
    assertThat(cancellations()).containsExactly("out_of_stock");
  }

  @Test
  void aCapReachedDuringTheDelayCancelsTheSecondMessage() throws Exception {
    harness = open(function(rulesOnly()), null);
    send(candidate("u1", "e1", T0, "p1"));
    send(candidate("u1", "e2", T0 + HOUR, "p2")); // both eligible when decided
    harness.watermark(T0 + 3 * DAY);
    assertThat(decisions()).extracting(d -> d.productId).containsExactly("p1");
    assertThat(cancellations()).containsExactly("frequency_cap");
  }

  @Test
  void guardrailsAtDecisionTimeAreNamedInTheDecision() throws Exception {
    harness = open(function(rulesOnly()), null);
    // unsubscribed from email: the push reminder is the best-ranked eligible offer
    send(signal(PolicyInput.Kind.UNSUBSCRIBE, "u1", T0 - HOUR, "email"));
    send(candidate("u1", "e1", T0, "p1"));
    // a sensitive product: nothing that names it; the cart-level offers remain
    catalog("p2", true, 0.3, true);
    send(candidate("u2", "e2", T0, "p2"));
    // margin 8%: the 10% discount would sell below the 5% floor
    catalog("p3", true, 0.08, false);
    send(candidate("u3", "e3", T0, "p3"));
    harness.watermark(T0 + 2 * DAY);

    Map<String, Decision> byUser =
        decisions().stream().collect(java.util.stream.Collectors.toMap(d -> d.userId, d -> d));
    assertThat(byUser.get("u1").offerId).isEqualTo("cart_reminder_push");
    assertThat(byUser.get("u1").guardrails).containsExactly(Guardrails.UNSUBSCRIBED);
    assertThat(byUser.get("u1").candidates).doesNotContain("cart_reminder");
    assertThat(byUser.get("u2").offerId).isEqualTo("cart_free_shipping");
    assertThat(byUser.get("u2").productId).isNull();
    assertThat(byUser.get("u2").guardrails).containsExactly(Guardrails.SENSITIVE);
    assertThat(byUser.get("u3").guardrails).containsExactly(Guardrails.MARGIN_FLOOR);
    assertThat(byUser.get("u3").candidates).doesNotContain("cart_discount_10");
  }

  @Test
  void aProductIsNamedAtMostThreeTimesPerWindow() throws Exception {
    harness = open(function(engine(0, 1, "", 0)), null);
    for (int i = 0; i < 4; i++) {
      send(candidate("u1", "e" + i, T0 + i * 2 * DAY, "p1"));
    }
    harness.watermark(T0 + 10 * DAY);
    List<Decision> out = decisions();
    assertThat(out).hasSize(4);
    assertThat(out.subList(0, 3)).allMatch(d -> "p1".equals(d.productId));
    assertThat(out.get(3).productId).isNull();
    assertThat(out.get(3).offerId).isEqualTo("cart_free_shipping");
    assertThat(out.get(3).guardrails).containsExactly(Guardrails.SHOWN_LIMIT);
  }

  @Test
  void usersWithLittleHistoryGetTheCategoryFirst() throws Exception {
    harness = open(function(engine(0, 1, "", 100)), null);
    send(candidate("u1", "e1", T0, "p1")); // 40 events < 100
    harness.watermark(T0 + 2 * DAY);
    Decision d = decisions().get(0);
    assertThat(d.offerId).isEqualTo("cart_reminder");
    assertThat(d.productId).isNull();
    assertThat(d.category).isEqualTo("bags");
    assertThat(d.guardrails).containsExactly(Guardrails.BROAD_FIRST);
  }

  @Test
  void theControlArmIsLoggedButSendsNothingAndUsesNoCap() throws Exception {
    harness = open(function(engine(1, 0, "email:1/1d", 0)), null);
    send(candidate("u1", "e1", T0, "p1"));
    send(candidate("u1", "e2", T0 + HOUR, "p2"));
    harness.watermark(T0 + 2 * DAY);
    assertThat(decisions()).hasSize(2).allMatch(d -> d.action.equals("none") && d.offerId == null);
    assertThat(decisions()).allMatch(d -> d.arm.equals("control") && d.policy.equals("control"));
  }

  @Test
  void outcomesAndPurchasesJoinTheirDecisionWithinTheRewardWindow() throws Exception {
    harness = open(function(rulesOnly()).withOutcomesTopic("shop-outcomes"), null);
    PolicyInput c1 = candidate("u1", "e1", T0, "p1");
    PolicyInput c2 = candidate("u2", "e2", T0, "p1");
    String id1 = c1.candidate.decision.decisionId;
    String id2 = c2.candidate.decision.decisionId;
    send(c1);
    send(c2);
    // reported before the watermark reaches them (and before the release): buffered, joined later
    send(outcome(id1, "u1", OutcomeType.DELIVERED, T0 + DAY + MINUTE));
    send(outcome(id1, "u1", OutcomeType.CONVERTED, T0 + DAY + HOUR));
    harness.watermark(T0 + DAY);
    send(signal(PolicyInput.Kind.PURCHASE, "u2", T0 + 3 * DAY));
    send(outcome("nope", "u3", OutcomeType.CLICKED, T0));
    // ahead of the watermark: it waits in state, then matches nothing
    send(outcome("later", "u4", OutcomeType.CLICKED, T0 + 8 * DAY));
    harness.watermark(T0 + 9 * DAY);

    List<Feedback> feedback = side(PolicyFunction.FEEDBACK);
    assertThat(feedback).hasSize(2);
    Feedback f1 =
        feedback.stream().filter(f -> f.decision.decisionId.equals(id1)).findFirst().get();
    assertThat(f1.outcomes).containsExactly("delivered", "converted");
    assertThat(f1.delivered).isTrue();
    assertThat(f1.converted).isTrue();
    assertThat(f1.convertedBy).isEqualTo("outcome");
    assertThat(f1.conversionValue).isEqualTo(42.0);
    assertThat(f1.features).hasSize(FeatureSchema.names().size());
    assertThat(f1.rewardWindowEnd).isEqualTo(T0 + 7 * DAY); // from the decision
    assertThat(f1.cancelledReason).isNull();
    Feedback f2 =
        feedback.stream().filter(f -> f.decision.decisionId.equals(id2)).findFirst().get();
    assertThat(f2.converted).isTrue();
    assertThat(f2.convertedBy).isEqualTo("purchase");
    assertThat(f2.convertedAt).isEqualTo(T0 + 3 * DAY);

    List<Rejection> dlq = side(PolicyFunction.DLQ);
    assertThat(dlq).hasSize(2);
    assertThat(dlq).allMatch(r -> r.reason == RejectReason.UNKNOWN_DECISION);
    assertThat(dlq.get(0).detail).contains("'nope'").contains("'u3'");
    assertThat(dlq.get(0).sourceTopic).isEqualTo("outcomes"); // where this one came from
    assertThat(dlq.get(0).offset).isEqualTo(7);
    // the one that waited: the configured topic's name, its position no longer known
    assertThat(dlq.get(1).detail).contains("'later'").contains("'u4'");
    assertThat(dlq.get(1).sourceTopic).isEqualTo("shop-outcomes");
    assertThat(dlq.get(1).offset).isEqualTo(-1);
  }

  /** The feedback of one decision, when its outcome and a later purchase arrive in this order. */
  private Feedback conversionWhenArriving(boolean outcomeFirst) throws Exception {
    harness = open(function(rulesOnly()), null);
    PolicyInput c = candidate("u1", "e1", T0, "p1");
    send(c);
    PolicyInput converted =
        outcome(c.candidate.decision.decisionId, "u1", OutcomeType.CONVERTED, T0 + DAY + HOUR);
    PolicyInput purchase = signal(PolicyInput.Kind.PURCHASE, "u1", T0 + 2 * DAY);
    // the outcomes input lags or leads the events input: neither has passed the watermark
    send(outcomeFirst ? converted : purchase);
    send(outcomeFirst ? purchase : converted);
    harness.watermark(T0 + 9 * DAY);
    List<Feedback> feedback = side(PolicyFunction.FEEDBACK);
    assertThat(feedback).hasSize(1);
    harness.close();
    harness = null;
    return feedback.get(0);
  }

  @Test
  void theEarliestConversionCountsWhicheverInputArrivesFirst() throws Exception {
    for (boolean outcomeFirst : new boolean[] {true, false}) {
      Feedback f = conversionWhenArriving(outcomeFirst);
      assertThat(f.converted).isTrue();
      assertThat(f.convertedBy).as("outcome first: %s", outcomeFirst).isEqualTo("outcome");
      assertThat(f.convertedAt).isEqualTo(T0 + DAY + HOUR);
      assertThat(f.conversionValue).isEqualTo(42.0);
      assertThat(f.outcomes).containsExactly("converted");
    }
  }

  @Test
  void optedOutUsersNeverReachFeedback() throws Exception {
    harness = open(function(rulesOnly()), null);
    send(candidate("u1", "e1", T0, "p1"));
    harness.watermark(T0 + DAY);
    assertThat(decisions()).hasSize(1);
    send(signal(PolicyInput.Kind.OPT_OUT, "u1", T0 + 2 * DAY));
    harness.watermark(T0 + 20 * DAY);
    assertThat(side(PolicyFunction.FEEDBACK)).isEmpty();
  }

  @Test
  void eraseRemovesEveryPolicyStateEntryAndTimerOfTheUser() throws Exception {
    harness = open(function(rulesOnly()), null);
    send(candidate("u1", "e1", T0, "p1"));
    harness.watermark(T0 + DAY); // released: its reward window is open, the send is remembered
    send(candidate("u1", "e2", T0 + DAY + HOUR, "p2")); // held
    send(candidate("u2", "e3", T0 + DAY + HOUR, "p1")); // another user, kept
    send(signal(PolicyInput.Kind.ERASE, "u1", T0 + DAY + 2 * HOUR));

    AuditRecord receipt =
        side(PolicyFunction.AUDIT).stream()
            .filter(a -> a.request.equals("erase"))
            .findFirst()
            .get();
    assertThat(receipt.effects)
        .contains(
            Effect.count("held_decisions", 1),
            Effect.count("open_feedback", 2),
            Effect.count("message_history_channels", 1),
            Effect.count("products_shown", 1),
            Effect.count("timers", 3),
            Effect.of("consent_and_last_purchase"));
    assertThat(harness.numEventTimeTimers()).isEqualTo(2); // u2's release and window only
    harness.watermark(T0 + 30 * DAY);
    assertThat(decisions()).extracting(d -> d.userId).containsExactly("u1", "u2");
    assertThat(side(PolicyFunction.FEEDBACK))
        .extracting(f -> f.decision.userId)
        .containsExactly("u2");

    // nothing of u1 is left to snapshot: a restored operator has no timers and no feedback for u1
    OperatorSubtaskState snapshot = harness.snapshot(2L, T0 + 30 * DAY);
    harness.close();
    harness = open(function(rulesOnly()), snapshot);
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  /** A post-purchase follow-up of {@code user}, who bought {@code bought} a day before. */
  private static PolicyInput followUp(String user, String order, long at, String... bought) {
    Decision d = new Decision();
    d.decisionId = DecisionIds.of(user, LifecycleRule.FOLLOW_UP, order);
    d.userId = user;
    d.trigger = LifecycleRule.FOLLOW_UP;
    d.triggeringEventId = order;
    d.decidedAt = at;
    d.category = "bags";
    d.reasonCodes.add("ORDER_FOLLOW_UP");
    d.why = "order follow-up";
    DecisionCandidate c =
        new DecisionCandidate(d, new float[FeatureSchema.names().size()], 40, 0.0);
    c.history = List.of(bought);
    c.historyAt = new long[bought.length];
    Arrays.fill(c.historyAt, at - DAY);
    return PolicyInput.candidate(c);
  }

  /** Serves an item-to-item model in which a's neighbours are b (0.82), then c (0.41). */
  private void announceItems() throws Exception {
    List<ItemSimilarity.Purchase> log = new ArrayList<>();
    for (int u = 0; u < 4; u++) {
      log.add(new ItemSimilarity.Purchase("c" + u, "a", 0));
      log.add(new ItemSimilarity.Purchase("c" + u, u < 3 ? "b" : "c", 0));
    }
    log.add(new ItemSimilarity.Purchase("c9", "c", 0));
    ItemSimilarity model = ItemSimilarity.train(log, 1, ItemSimilarity.Settings.plainCosine());
    announceItems(model.writeArtifact(dir, "i1", Map.of(), Map.of()), "i1");
  }

  private void announceItems(Path manifest, String version) throws Exception {
    harness.processBroadcastElement(
        Envelope.of(
            new ModelAnnouncement(
                ItemSimilarity.NAME,
                version,
                manifest.toUri().toString(),
                LoadedModel.sha256(java.nio.file.Files.readAllBytes(manifest)),
                false),
            "models",
            0,
            0),
        0L);
  }

  private static List<String> recommended(Decision d) {
    return d.recommendations.stream().map(r -> r.productId).toList();
  }

  @Test
  void followUpsRecommendProductsThatStockUpdatesAndTheShownLimitRemove() throws Exception {
    harness = open(function(engine(0, 1, "email:100/1d", 0)), null);
    announceItems();
    catalog("b", true, 0.3, false);
    catalog("c", true, 0.3, false);
    send(followUp("u1", "o1", T0, "a"));
    harness.watermark(T0 + 2 * DAY); // released after the delay
    Decision first = decisions().get(0);
    assertThat(recommended(first)).containsExactly("b", "c");
    assertThat(first.recommendations.get(0).reason).isEqualTo("bought together with a");
    assertThat(first.recommendations.get(0).score)
        .isGreaterThan(first.recommendations.get(1).score);
    assertThat(first.recommendations.get(0).productPrice).isEqualTo(25.0); // the catalog's

    // Out of stock while the decision is held: gone at release. Decided after it: never named.
    send(followUp("u2", "o2", T0 + 3 * DAY, "a"));
    catalog("b", false, 0.3, false);
    send(followUp("u3", "o3", T0 + 3 * DAY, "a"));
    harness.watermark(T0 + 5 * DAY);
    assertThat(decisions().subList(1, 3))
        .allSatisfy(d -> assertThat(recommended(d)).containsExactly("c"));
    catalog("b", true, 0.3, false);

    // u1 was shown b and c once; twice more, then the shown limit (3 per 30 days) removes both,
    // for u1 only.
    for (int i = 2; i <= 4; i++) {
      send(followUp("u1", "o1-" + i, T0 + (5 + i) * DAY, "a"));
      harness.watermark(T0 + (6 + i) * DAY);
    }
    List<Decision> u1 = decisions().stream().filter(d -> d.userId.equals("u1")).toList();
    assertThat(u1)
        .extracting(PolicyFunctionTest::recommended)
        .containsExactly(List.of("b", "c"), List.of("b", "c"), List.of("b", "c"), List.of());
    send(followUp("u5", "o5", T0 + 10 * DAY, "a"));
    harness.watermark(T0 + 12 * DAY);
    assertThat(recommended(decisions().get(decisions().size() - 1))).containsExactly("b", "c");

    // A cart reminder (not a follow-up, browse abandonment, win-back or request) carries none.
    send(candidate("u4", "e4", T0 + 20 * DAY, "a"));
    harness.watermark(T0 + 22 * DAY);
    assertThat(decisions().get(decisions().size() - 1).recommendations).isEmpty();
  }

  @Test
  void aProductViewedAndNotBoughtIsRecommendedUnlessOutOfStockOrInTheCart() throws Exception {
    harness = open(function(engine(0, 1, "email:100/1d", 0)), null);
    List<ItemSimilarity.Purchase> log = new ArrayList<>();
    for (int u = 0; u < 4; u++) { // a's neighbours: b, then c; d has none
      log.add(new ItemSimilarity.Purchase("c" + u, "a", 0));
      log.add(new ItemSimilarity.Purchase("c" + u, u < 3 ? "b" : "c", 0));
    }
    log.add(new ItemSimilarity.Purchase("c9", "d", 0));
    ItemSimilarity model =
        ItemSimilarity.train(log, 1, new ItemSimilarity.Settings(50, 0, 0, 30, 0, 0.5, 0.6));
    announceItems(model.writeArtifact(dir, "v1", Map.of(), Map.of()), "v1");
    catalog("d", true, 0.3, false);
    PolicyInput viewedD = followUp("u1", "o1", T0, "a");
    viewedD.candidate.viewed = List.of("d");
    send(viewedD);
    harness.watermark(T0 + 2 * DAY);
    Decision first = decisions().get(0);
    assertThat(recommended(first)).containsExactly("d", "b", "c"); // 0.6, 0.4, 0.2
    assertThat(first.recommendations.get(0).reason).isEqualTo("viewed recently");
    assertThat(first.recommendations.get(0).becauseOf).isEqualTo("d");
    assertThat(first.recommendations.get(1).reason).isEqualTo("bought together with a");

    PolicyInput inCart = followUp("u2", "o2", T0 + 3 * DAY, "a");
    inCart.candidate.viewed = List.of("d");
    inCart.candidate.cart = List.of("d");
    send(inCart);
    catalog("d", false, 0.3, false); // out of stock: u3 viewed it, it is not named
    PolicyInput outOfStock = followUp("u3", "o3", T0 + 3 * DAY, "a");
    outOfStock.candidate.viewed = List.of("d");
    send(outOfStock);
    harness.watermark(T0 + 5 * DAY);
    assertThat(decisions().subList(1, 3))
        .allSatisfy(d -> assertThat(recommended(d)).containsExactly("b", "c"));
  }

  @Test
  void twoHeldDecisionsCannotTogetherExceedTheShownLimitAndFeedbackRecordsWhatWasSent()
      throws Exception {
    harness = open(function(engine(0, 1, "email:100/1d", 0)), null);
    announceItems();
    send(followUp("u1", "o1", T0, "a"));
    harness.watermark(T0 + 2 * DAY);
    send(followUp("u1", "o2", T0 + 2 * DAY, "a"));
    harness.watermark(T0 + 4 * DAY); // b and c named twice each
    // Two decisions held at the same time: each sees b and c named twice when it is made.
    send(followUp("u1", "o3", T0 + 5 * DAY, "a"));
    send(followUp("u1", "o4", T0 + 5 * DAY + HOUR, "a"));
    harness.watermark(T0 + 7 * DAY);
    List<Decision> out = decisions();
    assertThat(out).hasSize(4);
    assertThat(recommended(out.get(2))).containsExactly("b", "c"); // the third time
    assertThat(recommended(out.get(3))).isEmpty(); // a fourth would exceed the limit of 3
    harness.watermark(T0 + 20 * DAY); // the reward windows close
    Feedback last =
        side(PolicyFunction.FEEDBACK).stream()
            .filter(f -> f.decision.decisionId.equals(out.get(3).decisionId))
            .findFirst()
            .orElseThrow();
    assertThat(last.decision.recommendations).isEmpty();
  }

  @Test
  void neitherTheCartNorANewUserGetsProductsRecommended() throws Exception {
    harness = open(function(engine(0, 1, "email:100/1d", 50)), null);
    announceItems();
    PolicyInput inCart = followUp("u1", "o1", T0, "a");
    inCart.candidate.cart = List.of("b");
    inCart.candidate.userEvents = 60;
    send(inCart);
    PolicyInput newUser = followUp("u2", "o2", T0, "a"); // 40 events, under 50: broad first
    send(newUser);
    harness.watermark(T0 + 2 * DAY);
    Map<String, List<String>> byUser = new java.util.HashMap<>();
    decisions().forEach(d -> byUser.put(d.userId, recommended(d)));
    assertThat(byUser).containsEntry("u1", List.of("c")).containsEntry("u2", List.of());
  }

  @Test
  void anItemsModelConfiguredAtStartRecommendsFromTheFirstDecision() throws Exception {
    ItemSimilarity model =
        ItemSimilarity.train(
            List.of(
                new ItemSimilarity.Purchase("c1", "a", 0),
                new ItemSimilarity.Purchase("c1", "b", 0)),
            1,
            ItemSimilarity.Settings.plainCosine());
    Path manifest = model.writeArtifact(dir, "s1", Map.of(), Map.of());
    harness =
        open(
            function(engine(0, 1, "email:100/1d", 0)).withItemsModel(manifest.toUri().toString()),
            null);
    send(followUp("u1", "o1", T0, "a"));
    harness.watermark(T0 + 2 * DAY);
    assertThat(recommended(decisions().get(0))).containsExactly("b");
    assertThat(decisions().get(0).modelVersions).containsEntry(ItemSimilarity.NAME, "s1");
  }

  @Test
  void aBrokenItemsArtifactIsRefusedAndNothingIsRecommended() throws Exception {
    harness = open(function(engine(0, 1, "email:100/1d", 0)), null);
    Path table = dir.resolve("items-bad.tsv");
    java.nio.file.Files.writeString(table, ItemSimilarity.HEADER + "\nsettings\t0\t0\na\t0.1\tb\n");
    Path manifest = dir.resolve("items-bad.json");
    java.nio.file.Files.writeString(
        manifest,
        new io.prescient.models.artifact.ModelManifest(
                ItemSimilarity.NAME,
                "bad",
                FeatureSchema.VERSION,
                List.of(),
                "similarity",
                table.toString(),
                LoadedModel.sha256(java.nio.file.Files.readAllBytes(table)),
                false,
                Map.of(),
                Map.of(),
                "2026-12-03T00:00:00Z")
            .toJson());
    announceItems(manifest, "bad");
    assertThat(side(PolicyFunction.AUDIT))
        .singleElement()
        .satisfies(a -> assertThat(a.effects).contains(Effect.named("refused", "corrupt_model")));
    send(followUp("u1", "o1", T0, "a"));
    harness.watermark(T0 + 2 * DAY);
    assertThat(decisions().get(0).recommendations).isEmpty();
  }

  @Test
  void theChurnModelScoresAndExplainsButNeverTouchesBroadDecisions() throws Exception {
    Path manifest = SyntheticModels.writeChurn(dir, "t1", 5);
    harness =
        open(
            new PolicyFunction(
                rulesOnly(),
                manifest.toUri().toString(),
                Duration.ofDays(7),
                Duration.ofMinutes(1),
                1024),
            null);
    send(candidate("u1", "e1", T0, "p1"));
    UserProfile optedOut = new UserProfile();
    optedOut.cartLastEventId = "e9";
    Decision broad = new CartAbandonmentRule(1, 1, true).broad("u2", optedOut, T0);
    send(PolicyInput.candidate(new DecisionCandidate(broad, new float[0])));
    harness.watermark(T0 + 2 * DAY);

    List<Decision> out = decisions();
    assertThat(out).hasSize(2);
    Decision broadOut = out.get(0);
    assertThat(broadOut.policy).isEqualTo("broad");
    assertThat(broadOut.scores).isEmpty();
    assertThat(broadOut.modelVersions).isEmpty();
    assertThat(broadOut.reasonCodes).containsExactly("OPTED_OUT_BROAD");
    Decision scored = out.get(1);
    assertThat(scored.modelVersions).containsEntry(ChurnModelPolicy.MODEL, "t1");
    assertThat(scored.scores).containsKey(ChurnModelPolicy.MODEL);
    assertThat(scored.reasonCodes).anyMatch(r -> r.startsWith("CHURN_RISK_"));
  }

  @Test
  void driftIsMeasuredAgainstTheServedModelsTrainingBaseline() throws Exception {
    // The synthetic model was trained on standard normal features; these candidates all carry
    // zeros (one bin of ten), so every feature has drifted, and PSI says so once 100 are scored.
    Path manifest = SyntheticModels.writeChurn(dir, "t1", 5);
    PolicyFunction fn =
        new PolicyFunction(
            rulesOnly(),
            manifest.toUri().toString(),
            Duration.ofDays(7),
            Duration.ofMinutes(1),
            1024);
    harness = open(fn, null);
    for (int i = 0; i < DriftMonitor.MIN_ROWS - 1; i++) {
      send(candidate("u" + i, "e" + i, T0 + i, "p1"));
    }
    assertThat(fn.drift().rows()).isEqualTo(DriftMonitor.MIN_ROWS - 1);
    assertThat(fn.drift().maxFeaturePsi()).isNaN(); // too few rows to say
    send(candidate("u-last", "e-last", T0 + DAY, "p1"));
    assertThat(fn.drift().maxFeaturePsi()).isGreaterThan(1.0);
    assertThat(fn.drift().featurePsi(0)).isGreaterThan(1.0);
    assertThat(fn.drift().scorePsi()).isNotNaN();
  }

  @Test
  void aConfiguredModelThatFailsItsChecksStopsTheStart() {
    PolicyFunction fn =
        new PolicyFunction(
            rulesOnly(),
            dir.resolve("missing.json").toUri().toString(),
            Duration.ofDays(7),
            Duration.ofMinutes(1),
            1024);
    assertThatThrownBy(() -> open(fn, null))
        .hasStackTraceContaining("prescient.model.churn")
        .hasStackTraceContaining("unreadable");
  }
}

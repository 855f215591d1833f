package io.prescient.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.models.rules.CartAbandonmentRule;
import io.prescient.state.contract.AuditRecord;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.DecisionIds;
import io.prescient.state.contract.Effect;
import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import io.prescient.state.contract.PrivacyRequest;
import io.prescient.state.contract.PrivacyType;
import io.prescient.state.contract.RejectReason;
import io.prescient.state.contract.Rejection;
import io.prescient.state.features.FeatureSchema;
import io.prescient.state.profile.ActivityWindows;
import io.prescient.state.profile.Metric;
import io.prescient.state.profile.ProfileUpdater;
import io.prescient.state.profile.RecentEventIds;
import io.prescient.state.profile.UserProfile;
import io.prescient.state.profile.Window;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The profile operator on real RocksDB state, driven by a harness: timers, state, restore. */
class ProfileFunctionTest {
  private static final long T0 = 1_300_000_020_000L; // 2011-03-13T07:07:00Z, a whole minute
  private static final long HOUR = 3_600_000L;
  private static final long MINUTE = 60_000L;

  private KeyedOneInputStreamOperatorTestHarness<String, Envelope, PolicyInput> harness;

  @AfterEach
  void close() throws Exception {
    if (harness != null) {
      harness.close();
    }
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Envelope, PolicyInput> newHarness()
      throws Exception {
    return newHarness(Duration.ofDays(400));
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Envelope, PolicyInput> newHarness(
      Duration ttl) throws Exception {
    return newHarness(ttl, false);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Envelope, PolicyInput> newHarness(
      Duration ttl, boolean broadWhenOptedOut) throws Exception {
    return harness(new CartAbandonmentRule(HOUR, 7 * 24 * HOUR, broadWhenOptedOut), null, ttl);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Envelope, PolicyInput> harness(
      CartAbandonmentRule cartRule,
      io.prescient.models.rules.BrowseAbandonmentRule browseRule,
      Duration ttl)
      throws Exception {
    return harness(cartRule, browseRule, null, ttl);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Envelope, PolicyInput> harness(
      CartAbandonmentRule cartRule,
      io.prescient.models.rules.BrowseAbandonmentRule browseRule,
      io.prescient.models.rules.LifecycleRule lifecycleRule,
      Duration ttl)
      throws Exception {
    return harness(cartRule, browseRule, lifecycleRule, ttl, ProfileFunction.DEFAULT_PROFILE_CACHE);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Envelope, PolicyInput> harness(
      CartAbandonmentRule cartRule,
      io.prescient.models.rules.BrowseAbandonmentRule browseRule,
      io.prescient.models.rules.LifecycleRule lifecycleRule,
      Duration ttl,
      int profileCache)
      throws Exception {
    return harness(cartRule, browseRule, lifecycleRule, ttl, profileCache, false, 0);
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Envelope, PolicyInput> harness(
      CartAbandonmentRule cartRule,
      io.prescient.models.rules.BrowseAbandonmentRule browseRule,
      io.prescient.models.rules.LifecycleRule lifecycleRule,
      Duration ttl,
      int profileCache,
      boolean writeBehind,
      long writeAfterMs)
      throws Exception {
    ProfileFunction fn =
        new ProfileFunction(
            cartRule,
            browseRule,
            lifecycleRule,
            Duration.ofMinutes(10),
            Duration.ofMinutes(1),
            ttl,
            1024,
            ProfileUpdater.Settings.defaults());
    fn.withProfileCache(profileCache, Duration.ofMillis(writeAfterMs));
    KeyedOneInputStreamOperatorTestHarness<String, Envelope, PolicyInput> h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            writeBehind ? new ProfileOperator(fn) : new KeyedProcessOperator<>(fn),
            Envelope::userId,
            Types.STRING);
    h.setStateBackend(new EmbeddedRocksDBStateBackend());
    return h;
  }

  private static Envelope event(String id, String user, EventType type, long ts, String product) {
    Event e = new Event(id, user, type, ts);
    e.productId = product;
    e.price = 10.0;
    e.quantity = 2;
    e.category = "bags";
    return Envelope.of(e, "events", 0, 0);
  }

  private static Envelope privacy(String user, PrivacyType type, String... channels) {
    return Envelope.of(new PrivacyRequest(user, type, T0, List.of(channels)), "privacy", 0, 0);
  }

  private void send(Envelope env) throws Exception {
    harness.processElement(new StreamRecord<>(env, env.timestamp()));
  }

  private List<Decision> decisions() {
    List<DecisionCandidate> out =
        harness.extractOutputValues().stream()
            .filter(in -> in.kind == PolicyInput.Kind.CANDIDATE)
            .map(in -> in.candidate)
            .toList();
    for (DecisionCandidate c : out) {
      // Broad decisions (opted-out users) carry no features at all.
      assertThat(c.features)
          .hasSize("broad".equals(c.decision.policy) ? 0 : FeatureSchema.names().size());
    }
    return out.stream().map(c -> c.decision).toList();
  }

  private List<AuditRecord> audits() {
    ConcurrentLinkedQueue<StreamRecord<AuditRecord>> q =
        harness.getSideOutput(ProfileFunction.AUDIT);
    return q == null ? List.of() : q.stream().map(StreamRecord::getValue).toList();
  }

  @Test
  void abandonedCartYieldsOneReminderWhenTheWatermarkPassesTheDeadline() throws Exception {
    harness = newHarness();
    harness.open();
    send(event("e1", "u1", EventType.VIEW, T0, "p1"));
    send(event("e2", "u1", EventType.ADD_TO_CART, T0 + MINUTE, "p1"));
    harness.processWatermark(new Watermark(T0 + HOUR));
    assertThat(decisions()).isEmpty(); // not yet an hour since the cart changed

    harness.processWatermark(new Watermark(T0 + 2 * HOUR));
    assertThat(decisions()).hasSize(1);
    Decision d = decisions().get(0);
    assertThat(d.decisionId).isEqualTo(DecisionIds.of("u1", "cart_abandonment", "e2"));
    assertThat(d.triggeringEventId).isEqualTo("e2");
    assertThat(d.productId).isEqualTo("p1");
    assertThat(d.trigger).isEqualTo("cart_abandonment");
    assertThat(d.action).isNull(); // the policy operator chooses the offer
    assertThat(d.decidedAt).isEqualTo(T0 + MINUTE + HOUR); // already a whole minute: no rounding
    assertThat(d.scores).containsEntry("cart_value", 20.0);
    assertThat(d.why)
        .isEqualTo(
            "2 items (1 product) worth 20.00 left in the cart for 60 min" + " without a purchase");

    harness.processWatermark(new Watermark(T0 + 30 * HOUR));
    assertThat(decisions()).hasSize(1); // one reminder per cart state
    assertThat(harness.numEventTimeTimers()).isZero();
  }

  @Test
  void aDueTimerDecidesBeforeALaterEventWhetherOrNotTheWatermarkPassedIt() throws Exception {
    // The same events; once the watermark passes the timer before the later purchase arrives,
    // once it does not. The decision must be the same: it depends on the user's events only.
    List<Decision> runs = new java.util.ArrayList<>();
    for (boolean watermarkFirst : new boolean[] {true, false}) {
      harness = newHarness();
      harness.open();
      send(event("e1", "u1", EventType.ADD_TO_CART, T0, "p1"));
      if (watermarkFirst) {
        harness.processWatermark(new Watermark(T0 + 2 * HOUR));
      }
      send(event("e2", "u1", EventType.PURCHASE, T0 + 3 * HOUR, "p1"));
      harness.processWatermark(new Watermark(T0 + 5 * HOUR));
      assertThat(decisions()).hasSize(1);
      runs.add(decisions().get(0));
      assertThat(harness.numEventTimeTimers()).isZero();
      harness.close();
    }
    assertThat(runs.get(1).decidedAt).isEqualTo(T0 + HOUR).isEqualTo(runs.get(0).decidedAt);
    assertThat(runs.get(1).decisionId).isEqualTo(runs.get(0).decisionId);
    assertThat(runs.get(1).why).isEqualTo(runs.get(0).why);
  }

  @Test
  void purchaseBeforeTheDeadlineCancelsTheReminder() throws Exception {
    harness = newHarness();
    harness.open();
    send(event("e1", "u1", EventType.ADD_TO_CART, T0, "p1"));
    send(event("e2", "u1", EventType.PURCHASE, T0 + 10 * MINUTE, "p1"));
    harness.processWatermark(new Watermark(T0 + 5 * HOUR));
    assertThat(decisions()).isEmpty();
  }

  @Test
  void aLaterCartChangeMovesTheDeadlineAndNamesTheDecision() throws Exception {
    harness = newHarness();
    harness.open();
    send(event("e1", "u1", EventType.ADD_TO_CART, T0, "p1"));
    send(event("e2", "u1", EventType.ADD_TO_CART, T0 + 50 * MINUTE, "p2"));
    assertThat(harness.numEventTimeTimers()).isEqualTo(1); // coalesced: one timer per user
    harness.processWatermark(new Watermark(T0 + HOUR + 5 * MINUTE));
    assertThat(decisions()).isEmpty();
    harness.processWatermark(new Watermark(T0 + 2 * HOUR));
    assertThat(decisions()).extracting(d -> d.triggeringEventId).containsExactly("e2");
  }

  @Test
  void stateAndTimersSurviveSnapshotAndRestore() throws Exception {
    harness = newHarness();
    harness.open();
    send(event("e1", "u1", EventType.ADD_TO_CART, T0, "p1"));
    send(event("e2", "u2", EventType.ADD_TO_CART, T0, "p9"));
    send(event("e3", "u2", EventType.PURCHASE, T0 + MINUTE, "p9"));
    OperatorSubtaskState snapshot = harness.snapshot(1L, T0);
    harness.close();

    harness = newHarness();
    harness.initializeState(snapshot);
    harness.open();
    assertThat(harness.numEventTimeTimers()).isEqualTo(2);
    harness.processWatermark(new Watermark(T0 + 3 * HOUR));
    assertThat(decisions()).extracting(d -> d.userId).containsExactly("u1");
  }

  @Test
  void optOutTakesEffectAndOptInRestores() throws Exception {
    harness = newHarness();
    harness.open();
    send(event("e1", "u1", EventType.ADD_TO_CART, T0, "p1"));
    send(privacy("u1", PrivacyType.OPT_OUT));
    harness.processWatermark(new Watermark(T0 + 3 * HOUR));
    assertThat(decisions()).isEmpty();

    send(privacy("u1", PrivacyType.OPT_IN));
    send(event("e2", "u1", EventType.ADD_TO_CART, T0 + 3 * HOUR, "p2"));
    harness.processWatermark(new Watermark(T0 + 5 * HOUR));
    assertThat(decisions()).extracting(d -> d.triggeringEventId).containsExactly("e2");
    assertThat(audits()).extracting(a -> a.request).containsExactly("opt_out", "opt_in");
  }

  @Test
  void optedOutUsersGetOnlyABroadDecisionWhenConfigured() throws Exception {
    harness = newHarness(Duration.ofDays(400), true);
    harness.open();
    send(event("e1", "u1", EventType.ADD_TO_CART, T0, "p1"));
    send(privacy("u1", PrivacyType.OPT_OUT));
    harness.processWatermark(new Watermark(T0 + 3 * HOUR));
    assertThat(decisions()).hasSize(1);
    Decision d = decisions().get(0);
    assertThat(d.policy).isEqualTo("broad");
    assertThat(d.action).isEqualTo(CartAbandonmentRule.BROAD_ACTION);
    assertThat(d.channel).isEqualTo("onsite");
    assertThat(d.productId).isNull();
    assertThat(d.category).isNull();
    assertThat(d.scores).isEmpty();
    assertThat(d.why).doesNotContain("p1").doesNotContain("item");
    harness.processWatermark(new Watermark(T0 + 30 * HOUR));
    assertThat(decisions()).hasSize(1); // once per cart state, as a reminder would be
  }

  @Test
  void privacyRequestsAndPurchasesAreForwardedToThePolicyInOrder() throws Exception {
    harness = newHarness();
    harness.open();
    send(privacy("u1", PrivacyType.UNSUBSCRIBE, "email"));
    send(event("e1", "u1", EventType.ADD_TO_CART, T0, "p1"));
    send(event("e2", "u1", EventType.PURCHASE, T0 + MINUTE, "p1"));
    harness.processWatermark(new Watermark(T0 + 3 * HOUR));
    assertThat(audits().get(0).effects).containsExactly(Effect.named("unsubscribed", "email"));
    List<PolicyInput> out = harness.extractOutputValues();
    assertThat(out)
        .extracting(in -> in.kind)
        .containsExactly(PolicyInput.Kind.UNSUBSCRIBE, PolicyInput.Kind.PURCHASE);
    assertThat(out.get(0).channels).containsExactly("email");
    assertThat(out.get(1).value).isEqualTo(20.0); // 2 x 10.0
    assertThat(out.get(1).timestamp).isEqualTo(T0 + MINUTE);
  }

  @Test
  void eraseRemovesStateAndTimersAndIssuesAReceipt() throws Exception {
    harness = newHarness();
    harness.open();
    send(event("e1", "u1", EventType.ADD_TO_CART, T0, "p1"));
    send(event("e2", "u1", EventType.ADD_TO_CART, T0, "p2"));
    send(event("e3", "u2", EventType.VIEW, T0, "p1"));
    assertThat(keysOf(ProfileState.PROFILE)).containsExactlyInAnyOrder("u1", "u2");
    assertThat(keysOf(ProfileState.CART)).containsExactly("u1");
    send(privacy("u1", PrivacyType.ERASE));
    harness.processWatermark(new Watermark(T0 + 3 * HOUR));

    assertThat(decisions()).isEmpty();
    assertThat(harness.numEventTimeTimers()).isZero();
    assertThat(audits()).hasSize(1);
    assertThat(audits().get(0).effects)
        .containsExactly(
            Effect.of("profile"),
            Effect.count("trigger_timers", 1),
            Effect.count("cart_products", 2),
            Effect.count("event_ids", 2),
            Effect.count("category_affinities", 1),
            Effect.count("suppressed_days", 30));
    // Nothing of u1 is left in any state; u2 is untouched.
    assertThat(keysOf(ProfileState.PROFILE)).containsExactly("u2");
    assertThat(keysOf(ProfileState.CART)).isEmpty();
    // Event ids and affinities are in the profile (u2's too): their former map states stay empty.
    assertThat(keysOf(ProfileState.SEEN)).isEmpty();
    assertThat(keysOf(ProfileState.AFFINITIES)).isEmpty();
    assertThat(profileOf("u2").recentEventIds.size()).isEqualTo(1);
    assertThat(profileOf("u2").affinityScores.asMap()).containsOnlyKeys("bags");
  }

  /**
   * An erased user stays erased: later events, outcomes and consent changes leave no state, also
   * after a restore (the register is operator state), until the user opts in again.
   */
  @Test
  void anErasedUserStaysErasedAcrossARestoreUntilTheyOptIn() throws Exception {
    harness = newHarness();
    harness.open();
    send(event("e1", "u1", EventType.ADD_TO_CART, T0, "p1"));
    send(privacy("u1", PrivacyType.ERASE));
    send(event("e2", "u1", EventType.ADD_TO_CART, T0 + MINUTE, "p2"));
    send(
        Envelope.of(
            new io.prescient.state.contract.Outcome(
                "d1", "u1", io.prescient.state.contract.OutcomeType.CLICKED, T0 + MINUTE, null),
            "outcomes",
            0,
            0));
    send(privacy("u1", PrivacyType.OPT_OUT));
    send(event("e3", "u2", EventType.VIEW, T0 + MINUTE, "p1"));
    assertThat(keysOf(ProfileState.PROFILE)).containsExactly("u2");
    assertThat(keysOf(ProfileState.CART)).isEmpty();
    assertThat(audits()).extracting(a -> a.request).containsExactly("erase", "opt_out");
    assertThat(audits().get(1).effects).containsExactly(Effect.of("nothing_stored"));
    // Only the erase signal reaches the policy: no outcome, no opt-out, no candidate.
    assertThat(harness.extractOutputValues())
        .extracting(in -> in.kind)
        .containsExactly(PolicyInput.Kind.ERASE);

    OperatorSubtaskState snapshot = harness.snapshot(1L, T0 + MINUTE);
    harness.close();
    harness = newHarness();
    harness.initializeState(snapshot);
    harness.open();
    send(event("e4", "u1", EventType.ADD_TO_CART, T0 + 2 * MINUTE, "p3"));
    assertThat(keysOf(ProfileState.PROFILE)).containsExactly("u2");

    send(privacy("u1", PrivacyType.OPT_IN));
    send(event("e5", "u1", EventType.ADD_TO_CART, T0 + 3 * MINUTE, "p4"));
    assertThat(keysOf(ProfileState.PROFILE)).containsExactlyInAnyOrder("u1", "u2");
  }

  private static Envelope request(String id, String user, long ts) {
    return Envelope.of(
        new io.prescient.state.contract.DecisionRequest(id, user, "home_banner", ts),
        "requests",
        0,
        0);
  }

  private List<DecisionCandidate> requestCandidates() {
    return harness.extractOutputValues().stream()
        .filter(in -> in.kind == PolicyInput.Kind.CANDIDATE)
        .map(in -> in.candidate)
        .filter(c -> c.decision.requestId != null)
        .toList();
  }

  /**
   * A request is answered from the user's state as it is, at once and without changing it: the
   * cart's top product with live features for a known user; nothing personal for a user without
   * state (cold start), an opted-out user or an erased one, and no state is created for them.
   */
  @Test
  void requestsAreAnsweredFromTheStateAsItIsWithoutChangingIt() throws Exception {
    harness = newHarness();
    harness.open();
    send(event("e1", "u1", EventType.ADD_TO_CART, T0, "p1"));
    send(request("r1", "u1", T0 + MINUTE));
    send(request("r2", "new-user", T0 + MINUTE));
    send(event("e2", "u3", EventType.VIEW, T0, "p1"));
    send(privacy("u3", PrivacyType.OPT_OUT));
    send(request("r3", "u3", T0 + MINUTE));
    send(event("e3", "u4", EventType.VIEW, T0, "p1"));
    send(privacy("u4", PrivacyType.ERASE));
    send(request("r4", "u4", T0 + MINUTE));

    List<DecisionCandidate> answers = requestCandidates();
    assertThat(answers)
        .extracting(c -> c.decision.requestId)
        .containsExactly("r1", "r2", "r3", "r4");
    DecisionCandidate known = answers.get(0);
    assertThat(known.decision.decisionId).isEqualTo(DecisionIds.of("u1", "onsite_request", "r1"));
    assertThat(known.decision.productId).isEqualTo("p1");
    assertThat(known.decision.placement).isEqualTo("home_banner");
    assertThat(known.decision.decidedAt).isEqualTo(T0 + MINUTE);
    assertThat(known.features).hasSize(FeatureSchema.names().size());
    assertThat(known.orderValue).isEqualTo(20.0);
    assertThat(known.userEvents).isEqualTo(1);

    DecisionCandidate cold = answers.get(1);
    assertThat(cold.features).isEmpty();
    assertThat(cold.decision.reasonCodes).containsExactly("COLD_START");
    assertThat(cold.decision.productId).isNull();
    assertThat(cold.decision.category).isNull();
    for (DecisionCandidate c : answers.subList(2, 4)) {
      assertThat(c.features).isEmpty();
      assertThat(c.decision.policy).isEqualTo("broad");
      assertThat(c.decision.channel).isEqualTo("onsite");
      assertThat(c.decision.productId).isNull();
      assertThat(c.decision.category).isNull();
    }
    assertThat(answers.get(2).decision.reasonCodes).containsExactly("OPTED_OUT");
    assertThat(answers.get(3).decision.reasonCodes).containsExactly("ERASED");
    // Requests create no profile: not of the new user, not of the erased one.
    assertThat(keysOf(ProfileState.PROFILE)).containsExactlyInAnyOrder("u1", "u3");
    // ...and change none: u1's profile still counts one event.
    assertThat(profileOf("u1").events).isEqualTo(1);
  }

  @Test
  void withoutSuppressionTheNextEventProfilesAnErasedUserAnew() throws Exception {
    ProfileFunction fn =
        new ProfileFunction(
                new CartAbandonmentRule(HOUR, 7 * 24 * HOUR),
                Duration.ofMinutes(10),
                Duration.ofMinutes(1),
                Duration.ofDays(400),
                1024,
                ProfileUpdater.Settings.defaults())
            .withEraseSuppression(Duration.ZERO);
    harness =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(fn), Envelope::userId, Types.STRING);
    harness.setStateBackend(new EmbeddedRocksDBStateBackend());
    harness.open();
    send(event("e1", "u1", EventType.ADD_TO_CART, T0, "p1"));
    send(privacy("u1", PrivacyType.ERASE));
    send(event("e2", "u1", EventType.ADD_TO_CART, T0 + MINUTE, "p2"));
    assertThat(keysOf(ProfileState.PROFILE)).containsExactly("u1");
    assertThat(audits().get(0).effects).doesNotContain(Effect.count("suppressed_days", 30));
  }

  @Test
  void inactiveUsersExpireAfterTheTtl() throws Exception {
    // The harness moves the TTL clock without the wall clock, which the profile cache's own
    // expiry follows (as Flink's TTL does in a job): so here the cache is off.
    harness =
        harness(new CartAbandonmentRule(HOUR, 7 * 24 * HOUR), null, null, Duration.ofDays(30), 0);
    harness.open();
    harness.setStateTtlProcessingTime(0);
    send(event("e1", "u1", EventType.ADD_TO_CART, T0, "p1"));
    send(event("e2", "u2", EventType.ADD_TO_CART, T0, "p2"));
    harness.setStateTtlProcessingTime(Duration.ofDays(20).toMillis());
    send(event("e3", "u2", EventType.ADD_TO_CART, T0 + MINUTE, "p2")); // u2 is active again
    harness.setStateTtlProcessingTime(Duration.ofDays(31).toMillis());
    // u1's state expired (30 days without a write); u2's profile and cart were written on day 20.
    harness.processWatermark(new Watermark(T0 + 3 * HOUR));
    assertThat(decisions()).extracting(d -> d.userId).containsExactly("u2");
    send(event("e4", "u1", EventType.VIEW, T0 + 4 * HOUR, "p1"));
    assertThat(profileOf("u1").events).isEqualTo(1); // a fresh profile
  }

  /**
   * Under write-behind, a profile changed longer ago than the write-after age is in the state
   * before any barrier (the next input wrote it); one changed by the last input is only cached.
   */
  @ParameterizedTest
  @CsvSource({"20, true", "0, false"})
  void aProfileThatWaitedTheWriteAfterAgeIsWrittenByTheNextInput(long writeAfterMs, boolean written)
      throws Exception {
    harness = mixedHarness(1000, true, writeAfterMs);
    harness.open();
    send(event("e1", "u1", EventType.VIEW, T0, "p1"));
    Thread.sleep(60);
    send(event("e2", "u2", EventType.VIEW, T0 + 1, "p1"));
    UserProfile u1 = stateOf("u1", ProfileState.profile(Duration.ofDays(400)));
    assertThat(u1 == null ? 0 : u1.events).isEqualTo(written ? 1 : 0);
    assertThat(stateOf("u2", ProfileState.profile(Duration.ofDays(400)))).isNull();
  }

  private <T> T stateOf(
      String user, org.apache.flink.api.common.state.ValueStateDescriptor<T> descriptor)
      throws Exception {
    KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
    backend.setCurrentKey(user);
    return backend
        .getPartitionedState(VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor)
        .value();
  }

  private UserProfile profileOf(String user) throws Exception {
    KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
    backend.setCurrentKey(user);
    return backend
        .getPartitionedState(
            VoidNamespace.INSTANCE,
            VoidNamespaceSerializer.INSTANCE,
            ProfileState.profile(Duration.ofDays(30)))
        .value();
  }

  @Test
  void eachWindowCountsTheEventsInItThroughTheOperatorLateOnesInTheirOwnBucket() throws Exception {
    long day = 24 * HOUR;
    long now = T0 + 40 * day;
    harness = newHarness(); // allowed lateness 10 minutes
    harness.open();
    // In time order, one view each: only in the lifetime, in 90 d, 30 d, 7 d, the last hour.
    long[] at = {T0 - 100 * day, T0 + day, T0 + 25 * day, T0 + 38 * day, now - 30 * MINUTE, now};
    for (int i = 0; i < at.length; i++) {
      send(event("v" + i, "u1", EventType.VIEW, at[i], "p1"));
    }
    harness.processWatermark(new Watermark(now - MINUTE));
    send(event("ok", "u1", EventType.VIEW, now - 5 * MINUTE, "p1")); // 4 min late: counted
    send(event("late", "u1", EventType.VIEW, now - 2 * HOUR, "p1")); // 119 min late: DLQ
    assertThat(harness.getSideOutput(ProfileFunction.LATE))
        .extracting(r -> r.getValue().reason)
        .containsExactly(RejectReason.LATE_EVENT);

    ActivityWindows w = profileOf("u1").windows;
    assertThat(w.sum(Window.H1, Metric.VIEWS, now)).isEqualTo(3);
    assertThat(w.sum(Window.H24, Metric.VIEWS, now)).isEqualTo(3);
    assertThat(w.sum(Window.D7, Metric.VIEWS, now)).isEqualTo(4);
    assertThat(w.sum(Window.D30, Metric.VIEWS, now)).isEqualTo(5);
    assertThat(w.sum(Window.D90, Metric.VIEWS, now)).isEqualTo(6);
    assertThat(w.sum(Window.LIFETIME, Metric.VIEWS, now)).isEqualTo(7);
    // An hour on, the last-hour window has let its three go; the others still hold them.
    assertThat(w.sum(Window.H1, Metric.VIEWS, now + HOUR)).isZero();
    assertThat(w.sum(Window.H24, Metric.VIEWS, now + HOUR)).isEqualTo(3);
  }

  @Test
  void duplicateEventIdsGoToTheDlqAndDoNotCountTwice() throws Exception {
    harness = newHarness();
    harness.open();
    send(event("e1", "u1", EventType.ADD_TO_CART, T0, "p1"));
    send(event("e1", "u1", EventType.ADD_TO_CART, T0, "p1")); // redelivered
    send(event("e2", "u1", EventType.ADD_TO_CART, T0 + MINUTE, "p2"));
    ConcurrentLinkedQueue<StreamRecord<Rejection>> rejected =
        harness.getSideOutput(ProfileFunction.LATE);
    assertThat(rejected).hasSize(1);
    Rejection r = rejected.peek().getValue();
    assertThat(r.reason).isEqualTo(RejectReason.DUPLICATE_EVENT);
    assertThat(r.detail).startsWith("event_id 'e1' was already processed");
    harness.processWatermark(new Watermark(T0 + 3 * HOUR));
    assertThat(decisions()).hasSize(1);
    assertThat(decisions().get(0).scores).containsEntry("cart_value", 40.0); // not 60: e1 once
  }

  @Test
  void rememberedEventIdsArePrunedOnceTheyCanOnlyBeLate() throws Exception {
    harness = newHarness();
    harness.open();
    send(event("old", "u1", EventType.VIEW, T0, "p1"));
    harness.processWatermark(new Watermark(T0 + 5 * HOUR));
    send(event("new", "u1", EventType.VIEW, T0 + 5 * HOUR, "p1"));
    // "old" is 5 h behind the watermark: forgotten, and a repeat of it is rejected as late.
    send(event("old", "u1", EventType.VIEW, T0, "p1"));
    assertThat(harness.getSideOutput(ProfileFunction.LATE))
        .extracting(r -> r.getValue().reason)
        .containsExactly(RejectReason.LATE_EVENT);
    send(event("new", "u1", EventType.VIEW, T0 + 5 * HOUR, "p1"));
    assertThat(harness.getSideOutput(ProfileFunction.LATE))
        .extracting(r -> r.getValue().reason)
        .containsExactly(RejectReason.LATE_EVENT, RejectReason.DUPLICATE_EVENT);
    RecentEventIds ids = profileOf("u1").recentEventIds;
    assertThat(ids.size()).isEqualTo(1);
    assertThat(ids.firstSeenAt("new")).isEqualTo(T0 + 5 * HOUR);
    assertThat(ids.firstSeenAt("old")).isEqualTo(RecentEventIds.NONE);
  }

  /**
   * The profile cache only saves work: a mixed stream (views, cart changes, purchases, duplicates,
   * late events, opt-outs, erasures, the three triggers' timers) gives the same outputs, DLQ
   * records, receipts and final state (profiles, browse sessions, order histories) with no cache,
   * with write-through and write-behind caches smaller than the number of users (evictions) and
   * large ones, and with write-behind across a checkpoint taken mid-stream and restored into a new
   * task (the profiles only in the cache then must be in the checkpoint).
   */
  @ParameterizedTest
  @CsvSource({
    "3, false, false, 0",
    "1000, false, false, 0",
    "3, true, false, 0",
    "1000, true, false, 0",
    "1000, true, true, 0",
    "5, true, true, 0",
    "1000, true, false, 1",
    "1000, true, true, 1"
  })
  void theProfileCacheChangesNothing(
      int cacheSize, boolean writeBehind, boolean restoreMidway, long writeAfterMs)
      throws Exception {
    List<Object> reference = mixedStream(0, false, false, 0);
    assertThat((List<?>) reference.get(0)).anyMatch(in -> ((PolicyInput) in).candidate != null);
    assertThat((List<?>) reference.get(1)).anyMatch(x -> x.toString().startsWith("DUPLICATE"));
    assertThat((List<?>) reference.get(1)).anyMatch(x -> x.toString().startsWith("LATE"));
    assertThat(reference).filteredOn(x -> x instanceof UserProfile).hasSizeGreaterThan(6);
    assertThat(reference).anyMatch(x -> x instanceof io.prescient.state.profile.BrowseSession);
    assertThat(reference).anyMatch(x -> x instanceof io.prescient.state.profile.LifecycleState);
    assertThat(mixedStream(cacheSize, writeBehind, restoreMidway, writeAfterMs))
        .usingRecursiveComparison(
            org.assertj.core.api.recursive.comparison.RecursiveComparisonConfiguration.builder()
                .withEqualsForType(RecentEventIds::equals, RecentEventIds.class)
                .withEqualsForType(Float::equals, Float.class) // NaN (missing) is NaN
                .withEqualsForType(Double::equals, Double.class)
                .build())
        .isEqualTo(reference);
  }

  /** Outputs, DLQ records, receipts and every user's final profile of one seeded stream. */
  private List<Object> mixedStream(
      int cacheSize, boolean writeBehind, boolean restoreMidway, long writeAfterMs)
      throws Exception {
    harness = mixedHarness(cacheSize, writeBehind, writeAfterMs);
    harness.open();
    List<Object> outputs = new ArrayList<>();
    List<Object> rejected = new ArrayList<>();
    List<Object> receipts = new ArrayList<>();
    java.util.Random r = new java.util.Random(7);
    EventType[] types = {
      EventType.VIEW, EventType.ADD_TO_CART, EventType.REMOVE_FROM_CART, EventType.PURCHASE
    };
    long t = T0;
    long watermark = Long.MIN_VALUE;
    for (int i = 0; i < 3_000; i++) {
      t += r.nextInt(4 * (int) MINUTE);
      String user = "u" + r.nextInt(12);
      int dice = r.nextInt(100);
      if (dice < 2) {
        // Erased users stay erased (their input is dropped) for weeks: only two users are, so
        // that the others keep state to compare at the end.
        boolean erase = dice == 0 && (user.equals("u10") || user.equals("u11"));
        send(privacy(user, erase ? PrivacyType.ERASE : PrivacyType.OPT_OUT));
      } else if (dice < 6 && i > 10) {
        send(event("e" + (i - 1 - r.nextInt(10)), user, EventType.VIEW, t, "p1")); // repeat
      } else if (dice < 8) {
        send(event("late" + i, user, EventType.VIEW, t - 3 * HOUR, "p1"));
      } else {
        send(event("e" + i, user, types[r.nextInt(types.length)], t, "p" + r.nextInt(5)));
      }
      if (i % 50 == 0) {
        watermark = t - MINUTE;
        harness.processWatermark(new Watermark(watermark));
      }
      if (restoreMidway && i == 1_500) {
        // As a task does at a checkpoint: flush before the barrier, then snapshot.
        harness.prepareSnapshotPreBarrier(1);
        OperatorSubtaskState snapshot = harness.snapshot(1, t);
        collect(outputs, rejected, receipts);
        harness.close();
        harness = mixedHarness(cacheSize, writeBehind, writeAfterMs);
        harness.initializeState(snapshot);
        harness.open();
        // Watermarks are not in checkpoints: the sources send theirs again.
        harness.processWatermark(new Watermark(watermark));
      }
    }
    harness.processWatermark(new Watermark(t + 30 * 24 * HOUR));
    harness.prepareSnapshotPreBarrier(2); // write-behind: the cached profiles reach the state
    collect(outputs, rejected, receipts);
    List<Object> run = new ArrayList<>(List.of(outputs, rejected, receipts));
    for (int u = 0; u < 12; u++) {
      // The descriptors as the harness registered them (TTL 400 days).
      run.add(stateOf("u" + u, ProfileState.profile(Duration.ofDays(400))));
      run.add(stateOf("u" + u, ProfileState.browse(Duration.ofDays(400))));
      run.add(stateOf("u" + u, ProfileState.lifecycle(Duration.ofDays(400))));
    }
    harness.close();
    return run;
  }

  /** Cart reminders after an hour, follow-ups 3 days after an order, win-backs as given. */
  private static KeyedOneInputStreamOperatorTestHarness<String, Envelope, PolicyInput>
      lifecycleHarness(long winBackAfterMs) throws Exception {
    long day = 24 * HOUR;
    return harness(
        new CartAbandonmentRule(HOUR, 7 * day),
        null,
        new io.prescient.models.rules.LifecycleRule(3 * day, winBackAfterMs, 7 * day),
        Duration.ofDays(400));
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Envelope, PolicyInput> mixedHarness(
      int cacheSize, boolean writeBehind, long writeAfterMs) throws Exception {
    return harness(
        new CartAbandonmentRule(HOUR, 7 * 24 * HOUR),
        new io.prescient.models.rules.BrowseAbandonmentRule(HOUR, 30 * MINUTE, 3, 7 * 24 * HOUR),
        new io.prescient.models.rules.LifecycleRule(2 * HOUR, 10 * HOUR, 7 * 24 * HOUR),
        Duration.ofDays(400),
        cacheSize,
        writeBehind,
        writeAfterMs);
  }

  private void collect(List<Object> outputs, List<Object> rejected, List<Object> receipts) {
    outputs.addAll(harness.extractOutputValues());
    ConcurrentLinkedQueue<StreamRecord<Rejection>> late =
        harness.getSideOutput(ProfileFunction.LATE);
    if (late != null) {
      late.forEach(x -> rejected.add(x.getValue().reason + " " + x.getValue().detail));
    }
    audits().forEach(a -> receipts.add(a.userId + " " + a.effects));
  }

  private List<String> keysOf(String stateName) {
    KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
    try (Stream<String> keys = backend.getKeys(stateName, VoidNamespace.INSTANCE)) {
      return keys.collect(Collectors.toList());
    }
  }

  @Test
  void eventsLaterThanTheAllowedLatenessGoToTheDlq() throws Exception {
    harness = newHarness();
    harness.open();
    harness.processWatermark(new Watermark(T0 + HOUR));
    send(event("ok", "u1", EventType.VIEW, T0 + 55 * MINUTE, "p1")); // 5 min late: allowed
    send(event("late", "u1", EventType.VIEW, T0, "p1")); // 60 min late
    ConcurrentLinkedQueue<StreamRecord<Rejection>> late =
        harness.getSideOutput(ProfileFunction.LATE);
    assertThat(late).hasSize(1);
    Rejection r = late.peek().getValue();
    assertThat(r.reason).isEqualTo(RejectReason.LATE_EVENT);
    assertThat(r.detail).contains("3600000 ms behind the watermark");
    assertThat(new String(r.raw)).contains("\"event_id\":\"late\"");
    assertThat(r.userId).isEqualTo("u1");
  }

  @Test
  void decisionsAreDeterministicAcrossRuns() throws Exception {
    List<String> first = runOnce();
    List<String> second = runOnce();
    assertThat(first).isNotEmpty().isEqualTo(second);
  }

  private List<String> runOnce() throws Exception {
    harness = newHarness();
    harness.open();
    for (int u = 0; u < 20; u++) {
      send(event("a" + u, "user" + u, EventType.ADD_TO_CART, T0 + u * MINUTE, "p" + u));
      if (u % 3 == 0) {
        send(event("b" + u, "user" + u, EventType.PURCHASE, T0 + u * MINUTE + 1, "p" + u));
      }
    }
    harness.processWatermark(new Watermark(T0 + 5 * HOUR));
    List<String> ids =
        decisions().stream().map(d -> d.decisionId).sorted().collect(Collectors.toList());
    assertThat(ids).hasSize(13);
    harness.close();
    harness = null;
    return ids;
  }

  private static KeyedOneInputStreamOperatorTestHarness<String, Envelope, PolicyInput>
      browseHarness() throws Exception {
    return harness(
        new CartAbandonmentRule(HOUR, 7 * 24 * HOUR),
        new io.prescient.models.rules.BrowseAbandonmentRule(HOUR, 30 * MINUTE, 3, 7 * 24 * HOUR),
        Duration.ofDays(400));
  }

  @Test
  void aBrowsingSessionWithoutACartIsOneBrowseDecisionPoint() throws Exception {
    harness = browseHarness();
    harness.open();
    // u1 views three products and leaves; u2 views three and puts one in the cart; u3 views two
    for (int i = 0; i < 3; i++) {
      send(event("a" + i, "u1", EventType.VIEW, T0 + i * MINUTE, "p" + i));
      send(event("b" + i, "u2", EventType.VIEW, T0 + i * MINUTE, "p" + i));
    }
    send(event("b9", "u2", EventType.ADD_TO_CART, T0 + 5 * MINUTE, "p2"));
    send(event("c0", "u3", EventType.VIEW, T0, "p1"));
    send(event("c1", "u3", EventType.VIEW, T0 + MINUTE, "p2"));
    harness.processWatermark(new Watermark(T0 + HOUR));
    assertThat(decisions()).isEmpty();
    harness.processWatermark(new Watermark(T0 + 3 * HOUR));

    List<Decision> out = decisions();
    assertThat(out)
        .extracting(d -> d.userId + ":" + d.trigger + ":" + d.triggeringEventId)
        .containsExactlyInAnyOrder("u1:browse_abandonment:a2", "u2:cart_abandonment:b9");
    Decision browse = out.stream().filter(d -> d.userId.equals("u1")).findFirst().get();
    assertThat(browse.productId).isEqualTo("p2");
    assertThat(browse.decidedAt).isEqualTo(T0 + 2 * MINUTE + HOUR);
    assertThat(browse.reasonCodes).containsExactly("BROWSE_ABANDONED");
    assertThat(browse.why).startsWith("3 product views");

    // the same session never triggers twice; erase removes the browse session and its timer
    send(event("a9", "u1", EventType.VIEW, T0 + 4 * HOUR, "p7"));
    assertThat(harness.numEventTimeTimers()).isZero(); // one view: not browsing yet
    for (int i = 0; i < 3; i++) {
      send(event("d" + i, "u4", EventType.VIEW, T0 + 4 * HOUR + i * MINUTE, "p" + i));
    }
    assertThat(harness.numEventTimeTimers()).isEqualTo(1);
    send(privacy("u4", PrivacyType.ERASE));
    assertThat(harness.numEventTimeTimers()).isZero();
    assertThat(audits().get(audits().size() - 1).effects)
        .contains(Effect.of("browse_session"), Effect.count("browse_timers", 1));
  }

  /**
   * A user without a profile is taken to have no browse session (the cache marks it absent), but
   * written behind, a profile can expire shortly before the session of the same input. Erase then
   * still finds the session in state, removes it and names it in the receipt.
   */
  @Test
  void eraseReportsABrowseSessionThatOutlivedItsProfile() throws Exception {
    harness = mixedHarness(1, true, 0); // one user cached: the next user's input writes u1 out
    harness.open();
    for (int i = 0; i < 3; i++) {
      send(event("a" + i, "u1", EventType.VIEW, T0 + i * MINUTE, "p" + i)); // browsing: a timer
    }
    send(event("b0", "u2", EventType.VIEW, T0, "p1"));
    assertThat(keysOf(ProfileState.BROWSE)).contains("u1");
    // The profile expires first (as its TTL would, had it been written before the session).
    KeyedStateBackend<String> backend = harness.getOperator().getKeyedStateBackend();
    backend.setCurrentKey("u1");
    backend
        .getPartitionedState(
            VoidNamespace.INSTANCE,
            VoidNamespaceSerializer.INSTANCE,
            ProfileState.profile(Duration.ofDays(400)))
        .clear();
    send(event("a9", "u1", EventType.EMAIL_OPEN, T0 + 5 * MINUTE, null)); // a new profile
    send(privacy("u1", PrivacyType.ERASE));
    assertThat(audits().get(audits().size() - 1).effects)
        .contains(
            Effect.of("profile"), Effect.of("browse_session"), Effect.count("browse_timers", 1));
    assertThat(keysOf(ProfileState.BROWSE)).doesNotContain("u1");
    assertThat(keysOf(ProfileState.PROFILE)).doesNotContain("u1");
  }

  @Test
  void cartAndBrowseDeadlinesInTheSameMinuteBothDecideWhicheverWayTimeMoves() throws Exception {
    // the cart changes at T0+10s and the last view is at T0+40s: both deadlines round to T0+61min
    List<List<String>> runs = new java.util.ArrayList<>();
    for (boolean byWatermark : new boolean[] {true, false}) {
      harness = browseHarness();
      harness.open();
      send(event("c1", "u1", EventType.ADD_TO_CART, T0 + 10_000, "p1"));
      for (int i = 0; i < 3; i++) {
        send(event("v" + i, "u1", EventType.VIEW, T0 + 20_000 + i * 10_000, "q" + i));
      }
      assertThat(harness.numEventTimeTimers()).isEqualTo(1); // one shared registration
      if (byWatermark) {
        harness.processWatermark(new Watermark(T0 + 2 * HOUR));
      } else {
        send(event("later", "u1", EventType.VIEW, T0 + 3 * HOUR, "q9")); // decides lazily
      }
      runs.add(decisions().stream().map(d -> d.trigger + "@" + d.decidedAt).toList());
      harness.close();
    }
    harness = null;
    assertThat(runs.get(0))
        .containsExactly(
            "cart_abandonment@" + (T0 + HOUR + MINUTE),
            "browse_abandonment@" + (T0 + HOUR + MINUTE));
    assertThat(runs.get(1)).isEqualTo(runs.get(0));
  }

  @Test
  void ordersGetAFollowUpAndLapsedCustomersAWinBackOnce() throws Exception {
    long day = 24 * HOUR;
    harness = lifecycleHarness(10 * day);
    harness.open();
    send(event("v1", "u1", EventType.VIEW, T0, "p1"));
    send(event("o1", "u1", EventType.PURCHASE, T0 + MINUTE, "p1"));
    send(event("v2", "u2", EventType.VIEW, T0, "p1")); // never bought: neither trigger
    assertThat(harness.numEventTimeTimers()).isEqualTo(1);
    harness.processWatermark(new Watermark(T0 + 4 * day));
    List<Decision> out = decisions();
    assertThat(out)
        .extracting(d -> d.trigger + ":" + d.triggeringEventId)
        .containsExactly("post_purchase:o1");
    assertThat(out.get(0).decidedAt).isEqualTo(T0 + MINUTE + 3 * day);
    assertThat(out.get(0).category).isEqualTo("bags"); // the top affinity
    // activity on day 5 moves the lapse: the win-back comes 10 days after it, once
    send(event("v3", "u1", EventType.VIEW, T0 + 5 * day, "p2"));
    harness.processWatermark(new Watermark(T0 + 14 * day));
    assertThat(decisions()).hasSize(1);
    harness.processWatermark(new Watermark(T0 + 40 * day));
    List<Decision> all = decisions();
    assertThat(all).extracting(d -> d.trigger).containsExactly("post_purchase", "win_back");
    assertThat(all.get(1).decidedAt).isEqualTo(T0 + 15 * day);
    assertThat(all.get(1).triggeringEventId).isEqualTo("o1");
    assertThat(harness.numEventTimeTimers()).isZero();
    // erase removes the order history and the pending timer
    send(event("o2", "u3", EventType.PURCHASE, T0 + 41 * day, "p1"));
    assertThat(harness.numEventTimeTimers()).isEqualTo(1);
    send(privacy("u3", PrivacyType.ERASE));
    assertThat(harness.numEventTimeTimers()).isZero();
    assertThat(audits().get(audits().size() - 1).effects)
        .contains(Effect.of("order_history"), Effect.count("lifecycle_timers", 1));
  }

  /**
   * A due time earlier than the pending lifecycle timer registers a timer of its own and leaves the
   * later one registered: it fires as a no-op. This is why a savepoint can hold more registered
   * timers than armed triggers (inspect-savepoint's no_op_timers).
   */
  @Test
  void aSupersededLifecycleTimerStaysRegisteredAndFiresAsANoOp() throws Exception {
    long day = 24 * HOUR;
    harness = lifecycleHarness(10 * day);
    harness.open();
    send(event("o1", "u1", EventType.PURCHASE, T0, "p1"));
    harness.processWatermark(new Watermark(T0 + 4 * day)); // follow-up of o1; win-back at day 10
    assertThat(harness.numEventTimeTimers()).isEqualTo(1);
    send(event("o2", "u1", EventType.PURCHASE, T0 + 5 * day, "p1")); // follow-up due at day 8
    assertThat(harness.numEventTimeTimers()).isEqualTo(2); // day 8 armed, day 10 superseded
    harness.processWatermark(new Watermark(T0 + 14 * day)); // day 10 fires: nothing to decide
    assertThat(decisions())
        .extracting(d -> d.trigger + ":" + d.triggeringEventId)
        .containsExactly("post_purchase:o1", "post_purchase:o2");
    assertThat(harness.numEventTimeTimers()).isEqualTo(1); // the win-back, 10 days after o2
    harness.processWatermark(new Watermark(T0 + 16 * day));
    assertThat(decisions()).extracting(d -> d.trigger).last().isEqualTo("win_back");
    assertThat(decisions().get(2).decidedAt).isEqualTo(T0 + 15 * day);
  }

  /**
   * The follow-up names the category the customer is most drawn to when it is decided: affinities
   * compared decayed to that time (an old strong interest yields to a recent one), and on equal
   * scores the alphabetically first (the same whichever order a state backend iterates in).
   */
  @Test
  void theFollowUpNamesTheStrongestCategoryNowWithTiesByName() throws Exception {
    long day = 24 * HOUR;
    harness = lifecycleHarness(100 * day);
    harness.open();
    // u1: 3 purchases in "toys" 200 days ago (score 15, halved every 30 days: about 0.15 now),
    // then a view and the order that triggers the follow-up in "bags" (score 1 + 5 = 6).
    for (int i = 0; i < 3; i++) {
      send(categorised("t" + i, "u1", EventType.PURCHASE, T0, "toys"));
    }
    send(categorised("v1", "u1", EventType.VIEW, T0 + 200 * day, "bags"));
    send(categorised("o1", "u1", EventType.PURCHASE, T0 + 200 * day, "bags"));
    // u2: "storage" and "stationery" bought in one order: equal scores.
    send(categorised("s1", "u2", EventType.PURCHASE, T0 + 200 * day, "storage"));
    send(categorised("s2", "u2", EventType.PURCHASE, T0 + 200 * day, "stationery"));
    harness.processWatermark(new Watermark(T0 + 204 * day));
    assertThat(decisions())
        .filteredOn(d -> d.decidedAt > T0 + 200 * day) // the follow-ups of the last orders
        .extracting(d -> d.userId + ":" + d.category)
        .containsExactlyInAnyOrder("u1:bags", "u2:stationery");
  }

  private static Envelope categorised(
      String id, String user, EventType type, long ts, String category) {
    Envelope env = event(id, user, type, ts, "p-" + id);
    env.event.category = category;
    return env;
  }

  @Test
  void aLifecycleTimerReArmedBeforeALaterEventDecidesOnThatEventAsTheTimerWould() throws Exception {
    // The follow-up for o1 is armed at day 3; o2 on day 2 moves it to day 5, and the pending
    // day-3 timer re-arms when it comes. An event on day 6 then finds the day-3 time due: deciding
    // it re-arms day 5, which is before the event too, so it is decided before the event as well
    // (as a timer would have done), not later and not only when the watermark passes (the Online
    // Retail replay differed from the live job by exactly such follow-ups before this).
    long day = 24 * HOUR;
    harness = lifecycleHarness(60 * day);
    harness.open();
    send(event("o1", "u1", EventType.PURCHASE, T0, "p1"));
    send(event("o2", "u1", EventType.PURCHASE, T0 + 2 * day, "p2"));
    send(event("v1", "u1", EventType.VIEW, T0 + 6 * day, "p3"));
    List<Decision> out = decisions();
    assertThat(out)
        .extracting(d -> d.trigger + ":" + d.triggeringEventId)
        .containsExactly("post_purchase:o2");
    assertThat(out.get(0).decidedAt).isEqualTo(T0 + 5 * day);
    harness.processWatermark(new Watermark(T0 + 20 * day));
    assertThat(decisions()).hasSize(1); // and not again from the timer
  }
}

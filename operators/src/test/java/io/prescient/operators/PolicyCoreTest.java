package io.prescient.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.models.policy.PolicyEngine;
import io.prescient.state.contract.AuditRecord;
import io.prescient.state.contract.CatalogEntry;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.Effect;
import io.prescient.state.contract.Feedback;
import io.prescient.state.contract.Outcome;
import io.prescient.state.contract.OutcomeType;
import io.prescient.state.contract.Rejection;
import io.prescient.state.features.FeatureSchema;
import io.prescient.state.profile.InMemoryStore;
import io.prescient.state.profile.KeyedStore;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link PolicyCore} on in-memory state, with no Flink: the delay and its re-check, the due-time
 * index driving settlement, the feedback join, opt-out and erase. Time moves only where the test
 * settles; timers are what the core asked for.
 */
class PolicyCoreTest {
  private static final long T0 = 1_300_000_020_000L;
  private static final long HOUR = 3_600_000L;
  private static final long DAY = 24 * HOUR;

  /** One user's state in maps. */
  static final class Memory implements PolicyCore.Store {
    PolicyUser user;
    final InMemoryStore<HeldDecision> held = new InMemoryStore<>();
    final InMemoryStore<Feedback> open = new InMemoryStore<>();
    final InMemoryStore<Outcome> buffered = new InMemoryStore<>();
    final InMemoryStore<long[]> sends = new InMemoryStore<>();
    final InMemoryStore<long[]> shown = new InMemoryStore<>();

    @Override
    public PolicyUser user() {
      return user;
    }

    @Override
    public void putUser(PolicyUser u) {
      user = u;
    }

    @Override
    public void clearUser() {
      user = null;
    }

    @Override
    public InMemoryStore<HeldDecision> held() {
      return held;
    }

    @Override
    public InMemoryStore<Feedback> open() {
      return open;
    }

    @Override
    public InMemoryStore<Outcome> buffered() {
      return buffered;
    }

    /** Reads of the message history, by channel. */
    final Map<String, Integer> sendReads = new HashMap<>();

    @Override
    public KeyedStore<long[]> sends() {
      return new KeyedStore<>() {
        @Override
        public long[] get(String key) {
          sendReads.merge(key, 1, Integer::sum);
          return sends.get(key);
        }

        @Override
        public void put(String key, long[] value) {
          sends.put(key, value);
        }

        @Override
        public void remove(String key) {
          sends.remove(key);
        }

        @Override
        public Iterable<Map.Entry<String, long[]>> entries() {
          return sends.entries();
        }

        @Override
        public void clear() {
          sends.clear();
        }
      };
    }

    @Override
    public InMemoryStore<long[]> shown() {
      return shown;
    }
  }

  /** What the core did. */
  static final class Recorded implements PolicyCore.Effects {
    final TreeSet<Long> timers = new TreeSet<>();
    final List<Decision> decisions = new ArrayList<>();
    final List<Feedback> feedback = new ArrayList<>();
    final List<AuditRecord> audit = new ArrayList<>();
    final List<Rejection> dlq = new ArrayList<>();
    final Map<String, Integer> counts = new HashMap<>();
    final Map<String, CatalogEntry> catalog = new HashMap<>();

    @Override
    public void registerTimer(long at) {
      timers.add(at);
    }

    @Override
    public void deleteTimer(long at) {
      timers.remove(at);
    }

    @Override
    public void decision(Decision d) {
      decisions.add(d);
    }

    @Override
    public void feedback(Feedback f) {
      feedback.add(f);
    }

    @Override
    public void audit(AuditRecord a) {
      audit.add(a);
    }

    @Override
    public void dlq(Rejection r) {
      dlq.add(r);
    }

    @Override
    public void count(String name, String... labels) {
      counts.merge(name + (labels.length > 1 ? ":" + labels[1] : ""), 1, Integer::sum);
    }

    @Override
    public CatalogEntry catalog(String productId) {
      return catalog.get(productId);
    }
  }

  private final PolicyCore core =
      new PolicyCore(PolicyFunctionTest.rulesOnly(), 7 * DAY, 60_000, 1024);
  private final Memory state = new Memory();
  private final Recorded fx = new Recorded();

  private void decide(String user, String event, long at, String product) throws Exception {
    PolicyInput in = PolicyFunctionTest.candidate(user, event, at, product);
    core.decide(in.candidate, null, (PolicyEngine.OfferScorer) null, state, fx);
  }

  /** The event-time timers up to {@code at} fire: the core settles up to it. */
  private void fire(long at) throws Exception {
    fx.timers.headSet(at, true).clear();
    core.settle(at, state, fx);
  }

  @Test
  void aHeldDecisionIsReleasedWhenSettledAtItsTimeAndItsWindowClosesAWeekLater() throws Exception {
    decide("u1", "e1", T0, "p1");
    assertThat(fx.decisions).isEmpty();
    assertThat(fx.timers).containsExactly(T0 + DAY, T0 + 7 * DAY);
    assertThat(state.user.nextDueAt).isEqualTo(T0 + DAY);
    // The features are stored once: in the open feedback record, not again with the held decision.
    assertThat(state.open.asMap().values())
        .singleElement()
        .satisfies(f -> assertThat(f.features).isNotEmpty());
    assertThat(state.held.asMap().values())
        .singleElement()
        .satisfies(h -> assertThat(h.features).isEmpty());

    core.settle(T0 + DAY - 1, state, fx);
    assertThat(fx.decisions).isEmpty();
    core.settle(T0 + DAY, state, fx);
    assertThat(fx.decisions).extracting(d -> d.sendAfter).containsExactly(T0 + DAY);
    assertThat(state.held.size()).isZero();
    assertThat(state.sends.get("email")).containsExactly(T0 + DAY);
    assertThat(state.user.nextDueAt).isEqualTo(T0 + 7 * DAY);

    core.settle(T0 + 7 * DAY, state, fx);
    assertThat(fx.feedback).singleElement().satisfies(f -> assertThat(f.clicked).isFalse());
    assertThat(state.open.size()).isZero();
    assertThat(state.user.nextDueAt).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void aDecisionReadsAChannelsHistoryOnceHoweverManyCapsAndOffersAskForIt() throws Exception {
    // Email is capped over a day and over a week: each of the trigger's email offers asks for
    // both windows, at the decision and again at the release.
    decide("u1", "e1", T0, "p1");
    assertThat(state.sendReads).containsEntry("email", 1);
    fire(T0 + DAY); // released: re-checked (one read), then the send appended (one read)
    assertThat(state.sendReads).containsEntry("email", 3);
    assertThat(state.sends.get("email")).containsExactly(T0 + DAY);
    decide("u1", "e2", T0 + DAY + HOUR, "p2"); // within the day: the cap suppresses
    assertThat(fx.decisions).hasSize(1);
    assertThat(state.sendReads).containsEntry("email", 4);
  }

  @Test
  void aPurchaseDuringTheDelayCancelsAtReleaseAndConvertsTheOpenWindow() throws Exception {
    decide("u1", "e1", T0, "p1");
    PolicyInput purchase = PolicyInput.signal(PolicyInput.Kind.PURCHASE, "u1", T0 + 2 * HOUR);
    purchase.value = 30.0;
    core.onPurchase(purchase, state);
    core.settle(T0 + 8 * DAY, state, fx);
    assertThat(fx.decisions).isEmpty();
    assertThat(fx.counts).containsEntry("delayedCancelled:purchased", 1);
    Feedback f = fx.feedback.get(0);
    assertThat(f.cancelledReason).isEqualTo("purchased");
    assertThat(f.converted).isTrue();
    assertThat(f.convertedBy).isEqualTo("purchase");
    assertThat(f.conversionValue).isEqualTo(30.0);
  }

  @Test
  void anOutcomeAheadOfTheWatermarkIsJoinedInEventTimeAfterTheRelease() throws Exception {
    decide("u1", "e1", T0, "p1");
    String id = fx.decisions.isEmpty() ? state.held.asMap().keySet().iterator().next() : null;
    PolicyInput clicked =
        PolicyInput.outcome(
            Envelope.of(new Outcome(id, "u1", OutcomeType.CLICKED, T0 + 2 * DAY, null), "o", 0, 1));
    core.onOutcome(clicked, T0, state, fx); // the watermark is behind it: buffered
    assertThat(state.buffered.size()).isEqualTo(1);
    assertThat(fx.timers).contains(T0 + 2 * DAY);

    core.settle(T0 + 8 * DAY, state, fx); // release at +1 day, outcome at +2, close at +7
    assertThat(fx.dlq).isEmpty();
    assertThat(fx.feedback).singleElement().satisfies(f -> assertThat(f.clicked).isTrue());
  }

  @Test
  void anOutcomeOfNoOpenDecisionGoesToTheDlqWithTheReason() throws Exception {
    PolicyInput stray =
        PolicyInput.outcome(
            Envelope.of(new Outcome("nope", "u1", OutcomeType.OPENED, T0, null), "o", 3, 9));
    core.onOutcome(stray, T0, state, fx);
    assertThat(fx.dlq)
        .singleElement()
        .satisfies(
            r -> {
              assertThat(r.detail).startsWith("no open decision 'nope' for user 'u1'");
              assertThat(r.partition).isEqualTo(3);
              assertThat(r.offset).isEqualTo(9);
            });
  }

  @Test
  void optOutDropsTheOpenWindowsFromStateAndIndexAndTheHeldDecisionIsCancelled() throws Exception {
    decide("u1", "e1", T0, "p1");
    core.onConsent(PolicyInput.signal(PolicyInput.Kind.OPT_OUT, "u1", T0 + HOUR), state);
    assertThat(state.open.size()).isZero();
    assertThat(state.user.dueKind).containsExactly(DueIndex.RELEASE);
    core.settle(T0 + 8 * DAY, state, fx);
    assertThat(fx.decisions).isEmpty();
    assertThat(fx.feedback).isEmpty();
    assertThat(fx.counts).containsEntry("delayedCancelled:opt_out", 1);
  }

  @Test
  void eraseLeavesNothingAndDeletesTheTimers() throws Exception {
    decide("u1", "e1", T0 - 3 * DAY, "p0");
    fire(T0 - 2 * DAY); // released: message history and shown products exist
    decide("u1", "e2", T0, "p1");
    core.erase(PolicyInput.signal(PolicyInput.Kind.ERASE, "u1", T0 + HOUR), state, fx);
    assertThat(state.user).isNull();
    assertThat(state.held.size() + state.open.size() + state.buffered.size()).isZero();
    assertThat(state.sends.size() + state.shown.size()).isZero();
    assertThat(fx.timers).isEmpty();
    assertThat(fx.audit.get(fx.audit.size() - 1).effects)
        .contains(
            Effect.count("held_decisions", 1),
            Effect.count("open_feedback", 2),
            Effect.count("message_history_channels", 1),
            Effect.count("products_shown", 1),
            Effect.of("consent_and_last_purchase"));
  }

  @Test
  void aUserStoredBeforeTheIndexIsIndexedFromTheMapsOnItsFirstSettle() throws Exception {
    decide("u1", "e1", T0, "p1");
    PolicyUser old = state.user;
    old.dueAt = null; // as a record of policy state format 2 reads
    old.dueKind = null;
    old.dueKey = null;
    core.settle(T0 + DAY, state, fx);
    assertThat(fx.decisions).hasSize(1);
    assertThat(state.user.dueAt).containsExactly(T0 + 7 * DAY);
  }

  private void request(String user, String requestId, long at, String product) throws Exception {
    Decision d =
        new io.prescient.models.rules.OnsiteRequestRule(7 * DAY, 30 * DAY)
            .broad(
                new io.prescient.state.contract.DecisionRequest(requestId, user, "home", at), "x");
    // a known user's skeleton: not broad, a product from the cart
    d.arm = null;
    d.policy = null;
    d.channel = null;
    d.action = null;
    d.candidates.clear();
    d.productId = product;
    d.category = "bags";
    core.decide(
        new DecisionCandidate(d, new float[FeatureSchema.names().size()], 40, 50.0),
        null,
        (PolicyEngine.OfferScorer) null,
        state,
        fx);
  }

  /**
   * A request is answered at once (no creepiness delay) on the onsite channel, its reward window
   * opens like any decision's, and a repeat of the request id gets the same answer, not a second
   * decision. When the guardrails leave nothing, the request is still answered: action none.
   */
  @Test
  void aRequestIsAnsweredAtOnceOnceAndAlways() throws Exception {
    request("u1", "r1", T0, "p1");
    assertThat(fx.decisions).hasSize(1);
    Decision first = fx.decisions.get(0);
    assertThat(first.requestId).isEqualTo("r1");
    assertThat(first.channel).isEqualTo("onsite");
    assertThat(first.offerId).startsWith("onsite_");
    assertThat(first.sendAfter).isEqualTo(T0);
    assertThat(state.held.size()).isZero();
    assertThat(state.open.get(first.decisionId)).isNotNull();

    request("u1", "r1", T0 + 1000, "p1");
    assertThat(fx.decisions).hasSize(2);
    assertThat(fx.decisions.get(1)).isSameAs(state.open.get(first.decisionId).decision);
    assertThat(fx.decisions.get(1).decisionId).isEqualTo(first.decisionId);
    assertThat(fx.counts).containsEntry("requestsRepeated", 1);

    // The product was shown 3 times within the window: the offers naming it go. A sensitive
    // product without margin leaves no offer at all (sensitive category, margin floor).
    state.shown.put("p2", new long[] {T0, T0, T0});
    request("u1", "r2", T0 + 2000, "p2");
    Decision third = fx.decisions.get(2);
    assertThat(third.offerId).isIn("onsite_free_shipping", "onsite_discount_5");
    fx.catalog.put("p3", new CatalogEntry("p3", "health", 10, 0.0, true, true));
    request("u1", "r3", T0 + 3000, "p3");
    Decision fourth = fx.decisions.get(3);
    assertThat(fourth.requestId).isEqualTo("r3");
    assertThat(fourth.action).isEqualTo(Decision.NO_ACTION);
    assertThat(fourth.reasonCodes).contains("NOTHING_ELIGIBLE");
    assertThat(fourth.guardrails).isNotEmpty();
  }

  /**
   * A decision carries what a sender renders: the product's name, price, page and image from the
   * live catalog, and a cart's lines without those the catalog marks sensitive.
   */
  @Test
  void decisionsCarryTheProductAsTheCatalogDescribesItAndNoSensitiveLine() throws Exception {
    CatalogEntry p1 = new CatalogEntry("p1", "bags", 25.0, 0.4, true, false);
    p1.name = "Red tote";
    p1.url = "https://shop.example/p1";
    p1.imageUrl = "https://shop.example/p1.jpg";
    fx.catalog.put("p1", p1);
    fx.catalog.put("p9", new CatalogEntry("p9", "misc", 5.0, 0.4, true, true));
    PolicyInput in = PolicyFunctionTest.candidate("u1", "e1", T0, "p1");
    in.candidate.decision.items.add(new io.prescient.state.contract.LineItem("p1", 2, 25.0));
    in.candidate.decision.items.add(new io.prescient.state.contract.LineItem("p9", 1, 5.0));
    in.candidate.decision.items.add(new io.prescient.state.contract.LineItem("p2", 1, null));
    core.decide(in.candidate, null, (PolicyEngine.OfferScorer) null, state, fx);
    core.settle(T0 + 2 * DAY, state, fx);
    Decision d = fx.decisions.get(0);
    assertThat(d.productName).isEqualTo("Red tote");
    assertThat(d.productPrice).isEqualTo(25.0);
    assertThat(d.productUrl).isEqualTo("https://shop.example/p1");
    assertThat(d.productImageUrl).isEqualTo("https://shop.example/p1.jpg");
    assertThat(d.items).extracting(i -> i.productId).containsExactly("p1", "p2");
    String json =
        new String(
            io.prescient.state.json.OutputJson.decision(d),
            java.nio.charset.StandardCharsets.UTF_8);
    assertThat(json)
        .contains("\"product_name\":\"Red tote\"", "\"product_price\":25.0")
        .contains("\"items\":[{\"product_id\":\"p1\",\"quantity\":2,\"price\":25.0},")
        .contains("{\"product_id\":\"p2\",\"quantity\":1}]");
  }
}

package io.prescient.models.policy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prescient.state.contract.Decision;
import io.prescient.state.contract.DecisionIds;
import io.prescient.state.profile.SensitiveCategories;
import java.nio.charset.StandardCharsets;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The policy's plain logic: arms, exploration and its propensities, guardrails, the catalog. */
class PolicyEngineTest {
  private static final long T0 = 1_300_000_000_000L;
  private static final long DAY = 86_400_000L;

  static PolicyEngine engine(double control, double rules, double epsilon) {
    return new PolicyEngine(
        new PolicyEngine.Settings(
            OfferCatalog.load(""),
            new Arms("exp", control, rules),
            epsilon,
            0.5,
            PolicyEngine.WithoutOfferModel.PRIOR,
            Map.of("cart_abandonment", 12 * 3_600_000L),
            DAY,
            7 * DAY,
            30.0,
            0.0),
        new Guardrails(
            new Guardrails.Settings(
                FrequencyCaps.parse("email:1/1d"),
                0.05,
                3,
                30 * DAY,
                0,
                0.3,
                new SensitiveCategories(SensitiveCategories.DEFAULTS))));
  }

  /** Everyone in the model arm; the rules decide without (or with an unsure) offer model. */
  static PolicyEngine modelArmWithRulesFallback(double epsilon, double unsureSpread) {
    PolicyEngine base = engine(0, 0, epsilon);
    return new PolicyEngine(
        new PolicyEngine.Settings(
            base.settings().catalog(),
            base.settings().arms(),
            epsilon,
            0.5,
            PolicyEngine.WithoutOfferModel.RULES,
            Map.of(),
            DAY,
            7 * DAY,
            30.0,
            unsureSpread),
        base.guardrails());
  }

  /** A user with no history of messages. */
  static final Guardrails.UserView FRESH = view(false, List.of(), 0, 0);

  static Guardrails.UserView view(boolean optedOut, List<String> unsub, int sent, int shown) {
    return new Guardrails.UserView() {
      @Override
      public boolean optedOut() {
        return optedOut;
      }

      @Override
      public boolean unsubscribed(String channel) {
        return unsub.contains(channel);
      }

      @Override
      public int sentSince(String channel, long since) {
        return sent;
      }

      @Override
      public int shownSince(String productId, long since) {
        return shown;
      }
    };
  }

  static PolicyEngine.Context context(String user, String event, Double churn) {
    Decision d = new Decision();
    d.decisionId = DecisionIds.of(user, "cart_abandonment", event);
    d.userId = user;
    d.trigger = "cart_abandonment";
    d.decidedAt = T0;
    d.productId = "p1";
    d.category = "bags";
    return new PolicyEngine.Context(
        d, new float[0], 50, 60.0, churn, new Guardrails.Product("p1", "bags", true, 0.3, false));
  }

  @Test
  void armsAreStableAndFollowTheShares() {
    Arms arms = new Arms("exp", 0.1, 0.45);
    Map<Arms.Arm, Integer> counts = new HashMap<>();
    for (int i = 0; i < 20_000; i++) {
      Arms.Arm a = arms.of("user-" + i);
      assertThat(arms.of("user-" + i)).isEqualTo(a);
      counts.merge(a, 1, Integer::sum);
    }
    assertThat(counts.get(Arms.Arm.CONTROL) / 20_000.0).isBetween(0.09, 0.11);
    assertThat(counts.get(Arms.Arm.RULES) / 20_000.0).isBetween(0.435, 0.465);
    assertThat(counts.get(Arms.Arm.MODEL) / 20_000.0).isBetween(0.435, 0.465);
    // another experiment name reshuffles: about half the users change arm
    Arms other = new Arms("exp-2", 0.1, 0.45);
    int moved = 0;
    for (int i = 0; i < 2_000; i++) {
      moved += other.of("user-" + i) != arms.of("user-" + i) ? 1 : 0;
    }
    assertThat(moved).isBetween(800, 1_400);
    assertThatThrownBy(() -> new Arms("x", 0.6, 0.6)).hasMessageContaining("control + rules");
  }

  @Test
  void explorationRateAndLoggedPropensitiesAreExact() {
    double epsilon = 0.10;
    double[] values = {0.5, 2.0, 1.0, 0.1}; // greedy is index 1
    int n = 100_000;
    int explored = 0;
    int[] chosen = new int[values.length];
    for (int i = 0; i < n; i++) {
      String id = DecisionIds.of("u" + i, "t", "e");
      EpsilonGreedy.Choice c = EpsilonGreedy.choose(values, epsilon, id);
      assertThat(EpsilonGreedy.choose(values, epsilon, id)).isEqualTo(c); // seeded by the id
      explored += c.explored() ? 1 : 0;
      chosen[c.index()]++;
      double expected = c.index() == 1 ? 1 - epsilon + epsilon / 4 : epsilon / 4;
      assertThat(c.propensity()).isEqualTo(expected);
      assertThat(c.greedy()).isEqualTo(1);
    }
    // empirical rates within 4 standard errors of the logged propensities
    assertThat(explored / (double) n)
        .isCloseTo(epsilon, org.assertj.core.data.Offset.offset(0.004));
    assertThat(chosen[1] / (double) n)
        .isCloseTo(1 - epsilon + epsilon / 4, org.assertj.core.data.Offset.offset(0.004));
    for (int i : new int[] {0, 2, 3}) {
      assertThat(chosen[i] / (double) n)
          .isCloseTo(epsilon / 4, org.assertj.core.data.Offset.offset(0.002));
    }
    // the propensities of all actions in a context sum to 1
    assertThat(3 * epsilon / 4 + (1 - epsilon + epsilon / 4))
        .isCloseTo(1.0, org.assertj.core.data.Offset.offset(1e-12));
  }

  @Test
  void theModelArmPicksTheBestExpectedValueAndLogsItsPropensity() {
    PolicyEngine e = engine(0, 0, 0.0); // everyone in the model arm, no exploration
    PolicyEngine.Result r = e.decide(context("u1", "e1", null), FRESH, null);
    Decision d = r.decision();
    assertThat(d.arm).isEqualTo("model");
    assertThat(d.policy).isEqualTo("model");
    String best =
        d.candidateValues.entrySet().stream().max(Map.Entry.comparingByValue()).get().getKey();
    assertThat(d.offerId).isEqualTo(best);
    assertThat(d.propensity).isEqualTo(1.0);
    assertThat(d.explored).isFalse();
    assertThat(d.reasonCodes).contains("BEST_EXPECTED_VALUE", "CREEPINESS_DELAY");
    assertThat(d.sendAfter).isEqualTo(T0 + 12 * 3_600_000L); // the per-trigger delay
    assertThat(d.modelVersions).containsEntry("offer", "catalog-prior");
    // expected value = P x (order value x (margin - discount) - conversion cost) - send cost
    Offer discount = e.settings().catalog().byId("cart_discount_10");
    assertThat(d.candidateValues.get("cart_discount_10"))
        .isCloseTo(
            0.11 * (60.0 * (0.3 - 0.10) - 0) - discount.sendCost(),
            org.assertj.core.data.Offset.offset(1e-6));
  }

  @Test
  void withoutAnOfferModelTheRulesDecideInTheModelArmWhenConfigured() {
    PolicyEngine rules = modelArmWithRulesFallback(0.1, 0.0);
    Decision d = rules.decide(context("u1", "e1", null), FRESH, null).decision();
    assertThat(d.arm).isEqualTo("model");
    assertThat(d.policy).isEqualTo("rules");
    assertThat(d.offerId).isEqualTo("cart_reminder");
    assertThat(d.reasonCodes).contains("OFFER_MODEL_MISSING");
    assertThat(d.propensity).isEqualTo(1.0);
  }

  /** An offer's terms travel with the decision: discount, template and coupon; a hold-out none. */
  @Test
  void aDecisionCarriesItsOffersTermsAndAHoldOutNone() {
    Decision d = engine(0, 1, 0.1).decide(context("u1", "e1", 0.7), FRESH, null).decision();
    assertThat(d.offerId).isEqualTo("cart_discount_10");
    assertThat(d.discount).isEqualTo(0.10);
    assertThat(d.template).isEqualTo("cart-discount-email");
    assertThat(d.coupon).isEqualTo("CART10");
    Decision reminder = engine(0, 1, 0.1).decide(context("u1", "e2", 0.2), FRESH, null).decision();
    assertThat(reminder.template).isNull();
    assertThat(reminder.coupon).isNull();
    Decision held = engine(1, 0, 0.1).decide(context("u1", "e3", 0.7), FRESH, null).decision();
    assertThat(held.action).isEqualTo(Decision.NO_ACTION);
    assertThat(held.discount).isNull();
    assertThat(held.template).isNull();
    assertThat(held.coupon).isNull();
  }

  @Test
  void theRulesGiveADiscountOnlyToCustomersAtHighChurnRisk() {
    PolicyEngine e = engine(0, 1, 0.1);
    assertThat(e.decide(context("u1", "e1", 0.7), FRESH, null).decision().offerId)
        .isEqualTo("cart_discount_10");
    assertThat(e.decide(context("u1", "e2", 0.2), FRESH, null).decision().offerId)
        .isEqualTo("cart_reminder");
    assertThat(e.decide(context("u1", "e3", null), FRESH, null).decision().offerId)
        .isEqualTo("cart_reminder");
  }

  @Test
  void eachGuardrailRemovesWhatItMustAndIsNamed() {
    PolicyEngine e = engine(0, 1, 0.1);
    Guardrails g = e.guardrails();
    List<Offer> offers = e.settings().catalog().forTrigger("cart_abandonment");
    Guardrails.Product ok = new Guardrails.Product("p1", "bags", true, 0.3, false);

    Guardrails.Result optedOut = g.filter(offers, view(true, List.of(), 0, 0), ok, 50, T0);
    assertThat(optedOut.eligible()).isEmpty();
    assertThat(optedOut.fired()).containsExactly(Guardrails.OPT_OUT);

    Guardrails.Result unsub = g.filter(offers, view(false, List.of("email"), 0, 0), ok, 50, T0);
    assertThat(unsub.eligible()).extracting(Offer::channel).containsOnly("push");
    assertThat(unsub.fired()).containsExactly(Guardrails.UNSUBSCRIBED);

    Guardrails.Result capped = g.filter(offers, view(false, List.of(), 1, 0), ok, 50, T0);
    assertThat(capped.eligible()).extracting(Offer::channel).containsOnly("push");
    assertThat(capped.fired()).containsExactly(Guardrails.CAP);

    Guardrails.Product health = new Guardrails.Product("p2", "health", true, 0.3, false);
    Guardrails.Result sensitive = g.filter(offers, FRESH, health, 50, T0);
    assertThat(sensitive.eligible()).noneMatch(Offer::usesProduct);
    assertThat(sensitive.fired()).containsExactly(Guardrails.SENSITIVE);

    Guardrails.Product gone = new Guardrails.Product("p3", "bags", false, 0.3, false);
    Guardrails.Result stock = g.filter(offers, FRESH, gone, 50, T0);
    assertThat(stock.eligible()).noneMatch(Offer::usesProduct).isNotEmpty();
    assertThat(stock.fired()).containsExactly(Guardrails.OUT_OF_STOCK);

    Guardrails.Product thin = new Guardrails.Product("p4", "bags", true, 0.12, false);
    Guardrails.Result margin = g.filter(offers, FRESH, thin, 50, T0);
    assertThat(margin.eligible()).extracting(Offer::id).doesNotContain("cart_discount_10");
    assertThat(margin.fired()).containsExactly(Guardrails.MARGIN_FLOOR);

    Guardrails.Result shown = g.filter(offers, view(false, List.of(), 0, 3), ok, 50, T0);
    assertThat(shown.eligible()).noneMatch(Offer::usesProduct);
    assertThat(shown.fired()).containsExactly(Guardrails.SHOWN_LIMIT);
    assertThat(g.filter(offers, view(false, List.of(), 0, 2), ok, 50, T0).fired()).isEmpty();
  }

  @Test
  void releaseRecheckNamesEachCancellationReason() {
    Guardrails g = engine(0, 1, 0.1).guardrails();
    Offer reminder = OfferCatalog.load("").byId("cart_reminder");
    Guardrails.Product ok = new Guardrails.Product("p1", "bags", true, 0.3, false);
    Guardrails.Product gone = new Guardrails.Product("p1", "bags", false, 0.3, false);
    assertThat(g.cancelReason("email", reminder, FRESH, ok, false, T0)).isNull();
    assertThat(g.cancelReason("email", reminder, FRESH, ok, true, T0)).isEqualTo("purchased");
    assertThat(g.cancelReason("email", reminder, view(true, List.of(), 0, 0), ok, false, T0))
        .isEqualTo(Guardrails.OPT_OUT);
    assertThat(
            g.cancelReason("email", reminder, view(false, List.of("email"), 0, 0), ok, false, T0))
        .isEqualTo(Guardrails.UNSUBSCRIBED);
    assertThat(g.cancelReason("email", reminder, FRESH, gone, false, T0))
        .isEqualTo(Guardrails.OUT_OF_STOCK);
    assertThat(g.cancelReason("email", reminder, view(false, List.of(), 1, 0), ok, false, T0))
        .isEqualTo(Guardrails.CAP);
  }

  @Test
  void aBadCatalogOrCapSpecIsRefusedWithTheOfferAndFieldNamed() {
    String bad =
        "offers:\n  - id: x\n    kind: teleport\n    channel: email\n    triggers: [win_back]\n"
            + "    send_cost: 0\n    discount: 0\n    conversion_cost: 0\n"
            + "    prior_conversion: 0.1\n    uses_product: false\n    rules_rank: 1\n";
    assertThatThrownBy(() -> OfferCatalog.parse(bad.getBytes(StandardCharsets.UTF_8), "f.yaml"))
        .hasMessageContaining("offer x")
        .hasMessageContaining("'kind' is 'teleport'");
    String twice =
        bad.replace("teleport", "reminder") + bad.replace("teleport", "reminder").substring(7);
    assertThatThrownBy(() -> OfferCatalog.parse(twice.getBytes(StandardCharsets.UTF_8), "f.yaml"))
        .hasMessageContaining("used twice");
    assertThatThrownBy(
            () ->
                OfferCatalog.parse(
                    bad.replace("teleport", "reminder")
                        .replace("prior_conversion: 0.1", "prior_conversion: 3")
                        .getBytes(StandardCharsets.UTF_8),
                    "f.yaml"))
        .hasMessageContaining("'prior_conversion' is 3.0");
    // An offer for a trigger that does not exist could never be offered: refused at load.
    assertThatThrownBy(
            () ->
                OfferCatalog.parse(
                    bad.replace("teleport", "reminder")
                        .replace("[win_back]", "[win_back, winback]")
                        .getBytes(StandardCharsets.UTF_8),
                    "f.yaml"))
        .hasMessageContaining("offer x: unknown trigger \"winback\"")
        .hasMessageContaining(
            "browse_abandonment, cart_abandonment, onsite_request, post_purchase, win_back");
    assertThatThrownBy(() -> FrequencyCaps.parse("email:1/1x")).hasMessageContaining("email:1/1x");
    assertThat(FrequencyCaps.parse("email:1/1d,3/7d;push:2/12h").of("push"))
        .containsExactly(new FrequencyCaps.Cap(2, 12 * 3_600_000L, "12h"));
  }

  @Test
  void aWinBackActsOnlyOnCustomersAtHighChurnRisk() {
    PolicyEngine e = engine(0, 1, 0.1);
    PolicyEngine.Context lowRisk = context("u1", "e1", 0.2);
    lowRisk.trigger().trigger = "win_back";
    assertThat(e.decide(lowRisk, FRESH, null).suppressedBy())
        .containsExactly(Guardrails.CHURN_RISK_LOW);
    PolicyEngine.Context noModel = context("u1", "e2", null);
    noModel.trigger().trigger = "win_back";
    assertThat(e.decide(noModel, FRESH, null).decision()).isNull();
    assertThat(e.decide(noModel, FRESH, null).suppressedBy())
        .containsExactly(Guardrails.CHURN_RISK_UNKNOWN);
    PolicyEngine.Context highRisk = context("u1", "e3", 0.8);
    highRisk.trigger().trigger = "win_back";
    Decision d = e.decide(highRisk, FRESH, null).decision();
    assertThat(d.offerId).isEqualTo("win_back_discount_15");
    assertThat(d.candidates).containsExactly("win_back_discount_15", "win_back_reminder");
  }

  @Test
  void anUnsureOfferModelLeavesTheDecisionToTheRules() {
    PolicyEngine unsure = modelArmWithRulesFallback(0.0, 0.01); // no exploration
    PolicyEngine.OfferScorer flat = scorer(0.100, 0.105, 0.102, 0.101);
    PolicyEngine.OfferScorer sharp = scorer(0.30, 0.05, 0.05, 0.05);
    Decision d = unsure.decide(context("u1", "e1", null), FRESH, flat).decision();
    assertThat(d.policy).isEqualTo("rules");
    assertThat(d.offerId).isEqualTo("cart_reminder");
    assertThat(d.reasonCodes).contains("OFFER_MODEL_UNSURE");
    Decision m = unsure.decide(context("u1", "e2", null), FRESH, sharp).decision();
    assertThat(m.policy).isEqualTo("model");
    assertThat(m.offerId).isEqualTo("cart_discount_10"); // the first candidate scores 0.30
  }

  static PolicyEngine.OfferScorer scorer(double... p) {
    return new PolicyEngine.OfferScorer() {
      @Override
      public double[] score(float[] features, List<Offer> offers) {
        return java.util.Arrays.copyOf(p, offers.size());
      }

      @Override
      public String version() {
        return "test";
      }
    };
  }
}

package io.prescient.offline.sim;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.offline.eval.FeedbackLog;
import io.prescient.state.contract.Outcome;
import io.prescient.state.contract.OutcomeType;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The synthetic customers: deterministic, silent for control and cancelled decisions, and true to
 * their hidden rates.
 */
class CustomerSimulatorTest {
  static FeedbackLog.Row decision(
      String id, String arm, String offer, String cancelled, float orders) {
    return new FeedbackLog.Row(
        id,
        "u-" + id,
        "cart_abandonment",
        arm,
        arm,
        offer,
        offer == null ? "none" : "discount",
        "email",
        1.0,
        false,
        List.of(),
        Map.of(),
        Map.of(),
        0L,
        1_000_000L,
        cancelled,
        false,
        0,
        Map.of("orders_lifetime", orders, "cart_value", 0f));
  }

  @Test
  void answersFollowTheHiddenRatesAndRepeatExactly() {
    CustomerSimulator sim = new CustomerSimulator(1);
    int n = 20_000;
    int converted = 0;
    for (int i = 0; i < n; i++) {
      List<Outcome> out = sim.answer(decision("d" + i, "model", "cart_discount_10", null, 0f));
      if (i < 200) {
        assertThat(sim.answer(decision("d" + i, "model", "cart_discount_10", null, 0f)))
            .usingRecursiveComparison()
            .isEqualTo(out);
      }
      if (out.stream().anyMatch(o -> o.type == OutcomeType.CONVERTED)) {
        converted++;
        Outcome c = out.stream().filter(o -> o.type == OutcomeType.CONVERTED).findFirst().get();
        assertThat(c.timestamp).isGreaterThan(1_000_000L);
        assertThat(c.value).isEqualTo(CustomerSimulator.ORDER_VALUE);
      }
    }
    // new customers convert on a discount at 14% (of the 98% delivered), within 4 standard errors
    assertThat(converted / (double) n).isBetween(0.98 * 0.14 - 0.01, 0.98 * 0.14 + 0.01);
    assertThat(CustomerSimulator.truth(Map.of("orders_lifetime", 2f), "cart_reminder"))
        .isGreaterThan(CustomerSimulator.truth(Map.of("orders_lifetime", 2f), "cart_discount_10"));
  }

  @Test
  void controlAndCancelledDecisionsGetNothing() {
    CustomerSimulator sim = new CustomerSimulator(1);
    assertThat(sim.answer(decision("c", "control", null, null, 1f))).isEmpty();
    assertThat(sim.answer(decision("x", "model", "cart_reminder", "purchased", 1f))).isEmpty();
  }
}

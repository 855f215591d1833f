package io.prescient.state.json;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.state.contract.AuditRecord;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.Effect;
import io.prescient.state.contract.Feedback;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class OutputJsonTest {
  private static Decision decision(String action) {
    Decision d = new Decision();
    d.decisionId = "d1";
    d.userId = "u1";
    d.trigger = "cart_abandonment";
    d.channel = "email";
    d.action = action;
    d.arm = "control";
    d.decidedAt = 1_300_000_000_000L;
    d.sendAfter = d.decidedAt;
    d.expiresAt = d.decidedAt;
    return d;
  }

  /** A consumer routing decisions by channel never sends a hold-out: it has no channel. */
  @Test
  void aHoldOutNamesNoChannelOnTheDecisionsTopic() throws Exception {
    String holdout = text(OutputJson.decision(decision(Decision.NO_ACTION)));
    assertThat(holdout)
        .startsWith("{\"schema_version\":5,")
        .contains("\"channel\":null,\"holdout_channel\":\"email\",\"action\":\"none\"");

    Decision discount = decision("discount");
    discount.offerId = "cart_discount_10";
    discount.discount = 0.1;
    assertThat(text(OutputJson.decision(discount)))
        .contains("\"offer_id\":\"cart_discount_10\",\"discount\":0.1,");

    String sent = text(OutputJson.decision(decision("reminder")));
    assertThat(sent).doesNotContain("\"discount\"");
    assertThat(sent).contains("\"channel\":\"email\",\"action\":\"reminder\"");
    assertThat(sent).doesNotContain("holdout_channel");

    // Feedback keeps the channel for analysis: the hold-out's counterfactual channel.
    Feedback f = new Feedback();
    f.decision = decision(Decision.NO_ACTION);
    assertThat(text(OutputJson.feedback(f))).contains("\"channel\":\"email\",\"action\":\"none\"");
  }

  @Test
  void auditRecordsHaveAVersionAndAnIdToDeDuplicateOn() {
    AuditRecord a =
        AuditRecord.of(AuditRecord.PROFILE, "u1", "erase", 1_300_000_000_000L)
            .add(Effect.of("profile"))
            .add(Effect.named("unsubscribed", "email"));
    String first = text(OutputJson.audit(a));
    assertThat(first)
        .isEqualTo(
            "{\"schema_version\":2,\"audit_id\":\""
                + a.auditId()
                + "\",\"user_id\":\"u1\",\"request\":\"erase\","
                + "\"requested_at\":\"2011-03-13T07:06:40Z\",\"component\":\"profile\","
                + "\"effects\":[{\"what\":\"profile\"},{\"what\":\"unsubscribed\",\"value\":\"email\"}]}");
    assertThat(a.auditId()).hasSize(32).isEqualTo(a.auditId());
    a.add(Effect.count("cart_products", 1));
    assertThat(text(OutputJson.audit(a))).contains("{\"what\":\"cart_products\",\"count\":1}");
    assertThat(text(OutputJson.audit(a))).doesNotContain(first.substring(0, 60));
    a.userId = null;
    assertThat(a.kafkaKey()).isEqualTo("models");
  }

  private static String text(byte[] json) {
    return new String(json, StandardCharsets.UTF_8);
  }
}

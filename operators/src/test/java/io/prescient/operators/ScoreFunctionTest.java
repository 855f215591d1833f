package io.prescient.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prescient.models.policy.ChurnModelPolicy;
import io.prescient.models.rules.CartAbandonmentRule;
import io.prescient.models.training.SyntheticModels;
import io.prescient.state.contract.Decision;
import io.prescient.state.features.FeatureSchema;
import io.prescient.state.profile.UserProfile;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.streaming.util.BroadcastOperatorTestHarness;
import org.apache.flink.streaming.util.ProcessFunctionTestHarnesses;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ScoreFunctionTest {
  @TempDir Path dir;

  Path artifact() throws Exception {
    return SyntheticModels.writeChurn(dir, "t1", 5);
  }

  @Test
  void scoresRulesDecisionsAndNeverTouchesBroadOnes() throws Exception {
    ScoreFunction fn = new ScoreFunction(artifact().toUri().toString(), 0.5);
    try (BroadcastOperatorTestHarness<
            DecisionCandidate, io.prescient.state.contract.ModelAnnouncement, Decision>
        h = ProcessFunctionTestHarnesses.forBroadcastProcessFunction(fn, ScoreFunction.MODELS)) {
      Decision rules = new Decision();
      rules.userId = "u1";
      rules.policy = "rules";
      rules.arm = "rules";
      h.processElement(new DecisionCandidate(rules, new float[FeatureSchema.names().size()]), 0L);

      UserProfile optedOut = new UserProfile();
      optedOut.cartLastEventId = "e1";
      Decision broad = new CartAbandonmentRule(1, 1, true).broad("u2", optedOut, 0L);
      h.processElement(new DecisionCandidate(broad, new float[0]), 0L);

      List<Decision> out = h.extractOutputValues();
      assertThat(out).hasSize(2);
      assertThat(out.get(0).modelVersions).containsEntry(ChurnModelPolicy.MODEL, "t1");
      assertThat(out.get(0).scores).containsKey(ChurnModelPolicy.MODEL);
      assertThat(out.get(0).policy).isEqualTo("model");
      assertThat(out.get(1).policy).isEqualTo("broad");
      assertThat(out.get(1).scores).isEmpty();
      assertThat(out.get(1).modelVersions).isEmpty();
      assertThat(out.get(1).reasonCodes).containsExactly("OPTED_OUT_BROAD");
    }
  }

  @Test
  void aConfiguredModelThatFailsItsChecksStopsTheStart() {
    ScoreFunction fn = new ScoreFunction(dir.resolve("missing.json").toUri().toString(), 0.5);
    assertThatThrownBy(
            () ->
                ProcessFunctionTestHarnesses.forBroadcastProcessFunction(fn, ScoreFunction.MODELS))
        .hasStackTraceContaining("prescient.model.churn")
        .hasStackTraceContaining("unreadable");
  }
}

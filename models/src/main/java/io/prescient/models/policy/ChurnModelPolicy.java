package io.prescient.models.policy;

import io.prescient.models.artifact.LoadedModel;
import io.prescient.models.scoring.BoosterScorer;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.Formats;
import java.util.List;

/**
 * What the churn model adds to a decision: its score, its version and the three features that moved
 * the score most (as reason codes and in the "why"). The policy then uses the score (the rules give
 * customers at high risk an incentive). A shadow model only adds its score and version under {@code
 * churn:shadow}; it never changes what is sent.
 */
public final class ChurnModelPolicy {
  private ChurnModelPolicy() {}

  public static final String MODEL = "churn";

  /** Scores and explains {@code d} with {@code model}; returns the churn probability. */
  public static double explain(Decision d, LoadedModel model, float[] features) {
    BoosterScorer scorer = model.scorer;
    float p = scorer.score(features);
    BoosterScorer.Explanation e = scorer.explain(features);
    d.scores.put(MODEL, round(p));
    d.modelVersions.put(MODEL, model.manifest.version());
    StringBuilder why = new StringBuilder(d.why == null ? "" : d.why + ". ");
    why.append(
        "Churn risk "
            + Formats.fixed(100 * p, 0)
            + "% (model churn "
            + model.manifest.version()
            + ")");
    List<Integer> top = e.top(3);
    for (int k = 0; k < top.size(); k++) {
      int i = top.get(k);
      boolean raises = e.contributions()[i] > 0;
      String name = e.names().get(i);
      d.reasonCodes.add((raises ? "CHURN_RISK_UP:" : "CHURN_RISK_DOWN:") + name);
      why.append(k == 0 ? ": " : "; ");
      why.append(name).append(' ').append(value(e.values()[i]));
      why.append(raises ? " raises it" : " lowers it");
    }
    d.why = why.toString();
    return round(p);
  }

  /** Adds a shadow model's score and version; nothing else changes. */
  public static void shadow(Decision d, LoadedModel model, float[] features) {
    d.scores.put(MODEL + ":shadow", round(model.scorer.score(features)));
    d.modelVersions.put(MODEL + ":shadow", model.manifest.version());
  }

  private static double round(float p) {
    return Math.round(p * 1e6) / 1e6;
  }

  private static String value(float v) {
    if (Float.isNaN(v)) {
      return "(missing)";
    }
    return v == Math.rint(v) && Math.abs(v) < 1e9 ? Long.toString((long) v) : Formats.fixed(v, 2);
  }
}

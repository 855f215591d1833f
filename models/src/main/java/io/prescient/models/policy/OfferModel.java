package io.prescient.models.policy;

import io.prescient.models.artifact.LoadedModel;
import io.prescient.state.features.FeatureSchema;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The offer-propensity model P(convert | user features, offer) over the live feature schema plus
 * one indicator per catalog offer ({@code offer=<id>}), trained from Prescient's own feedback
 * records. Rows are the released, non-control decisions; each is weighted by 1 / logged propensity
 * (capped), so that offers the logging policy rarely chose count as much as the greedy ones: the
 * weighted sample then estimates the response to every offer as if offers had been assigned
 * uniformly. This class is what serving needs (the feature names, one row, the scorer); the
 * training is {@code io.prescient.offline.offers.FeedbackOfferTraining}, in the offline module.
 */
public final class OfferModel {
  private OfferModel() {}

  public static final String NAME = "offers";

  /** Inverse-propensity weights above this are capped: a few lucky rows must not dominate. */
  public static final double MAX_WEIGHT = 50;

  /** The model's feature names: the live schema, then one indicator per offer. */
  public static List<String> featureNames(List<String> offerIds) {
    List<String> names = new ArrayList<>(FeatureSchema.names());
    for (String id : offerIds) {
      names.add("offer=" + id);
    }
    return names;
  }

  /** One row: the user's features followed by the indicator of {@code offer}. */
  public static float[] row(float[] features, int offer, int offers) {
    float[] r = Arrays.copyOf(features, features.length + offers);
    r[features.length + offer] = 1f;
    return r;
  }

  /** The served model as the policy's scorer. */
  public static PolicyEngine.OfferScorer scorer(LoadedModel model, List<String> offerIds) {
    return new PolicyEngine.OfferScorer() {
      @Override
      public double[] score(float[] features, List<Offer> offers) {
        float[][] rows = new float[offers.size()][];
        for (int i = 0; i < rows.length; i++) {
          int k = offerIds.indexOf(offers.get(i).id());
          rows[i] = k < 0 ? null : row(features, k, offerIds.size());
        }
        double[] out = new double[rows.length];
        List<float[]> known = new ArrayList<>();
        for (float[] r : rows) {
          if (r != null) {
            known.add(r);
          }
        }
        float[] p = model.scorer.score(known.toArray(new float[0][]), known.size());
        for (int i = 0, j = 0; i < rows.length; i++) {
          // an offer added to the catalog after training: its prior until the next model
          out[i] = rows[i] == null ? offers.get(i).priorConversion() : p[j++];
        }
        return out;
      }

      @Override
      public String version() {
        return model.manifest.version();
      }
    };
  }
}

package io.prescient.models.policy;

import io.prescient.models.artifact.LoadedModel;
import io.prescient.models.artifact.ModelArtifacts;
import io.prescient.models.artifact.ModelManifest;
import io.prescient.models.eval.BinaryMetrics;
import io.prescient.models.training.BoostingParams;
import io.prescient.models.training.LabelledRows;
import io.prescient.state.features.FeatureSchema;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * The offer-propensity model P(convert | user features, offer) over the live feature schema plus
 * one indicator per catalog offer ({@code offer=<id>}), trained from Prescient's own feedback
 * records. Rows are the released, non-control decisions; each is weighted by 1 / logged propensity
 * (capped), so that offers the logging policy rarely chose count as much as the greedy ones: the
 * weighted sample then estimates the response to every offer as if offers had been assigned
 * uniformly.
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

  /** One logged decision: context, the offer sent, the exact propensity, the reward, when. */
  public record Logged(
      float[] features, String offerId, double propensity, boolean converted, long decidedAt) {}

  /** A trained model with its held-out figures. */
  public record Result(
      Model<Label> model, Map<String, Double> metrics, int trainRows, int testRows) {}

  /**
   * Trains on the earliest 80% of {@code rows} by decision time and evaluates on the rest: ROC AUC
   * of the model and of the catalog prior per offer (the baseline), both on the test rows.
   */
  public static Result train(
      List<Logged> rows, OfferCatalog catalog, BoostingParams params, int threads) {
    List<String> ids = catalog.offers().stream().map(Offer::id).toList();
    List<String> names = featureNames(ids);
    List<Logged> sorted = new ArrayList<>(rows);
    sorted.removeIf(r -> !ids.contains(r.offerId()));
    sorted.sort(java.util.Comparator.comparingLong(Logged::decidedAt));
    int cut = (int) Math.round(sorted.size() * 0.8);
    if (cut < 10 || sorted.size() - cut < 10) {
      throw new IllegalArgumentException(
          "too few usable feedback rows to train and test an offer model: " + sorted.size());
    }
    List<LabelledRows.Row> train = new ArrayList<>();
    for (Logged r : sorted.subList(0, cut)) {
      float w = (float) Math.min(MAX_WEIGHT, 1.0 / Math.max(1e-9, r.propensity()));
      train.add(
          new LabelledRows.Row(
              row(r.features(), ids.indexOf(r.offerId()), ids.size()), r.converted(), w));
    }
    Model<Label> model =
        params.trainer(threads).train(LabelledRows.dataset("prescient feedback", names, train));
    List<Logged> test = sorted.subList(cut, sorted.size());
    double[] p = new double[test.size()];
    double[] prior = new double[test.size()];
    boolean[] y = new boolean[test.size()];
    try (io.prescient.models.scoring.BoosterScorer scorer =
        io.prescient.models.scoring.BoosterScorer.create(model, names, LabelledRows.POSITIVE)) {
      for (int i = 0; i < p.length; i++) {
        Logged r = test.get(i);
        p[i] = scorer.score(row(r.features(), ids.indexOf(r.offerId()), ids.size()));
        prior[i] = catalog.byId(r.offerId()).priorConversion();
        y[i] = r.converted();
      }
    } catch (io.prescient.models.artifact.ModelLoadException e) {
      throw new IllegalStateException("a model just trained cannot be scored", e);
    }
    Map<String, Double> metrics = new LinkedHashMap<>();
    metrics.put("test_roc_auc", BinaryMetrics.rocAuc(p, y));
    metrics.put("test_roc_auc_prior", BinaryMetrics.rocAuc(prior, y));
    metrics.put("test_brier", BinaryMetrics.brier(p, y));
    metrics.put("test_positive_rate", BinaryMetrics.positiveRate(y));
    return new Result(model, metrics, cut, test.size());
  }

  /** Writes the artifact (protobuf + manifest named {@link #NAME}); returns the manifest file. */
  public static Path write(
      Path dir, String version, Result r, OfferCatalog catalog, Map<String, String> training)
      throws IOException {
    ModelManifest m =
        new ModelManifest(
            NAME,
            version,
            FeatureSchema.VERSION,
            featureNames(catalog.offers().stream().map(Offer::id).toList()),
            LabelledRows.POSITIVE,
            "",
            "",
            false,
            training,
            r.metrics(),
            Instant.now().toString());
    return ModelArtifacts.write(dir, m, r.model());
  }
}

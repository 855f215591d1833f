package io.prescient.offline.offers;

import io.prescient.models.artifact.ModelArtifacts;
import io.prescient.models.artifact.ModelManifest;
import io.prescient.models.policy.Offer;
import io.prescient.models.policy.OfferCatalog;
import io.prescient.models.policy.OfferModel;
import io.prescient.offline.eval.BinaryMetrics;
import io.prescient.offline.training.BoostingParams;
import io.prescient.offline.training.LabelledRows;
import io.prescient.state.features.FeatureSchema;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * Trains the offer model the policy serves ({@link OfferModel}) from Prescient's own feedback
 * records ({@code ./prescient train offers --feedback FILE}): rows are the released, non-control
 * decisions, each weighted by 1 / logged propensity capped at {@link OfferModel#MAX_WEIGHT}; the
 * artifact has the feature names and rows the served model scores.
 */
public final class FeedbackOfferTraining {
  private FeedbackOfferTraining() {}

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
    List<String> names = OfferModel.featureNames(ids);
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
      float w = (float) Math.min(OfferModel.MAX_WEIGHT, 1.0 / Math.max(1e-9, r.propensity()));
      train.add(
          new LabelledRows.Row(
              OfferModel.row(r.features(), ids.indexOf(r.offerId()), ids.size()),
              r.converted(),
              w));
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
        p[i] = scorer.score(OfferModel.row(r.features(), ids.indexOf(r.offerId()), ids.size()));
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

  /**
   * Writes the artifact (protobuf + manifest named {@link OfferModel#NAME}); returns the manifest
   * file.
   */
  public static Path write(
      Path dir, String version, Result r, OfferCatalog catalog, Map<String, String> training)
      throws IOException {
    ModelManifest m =
        new ModelManifest(
            OfferModel.NAME,
            version,
            FeatureSchema.VERSION,
            OfferModel.featureNames(catalog.offers().stream().map(Offer::id).toList()),
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

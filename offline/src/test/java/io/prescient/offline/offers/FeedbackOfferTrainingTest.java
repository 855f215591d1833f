package io.prescient.offline.offers;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.models.artifact.LoadedModel;
import io.prescient.models.policy.Offer;
import io.prescient.models.policy.OfferCatalog;
import io.prescient.models.policy.OfferModel;
import io.prescient.models.policy.PolicyEngine;
import io.prescient.offline.training.BoostingParams;
import io.prescient.state.features.FeatureSchema;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The offer model learns from epsilon-greedy logs who responds to which offer: on synthetic logs
 * with a known truth (feature 0 decides whether the discount or the reminder converts better), it
 * beats the catalog prior on held-out rows and, served through the policy's scorer, ranks the right
 * offer first for each kind of user.
 */
class FeedbackOfferTrainingTest {
  @TempDir Path dir;

  static double truth(float segment, String offer) {
    boolean priceSensitive = segment > 0;
    return switch (offer) {
      case "cart_discount_10" -> priceSensitive ? 0.30 : 0.05;
      case "cart_reminder" -> priceSensitive ? 0.05 : 0.25;
      default -> 0.08;
    };
  }

  @Test
  void learnsWhoRespondsToWhatAndServesThroughThePolicy() throws Exception {
    OfferCatalog catalog = OfferCatalog.load("");
    List<String> ids = catalog.offers().stream().map(Offer::id).toList();
    List<String> cart = catalog.forTrigger("cart_abandonment").stream().map(Offer::id).toList();
    Random r = new Random(7);
    List<FeedbackOfferTraining.Logged> logs = new ArrayList<>();
    int width = FeatureSchema.names().size();
    for (int i = 0; i < 6_000; i++) {
      float[] x = new float[width];
      for (int j = 0; j < width; j++) {
        x[j] = (float) r.nextGaussian();
      }
      // logging policy: epsilon-greedy around the reminder, epsilon 0.5
      boolean explore = r.nextDouble() < 0.5;
      String offer = explore ? cart.get(r.nextInt(cart.size())) : "cart_reminder";
      double p = (offer.equals("cart_reminder") ? 0.5 : 0) + 0.5 / cart.size();
      boolean converted = r.nextDouble() < truth(x[0], offer);
      logs.add(new FeedbackOfferTraining.Logged(x, offer, p, converted, 1_000L * i));
    }
    FeedbackOfferTraining.Result result =
        FeedbackOfferTraining.train(
            logs, catalog, new BoostingParams(60, 0.1, 3, 5, 0.8, 0.8, 1, 42), 1);
    assertThat(result.metrics().get("test_roc_auc"))
        .isGreaterThan(result.metrics().get("test_roc_auc_prior") + 0.05);

    Path manifest =
        FeedbackOfferTraining.write(dir, "t1", result, catalog, Map.of("data", "synthetic"));
    String json = java.nio.file.Files.readString(manifest);
    assertThat(json).contains("\"offer=cart_discount_10\"");
    try (LoadedModel m =
        LoadedModel.fromBytes(
            io.prescient.models.artifact.ModelManifest.parse(json),
            java.nio.file.Files.readAllBytes(
                dir.resolve(io.prescient.models.artifact.ModelManifest.parse(json).modelFile())),
            "t1",
            FeatureSchema.VERSION,
            OfferModel.featureNames(ids))) {
      PolicyEngine.OfferScorer scorer = OfferModel.scorer(m, ids);
      float[] sensitive = new float[width];
      sensitive[0] = 2f;
      float[] loyal = new float[width];
      loyal[0] = -2f;
      List<Offer> two = List.of(catalog.byId("cart_discount_10"), catalog.byId("cart_reminder"));
      double[] s = scorer.score(sensitive, two);
      double[] l = scorer.score(loyal, two);
      assertThat(s[0]).isGreaterThan(s[1]);
      assertThat(l[1]).isGreaterThan(l[0]);
      assertThat(scorer.version()).isEqualTo("t1");
    }
  }
}

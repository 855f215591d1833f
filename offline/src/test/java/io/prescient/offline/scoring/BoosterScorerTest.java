package io.prescient.offline.scoring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import io.prescient.models.artifact.ModelLoadException;
import io.prescient.models.scoring.BoosterScorer;
import io.prescient.offline.training.BoostingParams;
import io.prescient.offline.training.LabelledRows;
import io.prescient.state.features.FeatureSchema;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * The fast scorer the job serves with agrees with Tribuo on a model trained as the offline module
 * trains ({@code LabelledRows}, {@code BoostingParams}): in this module, not in models, because it
 * needs that training, and so it also shows that training and scoring read NaN as "missing" alike.
 */
class BoosterScorerTest {
  static final List<String> NAMES = FeatureSchema.names();
  static Model<Label> model;
  static List<float[]> rows;
  static BoosterScorer scorer;

  /** Rows whose label depends on three features, with missing (NaN) values and exact zeros. */
  static List<LabelledRows.Row> synthetic(int n, long seed) {
    Random r = new Random(seed);
    List<LabelledRows.Row> out = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float[] f = new float[NAMES.size()];
      for (int j = 0; j < f.length; j++) {
        double u = r.nextDouble();
        f[j] = u < 0.15 ? Float.NaN : u < 0.3 ? 0f : (float) (r.nextGaussian() * 10);
      }
      double z = (Float.isNaN(f[0]) ? 0 : f[0]) * 0.2 - (Float.isNaN(f[3]) ? 1 : f[3]) * 0.1;
      boolean y = z + r.nextGaussian() + (f[7] == 0 ? 1 : 0) > 0;
      out.add(new LabelledRows.Row(f, y, 1f));
    }
    return out;
  }

  @BeforeAll
  static void train() throws Exception {
    List<LabelledRows.Row> train = synthetic(2000, 1);
    model =
        new BoostingParams(40, 0.3, 4, 1, 1, 1, 1, 7)
            .trainer(1)
            .train(LabelledRows.dataset("synthetic", NAMES, train));
    rows = synthetic(300, 2).stream().map(LabelledRows.Row::features).toList();
    scorer = BoosterScorer.create(model, NAMES, LabelledRows.POSITIVE);
  }

  @AfterAll
  static void close() {
    scorer.close();
  }

  static double tribuoScore(float[] f) {
    return model
        .predict(LabelledRows.example(NAMES, f, false))
        .getOutputScores()
        .get(LabelledRows.POSITIVE)
        .getScore();
  }

  @Test
  void singleRowsAndBatchesAgreeWithTribuoOnEveryRow() {
    float[][] batch = rows.toArray(new float[0][]);
    float[] batched = scorer.score(batch, batch.length);
    double maxDiff = 0;
    for (int i = 0; i < batch.length; i++) {
      double expected = tribuoScore(batch[i]);
      maxDiff = Math.max(maxDiff, Math.abs(expected - scorer.score(batch[i])));
      maxDiff = Math.max(maxDiff, Math.abs(expected - batched[i]));
    }
    assertThat(maxDiff).isLessThanOrEqualTo(1e-6);
    // and the model did learn something, so agreement is not agreement on a constant
    long distinct =
        java.util.stream.IntStream.range(0, batched.length)
            .mapToObj(i -> batched[i])
            .distinct()
            .count();
    assertThat(distinct).isGreaterThan(50);
  }

  @Test
  void contributionsAddUpToTheScore() {
    for (float[] f : rows.subList(0, 20)) {
      BoosterScorer.Explanation e = scorer.explain(f);
      double p = 1 / (1 + Math.exp(-e.logOdds()));
      assertThat(p).isCloseTo(scorer.score(f), within(1e-4));
      assertThat(e.top(3)).hasSize(3);
      int first = e.top(3).get(0);
      for (int i = 0; i < e.contributions().length; i++) {
        assertThat(Math.abs(e.contributions()[i]))
            .isLessThanOrEqualTo(Math.abs(e.contributions()[first]));
      }
    }
  }

  @Test
  void refusesAModelWithFeaturesTheSchemaDoesNotHave() {
    List<String> fewer = new ArrayList<>(NAMES);
    fewer.remove(0);
    assertThatThrownBy(() -> BoosterScorer.create(model, fewer, LabelledRows.POSITIVE))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("schema_mismatch")
        .hasMessageContaining(NAMES.get(0));
    assertThatThrownBy(() -> BoosterScorer.create(model, NAMES, "churned"))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("no output 'churned'");
  }
}

package io.prescient.models.drift;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prescient.models.artifact.ModelLoadException;
import io.prescient.models.artifact.ModelManifest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

class DriftMonitorTest {
  static final List<String> NAMES = List.of("recency", "constant", "sometimes_missing");

  /** Rows of three features: gamma-ish recency (+ shift), a constant, a feature missing 30%. */
  static List<float[]> rows(int n, double shift, long seed) {
    Random r = new Random(seed);
    List<float[]> rows = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      float recency = (float) (shift + 30 * -Math.log(1 - r.nextDouble()));
      float missing = r.nextDouble() < 0.3 ? Float.NaN : (float) r.nextGaussian();
      rows.add(new float[] {recency, 1f, missing});
    }
    return rows;
  }

  static double[] scores(List<float[]> rows) {
    return rows.stream().mapToDouble(f -> 1 - Math.exp(-f[0] / 60)).toArray();
  }

  @Test
  void binsAreTrainingDecilesWithAMissingBinAndSharesThatSumToOne() {
    List<float[]> train = rows(10_000, 0, 1);
    DriftBaseline b = DriftBaseline.of(NAMES, train, scores(train), 10);
    DriftBaseline.Bins recency = b.features().get("recency");
    assertThat(recency.edges()).hasSize(9).isSorted();
    assertThat(Arrays.stream(recency.shares()).sum()).isCloseTo(1.0, within());
    for (int i = 0; i < 10; i++) {
      assertThat(recency.shares()[i]).isCloseTo(0.1, org.assertj.core.data.Offset.offset(0.01));
    }
    assertThat(recency.shares()[10]).isZero(); // never missing
    // a constant feature has one value bin; a missing value goes to the last bin
    DriftBaseline.Bins constant = b.features().get("constant");
    assertThat(constant.edges()).isEmpty();
    assertThat(constant.shares()).containsExactly(1.0, 0.0);
    DriftBaseline.Bins sometimes = b.features().get("sometimes_missing");
    assertThat(sometimes.shares()[sometimes.shares().length - 1])
        .isCloseTo(0.3, org.assertj.core.data.Offset.offset(0.02));
    assertThat(sometimes.bin(Double.NaN)).isEqualTo(sometimes.edges().length + 1);
    // edges are upper bounds: a value equal to the first edge is in bin 0, just above it in bin 1
    assertThat(recency.bin(recency.edges()[0])).isZero();
    assertThat(recency.bin(Math.nextUp(recency.edges()[0]))).isEqualTo(1);
    assertThat(recency.bin(1e9)).isEqualTo(9);
  }

  @Test
  void psiStaysSmallOnTheTrainingDistributionAndGrowsWithAShift() {
    List<float[]> train = rows(20_000, 0, 1);
    DriftBaseline b = DriftBaseline.of(NAMES, train, scores(train), 10);

    DriftMonitor same = new DriftMonitor(b, NAMES);
    List<float[]> live = rows(5_000, 0, 2); // same distribution, other draws
    double[] liveScores = scores(live);
    for (int i = 0; i < live.size(); i++) {
      same.add(live.get(i), liveScores[i]);
    }
    assertThat(same.featurePsi(0)).isLessThan(0.02);
    assertThat(same.featurePsi(1)).isLessThan(1e-9); // the constant never moves
    assertThat(same.scorePsi()).isLessThan(0.02);

    DriftMonitor shifted = new DriftMonitor(b, NAMES);
    List<float[]> later = rows(5_000, 25, 3); // everyone 25 days less recent
    double[] laterScores = scores(later);
    for (int i = 0; i < later.size(); i++) {
      shifted.add(later.get(i), laterScores[i]);
    }
    assertThat(shifted.featurePsi(0)).isGreaterThan(0.25);
    assertThat(shifted.scorePsi()).isGreaterThan(0.25);
    assertThat(shifted.maxFeaturePsi()).isEqualTo(shifted.featurePsi(0));
    assertThat(shifted.featurePsi(2)).isLessThan(0.02); // that feature did not move
  }

  @Test
  void nothingIsReportedBeforeEnoughRowsOrWithoutABaseline() {
    List<float[]> train = rows(1_000, 0, 1);
    DriftMonitor m = new DriftMonitor(DriftBaseline.of(NAMES, train, scores(train), 10), NAMES);
    for (int i = 0; i < DriftMonitor.MIN_ROWS - 1; i++) {
      m.add(train.get(i), 0.5);
    }
    assertThat(m.scorePsi()).isNaN();
    m.add(train.get(0), 0.5);
    assertThat(m.scorePsi()).isNotNaN();

    DriftMonitor none = new DriftMonitor(DriftBaseline.NONE, NAMES);
    train.forEach(f -> none.add(f, 0.5));
    assertThat(none.featurePsi(0)).isNaN();
    assertThat(none.maxFeaturePsi()).isNaN();
    assertThat(none.scorePsi()).isNaN();
  }

  @Test
  void theBaselineTravelsInTheManifestAndAMalformedOneIsRefused() throws Exception {
    List<float[]> train = rows(1_000, 0, 1);
    DriftBaseline b = DriftBaseline.of(NAMES, train, scores(train), 10);
    ModelManifest m =
        new ModelManifest(
                "churn", "v1", 2, NAMES, "1", "m.pb", "ab", false, Map.of(), Map.of(), "now")
            .withBaseline(b);
    ModelManifest back = ModelManifest.parse(m.toJson());
    assertThat(back.baseline()).isEqualTo(b);
    // a manifest without one (older trainers) parses to NONE
    String old = m.withBaseline(DriftBaseline.NONE).toJson();
    assertThat(old).doesNotContain("baseline");
    assertThat(ModelManifest.parse(old).baseline()).isEqualTo(DriftBaseline.NONE);
    String broken = m.toJson().replaceFirst("\"shares\" : \\[ [0-9.E-]+,", "\"shares\" : [");
    assertThatThrownBy(() -> ModelManifest.parse(broken))
        .isInstanceOf(ModelLoadException.class)
        .hasMessageContaining("edges + 2");
  }

  private static org.assertj.core.data.Offset<Double> within() {
    return org.assertj.core.data.Offset.offset(1e-9);
  }
}

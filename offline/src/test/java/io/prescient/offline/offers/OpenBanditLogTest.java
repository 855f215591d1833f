package io.prescient.offline.offers;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

class OpenBanditLogTest {
  static final Path DIR = Path.of("src", "test", "resources", "open-bandit", "men");

  @Test
  void readsImpressionsWithTheirItemFeatures() throws Exception {
    OpenBanditLog log = OpenBanditLog.read(DIR);
    assertThat(log.campaign).isEqualTo("men");
    assertThat(log.impressions).hasSize(400);
    assertThat(log.itemCount()).isEqualTo(34);
    OpenBanditLog.Impression first = log.impressions.get(0);
    // 0,2019-11-24 00:03:13.442536+00:00,14,3,0,0.029411764705882353,cef3390e...
    assertThat(first.item()).isEqualTo(14);
    assertThat(first.position()).isEqualTo(3);
    assertThat(first.click()).isFalse();
    assertThat(first.propensity())
        .isEqualTo(1.0 / 34, org.assertj.core.api.Assertions.within(1e-12));
    assertThat(first.timestamp())
        .isEqualTo(java.time.Instant.parse("2019-11-24T00:03:13.442Z").toEpochMilli());
    assertThat(first.userFeatures()[0]).isEqualTo("cef3390ed299c09874189c387777674a");
    assertThat(first.affinities()).hasSize(34);
    assertThat(log.sha256).hasSize(64);
    // Read as before the general reader: four categorical user features, item_feature_0 numeric,
    // item features 1 to 3 categorical.
    assertThat(log.userFeatureNames)
        .containsExactly("user_feature_0", "user_feature_1", "user_feature_2", "user_feature_3");
    assertThat(log.items.get(0).numeric()).containsOnlyKeys("item_feature_0");
    assertThat(log.items.get(0).categorical())
        .containsOnlyKeys("item_feature_1", "item_feature_2", "item_feature_3")
        .containsEntry("item_feature_1", "ceca20033d7d36b74dc683ddfb804aa7");
  }

  /**
   * A logged-bandit file from another source: seven user features, no affinity columns, a quoted
   * value holding a comma, timestamps without fractions or offset, a numeric and a categorical item
   * feature. It reads, and an offer model trains and is evaluated on it.
   */
  @Test
  void aLogFromAnotherSourceReadsTrainsAndEvaluates(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws Exception {
    Path dir = java.nio.file.Files.createDirectories(tmp.resolve("shop"));
    StringBuilder items = new StringBuilder("item_id,item_feature_0,item_feature_1\n");
    for (int i = 0; i < 6; i++) {
      items
          .append(i)
          .append(',')
          .append(i * 1.5)
          .append(",\"shoes, size ")
          .append(i % 2)
          .append("\"\n");
    }
    java.nio.file.Files.writeString(dir.resolve("item_context.csv"), items);
    StringBuilder log = new StringBuilder("timestamp,item_id,position,click,propensity_score");
    for (int k = 0; k < 7; k++) {
      log.append(",user_feature_").append(k);
    }
    log.append('\n');
    java.util.Random rnd = new java.util.Random(7);
    for (int r = 0; r < 1200; r++) {
      int item = rnd.nextInt(6);
      int seg = rnd.nextInt(3);
      // segment 0 clicks the even items far more often: something for the model to learn
      boolean click = rnd.nextDouble() < (seg == 0 && item % 2 == 0 ? 0.5 : 0.05);
      log.append(String.format("2021-03-%02d %02d:%02d:00,", 1 + r / 60, (r / 3) % 24, r % 60));
      log.append(item).append(",1,").append(click ? 1 : 0).append(",0.1666667");
      log.append(",seg").append(seg).append(",\"a, b\"");
      for (int k = 2; k < 7; k++) {
        log.append(",f").append(k).append('_').append(rnd.nextInt(2));
      }
      log.append('\n');
    }
    java.nio.file.Files.writeString(dir.resolve("shop.csv"), log);

    OpenBanditLog read = OpenBanditLog.read(dir);
    assertThat(read.impressions).hasSize(1200);
    assertThat(read.userFeatureNames).hasSize(7);
    assertThat(read.impressions.get(0).userFeatures()[1]).isEqualTo("a, b");
    assertThat(read.impressions.get(0).affinities()).isEmpty();
    assertThat(read.items.get(1).categorical()).containsEntry("item_feature_1", "shoes, size 1");
    assertThat(read.items.get(1).numeric()).containsEntry("item_feature_0", 1.5f);
    assertThat(read.impressions.get(0).timestamp())
        .isEqualTo(java.time.Instant.parse("2021-03-01T00:00:00Z").toEpochMilli());

    OfferTraining.Result r =
        OfferTraining.run(
            List.of(read),
            java.time.Instant.parse("2021-03-16T00:00:00Z").toEpochMilli(),
            new io.prescient.offline.training.BoostingParams(50, 0.1, 2, 1, 1.0, 1.0, 1, 42),
            1,
            m -> {});
    assertThat(r.trainRows()).isEqualTo(900);
    assertThat(r.testRows()).isEqualTo(300);
    assertThat(r.features().names()).contains("user_feature_6=f6_1", "item_feature_0");
    assertThat(r.modelAuc()).isGreaterThan(0.6); // it learned the segment's taste
  }

  @Test
  void rowsOutOfRangeAreRefusedWithTheirLine(@org.junit.jupiter.api.io.TempDir Path tmp)
      throws Exception {
    Path dir = java.nio.file.Files.createDirectories(tmp.resolve("bad"));
    java.nio.file.Files.writeString(
        dir.resolve("item_context.csv"), "item_id,item_feature_0\n0,1\n");
    java.nio.file.Files.writeString(
        dir.resolve("bad.csv"),
        "timestamp,item_id,position,click,propensity_score,user_feature_0\n"
            + "2021-03-01T00:00:00Z,0,1,0,0.5,x\n"
            + "2021-03-01T00:00:01Z,0,1,0,0,x\n");
    org.assertj.core.api.Assertions.assertThatThrownBy(() -> OpenBanditLog.read(dir))
        .isInstanceOf(java.io.IOException.class)
        .hasMessageContaining("bad.csv line 3: propensity_score 0.0 is not in (0, 1]");
  }

  @Test
  void vectorsOneHotTheCategoriesAndLeaveOthersMissing() throws Exception {
    OpenBanditLog log = OpenBanditLog.read(DIR);
    OfferFeatures space = OfferFeatures.of(List.of(log));
    OpenBanditLog.Impression x = log.impressions.get(0);
    float[] v = space.vector(x, log.userFeatureNames, 5, 2, log.items.get(5));
    List<String> n = space.names();
    assertThat(v[n.indexOf("position")]).isEqualTo(2f);
    assertThat(v[n.indexOf("item=men:5")]).isEqualTo(1f);
    assertThat(v[n.indexOf("item=men:14")]).isNaN(); // the logged item is not the candidate
    assertThat(v[n.indexOf("campaign=men")]).isEqualTo(1f);
    assertThat(v[n.indexOf("user_feature_0=cef3390ed299c09874189c387777674a")]).isEqualTo(1f);
    assertThat(v[n.indexOf("item_feature_0")])
        .isEqualTo(log.items.get(5).numeric().get("item_feature_0"));
    long oneHots = 0;
    for (float f : v) {
      oneHots += f == 1f ? 1 : 0;
    }
    assertThat(oneHots).isGreaterThanOrEqualTo(9); // campaign, item, 3 item and 4 user categories
  }
}

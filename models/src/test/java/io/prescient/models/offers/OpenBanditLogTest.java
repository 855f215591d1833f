package io.prescient.models.offers;

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
  }

  @Test
  void vectorsOneHotTheCategoriesAndLeaveOthersMissing() throws Exception {
    OpenBanditLog log = OpenBanditLog.read(DIR);
    OfferFeatures space = OfferFeatures.of(List.of(log));
    OpenBanditLog.Impression x = log.impressions.get(0);
    float[] v = space.vector(x, 5, 2, log.items.get(5));
    List<String> n = space.names();
    assertThat(v[n.indexOf("position")]).isEqualTo(2f);
    assertThat(v[n.indexOf("item=men:5")]).isEqualTo(1f);
    assertThat(v[n.indexOf("item=men:14")]).isNaN(); // the logged item is not the candidate
    assertThat(v[n.indexOf("campaign=men")]).isEqualTo(1f);
    assertThat(v[n.indexOf("user_feature_0=cef3390ed299c09874189c387777674a")]).isEqualTo(1f);
    assertThat(v[n.indexOf("item_feature_0")]).isEqualTo(log.items.get(5).feature0());
    long oneHots = 0;
    for (float f : v) {
      oneHots += f == 1f ? 1 : 0;
    }
    assertThat(oneHots).isGreaterThanOrEqualTo(9); // campaign, item, 3 item and 4 user categories
  }
}

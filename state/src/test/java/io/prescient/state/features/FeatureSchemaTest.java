package io.prescient.state.features;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import io.prescient.state.profile.CartLine;
import io.prescient.state.profile.InMemoryStore;
import io.prescient.state.profile.ProfileUpdater;
import io.prescient.state.profile.UserProfile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class FeatureSchemaTest {
  static final long T0 = 1_300_000_020_000L;
  static final long DAY = 86_400_000L;

  final UserProfile p = new UserProfile();
  final InMemoryStore<CartLine> cart = new InMemoryStore<>();
  final ProfileUpdater.Settings settings = ProfileUpdater.Settings.defaults();

  void apply(String id, EventType type, long ts, String product, Double price) throws Exception {
    Event e = new Event(id, "u", type, ts);
    e.productId = product;
    e.category = "bags";
    e.price = price;
    ProfileUpdater.apply(p, cart, e, settings);
  }

  Map<String, Float> features(long now) {
    FeatureSchema.Inputs in =
        new FeatureSchema.Inputs(
            p,
            new ArrayList<>(cart.asMap().entrySet()),
            new ArrayList<>(p.affinityScores.asMap().entrySet()),
            now,
            settings.affinityHalfLifeMs());
    float[] v = FeatureSchema.extract(in);
    Map<String, Float> byName = new TreeMap<>();
    List<String> names = FeatureSchema.names();
    for (int i = 0; i < v.length; i++) {
      byName.put(names.get(i), v[i]);
    }
    return byName;
  }

  @Test
  void computesRecencyFrequencyMonetaryAndRhythm() throws Exception {
    apply("p1", EventType.PURCHASE, T0, "a", 10.0);
    apply("p2", EventType.PURCHASE, T0 + 10 * DAY, "b", 30.0);
    apply("p3", EventType.PURCHASE, T0 + 20 * DAY, "c", 20.0);
    apply("c1", EventType.ADD_TO_CART, T0 + 21 * DAY, "d", 5.0);
    apply("r1", EventType.REFUND, T0 + 22 * DAY, "c", 20.0);
    Map<String, Float> f = features(T0 + 40 * DAY);
    assertThat(f.get("purchases_lifetime")).isEqualTo(3f);
    // The 30d window is today and the 29 UTC days before: day 20 is in it, day 10 is not.
    assertThat(f.get("purchases_30d")).isEqualTo(1f);
    assertThat(f.get("spend_30d")).isEqualTo(20f);
    assertThat(f.get("purchases_90d")).isEqualTo(3f);
    assertThat(f.get("aov_lifetime")).isEqualTo(20f);
    assertThat(f.get("days_since_last_purchase")).isEqualTo(20f);
    assertThat(f.get("days_since_first_seen")).isEqualTo(40f);
    assertThat(f.get("days_since_last_event")).isEqualTo(18f);
    assertThat(f.get("inter_purchase_days_mean")).isEqualTo(10f);
    assertThat(f.get("inter_purchase_trend")).isEqualTo(2f); // 20 days late vs a 10-day rhythm
    assertThat(f.get("cart_products")).isEqualTo(1f);
    assertThat(f.get("cart_value")).isEqualTo(5f);
    assertThat(f.get("cart_age_hours")).isEqualTo(19 * 24f);
    assertThat(f.get("refund_rate_lifetime")).isEqualTo(1 / 3f);
    assertThat(f.get("events_1h")).isZero();
    assertThat(f.get("email_click_rate_30d")).isNaN();
    assertThat(f.get("affinity_categories")).isEqualTo(1f);
  }

  @Test
  void missingValuesAreNaNNotZero() throws Exception {
    apply("v1", EventType.VIEW, T0, "a", null);
    Map<String, Float> f = features(T0);
    assertThat(f.get("days_since_last_purchase")).isNaN();
    assertThat(f.get("aov_90d")).isNaN();
    assertThat(f.get("inter_purchase_days_mean")).isNaN();
    assertThat(f.get("cart_age_hours")).isNaN();
    assertThat(f.get("views_7d")).isEqualTo(1f);
  }

  /**
   * A profile without events (only sensitive events, dropped, or only a consent change) has no
   * recency: NaN, not the days since 1970 (15,318 in an export as of 2011-12-10).
   */
  @Test
  void aProfileWithoutEventsHasNoRecency() {
    Map<String, Float> f = features(T0);
    assertThat(f.get("days_since_last_event")).isNaN();
    assertThat(f.get("days_since_first_seen")).isNaN();
    assertThat(f.values()).noneMatch(v -> v > 10_000);
  }

  @Test
  void linesOfOneBasketAreOneOrder() throws Exception {
    apply("o1-a", EventType.PURCHASE, T0, "a", 10.0);
    apply("o1-b", EventType.PURCHASE, T0, "b", 10.0);
    apply("o1-c", EventType.PURCHASE, T0 + 60_000, "c", 10.0);
    apply("o2-a", EventType.PURCHASE, T0 + 10 * DAY, "a", 30.0);
    Map<String, Float> f = features(T0 + 15 * DAY);
    assertThat(f.get("purchases_lifetime")).isEqualTo(4f);
    assertThat(f.get("orders_lifetime")).isEqualTo(2f);
    assertThat(f.get("lines_per_order")).isEqualTo(2f);
    assertThat(f.get("order_value_lifetime")).isEqualTo(30f);
    assertThat(f.get("inter_purchase_days_mean")).isEqualTo(10f);
    assertThat(f.get("last_order_gap_days")).isEqualTo(10f);
    assertThat(f.get("inter_purchase_trend")).isEqualTo(0.5f);
    assertThat(f.get("recency_share_of_tenure")).isEqualTo(5f / 15f);
  }

  @Test
  void namesAreUniqueAndTheDocumentIsGeneratedFromTheSchema() throws Exception {
    assertThat(new HashSet<>(FeatureSchema.names())).hasSize(FeatureSchema.names().size());
    assertThat(Files.readString(Path.of("..", "docs", "features.md")))
        .as("docs/features.md is out of date: regenerate it (see its header)")
        .contains(FeatureSchema.markdown());
  }
}

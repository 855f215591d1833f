package io.prescient.offline.training;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import io.prescient.state.features.FeatureSchema;
import io.prescient.state.profile.ProfileUpdater;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ChurnTrainingSetTest {
  static final long DAY = 86_400_000L;
  static final long T0 = 1_300_000_000_000L;
  static final long CUTOFF = T0 + 100 * DAY;
  static final long HORIZON = 90 * DAY;
  final ProfileUpdater.Settings settings = ProfileUpdater.Settings.defaults();
  final List<Event> log = new ArrayList<>();

  void event(String user, EventType type, long ts) {
    Event e = new Event(user + "-" + log.size(), user, type, ts);
    e.productId = "p";
    e.category = "bags";
    e.price = 10.0;
    e.quantity = 1;
    log.add(e);
  }

  Map<Long, List<ChurnTrainingSet.Row>> build(Set<String> excluded) throws Exception {
    log.sort(Comparator.comparingLong(e -> e.timestamp));
    return ChurnTrainingSet.build(log, List.of(CUTOFF), HORIZON, excluded, settings);
  }

  @Test
  void labelsComeFromTheFutureAndOnlyCustomersAreRows() throws Exception {
    event("loyal", EventType.PURCHASE, T0);
    event("loyal", EventType.PURCHASE, CUTOFF + 30 * DAY); // bought again within 90 days
    event("gone", EventType.PURCHASE, T0 + 50 * DAY);
    event("gone", EventType.PURCHASE, CUTOFF + 95 * DAY); // too late: churned
    event("browser", EventType.VIEW, T0 + 10 * DAY); // never bought: not a customer
    event("late-comer", EventType.PURCHASE, CUTOFF + DAY); // first seen after the cut-off
    event("end", EventType.VIEW, CUTOFF + 200 * DAY);

    List<ChurnTrainingSet.Row> rows = build(Set.of()).get(CUTOFF);

    assertThat(rows).extracting(ChurnTrainingSet.Row::userId).containsExactly("gone", "loyal");
    assertThat(rows).extracting(ChurnTrainingSet.Row::churned).containsExactly(true, false);
  }

  @Test
  void featuresAtACutoffIgnoreEverythingAfterIt() throws Exception {
    event("u", EventType.PURCHASE, T0);
    event("u", EventType.VIEW, T0 + 99 * DAY);
    event("end", EventType.VIEW, CUTOFF + 200 * DAY);
    float[] without = build(Set.of()).get(CUTOFF).get(0).features();

    event("u", EventType.PURCHASE, CUTOFF); // at the cut-off: the future
    event("u", EventType.VIEW, CUTOFF + DAY);
    float[] with = build(Set.of()).get(CUTOFF).get(0).features();

    assertThat(with).containsExactly(without);
    int recency = FeatureSchema.names().indexOf("days_since_last_purchase");
    assertThat(with[recency]).isEqualTo(100f);
  }

  @Test
  void optedOutAndErasedUsersAreNeverRows() throws Exception {
    event("kept", EventType.PURCHASE, T0);
    event("erased", EventType.PURCHASE, T0);
    event("end", EventType.VIEW, CUTOFF + 200 * DAY);
    assertThat(build(Set.of("erased")).get(CUTOFF))
        .extracting(ChurnTrainingSet.Row::userId)
        .containsExactly("kept");
  }

  @Test
  void refusesACutoffWhoseLabelWindowRunsPastTheLog() {
    event("u", EventType.PURCHASE, T0);
    event("u", EventType.PURCHASE, CUTOFF + 10 * DAY);
    assertThatThrownBy(() -> build(Set.of()))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("runs past the last event");
  }

  @Test
  void boughtWithinIsHalfOpen() {
    long[] t = {10, 20, 20, 30};
    assertThat(ChurnTrainingSet.boughtWithin(t, 20, 21)).isTrue();
    assertThat(ChurnTrainingSet.boughtWithin(t, 21, 30)).isFalse();
    assertThat(ChurnTrainingSet.boughtWithin(t, 31, 100)).isFalse();
    assertThat(ChurnTrainingSet.boughtWithin(null, 0, 100)).isFalse();
  }
}

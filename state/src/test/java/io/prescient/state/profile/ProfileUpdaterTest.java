package io.prescient.state.profile;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import org.junit.jupiter.api.Test;

class ProfileUpdaterTest {
  static final long T = 1_300_000_020_000L;
  static final long MIN = 60_000L;
  static final long DAY = 86_400_000L;

  final UserProfile p = new UserProfile();
  final InMemoryStore<CartLine> cart = new InMemoryStore<>();
  final ProfileUpdater.Settings settings = ProfileUpdater.Settings.defaults();

  ProfileUpdater.Outcome apply(String id, EventType type, long ts, String product, String category)
      throws Exception {
    Event e = new Event(id, "u", type, ts);
    e.productId = product;
    e.category = category;
    e.price = 10.0;
    return ProfileUpdater.apply(p, cart, e, settings);
  }

  @Test
  void sensitiveCategoriesLeaveNoTrace() throws Exception {
    assertThat(apply("e1", EventType.ADD_TO_CART, T, "p1", "health_beauty"))
        .isEqualTo(ProfileUpdater.Outcome.IGNORED_SENSITIVE);
    assertThat(apply("e2", EventType.VIEW, T, "p2", "Books/Religion"))
        .isEqualTo(ProfileUpdater.Outcome.IGNORED_SENSITIVE);
    assertThat(p.events).isZero();
    assertThat(p.recentViews).isEmpty();
    assertThat(cart.asMap()).isEmpty();
    assertThat(p.affinityScores.asMap()).isEmpty();
    assertThat(p.windows.sum(Window.LIFETIME, Metric.EVENTS, T)).isZero();
    assertThat(apply("e3", EventType.VIEW, T, "p3", "healthy_snacks"))
        .isEqualTo(ProfileUpdater.Outcome.UPDATED); // a word, not a substring, makes it sensitive
  }

  @Test
  void anEmptyCartTakesItsFirstLineWithoutAStateReadAndTheCountStaysExact() throws Exception {
    int[] reads = new int[2]; // point reads, iterations
    KeyedStore<CartLine> counted =
        new KeyedStore<>() {
          @Override
          public CartLine get(String key) {
            reads[0]++;
            return cart.get(key);
          }

          @Override
          public void put(String key, CartLine value) {
            cart.put(key, value);
          }

          @Override
          public void remove(String key) {
            cart.remove(key);
          }

          @Override
          public Iterable<java.util.Map.Entry<String, CartLine>> entries() {
            reads[1]++;
            return cart.entries();
          }

          @Override
          public void clear() {
            cart.clear();
          }
        };
    String[][] steps = {
      {"add", "p1", "0", "0"}, // empty: no read, no recount
      {"add", "p2", "1", "1"},
      {"add", "p1", "2", "2"}, // the same product again: one line more units
      {"buy", "p1", "3", "3"},
      {"remove", "p2", "4", "4"}, // empty again
      {"remove", "p2", "4", "4"}, // known empty: nothing read
      {"add", "p3", "4", "4"}, // empty: no read, no recount
    };
    int i = 0;
    for (String[] s : steps) {
      Event e =
          new Event(
              "c" + i,
              "u",
              switch (s[0]) {
                case "add" -> EventType.ADD_TO_CART;
                case "buy" -> EventType.PURCHASE;
                default -> EventType.REMOVE_FROM_CART;
              },
              T + i++ * MIN);
      e.productId = s[1];
      e.category = "bags";
      e.price = 10.0;
      ProfileUpdater.apply(p, counted, e, settings);
      assertThat(p.cartLines).as("lines after %s %s", s[0], s[1]).isEqualTo(cart.size());
      assertThat(reads)
          .as("reads after %s %s", s[0], s[1])
          .containsExactly(Integer.parseInt(s[2]), Integer.parseInt(s[3]));
    }
    assertThat(cart.asMap()).containsOnlyKeys("p3");
    assertThat(cart.get("p3").quantity).isEqualTo(1);
  }

  @Test
  void sessionsStartAfterTheGap() throws Exception {
    apply("e1", EventType.VIEW, T, "p1", "bags");
    apply("e2", EventType.VIEW, T + 10 * MIN, "p2", "bags");
    apply("e3", EventType.VIEW, T + 50 * MIN, "p3", "bags");
    assertThat(p.windows.sum(Window.LIFETIME, Metric.SESSIONS, T + DAY)).isEqualTo(2);
    assertThat(p.recentViews).containsExactly("p1", "p2", "p3");
  }

  @Test
  void theBoughtHistoryKeepsTheLatestPurchaseOfEachProductInTimeOrderBounded() throws Exception {
    apply("e1", EventType.PURCHASE, T, "p1", "bags");
    apply("e2", EventType.PURCHASE, T + DAY, "p2", "bags");
    apply("e3", EventType.PURCHASE, T + 2 * DAY, "p1", "bags"); // bought again: moves to the end
    apply("e4", EventType.PURCHASE, T + DAY / 2, "p3", "bags"); // late: in its place by time
    apply("e5", EventType.PURCHASE, T - DAY, "p2", "bags"); // an older purchase of p2: ignored
    apply("e6", EventType.VIEW, T + 3 * DAY, "p9", "bags"); // views are not purchases
    apply("e7", EventType.PURCHASE, T, "p8", "health_beauty"); // sensitive: never kept
    assertThat(p.recentBought).containsExactly("p3", "p2", "p1");
    assertThat(p.recentBoughtAt).containsExactly(T + DAY / 2, T + DAY, T + 2 * DAY);
    for (int i = 0; i < 15; i++) {
      apply("f" + i, EventType.PURCHASE, T + (10 + i) * DAY, "q" + i, "bags");
    }
    assertThat(p.recentBought).hasSize(UserProfile.RECENT_BOUGHT).startsWith("q5").endsWith("q14");
    assertThat(p.recentBoughtAt).hasSize(UserProfile.RECENT_BOUGHT);
  }

  @Test
  void affinitiesDecayAndAreBounded() throws Exception {
    apply("e1", EventType.PURCHASE, T, "p1", "bags");
    apply("e2", EventType.VIEW, T + 30 * DAY, "p2", "bags");
    // 5 halved once over 30 days, plus 1.
    assertThat(
            p.affinityScores
                .asMap()
                .get("bags")
                .scoreAt(T + 30 * DAY, settings.affinityHalfLifeMs()))
        .isCloseTo(3.5, org.assertj.core.data.Offset.offset(1e-9));
    for (int i = 0; i < 40; i++) {
      apply("v" + i, EventType.VIEW, T + 31 * DAY + i, "p", "cat" + i);
    }
    assertThat(p.affinityScores.asMap())
        .hasSize(32)
        .containsKey("bags"); // the weakest were replaced
  }

  @Test
  void purchasesAreRememberedForTheirRhythm() throws Exception {
    for (int i = 0; i < 10; i++) {
      apply("b" + i, EventType.PURCHASE, T + i * 7 * DAY, "p" + i, "bags");
    }
    assertThat(p.recentPurchases).hasSize(UserProfile.RECENT_PURCHASES);
    assertThat(p.recentPurchases[7] - p.recentPurchases[0]).isEqualTo(7 * 7 * DAY);
    // Purchases on days 35, 42, 49, 56 and 63 are within the 30 UTC days ending on day 63.
    assertThat(p.windows.sum(Window.D30, Metric.SPEND_CENTS, T + 63 * DAY)).isEqualTo(5000);
  }
}

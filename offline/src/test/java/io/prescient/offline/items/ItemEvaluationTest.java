package io.prescient.offline.items;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.models.items.ItemSimilarity;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The offline protocol for item recommendations, on the purchase log of ItemSimilarityTest. */
class ItemEvaluationTest {
  private static final long DAY = 86_400_000L;
  private static final long CUTOFF = 100 * DAY;

  private static ItemSimilarity.Purchase p(String user, String item, long day) {
    return new ItemSimilarity.Purchase(user, item, day * DAY);
  }

  private static final List<ItemSimilarity.Purchase> LOG =
      List.of(
          p("u1", "a", 1),
          p("u1", "b", 2),
          p("u2", "a", 3),
          p("u2", "b", 4),
          p("u3", "a", 5),
          p("u3", "c", 95),
          p("u4", "c", 96),
          p("u4", "d", 97),
          p("u5", "d", 98),
          // after the cut-off: never seen by the model
          p("u1", "z", 150),
          p("u2", "z", 150));

  @Test
  void theProtocolCountsNewItemsOfReturningCustomersOnly() {
    List<ItemSimilarity.Purchase> after =
        List.of(
            p("u1", "c", 101),
            p("u1", "a", 102),
            p("u3", "a", 103),
            p("u9", "c", 104),
            p("u4", "a", 105));
    List<ItemSimilarity.Purchase> all = new java.util.ArrayList<>(LOG);
    all.addAll(after);
    ItemEvaluation.Rows rows = ItemEvaluation.rows(all, all, CUTOFF, 90 * DAY);
    // u1 had a (not new) and gets c (new) and z (first sold after the cut-off: no method can rank
    // it); u2 gets only z; u3 only a again (no target); u4 gets a; u9 never bought before.
    assertThat(rows.users()).containsExactly("u1", "u4");
    assertThat(rows.targets().get(0)).containsExactly("c");
    assertThat(rows.targets().get(1)).containsExactly("a");
    assertThat(rows.outsideCatalogue()).isEqualTo(2);
    assertThat(rows.customersOnlyOutside()).isEqualTo(1);
    ItemEvaluation.Result r =
        ItemEvaluation.evaluate(rows, (h, now, k) -> List.of("c", "d"), CUTOFF, 10, 200, 1);
    assertThat(r.customers()).isEqualTo(2);
    assertThat(r.hit()).isEqualTo(0.5);
    assertThat(r.recall()).isEqualTo(0.5);
    assertThat(r.hitLow()).isLessThanOrEqualTo(r.hit());
    assertThat(r.hitHigh()).isGreaterThanOrEqualTo(r.hit());
  }

  @Test
  void recallIsTheMeanShareOfEachCustomersTargets() {
    List<ItemSimilarity.Purchase> all = new java.util.ArrayList<>(LOG);
    all.addAll(List.of(p("u1", "c", 101), p("u1", "d", 102), p("u5", "a", 103)));
    ItemEvaluation.Rows rows = ItemEvaluation.rows(all, all, CUTOFF, 90 * DAY);
    assertThat(rows.users()).containsExactly("u1", "u5");
    // u1: 1 of its 2 targets (c, d) in the top; u5: its one target a is not.
    ItemEvaluation.Result r =
        ItemEvaluation.evaluate(rows, (h, now, k) -> List.of("c", "b"), CUTOFF, 10, 0, 1);
    assertThat(r.hit()).isEqualTo(0.5);
    assertThat(r.recall()).isEqualTo(0.25);
  }

  @Test
  void onAClickstreamAProductViewedBeforeAndBoughtAfterIsATargetWhenNewToMeansBought() {
    // u7 viewed v1 (day 90) and v2 (day 95) and bought b; after the cut-off it buys v2 and x.
    List<ItemSimilarity.Purchase> views = List.of(p("u7", "v1", 90), p("u7", "v2", 95));
    List<ItemSimilarity.Purchase> bought =
        List.of(p("u7", "b", 80), p("u8", "x", 50), p("u7", "v2", 101), p("u7", "x", 102));
    List<ItemSimilarity.Purchase> history = new java.util.ArrayList<>(views);
    history.addAll(bought);

    // New to the whole history (the default): v2 was viewed, so only x is a target.
    ItemEvaluation.Rows strict = ItemEvaluation.rows(history, bought, CUTOFF, 10 * DAY);
    assertThat(strict.targets().get(strict.users().indexOf("u7"))).containsExactly("x");

    // New to what was bought: v2 counts too, and the viewed products stay candidates.
    ItemEvaluation.Rows rows = ItemEvaluation.rows(history, bought, bought, CUTOFF, 10 * DAY);
    int u7 = rows.users().indexOf("u7");
    assertThat(rows.targets().get(u7)).containsExactlyInAnyOrder("v2", "x");
    assertThat(rows.had().get(u7)).containsExactly("b");
    ItemEvaluation.Recommender nothing = (h, now, k) -> List.of();
    // recently viewed first (v2, then v1), never what was bought (b)
    assertThat(
            ItemEvaluation.recentlyViewedThen(nothing)
                .top(rows.histories().get(u7), rows.had().get(u7), CUTOFF, 10))
        .containsExactly("v2", "v1");
    ItemEvaluation.Result viewed =
        ItemEvaluation.evaluate(rows, ItemEvaluation.recentlyViewedThen(nothing), CUTOFF, 1, 0, 1);
    ItemEvaluation.Result none = ItemEvaluation.evaluate(rows, nothing, CUTOFF, 1, 0, 1);
    assertThat(viewed.hit()).isEqualTo(1.0); // u7's top 1 is v2, a target
    assertThat(none.hit()).isEqualTo(0.0);
  }

  @Test
  void theServedRankingStartsFromWhatWasHadAndOffersTheLastTenViewsAsTheProfileKeepsThem() {
    // u7 bought a (day 1) and viewed v0..v11 on days 80..91 (the profile keeps the last 10).
    List<ItemSimilarity.Purchase> history = new java.util.ArrayList<>(LOG);
    List<ItemSimilarity.Purchase> had = new java.util.ArrayList<>(LOG);
    had.add(p("u7", "a", 1));
    history.add(p("u7", "a", 1));
    for (int v = 0; v < 12; v++) {
      history.add(p("u7", "v" + v, 80 + v));
      history.add(p("u6", "v" + v, 10)); // so that the model knows every viewed product
    }
    ItemSimilarity m =
        ItemSimilarity.train(
            history, CUTOFF, new ItemSimilarity.Settings(50, 0, 0, 30, 0, 0.5, 0.9));
    java.util.Map<String, Long> h = new java.util.HashMap<>();
    history.stream().filter(x -> x.user().equals("u7")).forEach(x -> h.put(x.item(), x.at()));
    List<String> top = ItemEvaluation.served(m).top(h, java.util.Set.of("a"), CUTOFF, 20);
    // the ten most recent views, most recent first, then a's neighbours; never a; v0 and v1 only
    // as a's neighbours (u7 had them together), after b
    assertThat(top.subList(0, 10))
        .containsExactly("v11", "v10", "v9", "v8", "v7", "v6", "v5", "v4", "v3", "v2");
    assertThat(top).doesNotContain("a").contains("b");
    assertThat(top.indexOf("v0")).isGreaterThan(top.indexOf("b"));
    // a purchase after the views is one of the profile's last 10 too: nine views remain
    h.put("d", 92 * DAY);
    List<String> afterPurchase =
        ItemEvaluation.served(m).top(h, java.util.Set.of("a", "d"), CUTOFF, 20);
    assertThat(afterPurchase.subList(0, 9))
        .containsExactly("v11", "v10", "v9", "v8", "v7", "v6", "v5", "v4", "v3");
    assertThat(afterPurchase).doesNotContain("a", "d");
    // purchases only (every history item had): the model's plain ranking of the history
    java.util.Map<String, Long> u1 = java.util.Map.of("a", DAY, "b", 2 * DAY);
    ItemSimilarity cosine =
        ItemSimilarity.train(LOG, CUTOFF, ItemSimilarity.Settings.plainCosine());
    assertThat(ItemEvaluation.served(cosine).top(u1, CUTOFF, 10))
        .isEqualTo(
            cosine.recommend(u1, CUTOFF, 10, java.util.Set.of()).stream()
                .map(ItemSimilarity.Scored::item)
                .toList())
        .containsExactly("c");
  }
}

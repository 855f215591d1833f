package io.prescient.models.items;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ItemSimilarityTest {
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
  void neighboursAreCosinesOfTheirBuyersAndLaterPurchasesDoNotCount() {
    ItemSimilarity m = ItemSimilarity.train(LOG, CUTOFF, ItemSimilarity.Settings.plainCosine());
    assertThat(m.items()).containsExactly("a", "b", "c", "d");
    List<ItemSimilarity.Scored> a = m.neighbours("a");
    assertThat(a).extracting(ItemSimilarity.Scored::item).containsExactly("b", "c");
    assertThat(a.get(0).score()).isCloseTo(2 / Math.sqrt(3 * 2), within(1e-6));
    assertThat(a.get(1).score()).isCloseTo(1 / Math.sqrt(3 * 2), within(1e-6));
    assertThat(m.neighbours("z")).isEmpty();
  }

  @Test
  void aUserGetsTheItemsMostSimilarToTheirHistoryNeverWhatTheyHave() {
    ItemSimilarity m = ItemSimilarity.train(LOG, CUTOFF, ItemSimilarity.Settings.plainCosine());
    List<ItemSimilarity.Scored> r = m.recommend(Map.of("a", DAY), CUTOFF, 10, Set.of());
    assertThat(r).extracting(ItemSimilarity.Scored::item).containsExactly("b", "c");
    assertThat(m.recommend(Map.of("a", DAY, "b", DAY), CUTOFF, 10, Set.of("c"))).isEmpty();
  }

  @Test
  void eachRecommendationNamesTheHistoryItemThatBroughtItAndSkipsWhatIsNotAllowed() {
    ItemSimilarity m = ItemSimilarity.train(LOG, CUTOFF, ItemSimilarity.Settings.plainCosine());
    List<ItemSimilarity.Recommended> r =
        m.recommend(List.of("a", "d"), new long[] {DAY, 97 * DAY}, CUTOFF, 10, item -> true);
    assertThat(r)
        .extracting(x -> x.item() + "<-" + x.because())
        .containsExactly("c<-d", "b<-a"); // c: 1/sqrt(6) from a + 1/sqrt(4) from d
    assertThat(r.get(0).score()).isCloseTo(1 / Math.sqrt(6) + 1 / Math.sqrt(4), within(1e-6));
    // not allowed (out of stock, say): the next best takes its place, k still counts
    assertThat(
            m.recommend(
                List.of("a", "d"), new long[] {DAY, 97 * DAY}, CUTOFF, 1, i -> !i.equals("c")))
        .extracting(ItemSimilarity.Recommended::item)
        .containsExactly("b");
  }

  @Test
  void aSettingsVariantScoresAsAModelTrainedWithThem() {
    ItemSimilarity wide =
        ItemSimilarity.train(LOG, CUTOFF, new ItemSimilarity.Settings(50, 0, 0, 30));
    ItemSimilarity.Settings narrow = new ItemSimilarity.Settings(1, 30, 0.2, 30);
    ItemSimilarity direct = ItemSimilarity.train(LOG, CUTOFF, narrow);
    ItemSimilarity variant = wide.withSettings(narrow);
    for (String item : direct.items()) {
      assertThat(variant.neighbours(item)).isEqualTo(direct.neighbours(item));
    }
    assertThat(variant.recommend(Map.of("a", DAY, "c", 96 * DAY), CUTOFF, 10, Set.of()))
        .isEqualTo(direct.recommend(Map.of("a", DAY, "c", 96 * DAY), CUTOFF, 10, Set.of()));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> wide.withSettings(new ItemSimilarity.Settings(5, 0, 0, 30, 0.5, 0.5)))
        .isInstanceOf(IllegalArgumentException.class); // damping changes the training
  }

  @Test
  void theArtifactReadsBackAsTheSameModelAndABrokenOneNamesItsLine() {
    ItemSimilarity m =
        ItemSimilarity.train(LOG, CUTOFF, new ItemSimilarity.Settings(1, 30, 0.2, 30));
    ItemSimilarity back = ItemSimilarity.fromBytes(m.toBytes());
    assertThat(back.items()).isEqualTo(m.items());
    assertThat(back.settings().historyHalfLifeDays()).isEqualTo(30);
    assertThat(back.settings().popularityWeight()).isEqualTo(0.2);
    for (String item : m.items()) {
      assertThat(back.neighbours(item)).isEqualTo(m.neighbours(item)).hasSizeLessThanOrEqualTo(1);
    }
    assertThat(back.recommend(Map.of("a", DAY), CUTOFF, 10, Set.of()))
        .isEqualTo(m.recommend(Map.of("a", DAY), CUTOFF, 10, Set.of()));
    String text = new String(m.toBytes(), java.nio.charset.StandardCharsets.UTF_8);
    for (String broken :
        List.of(
            "not a model",
            text.replace("settings\t30.0", "settings\tNaN"),
            text + "a\t0.5\n",
            text.replaceFirst("\tb\t", "\tnowhere\t"),
            text + "e\t0.1\tb\n")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  ItemSimilarity.fromBytes(
                      broken.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("line ");
    }
  }

  @Test
  void recentPopularityRanksWhatSellsNowWhenItHasWeight() {
    // c and d were bought in the last 30 days before the cut-off, a and b long before.
    ItemSimilarity m =
        ItemSimilarity.train(LOG, CUTOFF, new ItemSimilarity.Settings(200, 0, 0.6, 30));
    assertThat(m.popular(10, Set.of()))
        .extracting(ItemSimilarity.Scored::item)
        .containsExactly("c", "d");
    // For a buyer of b: a is the only similar item (0.4 of the score at most), but c and d sell
    // now (0.6 each).
    List<ItemSimilarity.Scored> r = m.recommend(Map.of("b", DAY), CUTOFF, 10, Set.of());
    assertThat(r).extracting(ItemSimilarity.Scored::item).containsExactly("c", "d", "a");
    assertThat(r.get(2).score()).isCloseTo(0.4, within(1e-9));
  }

  @Test
  void recentlyViewedProductsRankByTheirShareMostRecentFirstNeverWhenBought() {
    ItemSimilarity m =
        ItemSimilarity.train(LOG, CUTOFF, new ItemSimilarity.Settings(50, 0, 0, 30, 0, 0.5, 0.6));
    // Bought a; viewed d, then b (oldest first). b is a's neighbour and the most recent view:
    // 0.4 * 1 (its similarity, the user's best) + 0.6 * 2/2; d was viewed before b: 0.6 * 1/2.
    List<ItemSimilarity.Recommended> r =
        m.recommend(List.of("a"), new long[] {DAY}, List.of("d", "b"), CUTOFF, 10, i -> true);
    assertThat(r)
        .extracting(x -> x.item() + "<-" + x.because() + (x.viewed() ? " viewed" : ""))
        .containsExactly("b<-b viewed", "d<-d viewed", "c<-a");
    assertThat(r.get(0).score()).isCloseTo(0.4 + 0.6, within(1e-9));
    assertThat(r.get(1).score()).isCloseTo(0.3, within(1e-9));
    assertThat(r.get(2).score())
        .isCloseTo(0.4 * (1 / Math.sqrt(6)) / (2 / Math.sqrt(6)), within(1e-9));
    // a viewed product the user bought, one the model never saw, or one not allowed (out of stock)
    // is not recommended, and takes no share from the others: the ranking is the one without views
    List<ItemSimilarity.Recommended> without =
        m.recommend(List.of("a"), new long[] {DAY}, CUTOFF, 10, i -> !i.equals("d"));
    assertThat(without).extracting(ItemSimilarity.Recommended::item).containsExactly("b", "c");
    assertThat(
            m.recommend(
                List.of("a"),
                new long[] {DAY},
                List.of("a", "zz", "d"),
                CUTOFF,
                10,
                i -> !i.equals("d")))
        .isEqualTo(without);
    // no viewed weight: views change nothing
    ItemSimilarity plain = m.withSettings(m.settings().withViewedWeight(0));
    assertThat(
            plain.recommend(
                List.of("a"), new long[] {DAY}, List.of("d", "b"), CUTOFF, 10, i -> true))
        .isEqualTo(plain.recommend(List.of("a"), new long[] {DAY}, CUTOFF, 10, i -> true));
    org.assertj.core.api.Assertions.assertThatThrownBy(
            () -> new ItemSimilarity.Settings(5, 0, 0.5, 30, 0, 0.5, 0.6))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("add up to at most 1");
  }

  @Test
  void theViewedShareTravelsInTheArtifactAndAnArtifactWithoutItStillReads() {
    ItemSimilarity.Settings s = new ItemSimilarity.Settings(5, 0, 0.2, 30, 0, 0.5, 0.75);
    ItemSimilarity m = ItemSimilarity.train(LOG, CUTOFF, s);
    String text = new String(m.toBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(text.split("\n")[1]).isEqualTo("settings\t0.0\t0.2\t0.75");
    assertThat(ItemSimilarity.fromBytes(m.toBytes()).settings().viewedWeight()).isEqualTo(0.75);
    // without a viewed share the line has the three fields it always had
    ItemSimilarity old = m.withSettings(s.withViewedWeight(0));
    String oldText = new String(old.toBytes(), java.nio.charset.StandardCharsets.UTF_8);
    assertThat(oldText.split("\n")[1]).isEqualTo("settings\t0.0\t0.2");
    assertThat(ItemSimilarity.fromBytes(old.toBytes()).settings().viewedWeight()).isZero();
    for (String broken :
        List.of(
            text.replace("\t0.75\n", "\t0.9\n"), // 0.2 + 0.9 > 1
            text.replace("\t0.75\n", "\t0.75\t1\n"),
            text.replace("\t0.75\n", "\tmany\n"))) {
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () ->
                  ItemSimilarity.fromBytes(
                      broken.getBytes(java.nio.charset.StandardCharsets.UTF_8)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageStartingWith("line 2");
    }
  }
}

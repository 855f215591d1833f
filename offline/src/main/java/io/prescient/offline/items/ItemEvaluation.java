package io.prescient.offline.items;

import io.prescient.models.items.ItemSimilarity;
import io.prescient.state.profile.UserProfile;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The fixed offline protocol for item recommendations: customers who interacted before the cut-off
 * and in the horizon after it; their targets are the items of the horizon they never had before
 * that the catalogue had at the cut-off (someone interacted with them before it: a product first
 * sold after the cut-off is a target no method can rank, and is counted apart); every method ranks
 * the catalogue's items the customer has not had; hit@k (share of customers with a target in the
 * top k) and recall@k (mean share of their targets in it), each with a bootstrap 95% interval over
 * customers.
 */
public final class ItemEvaluation {
  private ItemEvaluation() {}

  /** A method under test: the top k items for one customer. */
  public interface Recommender {
    List<String> top(Map<String, Long> history, long now, int k);

    /**
     * The top k for a customer who has already had the items {@code had} (bought or carted: they
     * are no targets), with every interaction before the cut-off in {@code history}; by default a
     * method ranks what is not in the history at all.
     */
    default List<String> top(Map<String, Long> history, Set<String> had, long now, int k) {
      return top(history, now, k);
    }
  }

  /**
   * "Recently viewed": the items of the history the customer has not had, most recent first, then
   * the {@code fallback}'s. A baseline for clickstreams, where the next purchase or cart is often a
   * product looked at before.
   */
  public static Recommender recentlyViewedThen(Recommender fallback) {
    return knowingWhatWasHad(
        (history, had, now, k) -> {
          List<String> out = new ArrayList<>();
          history.entrySet().stream()
              .filter(e -> !had.contains(e.getKey()))
              .sorted(
                  Map.Entry.<String, Long>comparingByValue()
                      .reversed()
                      .thenComparing(Map.Entry.comparingByKey()))
              .limit(k)
              .forEach(e -> out.add(e.getKey()));
          for (String item : fallback.top(history, had, now, k)) {
            if (out.size() < k && !out.contains(item)) {
              out.add(item);
            }
          }
          return out;
        });
  }

  /**
   * A method that ranks knowing what the customer had ({@link Recommender#top(Map, Set, long,
   * int)}).
   */
  public interface RanksWithHad {
    List<String> top(Map<String, Long> history, Set<String> had, long now, int k);
  }

  /** {@code m} as a {@link Recommender}: without a had set, every history item was had. */
  public static Recommender knowingWhatWasHad(RanksWithHad m) {
    return new Recommender() {
      @Override
      public List<String> top(Map<String, Long> history, long now, int k) {
        return m.top(history, history.keySet(), now, k);
      }

      @Override
      public List<String> top(Map<String, Long> history, Set<String> had, long now, int k) {
        return m.top(history, had, now, k);
      }
    };
  }

  /**
   * A model ranked as the job serves it: the items the customer had (bought, or carted: {@code
   * had}) are the history its neighbours start from; the last {@link UserProfile#RECENT_VIEWS}
   * items the customer interacted with, by time, stand for the profile's recent views (on a
   * clickstream a product is viewed before it is carted or bought), and those of them not had are
   * the recently viewed products it may recommend; nothing the customer had is recommended. Where
   * every history item was had (purchases only) this is the model's plain ranking of the history.
   */
  public static Recommender served(ItemSimilarity m) {
    return knowingWhatWasHad(
        (history, had, now, k) -> {
          List<String> seeds = new ArrayList<>();
          for (String item : history.keySet()) {
            if (had.contains(item)) {
              seeds.add(item);
            }
          }
          List<Map.Entry<String, Long>> recent = new ArrayList<>(history.entrySet());
          recent.sort(
              Map.Entry.<String, Long>comparingByValue().thenComparing(Map.Entry.comparingByKey()));
          List<String> viewed = new ArrayList<>();
          for (Map.Entry<String, Long> e :
              recent.subList(
                  Math.max(0, recent.size() - UserProfile.RECENT_VIEWS), recent.size())) {
            viewed.add(e.getKey()); // what was had among them is not recommended
          }
          long[] at = seeds.stream().mapToLong(history::get).toArray();
          List<String> out = new ArrayList<>();
          for (ItemSimilarity.Recommended r :
              m.recommend(seeds, at, viewed, now, k, item -> !had.contains(item))) {
            out.add(r.item());
          }
          return out;
        });
  }

  /**
   * The rows of the protocol: each customer's history before the cut-off and targets after.
   *
   * @param outsideCatalogue new items of these or other returning customers in the horizon that no
   *     one had before the cut-off (customer and item pairs), not counted as targets
   * @param customersOnlyOutside returning customers whose every new item was outside the catalogue
   *     (no row)
   */
  public record Rows(
      List<String> users,
      List<Map<String, Long>> histories,
      List<Set<String>> had,
      List<Set<String>> targets,
      int outsideCatalogue,
      int customersOnlyOutside) {
    public int size() {
      return users.size();
    }
  }

  /** A method's figures with 95% bootstrap intervals. */
  public record Result(
      int customers,
      double hit,
      double hitLow,
      double hitHigh,
      double recall,
      double recallLow,
      double recallHigh) {}

  /**
   * @param history the interactions that form a customer's history (before the cut-off)
   * @param targets the interactions that count as targets (in the horizon after it)
   */
  public static Rows rows(
      List<ItemSimilarity.Purchase> history,
      List<ItemSimilarity.Purchase> targets,
      long cutoff,
      long horizonMs) {
    return rows(history, history, targets, cutoff, horizonMs);
  }

  /**
   * As {@link #rows(List, List, long, long)}, with a target new when the customer had not {@code
   * had} it before the cut-off (a clickstream: not carted or bought, though maybe viewed); an item
   * only in the history stays a candidate.
   *
   * @param had the interactions that make an item the customer's own (before the cut-off)
   */
  public static Rows rows(
      List<ItemSimilarity.Purchase> history,
      List<ItemSimilarity.Purchase> had,
      List<ItemSimilarity.Purchase> targets,
      long cutoff,
      long horizonMs) {
    Map<String, Set<String>> owned = new HashMap<>();
    for (ItemSimilarity.Purchase p : had) {
      if (p.at() < cutoff) {
        owned.computeIfAbsent(p.user(), k -> new HashSet<>()).add(p.item());
      }
    }
    Map<String, Map<String, Long>> before = new HashMap<>();
    Set<String> catalogue = new HashSet<>();
    for (ItemSimilarity.Purchase p : history) {
      if (p.at() < cutoff) {
        before.computeIfAbsent(p.user(), k -> new HashMap<>()).merge(p.item(), p.at(), Math::max);
        catalogue.add(p.item());
      }
    }
    Map<String, Set<String>> after = new HashMap<>();
    Map<String, Set<String>> outside = new HashMap<>();
    for (ItemSimilarity.Purchase p : targets) {
      if (p.at() >= cutoff && p.at() < cutoff + horizonMs && before.containsKey(p.user())) {
        if (!owned.getOrDefault(p.user(), Set.of()).contains(p.item())) {
          (catalogue.contains(p.item()) ? after : outside)
              .computeIfAbsent(p.user(), k -> new HashSet<>())
              .add(p.item());
        }
      }
    }
    int outsidePairs = outside.values().stream().mapToInt(Set::size).sum();
    int onlyOutside = (int) outside.keySet().stream().filter(u -> !after.containsKey(u)).count();
    List<String> users = new ArrayList<>(after.keySet());
    users.sort(null);
    List<Map<String, Long>> h = new ArrayList<>();
    List<Set<String>> o = new ArrayList<>();
    List<Set<String>> t = new ArrayList<>();
    for (String u : users) {
      h.add(before.get(u));
      o.add(owned.getOrDefault(u, Set.of()));
      t.add(after.get(u));
    }
    return new Rows(users, h, o, t, outsidePairs, onlyOutside);
  }

  /** Runs one method over the rows. */
  public static Result evaluate(
      Rows rows, Recommender r, long now, int k, int bootstrap, long seed) {
    int n = rows.size();
    double[] hit = new double[n];
    double[] recall = new double[n];
    for (int x = 0; x < n; x++) {
      Set<String> targets = rows.targets().get(x);
      int found = 0;
      for (String item : r.top(rows.histories().get(x), rows.had().get(x), now, k)) {
        if (targets.contains(item)) {
          found++;
        }
      }
      hit[x] = found > 0 ? 1 : 0;
      recall[x] = (double) found / targets.size();
    }
    double[] hitCi = interval(hit, bootstrap, seed);
    double[] recallCi = interval(recall, bootstrap, seed + 1);
    return new Result(n, mean(hit), hitCi[0], hitCi[1], mean(recall), recallCi[0], recallCi[1]);
  }

  private static double mean(double[] v) {
    return v.length == 0 ? 0 : Arrays.stream(v).sum() / v.length;
  }

  /** The 2.5th and 97.5th percentiles of the mean over {@code b} resamples of the rows. */
  static double[] interval(double[] v, int b, long seed) {
    if (v.length == 0 || b <= 0) {
      return new double[] {Double.NaN, Double.NaN};
    }
    Random rnd = new Random(seed);
    double[] means = new double[b];
    for (int r = 0; r < b; r++) {
      double s = 0;
      for (int x = 0; x < v.length; x++) {
        s += v[rnd.nextInt(v.length)];
      }
      means[r] = s / v.length;
    }
    Arrays.sort(means);
    return new double[] {
      means[(int) Math.floor(0.025 * (b - 1))], means[(int) Math.ceil(0.975 * (b - 1))]
    };
  }
}

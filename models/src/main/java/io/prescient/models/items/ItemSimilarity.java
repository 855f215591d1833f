package io.prescient.models.items;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Item-to-item recommendations ("bought together"): for every item its top-K neighbours by cosine
 * similarity of the customers who bought them, and a user's candidates scored by the sum of the
 * similarities to the items in their history. Flink-free; trained point in time (only purchases
 * before the cut-off count).
 *
 * <p>Two refinements over plain cosine, each a setting so that the evaluation can measure it:
 * history items bought recently weigh more ({@link Settings#historyHalfLifeDays}), and a share of
 * the score comes from recent popularity ({@link Settings#popularityWeight}: customers per item in
 * the last {@link Settings#popularityDays} days before the cut-off), which ranks the items that are
 * selling now among equally similar ones.
 */
public final class ItemSimilarity {
  /** One purchase: who bought what, when (epoch ms). */
  public record Purchase(String user, String item, long at) {}

  /**
   * @param neighbours K, the neighbours kept per item (bounds the artifact)
   * @param historyHalfLifeDays a history item bought this long before now weighs half; 0: all 1
   * @param popularityWeight the share of recent popularity in the score, 0 for none
   * @param popularityDays the window of recent popularity before the cut-off
   */
  public record Settings(
      int neighbours, double historyHalfLifeDays, double popularityWeight, int popularityDays) {
    /** Plain cosine: binary customer vectors, every history item weighs 1, no popularity. */
    public static Settings plainCosine() {
      return new Settings(Integer.MAX_VALUE, 0, 0, 30);
    }
  }

  /** A recommended item with its score. */
  public record Scored(String item, double score) {}

  private final Settings settings;
  private final List<String> items;
  private final Map<String, Integer> index;
  private final int[][] neighbours;
  private final float[][] similarities;
  private final double[] popularity; // recent customers per item, scaled to [0, 1]

  private ItemSimilarity(
      Settings settings,
      List<String> items,
      Map<String, Integer> index,
      int[][] neighbours,
      float[][] similarities,
      double[] popularity) {
    this.settings = settings;
    this.items = items;
    this.index = index;
    this.neighbours = neighbours;
    this.similarities = similarities;
    this.popularity = popularity;
  }

  /** Trains on the purchases before {@code cutoff} (later ones are ignored). */
  public static ItemSimilarity train(List<Purchase> purchases, long cutoff, Settings s) {
    Map<String, Integer> index = new LinkedHashMap<>();
    Map<String, Integer> userIndex = new HashMap<>();
    List<List<Integer>> itemsOfUser = new ArrayList<>();
    List<Set<Integer>> seen = new ArrayList<>();
    long popularFrom = cutoff - s.popularityDays() * 86_400_000L;
    Map<Integer, Set<Integer>> recentBuyers = new HashMap<>();
    for (Purchase p : purchases) {
      if (p.at() >= cutoff) {
        continue;
      }
      int i = index.computeIfAbsent(p.item(), k -> index.size());
      int u =
          userIndex.computeIfAbsent(
              p.user(),
              k -> {
                itemsOfUser.add(new ArrayList<>());
                seen.add(new HashSet<>());
                return userIndex.size();
              });
      if (seen.get(u).add(i)) {
        itemsOfUser.get(u).add(i);
      }
      if (p.at() >= popularFrom) {
        recentBuyers.computeIfAbsent(i, k -> new HashSet<>()).add(u);
      }
    }
    int n = index.size();
    int[] buyers = new int[n];
    List<List<Integer>> usersOfItem = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      usersOfItem.add(new ArrayList<>());
    }
    for (int u = 0; u < itemsOfUser.size(); u++) {
      for (int i : itemsOfUser.get(u)) {
        buyers[i]++;
        usersOfItem.get(i).add(u);
      }
    }
    int k = s.neighbours();
    int[][] nb = new int[n][];
    float[][] sim = new float[n][];
    float[] co = new float[n];
    int[] touched = new int[n];
    for (int i = 0; i < n; i++) {
      int t = 0;
      for (int u : usersOfItem.get(i)) {
        for (int j : itemsOfUser.get(u)) {
          if (j != i) {
            if (co[j] == 0) {
              touched[t++] = j;
            }
            co[j] += 1;
          }
        }
      }
      // cosine of binary vectors: co-buyers / sqrt(buyers_i * buyers_j); keep the top K
      Integer[] order = new Integer[t];
      float[] score = new float[t];
      for (int x = 0; x < t; x++) {
        int j = touched[x];
        score[x] = (float) (co[j] / Math.sqrt((double) buyers[i] * buyers[j]));
        order[x] = x;
      }
      Arrays.sort(
          order,
          Comparator.comparingDouble((Integer x) -> -score[x]).thenComparingInt(x -> touched[x]));
      int m = Math.min(k, t);
      nb[i] = new int[m];
      sim[i] = new float[m];
      for (int x = 0; x < m; x++) {
        nb[i][x] = touched[order[x]];
        sim[i][x] = score[order[x]];
      }
      for (int x = 0; x < t; x++) {
        co[touched[x]] = 0;
      }
    }
    double[] pop = new double[n];
    double max = 1;
    for (Map.Entry<Integer, Set<Integer>> e : recentBuyers.entrySet()) {
      pop[e.getKey()] = e.getValue().size();
      max = Math.max(max, pop[e.getKey()]);
    }
    for (int i = 0; i < n; i++) {
      pop[i] /= max;
    }
    return new ItemSimilarity(s, List.copyOf(index.keySet()), index, nb, sim, pop);
  }

  public int size() {
    return items.size();
  }

  /** The items a model knows (bought before its cut-off), in first-seen order. */
  public List<String> items() {
    return items;
  }

  /** The neighbours of {@code item} with their similarity, best first; empty when unknown. */
  public List<Scored> neighbours(String item) {
    Integer i = index.get(item);
    if (i == null) {
      return List.of();
    }
    List<Scored> out = new ArrayList<>();
    for (int x = 0; x < neighbours[i].length; x++) {
      out.add(new Scored(items.get(neighbours[i][x]), similarities[i][x]));
    }
    return out;
  }

  /**
   * The top {@code k} items for a user whose history is {@code lastBought} (item to the time of its
   * last purchase), as of {@code now}; items in {@code exclude} (and the history) are not
   * recommended. With no similar item, recent popularity alone ranks (when it has weight).
   */
  public List<Scored> recommend(
      Map<String, Long> lastBought, long now, int k, Set<String> exclude) {
    Map<Integer, Double> score = new HashMap<>();
    double halfLifeMs = settings.historyHalfLifeDays() * 86_400_000L;
    for (Map.Entry<String, Long> h : lastBought.entrySet()) {
      Integer i = index.get(h.getKey());
      if (i == null) {
        continue;
      }
      double w = halfLifeMs <= 0 ? 1 : Math.pow(0.5, Math.max(0, now - h.getValue()) / halfLifeMs);
      for (int x = 0; x < neighbours[i].length; x++) {
        score.merge(neighbours[i][x], w * similarities[i][x], Double::sum);
      }
    }
    double pw = settings.popularityWeight();
    if (pw > 0) {
      // the similarity part scaled to [0, 1] for this user, so the weight means the same for all
      double top = score.values().stream().mapToDouble(Double::doubleValue).max().orElse(1);
      Map<Integer, Double> blended = new HashMap<>();
      for (int i = 0; i < popularity.length; i++) {
        double sSim = score.getOrDefault(i, 0.0) / (top == 0 ? 1 : top);
        double v = (1 - pw) * sSim + pw * popularity[i];
        if (v > 0) {
          blended.put(i, v);
        }
      }
      score = blended;
    }
    List<Scored> out = new ArrayList<>();
    score.entrySet().stream()
        .filter(e -> !lastBought.containsKey(items.get(e.getKey())))
        .filter(e -> !exclude.contains(items.get(e.getKey())))
        .sorted(
            Map.Entry.<Integer, Double>comparingByValue()
                .reversed()
                .thenComparing(Map.Entry.comparingByKey()))
        .limit(k)
        .forEach(e -> out.add(new Scored(items.get(e.getKey()), e.getValue())));
    return out;
  }

  /** Popularity alone: the items most customers bought in the recent window, best first. */
  public List<Scored> popular(int k, Set<String> exclude) {
    List<Scored> out = new ArrayList<>();
    Integer[] order = new Integer[popularity.length];
    for (int i = 0; i < order.length; i++) {
      order[i] = i;
    }
    Arrays.sort(
        order, Comparator.comparingDouble((Integer i) -> -popularity[i]).thenComparingInt(i -> i));
    for (int i : order) {
      if (out.size() >= k || popularity[i] <= 0) {
        break;
      }
      if (!exclude.contains(items.get(i))) {
        out.add(new Scored(items.get(i), popularity[i]));
      }
    }
    return out;
  }
}

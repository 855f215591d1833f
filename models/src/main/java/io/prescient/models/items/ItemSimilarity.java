package io.prescient.models.items;

import io.prescient.models.artifact.ModelManifest;
import io.prescient.state.contract.Hashes;
import io.prescient.state.features.FeatureSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;

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
  /** The model's name and slot: its manifests say {@code "name": "items"}. */
  public static final String NAME = "items";

  /** One purchase: who bought what, when (epoch ms). */
  public record Purchase(String user, String item, long at) {}

  /**
   * @param neighbours K, the neighbours kept per item (bounds the artifact)
   * @param historyHalfLifeDays a history item bought this long before now weighs half; 0: all 1
   * @param popularityWeight the share of recent popularity in the score, 0 for none
   * @param popularityDays the window of recent popularity before the cut-off
   * @param buyerExponent a customer who bought n items counts 1/n^e in co-purchases and item norms
   *     (0: every customer 1; larger damps wholesale baskets, which pair everything with
   *     everything)
   * @param alpha similarity = co-purchases / (norm_i^alpha * norm_j^(1 - alpha)); 0.5 is cosine,
   *     larger favours neighbours j that are popular
   * @param viewedWeight the share of the score that goes to the products the user viewed recently
   *     and did not buy (the most recent 1, the oldest of n 1/n), 0 for none; with popularity it is
   *     at most 1
   */
  public record Settings(
      int neighbours,
      double historyHalfLifeDays,
      double popularityWeight,
      int popularityDays,
      double buyerExponent,
      double alpha,
      double viewedWeight) {
    public Settings {
      if (!(popularityWeight >= 0 && viewedWeight >= 0 && popularityWeight + viewedWeight <= 1)) {
        throw new IllegalArgumentException(
            "popularity weight "
                + popularityWeight
                + " and viewed weight "
                + viewedWeight
                + " must be >= 0 and add up to at most 1");
      }
    }

    public Settings(
        int neighbours,
        double historyHalfLifeDays,
        double popularityWeight,
        int popularityDays,
        double buyerExponent,
        double alpha) {
      this(
          neighbours,
          historyHalfLifeDays,
          popularityWeight,
          popularityDays,
          buyerExponent,
          alpha,
          0);
    }

    public Settings(
        int neighbours, double historyHalfLifeDays, double popularityWeight, int popularityDays) {
      this(neighbours, historyHalfLifeDays, popularityWeight, popularityDays, 0, 0.5);
    }

    /** Plain cosine: binary customer vectors, every history item weighs 1, no popularity. */
    public static Settings plainCosine() {
      return new Settings(Integer.MAX_VALUE, 0, 0, 30);
    }

    /** These settings keeping {@code k} neighbours per item. */
    public Settings withNeighbours(int k) {
      return new Settings(
          k,
          historyHalfLifeDays,
          popularityWeight,
          popularityDays,
          buyerExponent,
          alpha,
          viewedWeight);
    }

    /** These settings giving {@code w} of the score to recently viewed products. */
    public Settings withViewedWeight(double w) {
      return new Settings(
          neighbours,
          historyHalfLifeDays,
          popularityWeight,
          popularityDays,
          buyerExponent,
          alpha,
          w);
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
    this.popularOrder =
        java.util.stream.IntStream.range(0, popularity.length)
            .filter(i -> popularity[i] > 0)
            .boxed()
            .sorted(
                Comparator.comparingDouble((Integer i) -> -popularity[i]).thenComparingInt(i -> i))
            .mapToInt(Integer::intValue)
            .toArray();
  }

  /**
   * Popularity alone reaches a user's ranking through the most popular items only, so scoring costs
   * the neighbours of the history plus this many, not the whole catalogue.
   */
  static final int POPULAR_CANDIDATES = 200;

  private final int[] popularOrder; // items with recent buyers, most popular first

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
    double[] buyers = new double[n]; // weighted: the norm of the item's customer vector, squared
    double[] weight = new double[itemsOfUser.size()];
    List<List<Integer>> usersOfItem = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      usersOfItem.add(new ArrayList<>());
    }
    for (int u = 0; u < itemsOfUser.size(); u++) {
      weight[u] = Math.pow(itemsOfUser.get(u).size(), -s.buyerExponent());
      for (int i : itemsOfUser.get(u)) {
        buyers[i] += weight[u];
        usersOfItem.get(i).add(u);
      }
    }
    int k = s.neighbours();
    int[][] nb = new int[n][];
    float[][] sim = new float[n][];
    double[] co = new double[n];
    int[] touched = new int[n];
    for (int i = 0; i < n; i++) {
      int t = 0;
      for (int u : usersOfItem.get(i)) {
        for (int j : itemsOfUser.get(u)) {
          if (j != i) {
            if (co[j] == 0) {
              touched[t++] = j;
            }
            co[j] += weight[u];
          }
        }
      }
      // cosine of binary vectors (alpha 0.5, no buyer weights): co-buyers / sqrt(buyers_i *
      // buyers_j); keep the top K
      Integer[] order = new Integer[t];
      float[] score = new float[t];
      for (int x = 0; x < t; x++) {
        int j = touched[x];
        score[x] =
            (float) (co[j] / (Math.pow(buyers[i], s.alpha()) * Math.pow(buyers[j], 1 - s.alpha())));
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
    List<String> history = new ArrayList<>(lastBought.keySet());
    long[] at = history.stream().mapToLong(lastBought::get).toArray();
    List<Scored> out = new ArrayList<>();
    for (Recommended r : recommend(history, at, now, k, item -> !exclude.contains(item))) {
      out.add(new Scored(r.item(), r.score()));
    }
    return out;
  }

  /**
   * A recommended item, its score, and the history item that contributed most to it ({@code
   * because}; null when recent popularity alone put it there); {@code viewed} when the user viewed
   * it recently (then {@code because} is the item itself).
   */
  public record Recommended(String item, double score, String because, boolean viewed) {}

  /**
   * The top {@code k} items {@code allowed} for a user whose history is {@code history} (bought at
   * {@code at}, same order), as of {@code now}, best first (equal scores: the item the model knew
   * first). History items are never recommended.
   */
  public List<Recommended> recommend(
      List<String> history, long[] at, long now, int k, Predicate<String> allowed) {
    return recommend(history, at, List.of(), now, k, allowed);
  }

  /**
   * As {@link #recommend(List, long[], long, int, Predicate)}, with the products the user viewed
   * recently ({@code viewed}, oldest first): those the model knows, the user did not buy and {@code
   * allowed} lets through are candidates themselves, with {@link Settings#viewedWeight} of the
   * score (of n such, the most recent the whole share, the oldest 1/n of it). With no such product,
   * or a viewed weight of 0, the ranking is the one without.
   */
  public List<Recommended> recommend(
      List<String> history,
      long[] at,
      List<String> viewed,
      long now,
      int k,
      Predicate<String> allowed) {
    Map<Integer, double[]> acc = new HashMap<>(); // score, best contribution, its history index
    Set<Integer> own = new HashSet<>();
    double halfLifeMs = settings.historyHalfLifeDays() * 86_400_000L;
    for (int h = 0; h < history.size(); h++) {
      Integer i = index.get(history.get(h));
      if (i == null) {
        continue;
      }
      own.add(i);
      double w = halfLifeMs <= 0 ? 1 : Math.pow(0.5, Math.max(0, now - at[h]) / halfLifeMs);
      for (int x = 0; x < neighbours[i].length; x++) {
        double c = w * similarities[i][x];
        double[] a = acc.computeIfAbsent(neighbours[i][x], j -> new double[] {0, -1, -1});
        a[0] += c;
        if (c > a[1]) {
          a[1] = c;
          a[2] = h;
        }
      }
    }
    // The viewed products that may be recommended, most recent first: known to the model, not
    // bought, allowed. With none, the viewed share goes to no one and the ranking is as without.
    List<Integer> eligible = new ArrayList<>();
    if (settings.viewedWeight() > 0) {
      Set<Integer> counted = new HashSet<>();
      for (int v = viewed.size() - 1; v >= 0; v--) {
        String id = viewed.get(v);
        Integer i = index.get(id);
        if (i != null && !own.contains(i) && counted.add(i) && allowed.test(id)) {
          eligible.add(i);
        }
      }
    }
    double pw = settings.popularityWeight();
    double vw = eligible.isEmpty() ? 0 : settings.viewedWeight();
    if (pw > 0 || vw > 0) {
      // the similarity part scaled to [0, 1] for this user, so the weights mean the same for all
      double top = acc.values().stream().mapToDouble(a -> a[0]).max().orElse(1);
      double scale = top == 0 ? 1 : top;
      double sw = Math.max(0, 1 - pw - vw); // not -1e-17 when the two add up to 1
      for (Map.Entry<Integer, double[]> e : acc.entrySet()) {
        e.getValue()[0] = sw * e.getValue()[0] / scale + pw * popularity[e.getKey()];
      }
      if (pw > 0) {
        for (int x = 0; x < popularOrder.length && x < POPULAR_CANDIDATES; x++) {
          acc.putIfAbsent(popularOrder[x], new double[] {pw * popularity[popularOrder[x]], -1, -1});
        }
      }
    }
    Set<Integer> seen = new HashSet<>(eligible);
    int n = eligible.size();
    for (int r = 0; r < n; r++) { // r = 0: the most recent view
      double[] a =
          acc.computeIfAbsent(eligible.get(r), j -> new double[] {pw * popularity[j], -1, -1});
      a[0] += vw * (n - r) / n;
    }
    List<Recommended> out = new ArrayList<>();
    acc.entrySet().stream()
        .filter(e -> !own.contains(e.getKey()) && e.getValue()[0] > 0)
        .sorted(
            Comparator.comparingDouble((Map.Entry<Integer, double[]> e) -> -e.getValue()[0])
                .thenComparing(Map.Entry::getKey))
        .filter(e -> !history.contains(items.get(e.getKey())))
        // an eligible viewed product was allowed already: the test may read state, once is enough
        .filter(e -> seen.contains(e.getKey()) || allowed.test(items.get(e.getKey())))
        .limit(k)
        .forEach(
            e -> {
              String item = items.get(e.getKey());
              boolean wasViewed = seen.contains(e.getKey());
              out.add(
                  new Recommended(
                      item,
                      e.getValue()[0],
                      wasViewed
                          ? item
                          : e.getValue()[2] < 0 ? null : history.get((int) e.getValue()[2]),
                      wasViewed));
            });
    return out;
  }

  /** The first line of an artifact: its format and version. */
  public static final String HEADER = "prescient-item-neighbours\t1";

  /**
   * The model as an artifact: UTF-8 text, the {@link #HEADER} line, a settings line ({@code
   * settings, history half-life days, popularity weight}, then the viewed weight when it is not 0:
   * a model without it reads as it did before the viewed weight existed), then one line per item:
   * {@code item, recent popularity, then neighbour and similarity pairs}, tab-separated (ids never
   * hold tabs or line breaks: the job's parser refuses control characters).
   */
  public byte[] toBytes() {
    StringBuilder b = new StringBuilder(HEADER).append('\n');
    b.append("settings\t")
        .append(settings.historyHalfLifeDays())
        .append('\t')
        .append(settings.popularityWeight());
    if (settings.viewedWeight() > 0) {
      b.append('\t').append(settings.viewedWeight());
    }
    b.append('\n');
    for (int i = 0; i < items.size(); i++) {
      b.append(items.get(i)).append('\t').append((float) popularity[i]);
      for (int x = 0; x < neighbours[i].length; x++) {
        b.append('\t').append(items.get(neighbours[i][x])).append('\t').append(similarities[i][x]);
      }
      b.append('\n');
    }
    return b.toString().getBytes(StandardCharsets.UTF_8);
  }

  /**
   * Reads an artifact written by {@link #toBytes}.
   *
   * @throws IllegalArgumentException naming the line that is not in the format
   */
  public static ItemSimilarity fromBytes(byte[] bytes) {
    String[] lines = new String(bytes, StandardCharsets.UTF_8).split("\n");
    if (lines.length < 2 || !lines[0].equals(HEADER)) {
      throw new IllegalArgumentException(
          "line 1: not an item-neighbours artifact (" + HEADER + ")");
    }
    String[] st = lines[1].split("\t", -1);
    if (st.length < 3 || st.length > 4 || !st[0].equals("settings")) {
      throw new IllegalArgumentException(
          "line 2: expected settings, half-life, popularity weight[, viewed weight]");
    }
    Settings settings;
    try {
      settings =
          new Settings(
              0, finite(st[1]), finite(st[2]), 0, 0, 0.5, st.length == 4 ? finite(st[3]) : 0);
    } catch (IllegalArgumentException e) { // NumberFormatException too
      throw new IllegalArgumentException("line 2: " + e.getMessage());
    }
    Map<String, Integer> index = new LinkedHashMap<>();
    for (int l = 2; l < lines.length; l++) {
      String id = lines[l].substring(0, Math.max(0, lines[l].indexOf('\t')));
      if (id.isEmpty() || index.putIfAbsent(id, index.size()) != null) {
        throw new IllegalArgumentException(
            "line " + (l + 1) + ": " + (id.isEmpty() ? "no item id" : "item " + id + " again"));
      }
    }
    int n = index.size();
    int[][] nb = new int[n][];
    float[][] sim = new float[n][];
    double[] pop = new double[n];
    for (int l = 2; l < lines.length; l++) {
      int i = l - 2;
      String[] f = lines[l].split("\t", -1);
      try {
        if (f.length % 2 != 0) {
          throw new IllegalArgumentException("a neighbour without a similarity");
        }
        pop[i] = finite(f[1]);
        int m = (f.length - 2) / 2;
        nb[i] = new int[m];
        sim[i] = new float[m];
        for (int x = 0; x < m; x++) {
          Integer j = index.get(f[2 + 2 * x]);
          if (j == null) {
            throw new IllegalArgumentException("neighbour " + f[2 + 2 * x] + " is not an item");
          }
          nb[i][x] = j;
          sim[i][x] = (float) finite(f[3 + 2 * x]);
        }
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException("line " + (l + 1) + ": " + e.getMessage(), e);
      }
    }
    return new ItemSimilarity(settings, List.copyOf(index.keySet()), index, nb, sim, pop);
  }

  private static double finite(String s) {
    double v = Double.parseDouble(s);
    if (!Double.isFinite(v)) {
      throw new NumberFormatException("not a finite number: " + s);
    }
    return v;
  }

  /**
   * Writes the model as an artifact into {@code dir}: {@code items-VERSION.tsv} ({@link #toBytes})
   * and its manifest {@code items-VERSION.json} (name {@value #NAME}, no feature names, the table's
   * SHA-256, {@code training} and {@code metrics} as provenance). Returns the manifest.
   */
  public Path writeArtifact(
      Path dir, String version, Map<String, String> training, Map<String, Double> metrics)
      throws IOException {
    Files.createDirectories(dir);
    byte[] table = toBytes();
    String file = NAME + "-" + version + ".tsv";
    Files.write(dir.resolve(file), table);
    Map<String, String> provenance = new LinkedHashMap<>(training);
    provenance.put("items", Integer.toString(items.size()));
    provenance.put("history_half_life_days", Double.toString(settings.historyHalfLifeDays()));
    provenance.put("popularity_weight", Double.toString(settings.popularityWeight()));
    provenance.put("viewed_weight", Double.toString(settings.viewedWeight()));
    ModelManifest m =
        new ModelManifest(
            NAME,
            version,
            FeatureSchema.VERSION,
            List.of(),
            "similarity", // what the scores are: the manifest format asks every model for one
            file,
            Hashes.sha256Hex(table),
            false,
            provenance,
            metrics,
            Instant.now().toString());
    Path manifest = dir.resolve(NAME + "-" + version + ".json");
    Files.writeString(manifest, m.toJson());
    return manifest;
  }

  /**
   * This model scoring with {@code s}: its neighbour lists (best first) cut to {@code
   * s.neighbours()}, the history half-life and popularity share of {@code s}. The similarities and
   * popularity are this model's, so {@code s} must train the same way (basket damping, alpha,
   * popularity window): a settings search trains once per way of training, not once per setting.
   */
  public ItemSimilarity withSettings(Settings s) {
    if (s.buyerExponent() != settings.buyerExponent()
        || s.alpha() != settings.alpha()
        || s.popularityDays() != settings.popularityDays()) {
      throw new IllegalArgumentException(s + " does not train as " + settings + " does");
    }
    int[][] nb = new int[neighbours.length][];
    float[][] sim = new float[neighbours.length][];
    for (int i = 0; i < nb.length; i++) {
      int m = Math.min(s.neighbours(), neighbours[i].length);
      nb[i] = Arrays.copyOf(neighbours[i], m);
      sim[i] = Arrays.copyOf(similarities[i], m);
    }
    return new ItemSimilarity(s, items, index, nb, sim, popularity);
  }

  /** The settings the model scores with. */
  public Settings settings() {
    return settings;
  }

  /** Popularity alone: the items most customers bought in the recent window, best first. */
  public List<Scored> popular(int k, Set<String> exclude) {
    List<Scored> out = new ArrayList<>();
    for (int i : popularOrder) {
      if (out.size() >= k) {
        break;
      }
      if (!exclude.contains(items.get(i))) {
        out.add(new Scored(items.get(i), popularity[i]));
      }
    }
    return out;
  }
}

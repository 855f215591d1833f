package io.prescient.offline.offers;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The feature space of the offer-propensity model on logged bandit feedback: one vector per (user
 * context, candidate item, slot). Numeric features are the slot, the item's numeric features and
 * the user's affinity to the candidate item (missing when the log has no affinities); categorical
 * ones (campaign, item id, the item's categorical and the user's features) are one-hot, named
 * {@code name=value}. A category that is not present is NaN ("missing"), exactly as in training,
 * where absent one-hot features are left out.
 */
public final class OfferFeatures {
  public static final int VERSION = 1;

  private final List<String> names;
  private final Map<String, Integer> index = new HashMap<>();

  private OfferFeatures(List<String> names) {
    this.names = List.copyOf(names);
    for (int i = 0; i < names.size(); i++) {
      index.put(names.get(i), i);
    }
  }

  public List<String> names() {
    return names;
  }

  /** Every feature the logs can produce, sorted: a stable vector order. */
  public static OfferFeatures of(List<OpenBanditLog> logs) {
    TreeSet<String> n = new TreeSet<>();
    n.addAll(List.of("position", "affinity_item", "affinity_total", "affinity_item_share"));
    for (OpenBanditLog log : logs) {
      n.add("campaign=" + log.campaign);
      log.items.forEach(
          (id, item) -> {
            n.add("item=" + log.campaign + ":" + id);
            n.addAll(item.numeric().keySet());
            item.categorical().forEach((name, value) -> n.add(name + "=" + value));
          });
      for (OpenBanditLog.Impression x : log.impressions) {
        for (int k = 0; k < x.userFeatures().length; k++) {
          n.add(log.userFeatureNames.get(k) + "=" + x.userFeatures()[k]);
        }
      }
    }
    return new OfferFeatures(new ArrayList<>(n));
  }

  /**
   * The vector of showing {@code item} in {@code position} to the user of impression {@code x}
   * ({@code userFeatureNames}: the log's, in the order of {@code x.userFeatures()}).
   */
  public float[] vector(
      OpenBanditLog.Impression x,
      List<String> userFeatureNames,
      int item,
      int position,
      OpenBanditLog.Item features) {
    float[] v = new float[names.size()];
    Arrays.fill(v, Float.NaN);
    set(v, "position", position);
    features.numeric().forEach((name, value) -> set(v, name, value));
    if (x.affinities().length > 0) { // a log without affinities leaves them missing
      float total = 0;
      for (float a : x.affinities()) {
        total += a;
      }
      float mine = item < x.affinities().length ? x.affinities()[item] : 0;
      set(v, "affinity_item", mine);
      set(v, "affinity_total", total);
      set(v, "affinity_item_share", total == 0 ? Float.NaN : mine / total);
    }
    set(v, "campaign=" + x.campaign(), 1);
    set(v, "item=" + x.campaign() + ":" + item, 1);
    features.categorical().forEach((name, value) -> set(v, name + "=" + value, 1));
    for (int k = 0; k < x.userFeatures().length; k++) {
      set(v, userFeatureNames.get(k) + "=" + x.userFeatures()[k], 1);
    }
    return v;
  }

  private void set(float[] v, String name, float value) {
    Integer i = index.get(name);
    if (i != null) {
      v[i] = value;
    }
  }
}

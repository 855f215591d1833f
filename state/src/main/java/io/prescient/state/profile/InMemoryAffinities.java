package io.prescient.state.profile;

import java.util.Map;
import java.util.TreeMap;

/** Category affinities in a sorted map, for replaying events outside Flink (see InMemoryCart). */
public final class InMemoryAffinities implements AffinityStore {
  private final Map<String, Affinity> scores = new TreeMap<>();

  public Map<String, Affinity> asMap() {
    return scores;
  }

  @Override
  public Affinity get(String category) {
    return scores.get(category);
  }

  @Override
  public void put(String category, Affinity a) {
    scores.put(category, a);
  }

  @Override
  public void remove(String category) {
    scores.remove(category);
  }

  @Override
  public Iterable<Map.Entry<String, Affinity>> entries() {
    return scores.entrySet();
  }
}

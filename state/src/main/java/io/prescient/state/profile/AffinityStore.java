package io.prescient.state.profile;

import java.util.Map;

/** Category affinities, keyed by category: a RocksDB {@code MapState} in the job. */
public interface AffinityStore {
  Affinity get(String category) throws Exception;

  void put(String category, Affinity a) throws Exception;

  void remove(String category) throws Exception;

  Iterable<Map.Entry<String, Affinity>> entries() throws Exception;
}

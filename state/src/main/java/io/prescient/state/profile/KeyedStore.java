package io.prescient.state.profile;

import java.util.Map;

/**
 * A per-user collection keyed by string (cart lines by product, affinities by category). In the job
 * it is a RocksDB {@code MapState} (one entry per key, nothing rewritten per event); outside Flink
 * an {@link InMemoryStore}, so replays run the same profile code.
 */
public interface KeyedStore<V> {
  V get(String key) throws Exception;

  void put(String key, V value) throws Exception;

  void remove(String key) throws Exception;

  Iterable<Map.Entry<String, V>> entries() throws Exception;

  void clear() throws Exception;
}

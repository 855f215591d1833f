package io.prescient.state.profile;

import java.util.Map;
import java.util.TreeMap;

/**
 * A {@link KeyedStore} in a map sorted by key, for replaying events outside Flink (training sets,
 * state measurements, tests) and for the profile's affinities. (RocksDB iterates a map state in the
 * order of its serialized keys, which is not this order: code that picks among entries breaks ties
 * by key explicitly.)
 */
public final class InMemoryStore<V> implements KeyedStore<V> {
  private final Map<String, V> map = new TreeMap<>();

  public int size() {
    return map.size();
  }

  public Map<String, V> asMap() {
    return map;
  }

  @Override
  public V get(String key) {
    return map.get(key);
  }

  @Override
  public void put(String key, V value) {
    map.put(key, value);
  }

  @Override
  public void remove(String key) {
    map.remove(key);
  }

  @Override
  public Iterable<Map.Entry<String, V>> entries() {
    return map.entrySet();
  }

  @Override
  public void clear() {
    map.clear();
  }
}

package io.prescient.operators;

import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;

/** Broadcast state as a plain map: what one instance's broadcast state holds, for unit tests. */
final class MapBroadcastState<K, V> implements BroadcastState<K, V> {
  final Map<K, V> map = new HashMap<>();

  @Override
  public void put(K key, V value) {
    map.put(key, value);
  }

  @Override
  public void putAll(Map<K, V> m) {
    map.putAll(m);
  }

  @Override
  public void remove(K key) {
    map.remove(key);
  }

  @Override
  public Iterator<Map.Entry<K, V>> iterator() {
    return map.entrySet().iterator();
  }

  @Override
  public Iterable<Map.Entry<K, V>> entries() {
    return map.entrySet();
  }

  @Override
  public V get(K key) {
    return map.get(key);
  }

  @Override
  public boolean contains(K key) {
    return map.containsKey(key);
  }

  @Override
  public Iterable<Map.Entry<K, V>> immutableEntries() {
    return Map.copyOf(map).entrySet();
  }

  @Override
  public void clear() {
    map.clear();
  }
}

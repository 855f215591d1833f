package io.prescient.operators;

import io.prescient.state.profile.KeyedStore;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;

/** A Flink map state (RocksDB in the job) as a {@link KeyedStore}: one entry per key. */
public final class MapStateStore<V> implements KeyedStore<V> {
  private final MapState<String, V> state;

  public MapStateStore(MapState<String, V> state) {
    this.state = state;
  }

  @Override
  public V get(String key) throws Exception {
    return state.get(key);
  }

  @Override
  public void put(String key, V value) throws Exception {
    state.put(key, value);
  }

  @Override
  public void remove(String key) throws Exception {
    state.remove(key);
  }

  @Override
  public Iterable<Map.Entry<String, V>> entries() throws Exception {
    return state.entries();
  }

  @Override
  public void clear() {
    state.clear();
  }
}

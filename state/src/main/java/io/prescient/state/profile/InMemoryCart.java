package io.prescient.state.profile;

import java.util.Map;
import java.util.TreeMap;

/**
 * A cart in a sorted map (the order RocksDB iterates in): for replaying events outside Flink, such
 * as building training sets or measuring state, with the same profile code as the job.
 */
public final class InMemoryCart implements CartStore {
  private final Map<String, CartLine> lines = new TreeMap<>();

  public Map<String, CartLine> asMap() {
    return lines;
  }

  @Override
  public CartLine get(String productId) {
    return lines.get(productId);
  }

  @Override
  public void put(String productId, CartLine line) {
    lines.put(productId, line);
  }

  @Override
  public void remove(String productId) {
    lines.remove(productId);
  }

  @Override
  public Iterable<Map.Entry<String, CartLine>> entries() {
    return lines.entrySet();
  }

  @Override
  public void clear() {
    lines.clear();
  }
}

package io.prescient.state.profile;

import java.util.Map;

/**
 * The open cart, keyed by product id. In the job it is a RocksDB {@code MapState} (one entry per
 * product, no list rewritten per event); in tests a plain map.
 */
public interface CartStore {
  CartLine get(String productId) throws Exception;

  void put(String productId, CartLine line) throws Exception;

  void remove(String productId) throws Exception;

  Iterable<Map.Entry<String, CartLine>> entries() throws Exception;

  void clear() throws Exception;
}

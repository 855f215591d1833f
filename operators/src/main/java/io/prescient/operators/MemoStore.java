package io.prescient.operators;

import io.prescient.state.profile.KeyedStore;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/**
 * One user's map state, each entry read from RocksDB at most once per input: a decision asks for
 * the cart three or four times (recount, rule, features, candidate) and for a channel's or
 * product's history once to check the caps and again to append to it. Reads within one input are
 * served from memory; writes go to the state at once (nothing is written behind, nothing to flush
 * before a checkpoint). {@link #newInput} before each input drops what was read: the memo never
 * outlives one input of one user, so entries that expire in state between inputs are not kept.
 *
 * <p>Values are handed out as copies ({@code copy}), so a value changed and not put stays as it
 * was, as with RocksDB alone. Iteration keeps the state's own order (RocksDB's, by serialized key):
 * a put of a key the loaded entries do not have drops them, and the next iteration reads the state.
 */
final class MemoStore<V> implements KeyedStore<V> {
  private final KeyedStore<V> state;
  private final UnaryOperator<V> copy;

  /** Point reads and writes of this input: a null value is a key known to be absent. */
  private final Map<String, V> known = new HashMap<>();

  /** Every entry, in the state's order, once iterated in this input; null until then. */
  private LinkedHashMap<String, V> all;

  MemoStore(KeyedStore<V> state, UnaryOperator<V> copy) {
    this.state = state;
    this.copy = copy;
  }

  /** Forgets what this input read: the next input may be another user's. */
  void newInput() {
    known.clear();
    all = null;
  }

  /**
   * Tells the memo that the user has no entries, as known from elsewhere (the policy: a user
   * without a record has no history): reads of this input are answered without RocksDB. Ignored
   * once this input has read or written anything.
   */
  void knownEmpty() {
    if (known.isEmpty() && all == null) {
      all = new LinkedHashMap<>();
    }
  }

  @Override
  public V get(String key) throws Exception {
    V v;
    if (all != null) {
      v = all.get(key);
    } else if (known.containsKey(key)) {
      v = known.get(key);
    } else {
      v = state.get(key);
      known.put(key, v);
    }
    return v == null ? null : copy.apply(v);
  }

  @Override
  public void put(String key, V value) throws Exception {
    state.put(key, value);
    V kept = copy.apply(value);
    known.put(key, kept);
    if (all != null) {
      if (all.containsKey(key)) {
        all.put(key, kept);
      } else {
        all = null; // where a new key falls in RocksDB's order is RocksDB's to say
      }
    }
  }

  @Override
  public void remove(String key) throws Exception {
    state.remove(key);
    known.put(key, null);
    if (all != null) {
      all.remove(key);
    }
  }

  @Override
  public Iterable<Map.Entry<String, V>> entries() throws Exception {
    if (all == null) {
      LinkedHashMap<String, V> loaded = new LinkedHashMap<>();
      for (Map.Entry<String, V> e : state.entries()) {
        loaded.put(e.getKey(), e.getValue());
      }
      all = loaded;
    }
    List<Map.Entry<String, V>> out = new ArrayList<>(all.size());
    for (Map.Entry<String, V> e : all.entrySet()) {
      out.add(new AbstractMap.SimpleImmutableEntry<>(e.getKey(), copy.apply(e.getValue())));
    }
    return out;
  }

  @Override
  public void clear() throws Exception {
    state.clear();
    known.clear();
    all = new LinkedHashMap<>();
  }
}

package io.prescient.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.state.profile.CartLine;
import io.prescient.state.profile.KeyedStore;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class MemoStoreTest {
  /**
   * A state that counts its reads and iterates in an order of its own (reverse key order), as
   * RocksDB iterates by serialized key, not by string.
   */
  static final class CountingState implements KeyedStore<CartLine> {
    final TreeMap<String, CartLine> map = new TreeMap<>(Comparator.reverseOrder());
    int gets;
    int iterations;

    @Override
    public CartLine get(String key) {
      gets++;
      CartLine v = map.get(key);
      return v == null ? null : v.copy(); // a deserialized copy, as RocksDB hands out
    }

    @Override
    public void put(String key, CartLine value) {
      map.put(key, value.copy());
    }

    @Override
    public void remove(String key) {
      map.remove(key);
    }

    @Override
    public Iterable<Map.Entry<String, CartLine>> entries() {
      iterations++;
      List<Map.Entry<String, CartLine>> out = new ArrayList<>();
      map.forEach((k, v) -> out.add(Map.entry(k, v.copy())));
      return out;
    }

    @Override
    public void clear() {
      map.clear();
    }
  }

  /** A memo over {@code state}, at the start of an input. */
  private static MemoStore<CartLine> memo(CountingState state) {
    MemoStore<CartLine> memo = new MemoStore<>(state, CartLine::copy);
    memo.newInput();
    return memo;
  }

  private static CartLine line(int quantity) {
    return new CartLine(quantity, 2.0, "c", 0);
  }

  private static List<String> keys(KeyedStore<CartLine> s) throws Exception {
    List<String> out = new ArrayList<>();
    s.entries().forEach(e -> out.add(e.getKey()));
    return out;
  }

  @Test
  void eachKeyIsReadFromStateOncePerInputMissesIncluded() throws Exception {
    CountingState state = new CountingState();
    state.put("a", line(1));
    MemoStore<CartLine> memo = memo(state);
    assertThat(memo.get("a").quantity).isEqualTo(1);
    assertThat(memo.get("a").quantity).isEqualTo(1);
    assertThat(memo.get("absent")).isNull();
    assertThat(memo.get("absent")).isNull();
    assertThat(state.gets).isEqualTo(2);

    memo.put("a", line(5)); // written through at once, and known
    assertThat(state.map.get("a").quantity).isEqualTo(5);
    assertThat(memo.get("a").quantity).isEqualTo(5);
    memo.remove("a");
    assertThat(state.map).doesNotContainKey("a");
    assertThat(memo.get("a")).isNull();
    assertThat(state.gets).isEqualTo(2);

    state.put("a", line(7)); // changed behind the memo, as an expiry between inputs would
    memo.newInput();
    assertThat(memo.get("a").quantity).isEqualTo(7);
    assertThat(state.gets).isEqualTo(3);
  }

  @Test
  void iteratesTheStateOnceInItsOwnOrderAndAgainAfterANewKey() throws Exception {
    CountingState state = new CountingState();
    state.put("a", line(1));
    state.put("c", line(3));
    MemoStore<CartLine> memo = memo(state);
    assertThat(keys(memo)).containsExactly("c", "a");
    assertThat(memo.get("c").quantity).isEqualTo(3); // served by the loaded entries
    memo.put("a", line(2)); // a key it has: the order stands
    memo.remove("c");
    assertThat(keys(memo)).containsExactly("a");
    assertThat(memo.entries().iterator().next().getValue().quantity).isEqualTo(2);
    assertThat(state.iterations).isEqualTo(1);
    assertThat(state.gets).isZero();

    memo.put("b", line(4)); // a new key: its place is the state's to say
    memo.put("d", line(5));
    assertThat(keys(memo)).containsExactly("d", "b", "a");
    assertThat(state.iterations).isEqualTo(2);
  }

  @Test
  void aValueChangedAndNotPutStaysAsItWas() throws Exception {
    CountingState state = new CountingState();
    state.put("a", line(1));
    MemoStore<CartLine> memo = memo(state);
    memo.get("a").quantity = 99;
    memo.entries().iterator().next().getValue().quantity = 98;
    assertThat(memo.get("a").quantity).isEqualTo(1);
    CartLine put = line(3);
    memo.put("a", put);
    put.quantity = 97;
    assertThat(memo.get("a").quantity).isEqualTo(3);
    assertThat(state.map.get("a").quantity).isEqualTo(3);
  }

  @Test
  void clearEmptiesTheStateAndTheMemo() throws Exception {
    CountingState state = new CountingState();
    state.put("a", line(1));
    MemoStore<CartLine> memo = memo(state);
    assertThat(memo.get("a")).isNotNull();
    memo.clear();
    assertThat(state.map).isEmpty();
    assertThat(memo.get("a")).isNull();
    assertThat(keys(memo)).isEmpty();
    assertThat(state.iterations).isZero();
  }

  @Test
  void anInputKnownEmptyReadsNothingAndSeesItsOwnWrites() throws Exception {
    CountingState state = new CountingState();
    MemoStore<CartLine> memo = memo(state);
    memo.knownEmpty();
    assertThat(memo.get("a")).isNull();
    assertThat(keys(memo)).isEmpty();
    memo.put("a", line(2));
    assertThat(state.map.get("a").quantity).isEqualTo(2);
    assertThat(memo.get("a").quantity).isEqualTo(2);
    assertThat(keys(memo)).containsExactly("a");
    assertThat(state.gets).isZero();
    assertThat(state.iterations).isEqualTo(1); // after the new key: the state's order

    memo.newInput(); // the next input reads the state again
    assertThat(memo.get("a").quantity).isEqualTo(2);
    assertThat(state.gets).isEqualTo(1);
  }

  @Test
  void knownEmptyIsIgnoredOnceTheInputHasReadTheState() throws Exception {
    CountingState state = new CountingState();
    state.put("a", line(1));
    MemoStore<CartLine> memo = memo(state);
    assertThat(memo.get("b")).isNull();
    memo.knownEmpty();
    assertThat(memo.get("a").quantity).isEqualTo(1);
    assertThat(keys(memo)).containsExactly("a");
  }
}

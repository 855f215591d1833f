package io.prescient.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.state.contract.CatalogEntry;
import io.prescient.state.contract.RejectReason;
import io.prescient.state.contract.Rejection;
import io.prescient.state.json.JsonLimits;
import java.nio.charset.StandardCharsets;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.Test;

/**
 * Catalog records from Kafka: keyed by their product id (else the DLQ), removed by a tombstone, and
 * bounded in number; a product already held can always be updated.
 */
class CatalogStateTest {
  private final InputParser parser =
      new InputParser(InputParser.Kind.CATALOG, JsonLimits.defaults(), 1024);
  private final MapBroadcastState<String, CatalogEntry> state = new MapBroadcastState<>();
  private final CatalogState catalog = new CatalogState(2, new UnregisteredMetricsGroup(), 1024);

  private Envelope read(String key, String json) {
    return parser.parse(
        key == null ? null : key.getBytes(StandardCharsets.UTF_8),
        json == null ? null : json.getBytes(StandardCharsets.UTF_8),
        "catalog",
        0,
        1,
        0,
        0,
        true);
  }

  private static String product(String id, boolean inStock) {
    return "{\"product_id\":\""
        + id
        + "\",\"category\":\"toys\",\"price\":9.5,\"margin\":0.3,\"in_stock\":"
        + inStock
        + "}";
  }

  @Test
  void theKeyMustBeTheProductId() {
    Envelope wrong = read("p2", product("p1", true));
    assertThat(wrong.rejection).isNotNull();
    assertThat(wrong.rejection.reason).isEqualTo(RejectReason.INVALID_VALUE);
    assertThat(wrong.rejection.detail).contains("the record key is not its product_id ('p1')");

    Envelope unkeyed = read(null, product("p1", true));
    assertThat(unkeyed.rejection.detail).contains("needs its product_id as the record key");

    assertThat(read("p1", product("p1", true)).catalog.productId).isEqualTo("p1");
  }

  @Test
  void aTombstoneRemovesTheProduct() throws Exception {
    assertThat(catalog.apply(read("p1", product("p1", true)), state)).isNull();
    Envelope tombstone = read("p1", null);
    assertThat(tombstone.catalogDelete).isTrue();
    assertThat(catalog.apply(tombstone, state)).isNull();
    assertThat(state.map).isEmpty();
  }

  @Test
  void pastTheLimitNewProductsGoToTheDlqAndHeldOnesStillUpdate() throws Exception {
    assertThat(catalog.apply(read("p1", product("p1", true)), state)).isNull();
    assertThat(catalog.apply(read("p2", product("p2", true)), state)).isNull();

    Rejection r = catalog.apply(read("p3", product("p3", true)), state);
    assertThat(r).isNotNull();
    assertThat(r.reason).isEqualTo(RejectReason.OUT_OF_RANGE);
    assertThat(r.detail).contains("the catalog holds 2 products");
    assertThat(state.map).containsOnlyKeys("p1", "p2");

    // Out of stock now: an update of a held product is applied at the limit.
    assertThat(catalog.apply(read("p2", product("p2", false)), state)).isNull();
    assertThat(state.map.get("p2").inStock).isFalse();

    // Room again after a removal, also for an instance restored with the state (counted anew).
    CatalogState restored = new CatalogState(2, new UnregisteredMetricsGroup(), 1024);
    assertThat(restored.apply(read("p1", null), state)).isNull();
    assertThat(restored.apply(read("p3", product("p3", true)), state)).isNull();
    assertThat(state.map).containsOnlyKeys("p2", "p3");
  }
}

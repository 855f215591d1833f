package io.prescient.operators;

import io.prescient.state.contract.CatalogEntry;
import io.prescient.state.contract.InvalidRecordException;
import io.prescient.state.contract.RejectReason;
import io.prescient.state.contract.Rejection;
import io.prescient.state.json.OutputJson;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/**
 * The live catalog in broadcast state, bounded: entries are added and replaced by product id, a
 * tombstone (a record with no value) removes one, and past the limit a new product is refused to
 * the DLQ instead of growing every instance's heap and every checkpoint without end.
 */
final class CatalogState {
  /** Products held by default: about 20 MB of heap per task at ~200 bytes an entry. */
  static final int DEFAULT_MAX_ENTRIES = 100_000;

  private final int maxEntries;
  private final int dlqMaxRawBytes;
  private final Counter applied;
  private final Counter removed;
  private final Counter refused;
  private int size = -1;

  CatalogState(int maxEntries, MetricGroup group, int dlqMaxRawBytes) {
    this.maxEntries = maxEntries;
    this.dlqMaxRawBytes = dlqMaxRawBytes;
    this.applied = group.counter("catalogEntriesApplied");
    this.removed = group.counter("catalogEntriesRemoved");
    this.refused = group.addGroup("reason", RejectReason.OUT_OF_RANGE.code()).counter("catalogDlq");
    group.gauge("catalogEntries", () -> size);
  }

  /**
   * Applies a catalog record.
   *
   * @return the DLQ record when it is refused, else null
   */
  Rejection apply(Envelope env, BroadcastState<String, CatalogEntry> state) throws Exception {
    if (size < 0) {
      size = 0; // counted once: the state may have been restored
      for (Map.Entry<String, CatalogEntry> ignored : state.entries()) {
        size++;
      }
    }
    CatalogEntry c = env.catalog;
    if (env.catalogDelete) {
      if (state.contains(c.productId)) {
        state.remove(c.productId);
        size--;
        removed.inc();
      }
      return null;
    }
    if (!state.contains(c.productId)) {
      if (size >= maxEntries) {
        refused.inc();
        return InputParser.rejection(
            new InvalidRecordException(
                RejectReason.OUT_OF_RANGE,
                "the catalog holds "
                    + size
                    + " products, the limit (prescient.catalog.max-entries); remove products"
                    + " with tombstones or raise the limit"),
            OutputJson.catalog(c),
            env.sourceTopic,
            env.partition,
            env.offset,
            -1,
            dlqMaxRawBytes);
      }
      size++;
    }
    state.put(c.productId, c);
    applied.inc();
    return null;
  }
}

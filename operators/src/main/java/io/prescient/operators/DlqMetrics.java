package io.prescient.operators;

import io.prescient.state.contract.RejectReason;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;

/** One counter per DLQ reason, labelled {@code reason}, wherever records are rejected. */
final class DlqMetrics {
  private DlqMetrics() {}

  static Map<RejectReason, Counter> counters(MetricGroup group) {
    Map<RejectReason, Counter> counters = new EnumMap<>(RejectReason.class);
    for (RejectReason r : RejectReason.values()) {
      counters.put(r, group.addGroup("reason", r.code()).counter("dlq"));
    }
    return counters;
  }
}

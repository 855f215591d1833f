package io.prescient.operators;

import io.prescient.state.contract.EventType;
import io.prescient.state.contract.RejectReason;
import io.prescient.state.contract.Rejection;
import java.util.EnumMap;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.streaming.api.functions.ProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;

/**
 * Splits parsed input: valid events, privacy requests and model announcements go on, rejections go
 * to the DLQ side output. Counts both, by event type and by DLQ reason.
 */
public class RouteFunction extends ProcessFunction<Envelope, Envelope> {
  private static final long serialVersionUID = 1L;

  public static final OutputTag<Rejection> DLQ = new OutputTag<>("dlq") {};

  private transient Map<EventType, Counter> eventsIn;
  private transient Counter privacyIn;
  private transient Counter modelsIn;
  private transient Counter outcomesIn;
  private transient Counter catalogIn;
  private transient Counter requestsIn;
  private transient Map<RejectReason, Counter> rejected;

  @Override
  public void open(OpenContext ctx) {
    MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("prescient");
    eventsIn = new EnumMap<>(EventType.class);
    for (EventType t : EventType.values()) {
      eventsIn.put(t, group.addGroup("event_type", t.wireName()).counter("eventsIn"));
    }
    privacyIn = group.counter("privacyIn");
    modelsIn = group.counter("modelAnnouncementsIn");
    outcomesIn = group.counter("outcomesIn");
    catalogIn = group.counter("catalogUpdatesIn");
    requestsIn = group.counter("requestsIn");
    rejected = DlqMetrics.counters(group);
  }

  @Override
  public void processElement(Envelope env, Context ctx, Collector<Envelope> out) {
    if (env.rejection != null) {
      rejected.get(env.rejection.reason).inc();
      ctx.output(DLQ, env.rejection);
      return;
    }
    if (env.event != null) {
      eventsIn.get(env.event.type).inc();
    } else if (env.privacy != null) {
      privacyIn.inc();
    } else if (env.outcome != null) {
      outcomesIn.inc();
    } else if (env.catalog != null) {
      catalogIn.inc();
    } else if (env.request != null) {
      requestsIn.inc();
    } else {
      modelsIn.inc();
    }
    out.collect(env);
  }
}

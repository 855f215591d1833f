package io.prescient.operators;

import io.prescient.models.artifact.LoadedModel;
import io.prescient.models.items.ItemSimilarity;
import io.prescient.state.contract.AuditRecord;
import io.prescient.state.contract.CatalogEntry;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.Feedback;
import io.prescient.state.contract.Rejection;
import org.apache.flink.streaming.api.functions.co.KeyedBroadcastProcessFunction;
import org.apache.flink.util.Collector;

/**
 * The policy operator's current input: its context, timers and outputs, as {@link PolicyCore}'s
 * effects (bound once per input or timer by {@link PolicyFunction}).
 */
final class PolicyEffects implements PolicyCore.Effects {
  private final PolicyMetrics metrics;
  private final ModelSlots models;
  private KeyedBroadcastProcessFunction<String, PolicyInput, Envelope, Decision>.ReadOnlyContext
      ctx;
  private Collector<Decision> out;

  /** When the source read the record behind the input being processed (0 in a timer). */
  private long receivedAt;

  PolicyEffects(PolicyMetrics metrics, ModelSlots models) {
    this.metrics = metrics;
    this.models = models;
  }

  void bind(
      KeyedBroadcastProcessFunction<String, PolicyInput, Envelope, Decision>.ReadOnlyContext ctx,
      Collector<Decision> out,
      long receivedAt) {
    this.ctx = ctx;
    this.out = out;
    this.receivedAt = receivedAt;
  }

  @Override
  public void registerTimer(long at) {
    ctx.timerService().registerEventTimeTimer(at);
  }

  @Override
  public void deleteTimer(long at) {
    ctx.timerService().deleteEventTimeTimer(at);
  }

  @Override
  public void decision(Decision d) {
    metrics.decisionOut(d, receivedAt);
    if (d.requestId != null) {
      ctx.output(PolicyFunction.RESPONSES, d);
    } else {
      out.collect(d);
    }
  }

  @Override
  public void feedback(Feedback f) {
    ctx.output(PolicyFunction.FEEDBACK, f);
  }

  @Override
  public void audit(AuditRecord a) {
    ctx.output(PolicyFunction.AUDIT, a);
  }

  @Override
  public void dlq(Rejection r) {
    ctx.output(PolicyFunction.DLQ, r);
  }

  @Override
  public void count(String name, String... labels) {
    metrics.count(name, labels);
  }

  @Override
  public CatalogEntry catalog(String productId) throws Exception {
    return ctx.getBroadcastState(PolicyState.CATALOG).get(productId);
  }

  @Override
  public LoadedModel items() {
    return models.get(ItemSimilarity.NAME);
  }
}

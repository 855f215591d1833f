package io.prescient.operators;

import io.prescient.models.artifact.LoadedModel;
import io.prescient.models.drift.DriftMonitor;
import io.prescient.models.policy.Guardrails;
import io.prescient.state.contract.Decision;
import io.prescient.state.features.FeatureSchema;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Gauge;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;

/**
 * The policy operator's metrics, under the {@code prescient} group: counters by name and labels,
 * the churn score and decision latency histograms, and the drift gauges of the served churn model.
 */
final class PolicyMetrics {
  private final MetricGroup group;
  private final Map<String, Counter> counters = new HashMap<>();
  private final Histogram churnScores;
  private final Histogram decisionLatency;

  /** Live feature and score distribution of the served churn model against its training. */
  private volatile DriftMonitor drift;

  private LoadedModel driftModel;

  PolicyMetrics(MetricGroup group) {
    this.group = group;
    registerCounters();
    registerDriftGauges();
    // Churn probability x 1000 over the last 1,000 scored decisions: watch it for score drift.
    churnScores = group.histogram("churnScorePermille", new DescriptiveStatisticsHistogram(1000));
    // Wall-clock milliseconds from the source reading a record to a decision it caused leaving
    // the policy (not decisions released by a timer: no single record caused those).
    decisionLatency =
        group.histogram(
            "decisionLatencyMs", new DescriptiveStatisticsHistogram(PolicyFunction.LATENCY_WINDOW));
  }

  MetricGroup group() {
    return group;
  }

  void count(String name, String... labels) {
    counter(name, labels).inc();
  }

  /** A decision left the policy; {@code receivedAt} is when its record was read (0: a timer). */
  void decisionOut(Decision d, long receivedAt) {
    if (receivedAt > 0) {
      decisionLatency.update(Math.max(0, System.currentTimeMillis() - receivedAt));
    }
    count("decisionsOut", "arm", d.arm, "action", d.action, "channel", d.channel);
    if (d.explored) {
      count("decisionsExplored");
    }
  }

  /** A churn score from {@code model}: into the histogram and the model's drift monitor. */
  void churnScored(LoadedModel model, float[] features, double churn) {
    churnScores.update(Math.round(1000 * churn));
    if (model != driftModel) { // a new model serves: drift is measured from zero
      driftModel = model;
      drift = new DriftMonitor(model.manifest.baseline(), model.manifest.featureNames());
    }
    drift.add(features, churn);
  }

  /** What the drift gauges read (null before the first churn score). */
  DriftMonitor drift() {
    return drift;
  }

  /** The counter of a name and label values, created on first use. */
  private Counter counter(String name, String... labels) {
    String key = name + "|" + String.join("|", labels);
    Counter c = counters.get(key);
    if (c == null) {
      MetricGroup g = group;
      for (int i = 0; i + 1 < labels.length; i += 2) {
        g = g.addGroup(labels[i], String.valueOf(labels[i + 1]));
      }
      c = g.counter(name);
      counters.put(key, c);
    }
    return c;
  }

  /**
   * Population stability index of each live feature, of the largest of them and of the churn score
   * against the served churn model's training baseline (its manifest), over what this instance
   * scored since that model started serving. NaN until {@link DriftMonitor#MIN_ROWS} rows were
   * scored, or when the model has no baseline.
   */
  private void registerDriftGauges() {
    List<String> names = FeatureSchema.names();
    for (int i = 0; i < names.size(); i++) {
      int index = i;
      group
          .addGroup("feature", names.get(i))
          .gauge("featurePsi", (Gauge<Double>) () -> psi(m -> m.featurePsi(index)));
    }
    group.gauge("featurePsiMax", (Gauge<Double>) () -> psi(DriftMonitor::maxFeaturePsi));
    group.gauge("churnScorePsi", (Gauge<Double>) () -> psi(DriftMonitor::scorePsi));
    group.gauge("driftRows", (Gauge<Long>) () -> drift == null ? 0L : drift.rows());
  }

  private double psi(java.util.function.ToDoubleFunction<DriftMonitor> f) {
    DriftMonitor m = drift;
    return m == null ? Double.NaN : f.applyAsDouble(m);
  }

  /** Counters a dashboard queries exist from the start, at zero, not from their first event. */
  private void registerCounters() {
    for (String name :
        List.of(
            "decisionsExplored",
            "decisionsSuppressed",
            "delayedHeld",
            "delayedReleased",
            "feedbackOut",
            "outcomesUnjoined",
            "catalogEntriesApplied")) {
      counter(name);
    }
    for (String g : Guardrails.NAMES) {
      counter("guardrailFired", "guardrail", g);
      counter("guardrailSuppressions", "guardrail", g);
    }
    for (String r : Guardrails.CANCEL_REASONS) {
      counter("delayedCancelled", "reason", r);
    }
  }
}

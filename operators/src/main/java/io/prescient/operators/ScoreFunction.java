package io.prescient.operators;

import io.prescient.models.artifact.LoadedModel;
import io.prescient.models.artifact.ModelLoadException;
import io.prescient.models.artifact.ModelManifest;
import io.prescient.models.policy.ChurnModelPolicy;
import io.prescient.state.contract.AuditRecord;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.ModelAnnouncement;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.Histogram;
import org.apache.flink.metrics.MetricGroup;
import org.apache.flink.runtime.metrics.DescriptiveStatisticsHistogram;
import org.apache.flink.streaming.api.functions.co.BroadcastProcessFunction;
import org.apache.flink.util.Collector;
import org.apache.flink.util.OutputTag;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Scores rules decisions with the current churn model and swaps models live. Announcements from the
 * {@code models} topic are broadcast to every parallel instance; each instance fetches the manifest
 * and model through Flink's FileSystem, checks both hashes and the feature schema, and only then
 * replaces the model it serves and records the announcement in broadcast state (so a restore loads
 * the same model). A refused artifact is reported on the audit output with its reason and counted;
 * the previous model keeps serving. Without a model, the rules decide.
 */
public class ScoreFunction
    extends BroadcastProcessFunction<DecisionCandidate, ModelAnnouncement, Decision> {
  private static final long serialVersionUID = 1L;
  private static final Logger LOG = LoggerFactory.getLogger(ScoreFunction.class);

  /** The announcement each model slot was loaded from ("churn", "churn:shadow"). */
  public static final MapStateDescriptor<String, ModelAnnouncement> MODELS =
      new MapStateDescriptor<>("models", Types.STRING, TypeInformation.of(ModelAnnouncement.class));

  /** Reports of model loads and refusals, for the audit topic. */
  public static final OutputTag<AuditRecord> MODEL_AUDIT = new OutputTag<>("model-audit") {};

  private static final List<String> SLOTS =
      List.of(ChurnModelPolicy.MODEL, ChurnModelPolicy.MODEL + ":shadow");

  private final String initialChurnModel;
  private final double highRiskThreshold;

  private transient Map<String, LoadedModel> serving;
  private transient Map<String, ModelAnnouncement> servingFrom;
  private transient Counter loads;
  private transient Map<ModelLoadException.Reason, Counter> refusals;
  private transient MetricGroup metrics;
  private transient Map<String, Counter> decisionsOut;
  private transient Histogram churnScores;

  /**
   * @param initialChurnModel URI of a churn manifest to serve from the start, or empty
   * @param highRiskThreshold churn probability from which a reminder carries the incentive offer
   */
  public ScoreFunction(String initialChurnModel, double highRiskThreshold) {
    this.initialChurnModel = initialChurnModel == null ? "" : initialChurnModel;
    this.highRiskThreshold = highRiskThreshold;
  }

  @Override
  public void open(OpenContext ctx) throws Exception {
    serving = new HashMap<>();
    servingFrom = new HashMap<>();
    MetricGroup group = getRuntimeContext().getMetricGroup().addGroup("prescient");
    loads = group.counter("modelLoads");
    refusals = new EnumMap<>(ModelLoadException.Reason.class);
    for (ModelLoadException.Reason r : ModelLoadException.Reason.values()) {
      refusals.put(r, group.addGroup("reason", r.code).counter("modelLoadFailures"));
    }
    metrics = group;
    decisionsOut = new HashMap<>();
    // Churn probability x 1000 over the last 1,000 scored decisions: watch it for score drift.
    churnScores = group.histogram("churnScorePermille", new DescriptiveStatisticsHistogram(1000));
    group.gauge("modelsServing", () -> serving.size());
    if (!initialChurnModel.isEmpty()) {
      try {
        serving.put(ChurnModelPolicy.MODEL, fetch(initialChurnModel, null));
      } catch (ModelLoadException e) {
        // A configured model that cannot serve is a deployment error: say so at start.
        throw new IllegalArgumentException(
            "prescient.model.churn " + initialChurnModel + " cannot be served: " + e.getMessage(),
            e);
      }
    }
  }

  @Override
  public void processElement(DecisionCandidate c, ReadOnlyContext ctx, Collector<Decision> out)
      throws Exception {
    ReadOnlyBroadcastState<String, ModelAnnouncement> state = ctx.getBroadcastState(MODELS);
    for (String slot : SLOTS) {
      ModelAnnouncement a = state.get(slot);
      if (a != null && !a.equals(servingFrom.get(slot))) {
        // Restored from a checkpoint, or this instance has not loaded it yet.
        servingFrom.put(slot, a);
        try {
          swap(slot, fetch(a.uri, a.sha256), a);
        } catch (ModelLoadException e) {
          refusals.get(e.reason()).inc();
          LOG.warn("model {} {} from state cannot be loaded: {}", slot, a.version, e.getMessage());
        }
      }
    }
    Decision d = c.decision;
    if ("broad".equals(d.policy)) {
      count(d); // opted out: never scored, never explained
      out.collect(d);
      return;
    }
    LoadedModel churn = serving.get(ChurnModelPolicy.MODEL);
    if (churn != null) {
      ChurnModelPolicy.decide(d, churn, c.features, highRiskThreshold);
      churnScores.update(Math.round(1000 * d.scores.get(ChurnModelPolicy.MODEL)));
    }
    LoadedModel shadow = serving.get(ChurnModelPolicy.MODEL + ":shadow");
    if (shadow != null) {
      ChurnModelPolicy.shadow(d, shadow, c.features);
    }
    count(d);
    out.collect(d);
  }

  @Override
  public void processBroadcastElement(ModelAnnouncement a, Context ctx, Collector<Decision> out)
      throws Exception {
    int subtask = getRuntimeContext().getTaskInfo().getIndexOfThisSubtask();
    AuditRecord report = new AuditRecord();
    report.request = "model_announcement";
    report.requestedAt = ctx.currentProcessingTime();
    report.effects.add("model:" + a.slot());
    report.effects.add("version:" + a.version);
    report.effects.add("subtask:" + subtask);
    try {
      if (!SLOTS.contains(a.slot())) {
        throw new ModelLoadException(
            ModelLoadException.Reason.BAD_MANIFEST,
            "no model slot '" + a.slot() + "'; this job serves " + SLOTS);
      }
      LoadedModel m = fetch(a.uri, a.sha256);
      if (!m.manifest.version().equals(a.version) || !m.manifest.name().equals(a.name)) {
        m.close();
        throw new ModelLoadException(
            ModelLoadException.Reason.BAD_MANIFEST,
            "the announcement says "
                + a.name
                + " "
                + a.version
                + ", the manifest says "
                + m.manifest.name()
                + " "
                + m.manifest.version());
      }
      swap(a.slot(), m, a);
      BroadcastState<String, ModelAnnouncement> state = ctx.getBroadcastState(MODELS);
      state.put(a.slot(), a);
      loads.inc();
      report.effects.add("loaded");
      LOG.info("subtask {} now serves {} {}", subtask, a.slot(), a.version);
    } catch (ModelLoadException e) {
      refusals.get(e.reason()).inc();
      report.effects.add("refused:" + e.reason().code);
      report.effects.add("detail:" + e.getMessage());
      LoadedModel current = serving.get(a.slot());
      report.effects.add("serving:" + (current == null ? "none" : current.manifest.version()));
      LOG.warn("subtask {} refused {} {}: {}", subtask, a.slot(), a.version, e.getMessage());
    }
    ctx.output(MODEL_AUDIT, report);
  }

  /** Decisions out, by arm, action and channel (one counter per combination seen). */
  private void count(Decision d) {
    String key = d.arm + "|" + d.action + "|" + d.channel;
    decisionsOut
        .computeIfAbsent(
            key,
            k ->
                metrics
                    .addGroup("arm", String.valueOf(d.arm))
                    .addGroup("action", String.valueOf(d.action))
                    .addGroup("channel", String.valueOf(d.channel))
                    .counter("decisionsOut"))
        .inc();
  }

  private void swap(String slot, LoadedModel m, ModelAnnouncement from) {
    LoadedModel old = serving.put(slot, m);
    servingFrom.put(slot, from);
    if (old != null && old != m) {
      old.close();
    }
  }

  /** Reads a manifest and its model through Flink's FileSystem and checks them. */
  static LoadedModel fetch(String manifestUri, String expectedSha256) throws ModelLoadException {
    Path manifestPath = new Path(manifestUri);
    byte[] manifestBytes = read(manifestPath);
    if (expectedSha256 != null) {
      String sha = LoadedModel.sha256(manifestBytes);
      if (!sha.equalsIgnoreCase(expectedSha256)) {
        throw new ModelLoadException(
            ModelLoadException.Reason.HASH_MISMATCH,
            "manifest " + manifestUri + " has SHA-256 " + sha + ", announced " + expectedSha256);
      }
    }
    ModelManifest manifest = ModelManifest.parse(new String(manifestBytes, StandardCharsets.UTF_8));
    Path modelPath = new Path(manifest.modelFile());
    if (!modelPath.isAbsolute()) {
      modelPath = new Path(manifestPath.getParent(), manifest.modelFile());
    }
    return LoadedModel.fromBytes(manifest, read(modelPath), modelPath.toString());
  }

  private static byte[] read(Path p) throws ModelLoadException {
    try {
      FileSystem fs = p.getFileSystem();
      try (InputStream in = fs.open(p)) {
        return in.readAllBytes();
      }
    } catch (IOException | RuntimeException e) {
      throw new ModelLoadException(ModelLoadException.Reason.UNREADABLE, p + ": " + e, e);
    }
  }

  @Override
  public void close() throws Exception {
    if (serving != null) {
      serving.values().forEach(LoadedModel::close);
      serving.clear();
    }
  }
}

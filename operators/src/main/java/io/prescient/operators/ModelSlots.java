package io.prescient.operators;

import io.prescient.models.artifact.LoadedModel;
import io.prescient.models.artifact.ModelLoadException;
import io.prescient.models.artifact.ModelManifest;
import io.prescient.models.policy.ChurnModelPolicy;
import io.prescient.models.policy.OfferModel;
import io.prescient.state.contract.AuditRecord;
import io.prescient.state.contract.ModelAnnouncement;
import io.prescient.state.features.FeatureSchema;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.state.BroadcastState;
import org.apache.flink.api.common.state.ReadOnlyBroadcastState;
import org.apache.flink.core.fs.FileSystem;
import org.apache.flink.core.fs.Path;
import org.apache.flink.metrics.Counter;
import org.apache.flink.metrics.MetricGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models one parallel instance serves, by slot ("churn", "churn:shadow", "offers"), swapped
 * live. Announcements from the {@code models} topic are broadcast to every instance; each instance
 * fetches the manifest and model through Flink's FileSystem, checks both hashes and the feature
 * schema, and only then replaces the model it serves and records the announcement in broadcast
 * state (so a restore loads the same model). A refused artifact is reported with its reason and
 * counted; the previous model keeps serving.
 */
final class ModelSlots implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(ModelSlots.class);

  static final List<String> SLOTS =
      List.of(ChurnModelPolicy.MODEL, ChurnModelPolicy.MODEL + ":shadow", OfferModel.NAME);

  private final Map<String, LoadedModel> serving = new HashMap<>();
  private final Map<String, ModelAnnouncement> servingFrom = new HashMap<>();
  private final Counter loads;
  private final Map<ModelLoadException.Reason, Counter> refusals;

  /** The offer model's live feature names: the schema plus the catalog's offers. */
  private final List<String> offerFeatures;

  ModelSlots(MetricGroup group, List<String> offerIds) {
    this.offerFeatures = OfferModel.featureNames(offerIds);
    loads = group.counter("modelLoads");
    refusals = new EnumMap<>(ModelLoadException.Reason.class);
    for (ModelLoadException.Reason r : ModelLoadException.Reason.values()) {
      refusals.put(r, group.addGroup("reason", r.code).counter("modelLoadFailures"));
    }
    group.gauge("modelsServing", serving::size);
  }

  /** Serves the model at {@code manifestUri} in {@code slot} from the start, or stops the start. */
  void serveInitial(String slot, String manifestUri) {
    try {
      serving.put(slot, fetch(manifestUri, null, liveNames(slot)));
    } catch (ModelLoadException e) {
      // A configured model that cannot serve is a deployment error: say so at start.
      throw new IllegalArgumentException(
          "prescient.model." + slot + " " + manifestUri + " cannot be served: " + e.getMessage(),
          e);
    }
  }

  LoadedModel get(String slot) {
    return serving.get(slot);
  }

  /** Loads what broadcast state says each slot serves, if this instance has not yet. */
  void catchUp(ReadOnlyBroadcastState<String, ModelAnnouncement> state) throws Exception {
    for (String slot : SLOTS) {
      ModelAnnouncement a = state.get(slot);
      if (a != null && !a.equals(servingFrom.get(slot))) {
        // Restored from a checkpoint, or this instance has not loaded it yet.
        servingFrom.put(slot, a);
        try {
          swap(slot, fetch(a.uri, a.sha256, liveNames(slot)), a);
        } catch (ModelLoadException e) {
          refusals.get(e.reason()).inc();
          LOG.warn("model {} {} from state cannot be loaded: {}", slot, a.version, e.getMessage());
        }
      }
    }
  }

  /** Loads an announced model, or refuses it; returns the report for the audit topic. */
  AuditRecord announce(
      ModelAnnouncement a,
      BroadcastState<String, ModelAnnouncement> state,
      int subtask,
      long processingTime)
      throws Exception {
    AuditRecord report = new AuditRecord();
    report.request = "model_announcement";
    report.requestedAt = processingTime;
    report.effects.add("model:" + a.slot());
    report.effects.add("version:" + a.version);
    report.effects.add("subtask:" + subtask);
    try {
      if (!SLOTS.contains(a.slot())) {
        throw new ModelLoadException(
            ModelLoadException.Reason.BAD_MANIFEST,
            "no model slot '" + a.slot() + "'; this job serves " + SLOTS);
      }
      LoadedModel m = fetch(a.uri, a.sha256, liveNames(a.slot()));
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
    return report;
  }

  private void swap(String slot, LoadedModel m, ModelAnnouncement from) {
    LoadedModel old = serving.put(slot, m);
    servingFrom.put(slot, from);
    if (old != null && old != m) {
      old.close();
    }
  }

  private List<String> liveNames(String slot) {
    return slot.equals(OfferModel.NAME) ? offerFeatures : FeatureSchema.names();
  }

  /** Reads a manifest and its model through Flink's FileSystem and checks them. */
  static LoadedModel fetch(String manifestUri, String expectedSha256, List<String> liveNames)
      throws ModelLoadException {
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
    return LoadedModel.fromBytes(
        manifest, read(modelPath), modelPath.toString(), FeatureSchema.VERSION, liveNames);
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
  public void close() {
    serving.values().forEach(LoadedModel::close);
    serving.clear();
  }
}

package io.prescient.operators;

import io.prescient.models.artifact.LoadedModel;
import io.prescient.models.artifact.ModelLoadException;
import io.prescient.models.artifact.ModelManifest;
import io.prescient.models.items.ItemSimilarity;
import io.prescient.models.policy.ChurnModelPolicy;
import io.prescient.models.policy.OfferModel;
import io.prescient.models.policy.PolicyEngine;
import io.prescient.state.contract.AuditRecord;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.Effect;
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

  /**
   * Where model artifacts may be read from and how large they may be. An announcement on the {@code
   * models} topic names a location; anything outside these prefixes, relative, with a {@code ..}
   * segment or over the size is refused before a byte is read.
   *
   * @param allowedLocations URI prefixes such as {@code s3://models/prescient/} or {@code
   *     file:/srv/models/}; a bare scheme such as {@code file:} allows any absolute path in it. A
   *     path without a scheme counts as {@code file:}.
   * @param maxBytes the largest manifest or model file read
   */
  record Limits(List<String> allowedLocations, long maxBytes) implements java.io.Serializable {
    /** Any absolute location on the usual file systems, models up to 256 MB. */
    static final Limits DEFAULT =
        new Limits(
            List.of("file:", "hdfs:", "s3:", "s3a:", "s3p:", "gs:", "abfs:", "abfss:", "oss:"),
            256L << 20);

    /** One spelling of a local file URI: file:/x for file:///x. */
    private static String norm(String location) {
      return location.startsWith("file:///") ? "file:/" + location.substring(8) : location;
    }

    /** Why this location may not be read, or null. */
    String refusal(Path p) {
      java.net.URI uri = p.toUri();
      String path = uri.getPath();
      if (path == null || !path.startsWith("/")) {
        return "relative locations are refused (" + p + ")";
      }
      for (String segment : path.split("/")) {
        if (segment.equals("..")) {
          return "'..' in a location is refused (" + p + ")";
        }
      }
      String full = norm((uri.getScheme() == null ? "file:" : "") + uri);
      for (String prefix : allowedLocations) {
        if (full.startsWith(norm(prefix))) {
          return null;
        }
      }
      return p + " is not under an allowed location (prescient.model.allowed-locations)";
    }
  }

  private final Limits limits;

  /** Broadcast-state key of a refused announcement: a restore does not read it again. */
  static String refusedKey(ModelAnnouncement a) {
    return "refused:" + a.slot() + ":" + a.version + ":" + a.sha256;
  }

  /** At most this many refused announcements are remembered (a bound on broadcast state). */
  static final int MAX_REMEMBERED_REFUSALS = 1000;

  private int rememberedRefusals = -1;

  static final List<String> SLOTS =
      List.of(
          ChurnModelPolicy.MODEL,
          ChurnModelPolicy.MODEL + ":shadow",
          OfferModel.NAME,
          ItemSimilarity.NAME);

  private final Map<String, LoadedModel> serving = new HashMap<>();
  private final Map<String, ModelAnnouncement> servingFrom = new HashMap<>();
  private final Counter loads;
  private final Map<ModelLoadException.Reason, Counter> refusals;

  /** The offer model's live feature names: the schema plus the catalog's offers. */
  private final List<String> offerFeatures;

  private final List<String> offerIds;

  ModelSlots(MetricGroup group, List<String> offerIds) {
    this(group, offerIds, Limits.DEFAULT);
  }

  ModelSlots(MetricGroup group, List<String> offerIds, Limits limits) {
    this.limits = limits;
    this.offerFeatures = OfferModel.featureNames(offerIds);
    this.offerIds = List.copyOf(offerIds);
    loads = group.counter("modelLoads");
    refusals = new EnumMap<>(ModelLoadException.Reason.class);
    for (ModelLoadException.Reason r : ModelLoadException.Reason.values()) {
      refusals.put(r, group.addGroup("reason", r.code).counter("modelLoadFailures"));
    }
    group.gauge("modelsServing", serving::size);
  }

  /**
   * Serves the model at {@code manifestUri} in {@code slot} from the start, or stops the start;
   * nothing for a null or empty URI.
   */
  void serveInitial(String slot, String manifestUri) {
    if (manifestUri == null || manifestUri.isEmpty()) {
      return;
    }
    try {
      LoadedModel m = fetch(manifestUri, null, liveNames(slot), limits);
      if (slot.equals(ItemSimilarity.NAME) != (m.items != null)) {
        m.close();
        throw new ModelLoadException(
            ModelLoadException.Reason.BAD_MANIFEST,
            "the manifest names model '" + m.manifest.name() + "', not one for slot " + slot);
      }
      serving.put(slot, m);
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

  /**
   * Scores a decision point with the served churn model, explained into {@code d}, and with its
   * shadow if one is served; the churn probability, or null without a model or features.
   */
  Double scoreChurn(Decision d, float[] features, PolicyMetrics metrics) {
    if (features.length == 0) {
      return null;
    }
    LoadedModel shadow = serving.get(ChurnModelPolicy.MODEL + ":shadow");
    Double churn = null;
    LoadedModel model = serving.get(ChurnModelPolicy.MODEL);
    if (model != null) {
      churn = ChurnModelPolicy.explain(d, model, features);
      metrics.churnScored(model, features, churn);
    }
    if (shadow != null) {
      ChurnModelPolicy.shadow(d, shadow, features);
    }
    return churn;
  }

  /** The served offer model as the policy's scorer, or null while none is served. */
  PolicyEngine.OfferScorer offerScorer() {
    LoadedModel offers = serving.get(OfferModel.NAME);
    return offers == null ? null : OfferModel.scorer(offers, offerIds);
  }

  /** Loads what broadcast state says each slot serves, if this instance has not yet. */
  void catchUp(ReadOnlyBroadcastState<String, ModelAnnouncement> state) throws Exception {
    for (String slot : SLOTS) {
      ModelAnnouncement a = state.get(slot);
      if (a != null && !a.equals(servingFrom.get(slot))) {
        // Restored from a checkpoint, or this instance has not loaded it yet.
        servingFrom.put(slot, a);
        try {
          swap(slot, fetch(a.uri, a.sha256, liveNames(slot), limits), a);
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
    AuditRecord report =
        AuditRecord.of(AuditRecord.MODELS, null, "model_announcement", processingTime)
            .add(Effect.named("model", a.slot()))
            .add(Effect.named("version", a.version))
            .add(Effect.count("subtask", subtask));
    try {
      if (!SLOTS.contains(a.slot())) {
        throw new ModelLoadException(
            ModelLoadException.Reason.BAD_MANIFEST,
            "no model slot '" + a.slot() + "'; this job serves " + SLOTS);
      }
      if (state.contains(refusedKey(a))) {
        throw new ModelLoadException(
            ModelLoadException.Reason.REFUSED_BEFORE,
            "this announcement ("
                + a.version
                + ", same SHA-256) was refused before; not read again");
      }
      LoadedModel m = fetch(a.uri, a.sha256, liveNames(a.slot()), limits);
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
      report.add(Effect.of("loaded"));
      LOG.info("subtask {} now serves {} {}", subtask, a.slot(), a.version);
    } catch (ModelLoadException e) {
      refusals.get(e.reason()).inc();
      remember(a, e, state);
      report.add(Effect.named("refused", e.reason().code));
      report.add(Effect.named("detail", e.getMessage()));
      LoadedModel current = serving.get(a.slot());
      report.add(Effect.named("serving", current == null ? "none" : current.manifest.version()));
      LOG.warn("subtask {} refused {} {}: {}", subtask, a.slot(), a.version, e.getMessage());
    }
    return report;
  }

  /**
   * Keeps a refused announcement in broadcast state, so that one delivered again after a restore is
   * refused without reading its location. Not for an unreadable location: the file may appear.
   */
  private void remember(
      ModelAnnouncement a, ModelLoadException e, BroadcastState<String, ModelAnnouncement> state)
      throws Exception {
    if (e.reason() == ModelLoadException.Reason.UNREADABLE || !SLOTS.contains(a.slot())) {
      return;
    }
    if (rememberedRefusals < 0) {
      rememberedRefusals = 0;
      for (Map.Entry<String, ModelAnnouncement> entry : state.entries()) {
        if (entry.getKey().startsWith("refused:")) {
          rememberedRefusals++;
        }
      }
    }
    if (rememberedRefusals < MAX_REMEMBERED_REFUSALS && !state.contains(refusedKey(a))) {
      state.put(refusedKey(a), a);
      rememberedRefusals++;
    }
  }

  private void swap(String slot, LoadedModel m, ModelAnnouncement from) {
    LoadedModel old = serving.put(slot, m);
    servingFrom.put(slot, from);
    if (old != null && old != m) {
      old.close();
    }
  }

  private List<String> liveNames(String slot) {
    if (slot.equals(ItemSimilarity.NAME)) {
      return List.of(); // item ids, not features: the manifest lists none
    }
    return slot.equals(OfferModel.NAME) ? offerFeatures : FeatureSchema.names();
  }

  /** Reads a manifest and its model through Flink's FileSystem and checks them. */
  static LoadedModel fetch(
      String manifestUri, String expectedSha256, List<String> liveNames, Limits limits)
      throws ModelLoadException {
    Path manifestPath;
    try {
      manifestPath = new Path(manifestUri);
    } catch (RuntimeException e) {
      throw new ModelLoadException(
          ModelLoadException.Reason.LOCATION_REFUSED, "not a location: " + manifestUri);
    }
    byte[] manifestBytes = read(manifestPath, limits);
    if (expectedSha256 != null) {
      String sha = LoadedModel.sha256(manifestBytes);
      if (!sha.equalsIgnoreCase(expectedSha256)) {
        // The file's own hash is not quoted (it would describe a file the announcer may not read).
        throw new ModelLoadException(
            ModelLoadException.Reason.HASH_MISMATCH,
            "manifest " + manifestUri + " does not have the announced SHA-256");
      }
    }
    ModelManifest manifest = ModelManifest.parse(new String(manifestBytes, StandardCharsets.UTF_8));
    Path modelPath = new Path(manifest.modelFile());
    if (!modelPath.isAbsolute()) {
      modelPath = new Path(manifestPath.getParent(), manifest.modelFile());
    }
    byte[] model = read(modelPath, limits);
    try {
      return LoadedModel.fromBytes(
          manifest, model, modelPath.toString(), FeatureSchema.VERSION, liveNames);
    } catch (RuntimeException | LinkageError | OutOfMemoryError | StackOverflowError e) {
      // Whatever a hostile file does to the model reader, the job keeps serving.
      throw new ModelLoadException(
          ModelLoadException.Reason.CORRUPT_MODEL,
          "model file " + modelPath + " could not be loaded (" + e.getClass().getSimpleName() + ")",
          e);
    }
  }

  /**
   * Reads a whole file, after checking its location and size: nothing outside the allowed locations
   * is opened, and nothing larger than the limit is read (the limit also bounds the read itself,
   * should the file grow or the file system not know its length).
   */
  private static byte[] read(Path p, Limits limits) throws ModelLoadException {
    String refusal = limits.refusal(p);
    if (refusal != null) {
      throw new ModelLoadException(ModelLoadException.Reason.LOCATION_REFUSED, refusal);
    }
    try {
      FileSystem fs = p.getFileSystem();
      long length = fs.getFileStatus(p).getLen();
      if (length > limits.maxBytes()) {
        throw tooLarge(p, length, limits);
      }
      try (InputStream in = fs.open(p)) {
        byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, limits.maxBytes() + 1));
        if (bytes.length > limits.maxBytes()) {
          throw tooLarge(p, bytes.length, limits);
        }
        return bytes;
      }
    } catch (ModelLoadException e) {
      throw e;
    } catch (IOException | RuntimeException e) {
      throw new ModelLoadException(ModelLoadException.Reason.UNREADABLE, p + ": " + e, e);
    } catch (OutOfMemoryError e) {
      throw new ModelLoadException(
          ModelLoadException.Reason.TOO_LARGE, p + " does not fit in the task's memory");
    }
  }

  private static ModelLoadException tooLarge(Path p, long length, Limits limits) {
    return new ModelLoadException(
        ModelLoadException.Reason.TOO_LARGE,
        p
            + " is "
            + length
            + " bytes, over the limit of "
            + limits.maxBytes()
            + " (prescient.model.max-size)");
  }

  @Override
  public void close() {
    serving.values().forEach(LoadedModel::close);
    serving.clear();
  }
}

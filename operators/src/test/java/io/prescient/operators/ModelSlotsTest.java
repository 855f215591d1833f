package io.prescient.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.models.artifact.LoadedModel;
import io.prescient.models.items.ItemSimilarity;
import io.prescient.offline.training.SyntheticModels;
import io.prescient.state.contract.AuditRecord;
import io.prescient.state.contract.Effect;
import io.prescient.state.contract.ModelAnnouncement;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.apache.flink.metrics.groups.UnregisteredMetricsGroup;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Announcements on the models topic are untrusted input: a location outside the allowed ones, a
 * file over the size limit or a file that is not a manifest is refused with an audit record that
 * quotes none of its content, while the model served before keeps serving; a refusal is remembered
 * in broadcast state, so a restored instance does not read the location again.
 */
class ModelSlotsTest {
  @TempDir Path dir;
  private Path allowed;
  private Path outside;
  private final MapBroadcastState<String, ModelAnnouncement> state = new MapBroadcastState<>();
  private ModelSlots slots;

  @BeforeEach
  void servesV1FromTheAllowedDirectory() throws Exception {
    allowed = Files.createDirectories(dir.resolve("models"));
    outside = Files.createDirectories(dir.resolve("elsewhere"));
    slots = slots();
    AuditRecord r =
        slots.announce(announce(SyntheticModels.writeChurn(allowed, "v1", 7)), state, 0, 0);
    assertThat(r.effects).contains(Effect.of("loaded"));
  }

  private ModelSlots slots() {
    return new ModelSlots(
        new UnregisteredMetricsGroup(),
        List.of(),
        new ModelSlots.Limits(List.of(allowed.toUri().toString()), 1 << 20));
  }

  private static ModelAnnouncement announce(Path manifest) throws Exception {
    String sha = LoadedModel.sha256(Files.readAllBytes(manifest));
    String version = manifest.getFileName().toString().replace("churn-", "").replace(".json", "");
    return new ModelAnnouncement("churn", version, manifest.toUri().toString(), sha, false);
  }

  private static ModelAnnouncement announceItems(Path manifest, String version) throws Exception {
    String sha = LoadedModel.sha256(Files.readAllBytes(manifest));
    return new ModelAnnouncement(
        ItemSimilarity.NAME, version, manifest.toUri().toString(), sha, false);
  }

  @Test
  void theItemsSlotLoadsSwapsAndRefusesLikeTheOthers() throws Exception {
    List<ItemSimilarity.Purchase> log =
        List.of(
            new ItemSimilarity.Purchase("u1", "a", 0),
            new ItemSimilarity.Purchase("u1", "b", 0),
            new ItemSimilarity.Purchase("u2", "a", 0),
            new ItemSimilarity.Purchase("u2", "c", 0));
    ItemSimilarity model = ItemSimilarity.train(log, 1, ItemSimilarity.Settings.plainCosine());
    Path i1 = model.writeArtifact(allowed, "i1", java.util.Map.of(), java.util.Map.of());
    assertThat(slots.announce(announceItems(i1, "i1"), state, 0, 0).effects)
        .contains(Effect.named("model", "items"), Effect.of("loaded"));
    assertThat(slots.get(ItemSimilarity.NAME).items.neighbours("a")).hasSize(2);
    assertThat(slots.get("churn").manifest.version()).isEqualTo("v1"); // the slots are apart

    // A manifest naming features (a churn model's, say) does not fit the items slot.
    String json = Files.readString(i1);
    Path features = allowed.resolve("items-i2.json");
    Files.writeString(
        features, json.replace("\"feature_names\" : [ ]", "\"feature_names\" : [ \"x\" ]"));
    assertThat(Files.readString(features)).isNotEqualTo(json);
    assertThat(slots.announce(announceItems(features, "i1"), state, 0, 0).effects)
        .contains(Effect.named("refused", "schema_mismatch"), Effect.named("serving", "i1"));

    // A second version swaps in; the first is no longer served.
    ItemSimilarity other =
        ItemSimilarity.train(
            List.of(
                new ItemSimilarity.Purchase("u1", "a", 0),
                new ItemSimilarity.Purchase("u1", "d", 0)),
            1,
            ItemSimilarity.Settings.plainCosine());
    Path i3 = other.writeArtifact(allowed, "i3", java.util.Map.of(), java.util.Map.of());
    assertThat(slots.announce(announceItems(i3, "i3"), state, 0, 0).effects)
        .contains(Effect.of("loaded"));
    assertThat(slots.get(ItemSimilarity.NAME).manifest.version()).isEqualTo("i3");
    assertThat(slots.get(ItemSimilarity.NAME).items.neighbours("a"))
        .extracting(ItemSimilarity.Scored::item)
        .containsExactly("d");
  }

  private String serving() {
    return slots.get("churn").manifest.version();
  }

  @Test
  void aLocationOutsideTheAllowedOnesIsNeverRead() throws Exception {
    Path elsewhere = SyntheticModels.writeChurn(outside, "v2", 8);
    AuditRecord r = slots.announce(announce(elsewhere), state, 0, 0);
    assertThat(r.effects)
        .contains(Effect.named("refused", "location_refused"), Effect.named("serving", "v1"))
        .anySatisfy(e -> assertThat(e.value).contains("not under an allowed location"));
    assertThat(serving()).isEqualTo("v1");

    // A manifest inside that names a model file outside with '..' is refused the same way.
    Path manifest = SyntheticModels.writeChurn(allowed, "v3", 9);
    String json = Files.readString(manifest);
    Files.writeString(
        manifest, json.replace("\"churn-v3.tribuo\"", "\"../elsewhere/churn-v2.tribuo\""));
    r = slots.announce(announce(manifest), state, 0, 0);
    assertThat(r.effects)
        .contains(Effect.named("refused", "location_refused"), Effect.named("serving", "v1"));

    // Relative locations are refused too.
    ModelAnnouncement relative =
        new ModelAnnouncement("churn", "v4", "models/churn-v4.json", "00", false);
    assertThat(slots.announce(relative, state, 0, 0).effects)
        .contains(Effect.named("refused", "location_refused"));
  }

  @Test
  void aFileOverTheLimitIsRefusedBeforeItIsRead() throws Exception {
    Path manifest = SyntheticModels.writeChurn(allowed, "v2", 8);
    try (RandomAccessFile f =
        new RandomAccessFile(allowed.resolve("churn-v2.tribuo").toFile(), "rw")) {
      f.setLength(3L << 20); // sparse: 3 MB over a 1 MB limit, without writing them
    }
    AuditRecord r = slots.announce(announce(manifest), state, 0, 0);
    assertThat(r.effects)
        .contains(Effect.named("refused", "too_large"), Effect.named("serving", "v1"))
        .anySatisfy(e -> assertThat(e.value).contains("3145728 bytes, over the limit of 1048576"));
    assertThat(serving()).isEqualTo("v1");
  }

  @Test
  void aFileThatIsNotAManifestIsRefusedWithoutQuotingIt() throws Exception {
    Path secrets = allowed.resolve("credentials");
    Files.writeString(secrets, "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG\n");
    String realSha = LoadedModel.sha256(Files.readAllBytes(secrets));
    ModelAnnouncement a =
        new ModelAnnouncement("churn", "v9", secrets.toUri().toString(), realSha, false);
    AuditRecord r = slots.announce(a, state, 0, 0);
    assertThat(r.effects)
        .contains(Effect.named("refused", "bad_manifest"), Effect.named("serving", "v1"));
    assertThat(r.effects.toString())
        .doesNotContain("AWS")
        .doesNotContain("wJalr")
        .contains("line 1, column");

    // Announced with another hash: refused without telling the file's real one.
    a.sha256 = "0".repeat(64);
    r = slots.announce(a, state, 0, 0);
    assertThat(r.effects).contains(Effect.named("refused", "hash_mismatch"));
    assertThat(r.effects.toString()).doesNotContain(realSha);
    assertThat(serving()).isEqualTo("v1");
  }

  @Test
  void aRefusalIsRememberedAcrossARestoreAndTheLocationNotReadAgain() throws Exception {
    Path manifest = SyntheticModels.writeChurn(allowed, "v2", 8);
    try (RandomAccessFile f =
        new RandomAccessFile(allowed.resolve("churn-v2.tribuo").toFile(), "rw")) {
      f.setLength(3L << 20);
    }
    ModelAnnouncement a = announce(manifest);
    assertThat(slots.announce(a, state, 0, 0).effects)
        .contains(Effect.named("refused", "too_large"));
    assertThat(state.map).containsKey(ModelSlots.refusedKey(a));

    // A new instance on the restored broadcast state, the announcement delivered again: refused
    // at once, even though the location now holds a model that would load.
    SyntheticModels.writeChurn(allowed, "v2", 8);
    ModelSlots restored = slots();
    restored.catchUp(state);
    assertThat(restored.get("churn").manifest.version()).isEqualTo("v1");
    AuditRecord r = restored.announce(a, state, 0, 0);
    assertThat(r.effects)
        .contains(Effect.named("refused", "refused_before"), Effect.named("serving", "v1"))
        .anySatisfy(e -> assertThat(e.value).contains("was refused before"));

    // Unreadable is not remembered: the file may be published later.
    ModelAnnouncement early =
        new ModelAnnouncement(
            "churn", "v5", allowed.resolve("churn-v5.json").toUri().toString(), "00", false);
    assertThat(restored.announce(early, state, 0, 0).effects)
        .contains(Effect.named("refused", "unreadable"));
    assertThat(state.map).doesNotContainKey(ModelSlots.refusedKey(early));
  }
}

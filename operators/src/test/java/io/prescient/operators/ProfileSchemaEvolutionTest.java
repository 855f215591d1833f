package io.prescient.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.models.rules.CartAbandonmentRule;
import io.prescient.state.contract.Effect;
import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import io.prescient.state.contract.PrivacyRequest;
import io.prescient.state.contract.PrivacyType;
import io.prescient.state.profile.Metric;
import io.prescient.state.profile.ProfileUpdater;
import io.prescient.state.profile.UserProfile;
import io.prescient.state.profile.Window;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.runtime.state.hashmap.HashMapStateBackend;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.api.watermark.Watermark;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.streaming.util.OperatorSnapshotUtil;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * State written by the previous profile version (commit 35dc51a: no activity windows, affinities,
 * purchase history or recent views, and the POJO serializer) restores into the current one: the
 * profiles are read with that version's POJO serializer, its missing fields get their defaults, and
 * they are rewritten by {@link UserProfileSerializer}; the cart and the pending timer survive. The
 * snapshot in src/test/resources/migration was written by that version's code (u1: a view and a
 * cart add, u2: two purchases, watermark before both).
 */
class ProfileSchemaEvolutionTest {
  static final long T0 = 1_300_000_020_000L;

  @Test
  void restoresStateWrittenBeforeFieldsWereAdded() throws Exception {
    OperatorSubtaskState v1 = snapshot("profile-v1-heap.snapshot");
    try (KeyedOneInputStreamOperatorTestHarness<String, Envelope, PolicyInput> h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(newFunction()), Envelope::userId, Types.STRING)) {
      h.setStateBackend(new HashMapStateBackend());
      h.initializeState(v1);
      h.open();

      UserProfile u2 = profileOf(h, "u2");
      assertThat(u2.purchases).isEqualTo(2);
      assertThat(u2.revenue).isEqualTo(40.0);
      assertThat(u2.windows).isNotNull();
      assertThat(u2.recentPurchases).isEmpty();

      // The restored profile keeps growing, now with the new fields.
      Event e = new Event("b3", "u2", EventType.PURCHASE, T0 + 120_000);
      e.productId = "p7";
      e.price = 5.0;
      h.processElement(new StreamRecord<>(Envelope.of(e, "events", 0, 0), e.timestamp));
      u2 = profileOf(h, "u2");
      assertThat(u2.purchases).isEqualTo(3);
      assertThat(u2.windows.sum(Window.LIFETIME, Metric.PURCHASES, T0 + 120_000)).isEqualTo(1);
      assertThat(u2.recentPurchases).containsExactly(T0 + 120_000);

      // u1's cart and its timer survived: the reminder is decided, named after the v1 event.
      h.processWatermark(new Watermark(T0 + 3 * 3_600_000L));
      assertThat(h.extractOutputValues())
          .filteredOn(c -> c.kind == PolicyInput.Kind.CANDIDATE)
          .extracting(
              c -> c.candidate.decision.userId + ":" + c.candidate.decision.triggeringEventId)
          .containsExactly("u1:c1");
    }
  }

  /**
   * State written before profile format 2 (commit 3fea026), when event ids and affinities were map
   * states of their own and profiles were format-1 records: the snapshot in
   * src/test/resources/migration was written by that version's code. u3: a view of "books" (e1), a
   * cart add in "garden" (e2) and a purchase in "books" (e3); u4: a view of "toys" (f1); the
   * watermark before them all. Restored on RocksDB and on the heap, each user's maps are merged
   * into the profile on their next event or request (one snapshot per backend, as a checkpoint is
   * restored by the backend that wrote it): a repeat of e2 is still a duplicate, the affinities
   * carry on, and erase finds and clears everything.
   */
  @ParameterizedTest
  @ValueSource(strings = {"rocksdb", "heap"})
  void mergesTheEventIdsAndAffinitiesOfSeparateMapStates(String backend) throws Exception {
    OperatorSubtaskState v2 = snapshot("profile-v2-maps-" + backend + ".snapshot");
    try (KeyedOneInputStreamOperatorTestHarness<String, Envelope, PolicyInput> h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(newFunction()), Envelope::userId, Types.STRING)) {
      h.setStateBackend(
          backend.equals("rocksdb")
              ? new EmbeddedRocksDBStateBackend()
              : new HashMapStateBackend());
      h.initializeState(v2);
      h.open();

      UserProfile restored = profileOf(h, "u3");
      assertThat(restored.mapsMerged).isFalse();
      assertThat(restored.events).isEqualTo(3);
      assertThat(legacyIds(h, "u3")).containsExactlyInAnyOrder("e1", "e2", "e3");

      // A repeat of an event from before the upgrade is still a duplicate.
      send(h, event("e2", "u3", EventType.ADD_TO_CART, T0 + 1_000, "garden"));
      assertThat(h.getSideOutput(ProfileFunction.LATE))
          .extracting(r -> r.getValue().reason + " " + r.getValue().detail)
          .singleElement()
          .asString()
          .startsWith("DUPLICATE_EVENT event_id 'e2' was already processed");
      UserProfile merged = profileOf(h, "u3");
      assertThat(merged.mapsMerged).isTrue();
      assertThat(merged.events).isEqualTo(3);
      assertThat(merged.recentEventIds.size()).isEqualTo(3);
      assertThat(merged.affinityScores.asMap()).containsOnlyKeys("books", "garden");
      double books = merged.affinityScores.get("books").score;
      assertThat(legacyIds(h, "u3")).isEmpty();
      assertThat(legacyAffinities(h, "u3")).isEmpty();

      // The affinities carry on from where they were.
      send(h, event("e4", "u3", EventType.VIEW, T0 + 3_000, "books"));
      merged = profileOf(h, "u3");
      assertThat(merged.events).isEqualTo(4);
      assertThat(merged.affinityScores.get("books").score).isGreaterThan(books);

      // Erase of a user not seen since the upgrade counts and clears what the maps held.
      assertThat(legacyAffinities(h, "u4")).containsExactly("toys");
      PrivacyRequest erase = new PrivacyRequest();
      erase.userId = "u4";
      erase.type = PrivacyType.ERASE;
      erase.timestamp = T0 + 4_000;
      h.processElement(new StreamRecord<>(Envelope.of(erase, "privacy", 0, 0), erase.timestamp));
      assertThat(h.getSideOutput(ProfileFunction.AUDIT))
          .singleElement()
          .satisfies(
              r ->
                  assertThat(r.getValue().effects)
                      .containsExactly(
                          Effect.of("profile"),
                          Effect.count("event_ids", 1),
                          Effect.count("category_affinities", 1),
                          Effect.count("suppressed_days", 30)));
      assertThat(profileOf(h, "u4")).isNull();
      assertThat(legacyIds(h, "u4")).isEmpty();
      assertThat(legacyAffinities(h, "u4")).isEmpty();
    }
  }

  /** A snapshot in src/test/resources/migration, written by an earlier version's code. */
  private static OperatorSubtaskState snapshot(String name) throws Exception {
    return OperatorSnapshotUtil.readStateHandle(
        Path.of(ProfileSchemaEvolutionTest.class.getResource("/migration/" + name).toURI())
            .toString());
  }

  private static ProfileFunction newFunction() {
    return new ProfileFunction(
        new CartAbandonmentRule(3_600_000L, 7 * 86_400_000L),
        Duration.ofMinutes(10),
        Duration.ofMinutes(1),
        Duration.ofDays(400),
        1024,
        ProfileUpdater.Settings.defaults());
  }

  private static Event event(String id, String user, EventType type, long ts, String category) {
    Event e = new Event(id, user, type, ts);
    e.category = category;
    e.productId = "p1";
    e.price = 10.0;
    return e;
  }

  private static void send(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, PolicyInput> h, Event e)
      throws Exception {
    h.processElement(new StreamRecord<>(Envelope.of(e, "events", 0, 0), e.timestamp));
  }

  private static List<String> legacyIds(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, PolicyInput> h, String user)
      throws Exception {
    return keys(h, user, ProfileState.seenEventIds(Duration.ofDays(400)));
  }

  private static List<String> legacyAffinities(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, PolicyInput> h, String user)
      throws Exception {
    return keys(h, user, ProfileState.affinities(Duration.ofDays(400)));
  }

  private static <V> List<String> keys(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, PolicyInput> h,
      String user,
      MapStateDescriptor<String, V> descriptor)
      throws Exception {
    KeyedStateBackend<String> backend = h.getOperator().getKeyedStateBackend();
    backend.setCurrentKey(user);
    MapState<String, V> state =
        backend.getPartitionedState(
            VoidNamespace.INSTANCE, VoidNamespaceSerializer.INSTANCE, descriptor);
    List<String> keys = new ArrayList<>();
    state.keys().forEach(keys::add);
    return keys;
  }

  private static UserProfile profileOf(
      KeyedOneInputStreamOperatorTestHarness<String, Envelope, PolicyInput> h, String user)
      throws Exception {
    KeyedStateBackend<String> backend = h.getOperator().getKeyedStateBackend();
    backend.setCurrentKey(user);
    ValueState<UserProfile> state =
        backend.getPartitionedState(
            VoidNamespace.INSTANCE,
            VoidNamespaceSerializer.INSTANCE,
            ProfileState.profile(Duration.ofDays(400)));
    return state.value();
  }
}

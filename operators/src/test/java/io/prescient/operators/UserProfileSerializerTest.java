package io.prescient.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import io.prescient.state.profile.CartLine;
import io.prescient.state.profile.InMemoryStore;
import io.prescient.state.profile.ProfileUpdater;
import io.prescient.state.profile.RecentEventIds;
import io.prescient.state.profile.UserProfile;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Random;
import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.serialization.SerializerConfigImpl;
import org.apache.flink.api.common.state.ValueState;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.runtime.checkpoint.OperatorSubtaskState;
import org.apache.flink.runtime.state.KeyedStateBackend;
import org.apache.flink.runtime.state.VoidNamespace;
import org.apache.flink.runtime.state.VoidNamespaceSerializer;
import org.apache.flink.state.rocksdb.EmbeddedRocksDBStateBackend;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.streaming.api.operators.KeyedProcessOperator;
import org.apache.flink.streaming.runtime.streamrecord.StreamRecord;
import org.apache.flink.streaming.util.KeyedOneInputStreamOperatorTestHarness;
import org.apache.flink.util.Collector;
import org.assertj.core.api.recursive.comparison.RecursiveComparisonConfiguration;
import org.junit.jupiter.api.Test;

/**
 * The profile's own serializer: exact round trips of real profiles, its size against the POJO
 * format it replaced, the format byte, and RocksDB state written by the POJO serializer migrated on
 * restore.
 */
class UserProfileSerializerTest {
  static final long T0 = 1_300_000_020_000L;

  /** Field by field; the ids by their content (not the spare capacity of their arrays). */
  static final RecursiveComparisonConfiguration SAME_PROFILE =
      RecursiveComparisonConfiguration.builder()
          .withEqualsForType(RecentEventIds::equals, RecentEventIds.class)
          .build();

  /** A profile grown by the real updater from a random mix of every event type. */
  static UserProfile grown(long seed, int events) throws Exception {
    Random r = new Random(seed);
    UserProfile p = new UserProfile();
    InMemoryStore<CartLine> cart = new InMemoryStore<>();
    EventType[] types = EventType.values();
    long t = T0;
    for (int i = 0; i < events; i++) {
      t += (long) (r.nextDouble() * 6 * 3_600_000L);
      Event e = new Event("e" + i, "u", types[r.nextInt(types.length)], t);
      e.productId = "p" + r.nextInt(30);
      e.category = List.of("bags", "toys", "garden", "kitchen").get(r.nextInt(4));
      e.price = 1 + r.nextInt(5000) / 100.0;
      e.quantity = 1 + r.nextInt(3);
      e.dwellMs = (long) r.nextInt(60_000);
      e.channel = "email";
      e.sentiment = r.nextDouble() * 2 - 1;
      p.recentEventIds.add(e.eventId, t);
      ProfileUpdater.apply(p, cart, e, ProfileUpdater.Settings.defaults());
    }
    p.mapsMerged = r.nextBoolean();
    p.cartRemindedFor = r.nextBoolean() ? null : "e3";
    p.pendingTimer = r.nextBoolean() ? 0 : t + 3_600_000L;
    p.optedOut = r.nextBoolean();
    if (r.nextBoolean()) {
      p.unsubscribedChannels.add("push");
    }
    return p;
  }

  private static <T> byte[] bytes(TypeSerializer<T> s, T v) throws IOException {
    DataOutputSerializer out = new DataOutputSerializer(512);
    s.serialize(v, out);
    return out.getCopyOfBuffer();
  }

  private static UserProfile read(byte[] b) throws IOException {
    return UserProfileSerializer.INSTANCE.deserialize(new DataInputDeserializer(b));
  }

  @Test
  void realProfilesRoundTripExactly() throws Exception {
    for (int seed = 0; seed < 50; seed++) {
      UserProfile p = grown(seed, seed * 7);
      assertThat(read(bytes(UserProfileSerializer.INSTANCE, p)))
          .usingRecursiveComparison(SAME_PROFILE)
          .isEqualTo(p);
      assertThat(UserProfileSerializer.INSTANCE.copy(p))
          .usingRecursiveComparison(SAME_PROFILE)
          .isEqualTo(p);
    }
    UserProfile empty = new UserProfile();
    assertThat(read(bytes(UserProfileSerializer.INSTANCE, empty)))
        .usingRecursiveComparison(SAME_PROFILE)
        .isEqualTo(empty);
    UserProfile nulls = new UserProfile();
    nulls.windows = null;
    nulls.recentViews = null;
    nulls.recentPurchases = null;
    nulls.unsubscribedChannels = null;
    nulls.firstSeen = -5; // before the epoch: times are offsets, signs survive
    nulls.lastSeen = Long.MAX_VALUE;
    assertThat(read(bytes(UserProfileSerializer.INSTANCE, nulls)))
        .usingRecursiveComparison(SAME_PROFILE)
        .isEqualTo(nulls);
  }

  /** The profile without what the POJO format never held (affinities and event ids). */
  static UserProfile withoutMaps(UserProfile p) {
    p.affinityScores.clear();
    p.recentEventIds.clear();
    p.mapsMerged = false;
    return p;
  }

  @Test
  void aProfileTakesFarFewerBytesThanInThePojoFormat() throws Exception {
    SerializerConfigImpl config = new SerializerConfigImpl();
    config.setGenericTypes(false);
    TypeSerializer<UserProfile> pojo =
        TypeInformation.of(UserProfile.class).createSerializer(config);
    long ours = 0;
    long theirs = 0;
    for (int seed = 0; seed < 20; seed++) {
      UserProfile p = withoutMaps(grown(seed, 40));
      ours += bytes(UserProfileSerializer.INSTANCE, p).length;
      theirs += bytes(pojo, p).length;
    }
    assertThat((double) ours / theirs).isLessThan(0.6);
  }

  @Test
  void aRecordOfAnUnknownFormatIsRefusedWithTheReason() {
    assertThatThrownBy(() -> read(new byte[] {9, 0, 0}))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("format 9")
        .hasMessageContaining("formats 1 to " + UserProfileSerializer.FORMAT);
  }

  /** The profile state as it was declared before this serializer: Flink's POJO serializer. */
  static final class PojoProfileWriter extends KeyedProcessFunction<String, UserProfile, Void> {
    private transient ValueState<UserProfile> state;

    @Override
    public void open(OpenContext ctx) {
      ValueStateDescriptor<UserProfile> d =
          new ValueStateDescriptor<>(ProfileState.PROFILE, TypeInformation.of(UserProfile.class));
      ProfileState.withTtl(d.getName(), Duration.ofDays(400), d::enableTimeToLive);
      state = getRuntimeContext().getState(d);
    }

    @Override
    public void processElement(UserProfile p, Context ctx, Collector<Void> out) throws Exception {
      state.update(p);
    }
  }

  @Test
  void pojoStateInRocksDbIsMigratedOnRestore() throws Exception {
    // The POJO format never held the affinities and event ids (map states of their own then).
    List<UserProfile> written =
        List.of(withoutMaps(grown(1, 30)), withoutMaps(grown(2, 5)), withoutMaps(grown(3, 90)));
    OperatorSubtaskState snapshot;
    try (KeyedOneInputStreamOperatorTestHarness<String, UserProfile, Void> h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(new PojoProfileWriter()),
            p -> "u" + p.events,
            Types.STRING)) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend());
      h.open();
      for (UserProfile p : written) {
        h.processElement(new StreamRecord<>(p, T0));
      }
      snapshot = h.snapshot(1, T0);
    }
    try (KeyedOneInputStreamOperatorTestHarness<String, UserProfile, Void> h =
        new KeyedOneInputStreamOperatorTestHarness<>(
            new KeyedProcessOperator<>(
                new KeyedProcessFunction<String, UserProfile, Void>() {
                  @Override
                  public void processElement(UserProfile p, Context ctx, Collector<Void> out) {}
                }),
            p -> "u" + p.events,
            Types.STRING)) {
      h.setStateBackend(new EmbeddedRocksDBStateBackend());
      h.initializeState(snapshot);
      h.open();
      KeyedStateBackend<String> backend = h.getOperator().getKeyedStateBackend();
      for (UserProfile p : written) {
        backend.setCurrentKey("u" + p.events);
        ValueState<UserProfile> state =
            backend.getPartitionedState(
                VoidNamespace.INSTANCE,
                VoidNamespaceSerializer.INSTANCE,
                ProfileState.profile(Duration.ofDays(400)));
        UserProfile restored = state.value();
        assertThat(restored).usingRecursiveComparison(SAME_PROFILE).isEqualTo(p);
        assertThat(restored.mapsMerged).as("its map states are still to merge").isFalse();
      }
    }
  }
}

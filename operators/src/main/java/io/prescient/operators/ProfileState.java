package io.prescient.operators;

import io.prescient.state.profile.Affinity;
import io.prescient.state.profile.BrowseSession;
import io.prescient.state.profile.CartLine;
import io.prescient.state.profile.LifecycleState;
import io.prescient.state.profile.UserProfile;
import java.time.Duration;
import java.util.Map;
import org.apache.flink.api.common.state.MapState;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.StateTtlConfig;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Every keyed state of the profile operator, declared once: names are part of the savepoint format,
 * so they never change. TTL removes users inactive for longer than the configured period.
 */
public final class ProfileState {
  private ProfileState() {}

  public static final String PROFILE = "profile";
  public static final String CART = "cart";
  public static final String SEEN = "seen-event-ids";
  public static final String AFFINITIES = "affinities";
  public static final String BROWSE = "browse-session";
  public static final String LIFECYCLE = "lifecycle";

  public static ValueStateDescriptor<UserProfile> profile(Duration ttl) {
    ValueStateDescriptor<UserProfile> d =
        new ValueStateDescriptor<>(PROFILE, UserProfileSerializer.INSTANCE);
    withTtl(d.getName(), ttl, d::enableTimeToLive);
    return d;
  }

  public static MapStateDescriptor<String, CartLine> cart(Duration ttl) {
    MapStateDescriptor<String, CartLine> d =
        new MapStateDescriptor<>(CART, Types.STRING, TypeInformation.of(CartLine.class));
    withTtl(d.getName(), ttl, d::enableTimeToLive);
    return d;
  }

  /**
   * Before profile format 2: event ids of the user's events that were not yet late, with their
   * event time. They are now in the profile ({@link UserProfile#recentEventIds}); this state is
   * only read to merge state restored from then (see {@link #mergeLegacyMaps}) and cleared.
   */
  public static MapStateDescriptor<String, Long> seenEventIds(Duration ttl) {
    MapStateDescriptor<String, Long> d = new MapStateDescriptor<>(SEEN, Types.STRING, Types.LONG);
    withTtl(d.getName(), ttl, d::enableTimeToLive);
    return d;
  }

  /**
   * Before profile format 2: decayed category affinities, keyed by category. They are now in the
   * profile ({@link UserProfile#affinityScores}); read only to merge state restored from then.
   */
  public static MapStateDescriptor<String, Affinity> affinities(Duration ttl) {
    MapStateDescriptor<String, Affinity> d =
        new MapStateDescriptor<>(AFFINITIES, Types.STRING, TypeInformation.of(Affinity.class));
    withTtl(d.getName(), ttl, d::enableTimeToLive);
    return d;
  }

  /** The current browsing session, for the browse-abandonment trigger. */
  public static ValueStateDescriptor<BrowseSession> browse(Duration ttl) {
    ValueStateDescriptor<BrowseSession> d =
        new ValueStateDescriptor<>(BROWSE, TypeInformation.of(BrowseSession.class));
    withTtl(d.getName(), ttl, d::enableTimeToLive);
    return d;
  }

  /** The last order and what was answered, for the post-purchase and win-back triggers. */
  public static ValueStateDescriptor<LifecycleState> lifecycle(Duration ttl) {
    ValueStateDescriptor<LifecycleState> d =
        new ValueStateDescriptor<>(LIFECYCLE, TypeInformation.of(LifecycleState.class));
    withTtl(d.getName(), ttl, d::enableTimeToLive);
    return d;
  }

  /**
   * Puts the affinities and event ids that state written before profile format 2 kept in their own
   * map states into a profile read from then ({@code !p.mapsMerged}); the caller clears the maps if
   * it writes the profile back. Returns whether anything was to merge.
   */
  public static boolean mergeLegacyMaps(
      UserProfile p, MapState<String, Affinity> affinities, MapState<String, Long> eventIds)
      throws Exception {
    if (p.mapsMerged) {
      return false;
    }
    for (Map.Entry<String, Affinity> a : affinities.entries()) {
      p.affinityScores.put(a.getKey(), a.getValue());
    }
    for (Map.Entry<String, Long> id : eventIds.entries()) {
      p.recentEventIds.add(id.getKey(), id.getValue());
    }
    p.mapsMerged = true;
    return true;
  }

  static void withTtl(
      String name, Duration ttl, java.util.function.Consumer<StateTtlConfig> enable) {
    if (ttl == null || ttl.isZero() || ttl.isNegative()) {
      return;
    }
    enable.accept(
        StateTtlConfig.newBuilder(ttl)
            .setUpdateType(StateTtlConfig.UpdateType.OnCreateAndWrite)
            .setStateVisibility(StateTtlConfig.StateVisibility.NeverReturnExpired)
            .cleanupInRocksdbCompactFilter(1000)
            .build());
  }
}

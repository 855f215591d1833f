package io.prescient.offline.training;

import io.prescient.state.contract.Event;
import io.prescient.state.features.FeatureSchema;
import io.prescient.state.profile.CartLine;
import io.prescient.state.profile.InMemoryStore;
import io.prescient.state.profile.ProfileUpdater;
import io.prescient.state.profile.UserProfile;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Replays events through the live job's profile code ({@link ProfileUpdater}) and feature code
 * ({@link FeatureSchema#extract}) outside Flink, so a feature vector built for training is the
 * vector the job would have computed for that user at that moment. Like the job, it ignores
 * duplicate event ids and keeps nothing of sensitive categories.
 */
public final class ProfileReplay {
  /** One user's state: what the job keeps in RocksDB. */
  public static final class UserState {
    public final UserProfile profile = new UserProfile();
    public final InMemoryStore<CartLine> cart = new InMemoryStore<>();
  }

  private final ProfileUpdater.Settings settings;
  private final Map<String, UserState> users = new HashMap<>();
  private final Set<String> seenEventIds = new HashSet<>();
  private long duplicates;
  private long sensitiveIgnored;

  public ProfileReplay(ProfileUpdater.Settings settings) {
    this.settings = settings;
  }

  /** Applies one event; events must come in event-time order, as the job's watermarks give them. */
  public void apply(Event e) throws Exception {
    if (!seenEventIds.add(e.eventId)) {
      duplicates++;
      return;
    }
    UserState u = users.computeIfAbsent(e.userId, k -> new UserState());
    if (ProfileUpdater.apply(u.profile, u.cart, e, settings)
        == ProfileUpdater.Outcome.IGNORED_SENSITIVE) {
      sensitiveIgnored++;
    }
  }

  /** The feature vector of a user at {@code now}, in schema order; null for an unknown user. */
  public float[] features(String userId, long now) throws Exception {
    UserState u = users.get(userId);
    if (u == null) {
      return null;
    }
    ProfileUpdater.recountCart(u.profile, u.cart);
    return FeatureSchema.extract(
        FeatureSchema.Inputs.of(u.profile, u.cart, now, settings.affinityHalfLifeMs()));
  }

  public Map<String, UserState> users() {
    return users;
  }

  public long duplicates() {
    return duplicates;
  }

  public long sensitiveIgnored() {
    return sensitiveIgnored;
  }
}

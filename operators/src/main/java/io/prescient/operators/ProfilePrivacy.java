package io.prescient.operators;

import io.prescient.state.contract.AuditRecord;
import io.prescient.state.contract.Effect;
import io.prescient.state.contract.PrivacyRequest;
import io.prescient.state.contract.PrivacyType;
import io.prescient.state.profile.ProfileUpdater;
import io.prescient.state.profile.UserProfile;
import java.time.Duration;
import java.util.function.LongConsumer;

/**
 * Privacy requests as the profile operator applies them, in plain Java over its store and the
 * register of erased users: an erase removes every trace of the user (state and timers) and, with
 * suppression on, remembers them; opt-out, opt-in and unsubscribe change the profile's consent.
 * Every request gets its receipt.
 */
final class ProfilePrivacy {
  private final ProfileStateStore store;
  private final ErasedUsers erasedUsers;
  private final long suppressionMs;

  ProfilePrivacy(ProfileStateStore store, ErasedUsers erasedUsers, long suppressionMs) {
    this.store = store;
    this.erasedUsers = erasedUsers;
    this.suppressionMs = suppressionMs;
  }

  /** Applies {@code r} to the state of {@code user} (the current key); returns its receipt. */
  AuditRecord apply(String user, PrivacyRequest r, LongConsumer deleteTimer) throws Exception {
    AuditRecord receipt = AuditRecord.receipt(AuditRecord.PROFILE, r);
    if (r.type == PrivacyType.ERASE) {
      receipt.effects.addAll(store.erase(user, deleteTimer));
      if (erasedUsers.enabled()) {
        erasedUsers.erased(r.userId, r.timestamp);
        receipt.add(
            Effect.count("suppressed_days", (int) Duration.ofMillis(suppressionMs).toDays()));
      }
      return receipt;
    }
    if (r.type == PrivacyType.OPT_IN) {
      erasedUsers.optedIn(r.userId);
    }
    UserProfile p = store.profile(user);
    if (p == null) {
      p = ProfileStateStore.newProfile();
    }
    receipt.effects.addAll(ProfileUpdater.applyConsent(p, r));
    store.write(user, p);
    return receipt;
  }

  /**
   * Whether input of {@code user} at event time {@code at} is to be ignored: the user was erased
   * within the suppression lifetime, and the input is not an opt-in.
   */
  boolean ignores(String user, long at, PrivacyRequest privacy) {
    boolean optIn = privacy != null && privacy.type == PrivacyType.OPT_IN;
    return !optIn && erasedUsers.isErased(user, at);
  }

  /** The receipt of a privacy request of an erased user: nothing was stored. */
  static AuditRecord nothingStored(PrivacyRequest r) {
    return AuditRecord.receipt(AuditRecord.PROFILE, r).add(Effect.of("nothing_stored"));
  }
}

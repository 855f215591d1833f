package io.prescient.state.profile;

import java.util.ArrayList;
import java.util.List;

/**
 * The per-user profile kept in keyed state: lifetime counters, activity windows, purchase rhythm,
 * recent views, category affinities, the ids of recent events, the open cart's summary and the
 * user's privacy choices. Cart lines live in a separate map state (a {@link KeyedStore}). In the
 * job the profile is written by its own serializer (UserProfileSerializer in the operators module);
 * the public fields are also what Flink's POJO serializer wrote before that, which is why the
 * fields the POJO format never had are transient here.
 */
public class UserProfile {
  public long firstSeen;
  public long lastSeen;
  public long events;
  public long views;
  public long cartAdds;
  public long purchases;
  public long refunds;

  /** Purchases minus refunds, in the currency of the prices. */
  public double revenue;

  public long lastPurchaseAt;

  /** Number of distinct products in the open cart, recounted from the cart when it changes. */
  public int cartLines;

  /** Event time of the last change to the cart, epoch millis (0: never). */
  public long cartLastChange;

  /** The event that last changed the cart: it names the abandonment decision. */
  public String cartLastEventId;

  /** The cart change for which a reminder was already decided: one reminder per cart state. */
  public String cartRemindedFor;

  /** The one pending event-time timer of this user (0: none), so erase can delete it. */
  public long pendingTimer;

  /** Bucketed event-time counters: 1 h, 24 h, 7/30/90 d and lifetime. */
  public ActivityWindows windows = new ActivityWindows();

  /**
   * Orders since first seen: purchase events more than one session gap away from every recorded
   * order. (A late line of an order older than the recorded ones would count again: rare.)
   */
  public long orders;

  /**
   * Times of the latest orders (oldest first), at most {@link #RECENT_PURCHASES}: purchase events
   * within one session gap of each other are one order.
   */
  public long[] recentPurchases = new long[0];

  /** The most recently viewed products (oldest first), at most {@link #RECENT_VIEWS}. */
  public List<String> recentViews = new ArrayList<>();

  /**
   * The most recently bought products (oldest first), at most {@link #RECENT_BOUGHT}, and when each
   * was last bought ({@link #recentBoughtAt}, same order): the history item-to-item recommendations
   * start from, and what they never recommend again. Since profile format 3.
   */
  public List<String> recentBought = new ArrayList<>();

  public long[] recentBoughtAt = new long[0];

  /**
   * Decayed category affinities by category, at most {@code Settings.maxAffinities} (the weakest is
   * evicted); sensitive categories never enter. In the profile since profile format 2, so an event
   * costs no state lookup of its own; before, they were the "affinities" map state.
   */
  public transient InMemoryStore<Affinity> affinityScores = new InMemoryStore<>();

  /**
   * The ids of the user's events that are not yet late, for de-duplication. In the profile since
   * profile format 2; before, they were the "seen-event-ids" map state.
   */
  public transient RecentEventIds recentEventIds = new RecentEventIds();

  /**
   * Whether the profile holds its affinities and event ids itself. False for a profile restored
   * from state written before profile format 2, whose affinities and ids are still in their own map
   * states until the profile operator merges them in (on the user's next event or timer).
   */
  public transient boolean mapsMerged;

  public boolean optedOut;
  public List<String> unsubscribedChannels = new ArrayList<>();

  public static final int RECENT_PURCHASES = 8;
  public static final int RECENT_VIEWS = 10;
  public static final int RECENT_BOUGHT = 10;

  public UserProfile() {}
}

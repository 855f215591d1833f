package io.prescient.offline.training;

import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import io.prescient.state.profile.ProfileUpdater;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Point-in-time churn rows. The log is replayed once in event time; at each cut-off, before any
 * event at or after it is applied, every customer with a purchase so far is snapshotted with the
 * live feature code. The label comes from the future only: churned when the customer makes no
 * purchase in {@code [cutoff, cutoff + horizon)}. Nothing after a cut-off can reach its features,
 * because those events have not been applied yet when the snapshot is taken.
 */
public final class ChurnTrainingSet {
  private ChurnTrainingSet() {}

  /** One customer at one cut-off. */
  public record Row(String userId, long cutoff, float[] features, boolean churned) {}

  /**
   * Builds the rows of every cut-off.
   *
   * @param events the log, sorted by event time ({@link EventLog} sorts it)
   * @param cutoffs cut-off instants (epoch ms), any order
   * @param horizonMs how far after a cut-off a purchase counts as "not churned"
   * @param excluded users who opted out or were erased: never in any row
   * @throws IllegalArgumentException if a cut-off's label window runs past the end of the log, so
   *     labels would call customers churned only because the log stops
   */
  public static Map<Long, List<Row>> build(
      List<Event> events,
      List<Long> cutoffs,
      long horizonMs,
      Set<String> excluded,
      ProfileUpdater.Settings settings)
      throws Exception {
    long[] sorted = cutoffs.stream().mapToLong(Long::longValue).sorted().distinct().toArray();
    long lastEvent = events.isEmpty() ? Long.MIN_VALUE : events.get(events.size() - 1).timestamp;
    for (long c : sorted) {
      if (c + horizonMs > lastEvent) {
        throw new IllegalArgumentException(
            "cut-off "
                + Instant.ofEpochMilli(c)
                + " + "
                + horizonMs / 86_400_000L
                + " days runs past the last event of the log ("
                + Instant.ofEpochMilli(lastEvent)
                + "): its labels would be wrong");
      }
    }
    Map<String, long[]> purchases = purchaseTimes(events, excluded, settings);
    ProfileReplay replay = new ProfileReplay(settings);
    Map<Long, List<Row>> rows = new TreeMap<>();
    int next = 0;
    for (Event e : events) {
      while (next < sorted.length && e.timestamp >= sorted[next]) {
        rows.put(sorted[next], snapshot(replay, sorted[next], horizonMs, purchases, excluded));
        next++;
      }
      if (!excluded.contains(e.userId)) {
        replay.apply(e);
      }
    }
    while (next < sorted.length) {
      rows.put(sorted[next], snapshot(replay, sorted[next], horizonMs, purchases, excluded));
      next++;
    }
    return rows;
  }

  private static List<Row> snapshot(
      ProfileReplay replay,
      long cutoff,
      long horizonMs,
      Map<String, long[]> purchases,
      Set<String> excluded)
      throws Exception {
    List<String> customers = new ArrayList<>();
    for (Map.Entry<String, ProfileReplay.UserState> u : replay.users().entrySet()) {
      if (u.getValue().profile.lastPurchaseAt != 0 && !excluded.contains(u.getKey())) {
        customers.add(u.getKey());
      }
    }
    customers.sort(null); // row order must not depend on hash order
    List<Row> out = new ArrayList<>(customers.size());
    for (String user : customers) {
      boolean bought = boughtWithin(purchases.get(user), cutoff, cutoff + horizonMs);
      out.add(new Row(user, cutoff, replay.features(user, cutoff), !bought));
    }
    return out;
  }

  /** Every user's purchase instants, sorted; sensitive-category purchases do not count. */
  private static Map<String, long[]> purchaseTimes(
      List<Event> events, Set<String> excluded, ProfileUpdater.Settings settings) {
    Map<String, List<Long>> lists = new HashMap<>();
    for (Event e : events) {
      if (e.type == EventType.PURCHASE
          && !excluded.contains(e.userId)
          && !settings.sensitive().isSensitive(e.category)) {
        lists.computeIfAbsent(e.userId, k -> new ArrayList<>()).add(e.timestamp);
      }
    }
    Map<String, long[]> out = new HashMap<>();
    lists.forEach(
        (k, v) -> {
          long[] a = v.stream().mapToLong(Long::longValue).toArray();
          Arrays.sort(a);
          out.put(k, a);
        });
    return out;
  }

  static boolean boughtWithin(long[] times, long from, long to) {
    if (times == null) {
      return false;
    }
    int i = Arrays.binarySearch(times, from);
    int first = i >= 0 ? i : -i - 1;
    while (first > 0 && times[first - 1] == from) {
      first--;
    }
    return first < times.length && times[first] < to;
  }
}

package io.prescient.state.profile;

import java.util.Arrays;

/**
 * Incremental, bucketed event-time counters of one user: sparse rings of 5-minute, hourly and daily
 * buckets plus lifetime totals. Only non-empty buckets are stored, and buckets that no window can
 * reach any more are evicted, so a user's size follows their recent activity, not their history.
 * Late events inside the retention land in the bucket of their own event time.
 *
 * <p>A Flink POJO: the arrays are parallel ({@code xxIdx[i]} is the bucket number, i.e. event time
 * / bucket length, and {@code xxCounts[i * Metric.COUNT + m]} its counter for metric m), sorted by
 * bucket number.
 */
public class ActivityWindows {
  static final long FIVE_MIN = Window.H1.bucketMs;
  static final long HOUR = Window.H24.bucketMs;
  static final long DAY = Window.D90.bucketMs;

  /** Buckets kept per granularity: as many as its longest window reads (current one included). */
  static final int KEEP_FIVE_MIN = Window.H1.buckets;

  static final int KEEP_HOURS = Window.H24.buckets;
  static final int KEEP_DAYS = Window.D90.buckets;

  public int[] fiveMinIdx = new int[0];
  public int[] fiveMinCounts = new int[0];
  public int[] hourIdx = new int[0];
  public int[] hourCounts = new int[0];
  public int[] dayIdx = new int[0];
  public int[] dayCounts = new int[0];
  public long[] lifetime = new long[Metric.COUNT];

  /** Latest event time added, epoch millis: the reference for eviction. */
  public long latest;

  public ActivityWindows() {}

  /** Adds {@code delta} to metric {@code m} at event time {@code ts}. */
  public void add(long ts, Metric m, int delta) {
    int[] deltas = new int[Metric.COUNT];
    deltas[m.ordinal()] = delta;
    add(ts, deltas);
  }

  /** Adds one delta per metric (indexed by ordinal) at event time {@code ts}: one bucket each. */
  public void add(long ts, int[] deltas) {
    if (lifetime.length < Metric.COUNT) {
      lifetime = Arrays.copyOf(lifetime, Metric.COUNT); // a metric was added since this was stored
    }
    for (int m = 0; m < deltas.length; m++) {
      lifetime[m] += deltas[m];
    }
    latest = Math.max(latest, ts);
    int[][] five = add(fiveMinIdx, fiveMinCounts, ts, FIVE_MIN, KEEP_FIVE_MIN, deltas);
    fiveMinIdx = five[0];
    fiveMinCounts = five[1];
    int[][] hours = add(hourIdx, hourCounts, ts, HOUR, KEEP_HOURS, deltas);
    hourIdx = hours[0];
    hourCounts = hours[1];
    int[][] days = add(dayIdx, dayCounts, ts, DAY, KEEP_DAYS, deltas);
    dayIdx = days[0];
    dayCounts = days[1];
  }

  /** Sum of metric {@code m} over window {@code w} ending at event time {@code now} (inclusive). */
  public long sum(Window w, Metric m, long now) {
    if (w == Window.LIFETIME) {
      return m.ordinal() < lifetime.length ? lifetime[m.ordinal()] : 0;
    }
    int[] idx;
    int[] counts;
    if (w.bucketMs == FIVE_MIN) {
      idx = fiveMinIdx;
      counts = fiveMinCounts;
    } else if (w.bucketMs == HOUR) {
      idx = hourIdx;
      counts = hourCounts;
    } else {
      idx = dayIdx;
      counts = dayCounts;
    }
    long last = Math.floorDiv(now, w.bucketMs);
    long first = last - w.buckets + 1;
    int width = counts.length / Math.max(1, idx.length);
    long total = 0;
    for (int i = 0; i < idx.length; i++) {
      if (idx[i] >= first && idx[i] <= last && m.ordinal() < width) {
        total += counts[i * width + m.ordinal()];
      }
    }
    return total;
  }

  /** Number of non-empty buckets stored, over all granularities. */
  public int storedBuckets() {
    return fiveMinIdx.length + hourIdx.length + dayIdx.length;
  }

  private int[][] add(int[] idx, int[] counts, long ts, long bucketMs, int keep, int[] deltas) {
    int width = idx.length == 0 ? Metric.COUNT : counts.length / idx.length;
    if (width < Metric.COUNT) {
      counts = widen(counts, idx.length, width);
      width = Metric.COUNT;
    }
    int bucket = (int) Math.floorDiv(ts, bucketMs);
    int oldest = (int) Math.floorDiv(latest, bucketMs) - keep + 1;
    if (bucket < oldest) {
      return new int[][] {idx, counts}; // beyond every window of this granularity
    }
    int pos = Arrays.binarySearch(idx, bucket);
    if (pos < 0) {
      int at = -pos - 1;
      int[] newIdx = new int[idx.length + 1];
      System.arraycopy(idx, 0, newIdx, 0, at);
      newIdx[at] = bucket;
      System.arraycopy(idx, at, newIdx, at + 1, idx.length - at);
      int[] newCounts = new int[counts.length + width];
      System.arraycopy(counts, 0, newCounts, 0, at * width);
      System.arraycopy(counts, at * width, newCounts, (at + 1) * width, counts.length - at * width);
      idx = newIdx;
      counts = newCounts;
      pos = at;
    }
    for (int m = 0; m < deltas.length; m++) {
      counts[pos * width + m] += deltas[m];
    }
    // Evict buckets no window of this granularity can reach any more.
    int drop = 0;
    while (drop < idx.length && idx[drop] < oldest) {
      drop++;
    }
    if (drop > 0) {
      idx = Arrays.copyOfRange(idx, drop, idx.length);
      counts = Arrays.copyOfRange(counts, drop * width, counts.length);
    }
    return new int[][] {idx, counts};
  }

  private static int[] widen(int[] counts, int buckets, int width) {
    int[] wide = new int[buckets * Metric.COUNT];
    for (int b = 0; b < buckets; b++) {
      System.arraycopy(counts, b * width, wide, b * Metric.COUNT, width);
    }
    return wide;
  }
}

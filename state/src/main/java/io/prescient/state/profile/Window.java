package io.prescient.state.profile;

/**
 * The rolling windows of the profile. Each is answered from buckets of one granularity, so its edge
 * is exact to that granularity: 1 h from 5-minute buckets, 24 h from hourly buckets, 7/30/90 days
 * from daily buckets (UTC days); lifetime from running totals.
 */
public enum Window {
  H1("1h", 5 * 60_000L, 12),
  H24("24h", 3_600_000L, 24),
  D7("7d", 86_400_000L, 7),
  D30("30d", 86_400_000L, 30),
  D90("90d", 86_400_000L, 90),
  LIFETIME("lifetime", 0, 0);

  public final String label;
  public final long bucketMs;
  public final int buckets;

  Window(String label, long bucketMs, int buckets) {
    this.label = label;
    this.bucketMs = bucketMs;
    this.buckets = buckets;
  }

  public long lengthMs() {
    return bucketMs * buckets;
  }
}

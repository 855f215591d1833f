package io.prescient.job.replay;

import java.util.concurrent.atomic.AtomicLong;

/**
 * When a file-to-file job read its first record and wrote its last one ({@link System#nanoTime}),
 * so a benchmark can tell the steady state from start-up and shutdown. It works where the job runs
 * in the benchmark's own JVM (a MiniCluster); the readers ({@link JsonLinesFormat}) and writers
 * ({@link JsonLinesSink}) note their first and last record, at a cost of one clock read per record
 * written.
 */
public final class ReplayClock {
  private ReplayClock() {}

  private static final AtomicLong FIRST_READ = new AtomicLong();
  private static final AtomicLong LAST_WRITE = new AtomicLong();

  /** Forgets the last job's times: call before submitting a job. */
  public static void reset() {
    FIRST_READ.set(0);
    LAST_WRITE.set(0);
  }

  /** nanoTime of the first record any reader read since {@link #reset}, or 0. */
  public static long firstRead() {
    return FIRST_READ.get();
  }

  /** nanoTime of the last record any writer wrote since {@link #reset}, or 0. */
  public static long lastWrite() {
    return LAST_WRITE.get();
  }

  static void read(long nanos) {
    FIRST_READ.compareAndSet(0, nanos);
  }

  static void wrote(long nanos) {
    LAST_WRITE.accumulateAndGet(nanos, Math::max);
  }
}

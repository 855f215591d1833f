package io.prescient.job.bench;

import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * The CPU time this JVM (and optionally one other process, the broker) used, sampled every {@value
 * #PERIOD_MS} ms, so that a benchmark can say how much CPU a span of wall-clock time cost: events
 * per CPU-second is what a job costs whatever else the machine ran, where events per second divided
 * by the parallelism assumes every task had a core of its own. The CPU at a moment between two
 * samples is interpolated. Covers the whole process: task threads, sources and sinks, the JIT and
 * the garbage collector.
 */
final class CpuClock implements AutoCloseable {
  static final long PERIOD_MS = 50;

  /** One sample: wall clock (nanoTime and epoch ms) and CPU nanoseconds used so far. */
  private record Sample(long nanos, long millis, long jvmCpu, long otherCpu) {}

  private final com.sun.management.OperatingSystemMXBean os =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
  private final ProcessHandle other;
  private final List<Sample> samples = new ArrayList<>();
  private final Thread thread;
  private volatile boolean stopped;

  /**
   * @param other another process whose CPU to follow too (null: none)
   */
  CpuClock(ProcessHandle other) {
    this.other = other;
    sample();
    thread =
        new Thread(
            () -> {
              while (!stopped) {
                try {
                  Thread.sleep(PERIOD_MS);
                } catch (InterruptedException e) {
                  return;
                }
                sample();
              }
            },
            "bench-cpu-clock");
    thread.setDaemon(true);
    thread.start();
  }

  private void sample() {
    long otherCpu =
        other == null ? 0 : other.info().totalCpuDuration().map(Duration::toNanos).orElse(0L);
    Sample s =
        new Sample(System.nanoTime(), System.currentTimeMillis(), os.getProcessCpuTime(), otherCpu);
    synchronized (samples) {
      samples.add(s);
    }
  }

  /**
   * CPU seconds of this JVM and of the other process between two {@link System#nanoTime} values.
   */
  double[] betweenNanos(long from, long to) {
    return between(from, to, true);
  }

  /** As {@link #betweenNanos}, between two epoch milliseconds. */
  double[] betweenMillis(long from, long to) {
    return between(from, to, false);
  }

  private double[] between(long from, long to, boolean nanos) {
    sample(); // the span may end after the last periodic sample
    List<Sample> copy;
    synchronized (samples) {
      copy = List.copyOf(samples);
    }
    return new double[] {
      (at(copy, to, nanos, true) - at(copy, from, nanos, true)) / 1e9,
      (at(copy, to, nanos, false) - at(copy, from, nanos, false)) / 1e9
    };
  }

  /** The CPU nanoseconds used by {@code t}, interpolated between the samples around it. */
  private static double at(List<Sample> s, long t, boolean nanos, boolean jvm) {
    Sample before = s.get(0);
    for (Sample x : s) {
      long xt = nanos ? x.nanos() : x.millis();
      long bt = nanos ? before.nanos() : before.millis();
      long bv = jvm ? before.jvmCpu() : before.otherCpu();
      long xv = jvm ? x.jvmCpu() : x.otherCpu();
      if (xt >= t) {
        return xt == bt ? xv : bv + (double) (xv - bv) * (t - bt) / (xt - bt);
      }
      before = x;
    }
    return jvm ? before.jvmCpu() : before.otherCpu();
  }

  @Override
  public void close() {
    stopped = true;
    thread.interrupt();
  }
}

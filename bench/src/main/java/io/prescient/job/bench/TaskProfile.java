package io.prescient.job.bench;

import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Predicate;
import jdk.jfr.Recording;
import jdk.jfr.consumer.RecordedEvent;
import jdk.jfr.consumer.RecordedFrame;
import jdk.jfr.consumer.RecordedStackTrace;
import jdk.jfr.consumer.RecordedThread;
import jdk.jfr.consumer.RecordingFile;

/**
 * A JFR recording of this JVM while one job runs (the benchmarks run their jobs in process), and
 * where the time of some threads went: the share of their sampled time inside each of a few areas
 * (inclusive: a sample counts for every area on its stack), and the methods they were in.
 *
 * <p>JFR samples threads running Java code every 10 ms ({@code jdk.ExecutionSample}) and threads in
 * native code every 20 ms ({@code jdk.NativeMethodSample}, RocksDB's calls among them): a native
 * sample counts twice, so that both kinds weigh by the time they stand for.
 */
final class TaskProfile {
  static final Duration JAVA_PERIOD = Duration.ofMillis(10);
  static final Duration NATIVE_PERIOD = Duration.ofMillis(20);

  /** An area of the code: a name, and whether a frame ({@code class.method}) belongs to it. */
  record Area(String name, Predicate<String> frame) {
    static Area classPrefix(String name, String prefix) {
      return new Area(name, f -> f.startsWith(prefix));
    }

    static Area method(String name, Class<?> type, String... methods) {
      Set<String> frames = new HashSet<>();
      for (String m : methods) {
        frames.add(type.getName() + "." + m);
      }
      return new Area(name, frames::contains);
    }
  }

  /** What the recording shows of the threads asked for. */
  record Summary(long sampledMs, Map<String, Double> areas, Map<String, Double> topMethods) {
    /** Lines to print, each share in % of the sampled time. */
    List<String> lines() {
      List<String> out = new ArrayList<>();
      areas.forEach(
          (a, share) -> out.add(String.format(Locale.ROOT, "%5.1f%%  %s", 100 * share, a)));
      StringBuilder top = new StringBuilder("top methods by own time:");
      topMethods.forEach(
          (m, share) -> top.append(String.format(Locale.ROOT, " %s %.1f%%,", m, 100 * share)));
      out.add(top.substring(0, top.length() - 1));
      return out;
    }
  }

  private final Recording recording;

  private TaskProfile(Recording recording) {
    this.recording = recording;
  }

  /** Starts recording samples of every thread of this JVM. */
  static TaskProfile start() {
    Recording r = new Recording();
    r.enable("jdk.ExecutionSample").withPeriod(JAVA_PERIOD).withStackTrace();
    r.enable("jdk.NativeMethodSample").withPeriod(NATIVE_PERIOD).withStackTrace();
    r.setToDisk(true);
    r.start();
    return new TaskProfile(r);
  }

  /** Stops recording and writes the recording to {@code file} (for {@code jfr print} or JMC). */
  Path stop(Path file) throws IOException {
    recording.stop();
    recording.dump(file);
    recording.close();
    return file;
  }

  /**
   * The samples of the threads whose name contains {@code threadPart}: the share of their time in
   * each area, and the {@code top} methods they were in themselves (the innermost frame).
   */
  static Summary summarize(Path file, String threadPart, List<Area> areas, int top)
      throws IOException {
    Map<String, Long> inArea = new LinkedHashMap<>();
    areas.forEach(a -> inArea.put(a.name(), 0L));
    Map<String, Long> own = new HashMap<>();
    long total = 0;
    for (RecordedEvent e : RecordingFile.readAllEvents(file)) {
      String type = e.getEventType().getName();
      boolean nativeSample = type.equals("jdk.NativeMethodSample");
      if (!nativeSample && !type.equals("jdk.ExecutionSample")) {
        continue;
      }
      RecordedThread thread = e.getThread("sampledThread");
      RecordedStackTrace stack = e.getStackTrace();
      if (thread == null
          || stack == null
          || thread.getJavaName() == null
          || !thread.getJavaName().contains(threadPart)) {
        continue;
      }
      List<String> frames = new ArrayList<>();
      for (RecordedFrame f : stack.getFrames()) {
        frames.add(f.getMethod().getType().getName() + "." + f.getMethod().getName());
      }
      if (frames.isEmpty()) {
        continue;
      }
      long ms = (nativeSample ? NATIVE_PERIOD : JAVA_PERIOD).toMillis();
      total += ms;
      for (Area a : areas) {
        if (frames.stream().anyMatch(a.frame())) {
          inArea.merge(a.name(), ms, Long::sum);
        }
      }
      own.merge(shortName(frames.get(0)), ms, Long::sum);
    }
    long sampled = total;
    Map<String, Double> shares = new LinkedHashMap<>();
    inArea.forEach((a, ms) -> shares.put(a, sampled == 0 ? 0 : ms / (double) sampled));
    Map<String, Double> topOwn = new LinkedHashMap<>();
    own.entrySet().stream()
        .sorted(Map.Entry.<String, Long>comparingByValue().reversed())
        .limit(top)
        .forEach(x -> topOwn.put(x.getKey(), x.getValue() / (double) sampled));
    return new Summary(sampled, shares, topOwn);
  }

  /** {@code Class.method} without the package. */
  private static String shortName(String frame) {
    int method = frame.lastIndexOf('.');
    int type = frame.lastIndexOf('.', method - 1);
    return frame.substring(type + 1);
  }
}

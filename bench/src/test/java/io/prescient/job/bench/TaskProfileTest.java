package io.prescient.job.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A real JFR recording of two busy threads of this JVM, summarized for one of them. */
class TaskProfileTest {
  @TempDir Path dir;

  static volatile double sink;

  static void hashing() {
    double x = 0;
    for (int i = 0; i < 200_000; i++) {
      x += Math.sqrt(i ^ (long) x);
    }
    sink = x;
  }

  static void sorting() {
    double[] a = new double[5_000];
    for (int i = 0; i < a.length; i++) {
      a[i] = Math.sin(i);
    }
    java.util.Arrays.sort(a);
    sink = a[0];
  }

  private static Thread busy(String name, Runnable work, AtomicBoolean running) {
    Thread t =
        new Thread(
            () -> {
              while (running.get()) {
                work.run();
              }
            },
            name);
    t.setDaemon(true);
    t.start();
    return t;
  }

  @Test
  void theSampledThreadsTimeIsSharedOutByAreaAndOwnMethod() throws Exception {
    AtomicBoolean running = new AtomicBoolean(true);
    TaskProfile profile = TaskProfile.start();
    Thread task = busy("profile + triggers -> policy (1/2)#0", TaskProfileTest::hashing, running);
    Thread other = busy("someone else", TaskProfileTest::sorting, running);
    Thread.sleep(2_000);
    running.set(false);
    task.join();
    other.join();
    Path jfr = profile.stop(dir.resolve("p.jfr"));

    TaskProfile.Summary s =
        TaskProfile.summarize(
            jfr,
            "profile + triggers",
            List.of(
                TaskProfile.Area.method("hashing", TaskProfileTest.class, "hashing"),
                TaskProfile.Area.method("sorting", TaskProfileTest.class, "sorting"),
                TaskProfile.Area.classPrefix("java.util", "java.util.")),
            3);

    assertThat(s.sampledMs()).isGreaterThan(500); // about 2 s of one thread, sampled every 10 ms
    assertThat(s.areas().get("hashing")).isGreaterThan(0.9);
    assertThat(s.areas().get("sorting")).isZero(); // the other thread's, not asked for
    assertThat(s.areas().get("java.util")).isLessThan(0.1);
    assertThat(s.topMethods()).containsKey("TaskProfileTest.hashing");
    assertThat(s.lines().get(0)).endsWith("hashing");
    assertThat(s.lines().get(3)).startsWith("top methods by own time: TaskProfileTest.hashing");
  }
}

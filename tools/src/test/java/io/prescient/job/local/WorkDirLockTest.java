package io.prescient.job.local;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkDirLockTest {
  @Test
  void aSecondDemoOnTheSameWorkDirIsRefusedBeforeStartingAnything(@TempDir Path dir)
      throws Exception {
    try (WorkDirLock held = WorkDirLock.acquire(dir)) {
      assertThat(held).isNotNull();
      assertThat(WorkDirLock.holder(dir)).isEqualTo("pid " + ProcessHandle.current().pid());
      assertThat(WorkDirLock.acquire(dir)).isNull();

      LocalDemo.Summary s = LocalDemo.run("--work-dir", dir.toString(), "--port", "0");
      assertThat(s.refused).isTrue();
      assertThat(s.failed).isTrue();
      assertThat(s.brokerPid).isEqualTo(-1); // no broker was started
      assertThat(dir.resolve("kafka")).doesNotExist();
    }
    // Released: the next one gets it.
    try (WorkDirLock again = WorkDirLock.acquire(dir)) {
      assertThat(again).isNotNull();
    }
  }
}

package io.prescient.job.local;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a work dir ({@code .lock} in it, holding the owner's pid), held while a
 * local command uses the dir. The operating system releases it when the process ends, however it
 * ends, so a killed demo leaves no stale lock.
 */
final class WorkDirLock implements AutoCloseable {
  static final String FILE = ".lock";

  private final FileChannel channel;
  private final FileLock lock;

  private WorkDirLock(FileChannel channel, FileLock lock) {
    this.channel = channel;
    this.lock = lock;
  }

  /** The lock, or null when another process (or this one) holds it. */
  static WorkDirLock acquire(Path dir) throws IOException {
    Files.createDirectories(dir);
    FileChannel ch =
        FileChannel.open(dir.resolve(FILE), StandardOpenOption.CREATE, StandardOpenOption.WRITE);
    FileLock lock;
    try {
      lock = ch.tryLock();
    } catch (OverlappingFileLockException held) {
      lock = null;
    }
    if (lock == null) {
      ch.close();
      return null;
    }
    ch.truncate(0);
    ch.write(
        StandardCharsets.UTF_8.encode(
            "pid " + ProcessHandle.current().pid() + System.lineSeparator()));
    ch.force(false);
    return new WorkDirLock(ch, lock);
  }

  /** Who holds the lock, as its file says ("pid N"), or "unknown". */
  static String holder(Path dir) {
    try {
      String s = Files.readString(dir.resolve(FILE)).strip();
      return s.isEmpty() ? "unknown" : s;
    } catch (IOException e) {
      return "unknown";
    }
  }

  @Override
  public void close() {
    try {
      lock.release();
      channel.close();
    } catch (IOException ignored) {
      // the process is ending; the operating system releases it
    }
  }
}

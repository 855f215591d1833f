package io.prescient.job.replay;

import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.flink.api.connector.sink2.Sink;
import org.apache.flink.api.connector.sink2.SinkWriter;
import org.apache.flink.api.connector.sink2.WriterInitContext;
import org.apache.flink.util.function.SerializableFunction;

/**
 * Writes records as JSON lines into {@code dir/<name>-<subtask>.jsonl} on the local file system:
 * the output of a replay on one machine. Not fault tolerant (a replay that fails is run again); the
 * replay command merges the part files and sorts them.
 */
public class JsonLinesSink<T> implements Sink<T> {
  private static final long serialVersionUID = 1L;

  private final String dir;
  private final String name;
  private final SerializableFunction<T, byte[]> json;

  public JsonLinesSink(Path dir, String name, SerializableFunction<T, byte[]> json) {
    this.dir = dir.toAbsolutePath().toString();
    this.name = name;
    this.json = json;
  }

  @Override
  public SinkWriter<T> createWriter(WriterInitContext context) throws IOException {
    int subtask = context.getTaskInfo().getIndexOfThisSubtask();
    Path file = Path.of(dir, name + "-" + subtask + ".jsonl");
    Files.createDirectories(file.getParent());
    OutputStream out = new BufferedOutputStream(Files.newOutputStream(file), 1 << 16);
    return new SinkWriter<>() {
      private long lastWrite;

      @Override
      public void write(T element, Context ctx) throws IOException {
        out.write(json.apply(element));
        out.write('\n');
        lastWrite = System.nanoTime();
      }

      @Override
      public void flush(boolean endOfInput) throws IOException {
        out.flush();
        if (lastWrite != 0) {
          ReplayClock.wrote(lastWrite);
        }
      }

      @Override
      public void close() throws IOException {
        out.close();
        if (lastWrite != 0) {
          ReplayClock.wrote(lastWrite);
        }
      }
    };
  }
}

package io.prescient.job.replay;

import io.prescient.operators.Envelope;
import io.prescient.operators.InputParser;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.file.src.reader.SimpleStreamFormat;
import org.apache.flink.connector.file.src.reader.StreamFormat;
import org.apache.flink.core.fs.FSDataInputStream;

/**
 * Reads a JSON-lines file into envelopes with the same parser as the Kafka sources, so a replay
 * rejects exactly what the live job rejects. Lines are split on '\n' as raw bytes (never decoded
 * first, so invalid UTF-8 reaches the parser and the DLQ untouched); a DLQ record names the file as
 * its source topic and the line number (from 1) as its offset, partition 0.
 */
public class JsonLinesFormat extends SimpleStreamFormat<Envelope> {
  private static final long serialVersionUID = 1L;

  private final InputParser parser;
  private final String name;

  public JsonLinesFormat(InputParser parser, String name) {
    this.parser = parser;
    this.name = name;
  }

  @Override
  public StreamFormat.Reader<Envelope> createReader(Configuration config, FSDataInputStream in) {
    return new Reader(in);
  }

  @Override
  public TypeInformation<Envelope> getProducedType() {
    return TypeInformation.of(Envelope.class);
  }

  private final class Reader implements StreamFormat.Reader<Envelope> {
    private final InputStream in;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(1024);
    private final byte[] buffer = new byte[1 << 16];
    private int pos;
    private int limit;
    private long lineNo;
    private boolean first = true;

    Reader(InputStream in) {
      this.in = in;
    }

    @Override
    public Envelope read() throws IOException {
      while (true) {
        byte[] raw = nextLine();
        if (raw == null) {
          return null;
        }
        lineNo++;
        if (raw.length == 0) {
          continue; // blank lines are not records
        }
        if (first) {
          first = false;
          ReplayClock.read(System.nanoTime());
        }
        return parser.parse(raw, name, 0, lineNo, 0L, System.currentTimeMillis());
      }
    }

    private byte[] nextLine() throws IOException {
      line.reset();
      while (true) {
        if (pos == limit) {
          limit = in.read(buffer);
          pos = 0;
          if (limit <= 0) {
            limit = 0;
            return line.size() == 0 ? null : line.toByteArray();
          }
        }
        int start = pos;
        while (pos < limit && buffer[pos] != '\n') {
          pos++;
        }
        line.write(buffer, start, pos - start);
        if (pos < limit) {
          pos++; // the newline
          byte[] out = line.toByteArray();
          int n = out.length;
          return n > 0 && out[n - 1] == '\r' ? java.util.Arrays.copyOf(out, n - 1) : out;
        }
      }
    }

    @Override
    public void close() throws IOException {
      in.close();
    }
  }
}

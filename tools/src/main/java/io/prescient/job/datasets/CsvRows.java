package io.prescient.job.datasets;

import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.Closeable;
import java.io.FilterReader;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayList;
import java.util.List;

/**
 * The rows of a CSV stream (RFC 4180: a quoted field may hold commas, doubled quotes and line
 * breaks), read one at a time by Jackson's CSV parser, so a file of any size streams. Besides its
 * fields, each row tells the line it starts on and its first line as written, for messages about
 * rows that cannot be used.
 */
public final class CsvRows implements Closeable {
  private static final CsvMapper CSV =
      CsvMapper.builder().enable(CsvParser.Feature.WRAP_AS_ARRAY).build();

  private final Recording in;
  private final JsonParser parser;
  private final List<String> fields = new ArrayList<>();
  private long line;
  private long nextLine = 1;
  private long start = -1;
  private String problem;
  private boolean done;

  public CsvRows(Reader reader) throws IOException {
    in = new Recording(reader);
    parser = CSV.createParser(in);
    done = parser.nextToken() != JsonToken.START_ARRAY; // the rows, each an array of fields
  }

  /**
   * Reads the next row; false at the end of the input. A row whose quoting is broken (text after a
   * closing quote, a quote never closed) is still a row, with a {@link #problem()}; the rows after
   * it are read as usual.
   */
  public boolean next() throws IOException {
    fields.clear();
    problem = null;
    line = nextLine;
    start = -1;
    if (done) {
      return false;
    }
    try {
      if (parser.nextToken() != JsonToken.START_ARRAY) {
        done = true;
        return false;
      }
      JsonToken t;
      while ((t = parser.nextToken()) == JsonToken.VALUE_STRING) {
        if (fields.isEmpty()) {
          JsonLocation at = parser.currentTokenLocation();
          line = at.getLineNr();
          start = at.getCharOffset();
          in.forgetBefore(start);
        }
        fields.add(parser.getText());
      }
      if (t != JsonToken.END_ARRAY) {
        throw new IOException("line " + line + ": unexpected " + t + " in a CSV row");
      }
    } catch (JsonProcessingException e) {
      problem = e.getOriginalMessage().strip().replaceAll("\\s*\\R\\s*", " ");
      skipRestOfRow();
    }
    nextLine = parser.currentLocation().getLineNr();
    return true;
  }

  /**
   * The fields of the row just read (a list the next call reuses); for a row with a problem, those
   * read before it.
   */
  public List<String> fields() {
    return fields;
  }

  /** Why the row just read is not valid CSV, or null. */
  public String problem() {
    return problem;
  }

  /** The line the row just read starts on; the first line is 1. */
  public long line() {
    return line;
  }

  /**
   * The first line of the row just read as written (quotes and all), without the line break; empty
   * for a row with a problem whose first field could not be read.
   */
  public String text() {
    return start < 0 ? "" : in.lineFrom(start);
  }

  @Override
  public void close() throws IOException {
    parser.close();
  }

  /** After a quoting error: on to the end of that row; a second error ends the input. */
  private void skipRestOfRow() throws IOException {
    try {
      JsonToken t;
      while ((t = parser.nextToken()) != null && t != JsonToken.END_ARRAY) {
        // the rest of the broken row
      }
      done = t == null;
    } catch (JsonProcessingException again) {
      done = true;
    }
  }

  /** Keeps the text read since the current row started, so that a row can be shown as written. */
  private static final class Recording extends FilterReader {
    private final StringBuilder kept = new StringBuilder();
    private long keptFrom; // the offset in the input of kept's first char

    Recording(Reader in) {
      super(in);
    }

    @Override
    public int read(char[] buf, int off, int len) throws IOException {
      int n = super.read(buf, off, len);
      if (n > 0) {
        kept.append(buf, off, n);
      }
      return n;
    }

    @Override
    public int read() throws IOException {
      int c = super.read();
      if (c >= 0) {
        kept.append((char) c);
      }
      return c;
    }

    /** Drops what comes before {@code offset}, in large steps (dropping moves what follows). */
    void forgetBefore(long offset) {
      int drop = (int) Math.min(offset - keptFrom, kept.length());
      if (drop >= 1 << 16) {
        kept.delete(0, drop);
        keptFrom += drop;
      }
    }

    String lineFrom(long offset) {
      int from = (int) Math.max(0, Math.min(offset - keptFrom, kept.length()));
      int to = from;
      while (to < kept.length() && kept.charAt(to) != '\n' && kept.charAt(to) != '\r') {
        to++;
      }
      return kept.substring(from, to);
    }
  }
}

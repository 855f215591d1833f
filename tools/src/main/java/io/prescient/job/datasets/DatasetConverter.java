package io.prescient.job.datasets;

import io.prescient.state.contract.Event;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.PrintStream;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Turns one shared dataset (CSV with a header) into Prescient events. Subclasses map one row; this
 * class reads, counts, skips what cannot be read (never aborting the run), and sorts the result by
 * event time (stable), because the demo replays events in order.
 */
public abstract class DatasetConverter {
  /** The dataset's name on the command line. */
  public abstract String name();

  /** Expected number of columns. */
  abstract int columns();

  /**
   * Maps one data row to an event, or returns null after recording why it was skipped. Throws
   * NumberFormatException or DateTimeParseException for unreadable values.
   */
  abstract Event convert(List<String> row, long rowNumber, ConversionStats stats);

  boolean hasCategoryTable() {
    return false;
  }

  /** Reads every row (after the header), up to {@code limit} rows when it is positive. */
  public List<Event> convertAll(
      BufferedReader in, long limit, ConversionStats stats, PrintStream progress)
      throws IOException {
    String header = in.readLine();
    if (header == null) {
      throw new IOException("empty input: no header line");
    }
    List<Event> events = new ArrayList<>();
    String line;
    long lineNumber = 1;
    while ((line = in.readLine()) != null && (limit <= 0 || stats.rowsRead < limit)) {
      lineNumber++;
      stats.rowsRead++;
      if (progress != null && stats.rowsRead % 100_000 == 0) {
        progress.printf("%s: %,d rows read%n", name(), stats.rowsRead);
      }
      List<String> row = Csv.split(line);
      if (row.size() != columns()) {
        stats.badRow(lineNumber, "wrong_column_count", line);
        continue;
      }
      try {
        Event e = convert(row, stats.rowsRead, stats);
        if (e != null) {
          stats.written(e);
          events.add(e);
        }
      } catch (NumberFormatException | DateTimeParseException ex) {
        stats.badRow(lineNumber, "unreadable_value", line);
      }
    }
    events.sort(Comparator.comparingLong(e -> e.timestamp)); // List.sort is stable
    return events;
  }

  /** The converters, by name. */
  public static DatasetConverter named(String name) {
    return switch (name) {
      case "online-retail" -> new OnlineRetailConverter();
      case "taobao" -> new TaobaoConverter();
      case "rees46" -> new Rees46Converter();
      default ->
          throw new IllegalArgumentException(
              "unknown dataset '" + name + "' (online-retail, taobao, rees46)");
    };
  }

  static Event event(
      String id, String user, io.prescient.state.contract.EventType type, long ts, String product) {
    Event e = new Event(id, user, type, ts);
    e.productId = product;
    return e;
  }
}

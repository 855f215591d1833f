package io.prescient.job.datasets;

import io.prescient.state.contract.Event;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
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

  /**
   * Reads every row (after the header), up to {@code limit} rows when it is positive. A row whose
   * CSV quoting is broken is skipped as {@code unreadable_csv}.
   */
  public List<Event> convertAll(Reader in, long limit, ConversionStats stats, PrintStream progress)
      throws IOException {
    List<Event> events = new ArrayList<>();
    try (CsvRows rows = new CsvRows(in)) {
      if (!rows.next()) {
        throw new IOException("empty input: no header line");
      }
      while ((limit <= 0 || stats.rowsRead < limit) && rows.next()) {
        stats.rowsRead++;
        if (progress != null && stats.rowsRead % 100_000 == 0) {
          progress.printf("%s: %,d rows read%n", name(), stats.rowsRead);
        }
        if (rows.problem() != null) {
          stats.badRow(rows.line(), "unreadable_csv", rows.problem());
          continue;
        }
        List<String> row = rows.fields();
        if (row.size() != columns()) {
          stats.badRow(rows.line(), "wrong_column_count", rows.text());
          continue;
        }
        try {
          Event e = convert(row, stats.rowsRead, stats);
          if (e != null) {
            stats.written(e);
            events.add(e);
          }
        } catch (NumberFormatException | DateTimeParseException ex) {
          stats.badRow(rows.line(), "unreadable_value", rows.text());
        }
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

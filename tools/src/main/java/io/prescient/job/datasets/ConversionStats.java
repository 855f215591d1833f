package io.prescient.job.datasets;

import io.prescient.state.contract.Event;
import java.io.PrintStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/** What a conversion read, wrote and skipped, and why; printed as the run's summary. */
public final class ConversionStats {
  long rowsRead;
  final Map<String, Long> written = new TreeMap<>();
  final Map<String, Long> skipped = new TreeMap<>();
  final Map<String, Long> categories = new TreeMap<>();
  final Set<String> users = new HashSet<>();
  final List<String> badRowExamples = new ArrayList<>();
  long minTimestamp = Long.MAX_VALUE;
  long maxTimestamp = Long.MIN_VALUE;

  void written(Event e) {
    written.merge(e.type.wireName(), 1L, Long::sum);
    users.add(e.userId);
    minTimestamp = Math.min(minTimestamp, e.timestamp);
    maxTimestamp = Math.max(maxTimestamp, e.timestamp);
    if (e.category != null) {
      categories.merge(e.category, 1L, Long::sum);
    }
  }

  void skipped(String reason) {
    skipped.merge(reason, 1L, Long::sum);
  }

  /** A row that could not be parsed: counted, and the first few kept for the summary. */
  void badRow(long lineNumber, String reason, String line) {
    skipped(reason);
    if (badRowExamples.size() < 5) {
      String shown = line.length() > 160 ? line.substring(0, 157) + "..." : line;
      badRowExamples.add("line " + lineNumber + " (" + reason + "): " + shown);
    }
  }

  public long rowsRead() {
    return rowsRead;
  }

  public long eventsWritten() {
    return written.values().stream().mapToLong(Long::longValue).sum();
  }

  public Map<String, Long> writtenByType() {
    return written;
  }

  public Map<String, Long> skippedByReason() {
    return skipped;
  }

  public int users() {
    return users.size();
  }

  public double categoryShare(String category) {
    long total = categories.values().stream().mapToLong(Long::longValue).sum();
    return total == 0 ? 0 : categories.getOrDefault(category, 0L) / (double) total;
  }

  void print(PrintStream out, boolean showCategories) {
    out.printf("rows read       %,d%n", rowsRead);
    out.printf("events written  %,d  %s%n", eventsWritten(), written);
    out.printf("rows skipped    %s%n", skipped);
    out.printf("users           %,d%n", users.size());
    if (minTimestamp <= maxTimestamp) {
      out.printf(
          "event time      %s .. %s%n",
          Instant.ofEpochMilli(minTimestamp), Instant.ofEpochMilli(maxTimestamp));
    }
    if (showCategories) {
      long total = categories.values().stream().mapToLong(Long::longValue).sum();
      StringBuilder sb = new StringBuilder();
      categories.entrySet().stream()
          .sorted((a, b) -> Long.compare(b.getValue(), a.getValue()))
          .forEach(
              e ->
                  sb.append(
                      String.format(
                          "%s %.1f%%  ", e.getKey(), 100.0 * e.getValue() / Math.max(1, total))));
      out.println("categories      " + sb.toString().strip());
    }
    for (String example : badRowExamples) {
      out.println("bad row         " + example);
    }
  }
}

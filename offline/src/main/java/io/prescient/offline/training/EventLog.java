package io.prescient.offline.training;

import io.prescient.state.contract.Event;
import io.prescient.state.contract.InvalidRecordException;
import io.prescient.state.contract.PrivacyRequest;
import io.prescient.state.contract.PrivacyType;
import io.prescient.state.json.JsonLimits;
import io.prescient.state.json.RecordParser;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.zip.GZIPInputStream;

/**
 * An event log in the {@code events} JSON-lines format (what the converters write and what the
 * events topic carries), read with the job's own parser, so a record the job would reject is
 * rejected here too, counted by reason, and never trained on. Events are sorted by event time
 * (stable: file order within a timestamp), the order the job's watermarks release them in.
 */
public final class EventLog {
  public final Path path;
  public final String sha256;
  public final List<Event> events;
  public final long lines;
  public final Map<String, Long> rejectedByReason;

  private EventLog(
      Path path, String sha256, List<Event> events, long lines, Map<String, Long> rejected) {
    this.path = path;
    this.sha256 = sha256;
    this.events = events;
    this.lines = lines;
    this.rejectedByReason = rejected;
  }

  public long rejected() {
    return rejectedByReason.values().stream().mapToLong(Long::longValue).sum();
  }

  public long firstTimestamp() {
    return events.isEmpty() ? 0 : events.get(0).timestamp;
  }

  public long lastTimestamp() {
    return events.isEmpty() ? 0 : events.get(events.size() - 1).timestamp;
  }

  /** Reads a log by the job's default input rules; {@code .gz} files are decompressed. */
  public static EventLog read(Path path) throws IOException {
    return read(path, JsonLimits.defaults());
  }

  /** Reads a log by the input rules {@code limits}; {@code .gz} files are decompressed. */
  public static EventLog read(Path path, JsonLimits limits) throws IOException {
    RecordParser parser = new RecordParser(limits);
    List<Event> events = new ArrayList<>();
    Map<String, Long> rejected = new TreeMap<>();
    MessageDigest sha = sha256();
    long lines = 0;
    try (BufferedReader in = reader(path, sha)) {
      String line;
      while ((line = in.readLine()) != null) {
        lines++;
        if (line.isBlank()) {
          continue;
        }
        try {
          events.add(parser.parseEvent(line.getBytes(StandardCharsets.UTF_8), Long.MAX_VALUE / 2));
        } catch (InvalidRecordException e) {
          rejected.merge(e.reason().code(), 1L, Long::sum);
        }
      }
    }
    events.sort(Comparator.comparingLong(e -> e.timestamp));
    return new EventLog(path, HexFormat.of().formatHex(sha.digest()), events, lines, rejected);
  }

  /**
   * Users who asked to opt out or to be erased, from a log in the {@code privacy} format: training
   * never uses them, whatever their events say.
   */
  public static Set<String> optedOutOrErased(Path privacyLog) throws IOException {
    RecordParser parser = new RecordParser(JsonLimits.defaults());
    Set<String> users = new TreeSet<>();
    try (BufferedReader in = reader(privacyLog, sha256())) {
      String line;
      while ((line = in.readLine()) != null) {
        if (line.isBlank()) {
          continue;
        }
        try {
          PrivacyRequest r =
              parser.parsePrivacy(line.getBytes(StandardCharsets.UTF_8), Long.MAX_VALUE / 2);
          if (r.type == PrivacyType.OPT_OUT || r.type == PrivacyType.ERASE) {
            users.add(r.userId);
          }
        } catch (InvalidRecordException e) {
          throw new IOException(
              privacyLog + ": a privacy request could not be read (" + e.getMessage() + ")", e);
        }
      }
    }
    return users;
  }

  private static BufferedReader reader(Path path, MessageDigest sha) throws IOException {
    InputStream raw = new DigestInputStream(Files.newInputStream(path), sha);
    InputStream in = path.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
  }

  static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.prescient.job.datasets;

import static io.prescient.job.cli.CommandOptions.opt;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import io.prescient.job.cli.CommandOptions;
import io.prescient.job.cli.CommandOptions.Opt;
import io.prescient.state.contract.CopyIds;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code ./prescient copies}: an events log written N times into one log, with the user and event
 * ids re-keyed per copy ({@link CopyIds}: copy 0 keeps the original ids, copy k prefixes them with
 * {@code c<k>-}). N times the users with the real behaviour: a larger simulated population for the
 * closed loop ({@code ./prescient loop --copies N}) and the job benchmark. Nothing else in a line
 * changes: the prefix is inserted into the top-level {@code user_id} and {@code event_id} string
 * values, the rest of the line is copied byte for byte.
 *
 * <p>The copies are interleaved line by line (line 1 of every copy, then line 2, ...), so that
 * event time never goes back: one timeline with N times the users. Written copy after copy, every
 * copy but the first would be late and go to the DLQ.
 */
public final class CopyLog {
  private CopyLog() {}

  static final String COMMAND = "prescient copies";

  static final List<Opt> OPTIONS =
      List.of(
          opt(
              "--events",
              "FILE",
              null,
              "events JSON lines (a converted dataset; see docs/datasets.md); required"),
          opt(
              "--copies",
              "N",
              null,
              "how many copies (>= 1); copy 0 keeps the original ids, copy k >= 1 prefixes"
                  + " user_id and event_id with c<k>- (tb-42 -> c3-tb-42); required"),
          opt(
              "--output",
              "FILE",
              null,
              "the copies, interleaved line by line so event time never goes back; required"));

  private static final JsonFactory JSON = new JsonFactory();

  /** What {@link #write} wrote. */
  public record Written(
      long lines, int copies, long sourceLines, long notRekeyed, Map<String, Integer> types) {}

  public static void main(String[] args) throws Exception {
    CommandOptions.main(COMMAND, () -> run(args));
  }

  /** The command with {@code args}; a user error is a {@link CommandOptions.UsageError}. */
  static void run(String[] args) throws IOException {
    CommandOptions.Parsed p =
        CommandOptions.parse(
            COMMAND,
            "An events log written N times into one log, with the user and event ids re-keyed per"
                + " copy: N times the users with the real behaviour.",
            OPTIONS,
            CommandOptions.Rest.NONE,
            args,
            "The source user of a copy is its id without the c<k>- prefixes: ./prescient evaluate"
                + " resamples all copies of one source user together.");
    if (p == null) {
      return;
    }
    if (!p.has("--events") || !p.has("--copies") || !p.has("--output")) {
      throw p.error("--events, --copies and --output are required");
    }
    long copies = p.getLong("--copies");
    if (copies < 1 || copies > Integer.MAX_VALUE) {
      throw p.error(
          "--copies must be at least 1 (and at most " + Integer.MAX_VALUE + "), not " + copies);
    }
    Path in = Path.of(p.get("--events"));
    if (!Files.isRegularFile(in)) {
      throw p.error("--events " + in + " is not a file");
    }
    Path out = Path.of(p.get("--output"));
    Written w = write(in, (int) copies, out);
    System.out.printf(
        "%,d events: %d copies of %,d lines of %s -> %s%n",
        w.lines(), w.copies(), w.sourceLines(), in, out);
    if (w.notRekeyed() > 0) {
      System.out.printf(
          "%,d lines have no top-level string user_id and event_id (not events): copied as they"
              + " are%n",
          w.notRekeyed());
    }
  }

  /**
   * Writes {@code copies} copies of {@code log} to {@code out} (through a temporary file beside it,
   * so a partial file never has the final name). A line without a top-level string {@code user_id}
   * and {@code event_id} is not an event (the job would reject it); it is copied unchanged and
   * counted in {@link Written#notRekeyed}.
   */
  public static Written write(Path log, int copies, Path out) throws IOException {
    if (copies < 1) {
      throw new IllegalArgumentException("copies " + copies + " < 1");
    }
    Path parent = out.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Path tmp = out.resolveSibling(out.getFileName() + ".tmp");
    Map<String, Integer> types = new TreeMap<>();
    long lines = 0;
    long source = 0;
    long notRekeyed = 0;
    try (BufferedReader r = Files.newBufferedReader(log, StandardCharsets.UTF_8);
        BufferedWriter w = Files.newBufferedWriter(tmp, StandardCharsets.UTF_8)) {
      String line;
      while ((line = r.readLine()) != null) {
        source++;
        Ids ids = ids(line);
        if (ids == null) {
          notRekeyed++;
        } else if (ids.type != null) {
          types.merge(ids.type, 1, Integer::sum);
        }
        for (int c = 0; c < copies; c++) {
          w.write(ids == null ? line : ids.rekey(line, c));
          w.newLine();
          lines++;
        }
      }
    }
    Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING);
    return new Written(lines, copies, source, notRekeyed, types);
  }

  /** {@code line} as copy {@code copy} writes it (unchanged when it is not an event). */
  public static String rekey(String line, int copy) {
    Ids ids = ids(line);
    return ids == null ? line : ids.rekey(line, copy);
  }

  /**
   * Where the top-level {@code user_id} and {@code event_id} string values start in a line (the
   * character after their opening quote), and the event type; null unless the line is a JSON object
   * with both ids as strings.
   */
  static Ids ids(String line) {
    int user = -1;
    int event = -1;
    String type = null;
    try (JsonParser p = JSON.createParser(line)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      JsonToken t;
      while ((t = p.nextToken()) == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken value = p.nextToken();
        int at = (int) p.currentTokenLocation().getCharOffset() + 1;
        if (value == JsonToken.VALUE_STRING && field.equals("user_id") && user < 0) {
          user = at;
        } else if (value == JsonToken.VALUE_STRING && field.equals("event_id") && event < 0) {
          event = at;
        } else if (value == JsonToken.VALUE_STRING && field.equals("type")) {
          type = p.getText();
        }
        p.skipChildren();
      }
      if (t != JsonToken.END_OBJECT || user < 0 || event < 0) {
        return null;
      }
    } catch (IOException e) {
      return null;
    }
    return new Ids(user, event, type);
  }

  /** Offsets of the two id values in a line, and its event type. */
  record Ids(int user, int event, String type) {
    String rekey(String line, int copy) {
      if (copy == 0) {
        return line;
      }
      String prefix = CopyIds.prefix(copy);
      int first = Math.min(user, event);
      int second = Math.max(user, event);
      return line.substring(0, first)
          + prefix
          + line.substring(first, second)
          + prefix
          + line.substring(second);
    }
  }
}

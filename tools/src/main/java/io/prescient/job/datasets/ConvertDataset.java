package io.prescient.job.datasets;

import static io.prescient.job.cli.CommandOptions.opt;

import io.prescient.job.cli.CommandOptions;
import io.prescient.job.cli.CommandOptions.Opt;
import io.prescient.state.contract.Event;
import io.prescient.state.json.OutputJson;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;

/**
 * {@code ./prescient convert --dataset NAME --input FILE --output FILE [--limit N]}: a shared
 * dataset (CSV, optionally .gz) to events JSON lines (.jsonl, or .jsonl.gz), sorted by event time,
 * with a summary of what was written and skipped. See docs/datasets.md for the mappings.
 */
public final class ConvertDataset {
  private ConvertDataset() {}

  static final String COMMAND = "prescient convert";

  static final List<Opt> OPTIONS =
      List.of(
          opt(
              "--dataset",
              "NAME",
              null,
              "the dataset's format: online-retail, taobao or rees46 (see docs/datasets.md);"
                  + " required"),
          opt("--input", "FILE", null, "the dataset, CSV (optionally .gz); required"),
          opt(
              "--output",
              "FILE",
              null,
              "events JSON lines (.jsonl, or .jsonl.gz), sorted by event time; required"),
          opt("--limit", "ROWS", "0", "read only the first ROWS rows of the input (0: all)"));

  public static void main(String[] args) throws Exception {
    CommandOptions.main(COMMAND, () -> run(args));
  }

  /** The command with {@code args}; a user error is a {@link CommandOptions.UsageError}. */
  static void run(String[] args) throws IOException {
    CommandOptions.Parsed p =
        CommandOptions.parse(
            COMMAND,
            "A shared dataset (CSV, optionally .gz) to events JSON lines, sorted by event time,"
                + " with a summary of what was written and skipped.",
            OPTIONS,
            CommandOptions.Rest.NONE,
            args);
    if (p == null) {
      return;
    }
    if (!p.has("--dataset") || !p.has("--input") || !p.has("--output")) {
      throw p.error("--dataset, --input and --output are required");
    }
    DatasetConverter converter;
    try {
      converter = DatasetConverter.named(p.get("--dataset"));
    } catch (IllegalArgumentException e) {
      throw p.error(e.getMessage());
    }
    Path input = Path.of(p.get("--input"));
    if (!Files.isRegularFile(input)) {
      throw p.error("--input " + input + " is not a file");
    }
    long limit = p.getLong("--limit");
    if (limit < 0) {
      throw p.error("--limit must be 0 (all rows) or more, not " + limit);
    }
    Path output = Path.of(p.get("--output"));
    ConversionStats stats = convert(converter, input, output, limit);
    System.err.println("wrote " + output);
    stats.print(System.err, converter.hasCategoryTable());
  }

  /** Converts a file; returns the statistics of the run. */
  public static ConversionStats convert(
      DatasetConverter converter, Path input, Path output, long limit) throws IOException {
    ConversionStats stats = new ConversionStats();
    List<Event> events;
    try (Reader in = new InputStreamReader(open(input), StandardCharsets.UTF_8)) {
      events = converter.convertAll(in, limit, stats, System.err);
    }
    Path parent = output.toAbsolutePath().getParent();
    if (parent != null) {
      Files.createDirectories(parent);
    }
    Path tmp = output.resolveSibling(output.getFileName() + ".tmp");
    try (OutputStream out = create(tmp)) {
      for (Event e : events) {
        out.write(OutputJson.event(e));
        out.write('\n');
      }
    }
    Files.move(tmp, output, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    return stats;
  }

  private static InputStream open(Path p) throws IOException {
    InputStream in = Files.newInputStream(p);
    return p.toString().endsWith(".gz") ? new GZIPInputStream(in, 1 << 16) : in;
  }

  private static OutputStream create(Path p) throws IOException {
    OutputStream out = new BufferedOutputStream(Files.newOutputStream(p), 1 << 16);
    return p.toString().endsWith(".gz.tmp") || p.toString().endsWith(".gz")
        ? new GZIPOutputStream(out, 1 << 16)
        : out;
  }
}

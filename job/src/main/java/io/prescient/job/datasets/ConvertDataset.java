package io.prescient.job.datasets;

import io.prescient.state.contract.Event;
import io.prescient.state.json.OutputJson;
import java.io.BufferedOutputStream;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
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

  static final String USAGE =
      "usage: prescient convert --dataset online-retail|taobao|rees46 --input FILE"
          + " --output FILE [--limit ROWS]";

  public static void main(String[] args) throws IOException {
    String dataset = null;
    Path input = null;
    Path output = null;
    long limit = 0;
    try {
      for (int i = 0; i < args.length; i++) {
        String value = i + 1 < args.length ? args[i + 1] : null;
        switch (args[i]) {
          case "--dataset" -> dataset = value;
          case "--input" -> input = Path.of(value);
          case "--output" -> output = Path.of(value);
          case "--limit" -> limit = Long.parseLong(value);
          case "--help", "-h" -> {
            System.out.println(USAGE);
            return;
          }
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
        i++;
      }
      if (dataset == null || input == null || output == null) {
        throw new IllegalArgumentException("--dataset, --input and --output are required");
      }
      DatasetConverter.named(dataset);
    } catch (RuntimeException e) {
      System.err.println("prescient convert: " + e.getMessage() + "\n" + USAGE);
      System.exit(2);
      return;
    }
    ConversionStats stats = convert(DatasetConverter.named(dataset), input, output, limit);
    System.err.println("wrote " + output);
    stats.print(System.err, DatasetConverter.named(dataset).hasCategoryTable());
  }

  /** Converts a file; returns the statistics of the run. */
  public static ConversionStats convert(
      DatasetConverter converter, Path input, Path output, long limit) throws IOException {
    ConversionStats stats = new ConversionStats();
    List<Event> events;
    try (BufferedReader in =
        new BufferedReader(new InputStreamReader(open(input), StandardCharsets.UTF_8))) {
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

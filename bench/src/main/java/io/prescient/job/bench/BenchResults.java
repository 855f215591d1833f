package io.prescient.job.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The machine-readable results every benchmark program writes with {@code --results FILE}, which
 * {@link BenchmarkReport} turns into {@code BENCHMARKS.md}. One JSON object per program run, with
 * the machine it ran on.
 */
public final class BenchResults {
  private BenchResults() {}

  static final ObjectMapper JSON = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

  /** Writes {@code results} plus a {@code machine} entry to {@code file} (parents created). */
  public static void write(Path file, Map<String, Object> results) throws IOException {
    if (file == null) {
      return;
    }
    Map<String, Object> out = new LinkedHashMap<>(results);
    out.put("machine", machine());
    out.put("finished_at", Instant.now().toString());
    Path parent = file.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    JSON.writeValue(file.toFile(), out);
    System.out.println("results: " + file);
  }

  /** A results file written by {@link #write}. */
  public static JsonNode read(Path file) throws IOException {
    return JSON.readTree(file.toFile());
  }

  /** Cores, memory, Java and OS of this JVM's machine. */
  static Map<String, Object> machine() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cores", Runtime.getRuntime().availableProcessors());
    m.put(
        "java",
        "Java "
            + System.getProperty("java.version")
            + " ("
            + System.getProperty("java.vendor")
            + ")");
    m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.arch"));
    try {
      for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
        if (line.startsWith("MemTotal:")) {
          m.put(
              "memory_gib", Math.round(Long.parseLong(line.replaceAll("[^0-9]", "")) / 1048576.0));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: memory stays unknown
    }
    return m;
  }
}

package io.prescient.job.replay;

import io.prescient.job.PipelineIO;
import io.prescient.job.PrescientConfig;
import io.prescient.job.PrescientJob;
import io.prescient.job.PrescientPipeline;
import io.prescient.operators.Envelope;
import io.prescient.state.contract.Hashes;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.apache.flink.api.connector.source.Source;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.connector.kafka.source.enumerator.initializer.OffsetsInitializer;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;
import org.apache.kafka.common.TopicPartition;

/**
 * {@code ./prescient replay}: the production topology over event-log files on an embedded Flink
 * (RocksDB state, the configured parallelism), writing the decisions it would have made. Same
 * input, same configuration, same model: the same decisions as the live job, byte for byte. (The
 * profile operator decides a user's due timer before applying a later event of that user, so
 * decisions do not depend on when watermarks pass.)
 */
public final class ReplayCommand {
  private ReplayCommand() {}

  static final String USAGE =
      String.join(
          "\n",
          "usage: prescient replay (--events FILE | --kafka BOOTSTRAP [range]) [options] [--config FILE]"
              + " [--prescient.<key> VALUE ...]",
          "  --events FILE    events JSON lines (the events topic's format, as the converters write it)",
          "  --kafka SERVERS  read the events topic of this Kafka cluster instead of a file:",
          "    --topic T      the events topic (prescient.topic.events, default events)",
          "    --from X       where to start: an ISO-8601 instant (the first record at or after it),",
          "                   or offsets partition:offset,... (default: earliest)",
          "    --to X         where to stop, exclusive: an instant or offsets (default: the latest",
          "                   offsets when the replay starts)",
          "  --privacy FILE   privacy requests JSON lines (optional)",
          "  --models FILE    model announcements JSON lines (optional; for exact replays prefer",
          "                   --prescient.model.churn MANIFEST-URI, which serves from the first event)",
          "  --outcomes FILE  outcomes JSON lines {decision_id, user_id, type, timestamp, value?}",
          "                   (optional): joined to the decisions, written to feedback.jsonl",
          "  --catalog FILE   catalog JSON lines {product_id, category, price, margin, in_stock}",
          "                   (optional; products not in it are in stock with the default margin)",
          "  --output DIR     where decisions.jsonl, feedback.jsonl, dlq.jsonl and audit.jsonl go",
          "                   (default .local/replay)",
          "Any job option (see docs/configuration.md) may follow; the replay is always bounded and",
          "takes no checkpoints.");

  /** What a replay wrote. */
  public record Summary(Map<String, Integer> lines, String decisionsSha256, Path output) {}

  public static void main(String[] args) throws Exception {
    Map<String, String> own = new LinkedHashMap<>();
    own.put("--output", Path.of(".local", "replay").toString());
    List<String> rest = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--help", "-h" -> {
          System.out.println(USAGE);
          return;
        }
        case "--events",
            "--privacy",
            "--models",
            "--outcomes",
            "--catalog",
            "--output",
            "--kafka",
            "--topic",
            "--from",
            "--to" -> {
          if (i + 1 >= args.length) {
            fail(args[i] + " needs a value");
          }
          own.put(args[i], args[++i]);
        }
        default -> rest.add(args[i]);
      }
    }
    if (own.containsKey("--events") == own.containsKey("--kafka")) {
      fail("give exactly one of --events and --kafka");
    }
    Configuration options;
    try {
      options = PrescientConfig.fromArgs(rest.toArray(new String[0]));
    } catch (PrescientConfig.ConfigException e) {
      fail(e.getMessage());
      return;
    }
    for (String k : List.of("--events", "--privacy", "--models", "--outcomes", "--catalog")) {
      if (own.containsKey(k) && !Files.isRegularFile(Path.of(own.get(k)))) {
        fail(k + " " + own.get(k) + " is not a file");
      }
    }
    long t0 = System.nanoTime();
    String from = own.containsKey("--events") ? own.get("--events") : own.get("--kafka");
    System.err.println("[replay] " + from + " -> " + own.get("--output"));
    Summary s;
    Inputs inputs =
        new Inputs(
            path(own.get("--privacy")),
            path(own.get("--models")),
            path(own.get("--outcomes")),
            path(own.get("--catalog")));
    if (own.containsKey("--events")) {
      s = run(options, Path.of(own.get("--events")), inputs, Path.of(own.get("--output")));
    } else {
      String topic =
          own.getOrDefault("--topic", options.get(io.prescient.job.PrescientOptions.TOPIC_EVENTS));
      Configuration c = bounded(options);
      s =
          run(
              c,
              ReplayIO.kafkaRange(
                  c,
                  own.get("--kafka"),
                  topic,
                  offsets(topic, own.get("--from"), OffsetsInitializer.earliest()),
                  offsets(topic, own.get("--to"), OffsetsInitializer.latest())),
              inputs,
              Path.of(own.get("--output")));
    }
    System.out.printf(
        "decisions %,d, feedback %,d, dlq %,d, audit %,d in %.1f s%ndecisions.jsonl sha256 %s%n"
            + "output: %s%n",
        s.lines().get("decisions"),
        s.lines().get("feedback"),
        s.lines().get("dlq"),
        s.lines().get("audit"),
        (System.nanoTime() - t0) / 1e9,
        s.decisionsSha256(),
        s.output());
  }

  /** The replay's inputs besides the events; each may be null (none). */
  public record Inputs(Path privacy, Path models, Path outcomes, Path catalog) {}

  /** Runs the replay and merges its output into sorted {@code <name>.jsonl} files. */
  public static Summary run(Configuration options, Path events, Path privacy, Path models, Path out)
      throws Exception {
    return run(options, events, new Inputs(privacy, models, null, null), out);
  }

  public static Summary run(Configuration options, Path events, Inputs in, Path out)
      throws Exception {
    Configuration c = bounded(options);
    Path parts = out.resolve("parts");
    deleteTree(parts);
    return execute(
        c,
        ReplayIO.create(c, events, in.privacy(), in.models(), in.outcomes(), in.catalog(), parts),
        out);
  }

  /** As {@link #run(Configuration, Path, Inputs, Path)} over any events source. */
  public static Summary run(
      Configuration options, Source<Envelope, ?, ?> events, Path privacy, Path models, Path out)
      throws Exception {
    return run(options, events, new Inputs(privacy, models, null, null), out);
  }

  public static Summary run(
      Configuration options, Source<Envelope, ?, ?> events, Inputs in, Path out) throws Exception {
    Configuration c = bounded(options);
    Path parts = out.resolve("parts");
    deleteTree(parts);
    return execute(
        c,
        ReplayIO.create(c, events, in.privacy(), in.models(), in.outcomes(), in.catalog(), parts),
        out);
  }

  private static Configuration bounded(Configuration options) {
    Configuration c = new Configuration(options);
    c.setString("prescient.kafka.bounded", "true");
    c.setString("prescient.checkpoint.interval", "0 s");
    return c;
  }

  private static Summary execute(Configuration c, PipelineIO io, Path out) throws Exception {
    Path parts = out.resolve("parts");
    StreamExecutionEnvironment env = PrescientJob.environment(c);
    PrescientPipeline.build(env, io, c);
    env.execute("prescient-replay");
    Map<String, Integer> counts = new LinkedHashMap<>();
    for (String name : List.of("decisions", "feedback", "dlq", "audit")) {
      counts.put(name, merge(parts, name, out.resolve(name + ".jsonl")));
    }
    deleteTree(parts);
    return new Summary(counts, sha256(out.resolve("decisions.jsonl")), out.toAbsolutePath());
  }

  /** Concatenates the part files of {@code name}, sorts the lines, writes them to {@code file}. */
  static int merge(Path parts, String name, Path file) throws IOException {
    List<String> lines = new ArrayList<>();
    try (Stream<Path> s = Files.list(parts)) {
      for (Path p : s.filter(p -> p.getFileName().toString().startsWith(name + "-")).toList()) {
        lines.addAll(Files.readAllLines(p, StandardCharsets.UTF_8));
      }
    }
    lines.sort(null);
    StringBuilder sb = new StringBuilder();
    lines.forEach(l -> sb.append(l).append('\n'));
    Files.writeString(file, sb.toString(), StandardCharsets.UTF_8);
    return lines.size();
  }

  static String sha256(Path file) throws IOException {
    return Hashes.sha256Hex(Files.readAllBytes(file));
  }

  /** Deletes a directory tree, if there is one. */
  public static void deleteTree(Path dir) throws IOException {
    if (!Files.exists(dir)) {
      return;
    }
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  /** An instant, or partition:offset pairs; {@code dflt} when absent. */
  static OffsetsInitializer offsets(String topic, String spec, OffsetsInitializer dflt) {
    if (spec == null) {
      return dflt;
    }
    if (!spec.contains(":") || spec.contains("T")) {
      return OffsetsInitializer.timestamp(java.time.Instant.parse(spec).toEpochMilli());
    }
    Map<TopicPartition, Long> m = new java.util.HashMap<>();
    for (String part : spec.split(",")) {
      String[] po = part.trim().split(":");
      m.put(new TopicPartition(topic, Integer.parseInt(po[0])), Long.parseLong(po[1]));
    }
    return OffsetsInitializer.offsets(m);
  }

  private static Path path(String s) {
    return s == null ? null : Path.of(s);
  }

  static void fail(String message) {
    System.err.println("prescient replay: " + message + "\n" + USAGE);
    System.exit(2);
  }
}

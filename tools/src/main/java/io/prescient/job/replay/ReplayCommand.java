package io.prescient.job.replay;

import static io.prescient.job.cli.CommandOptions.opt;

import io.prescient.job.PipelineIO;
import io.prescient.job.PrescientJob;
import io.prescient.job.PrescientPipeline;
import io.prescient.job.cli.CommandOptions;
import io.prescient.job.cli.CommandOptions.Opt;
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

  static final String COMMAND = "prescient replay";

  static final List<Opt> OPTIONS =
      List.of(
          opt(
              "--events",
              "FILE",
              null,
              "events JSON lines (the events topic's format, as the converters write it)"),
          opt("--kafka", "SERVERS", null, "read the events topic of this Kafka cluster instead"),
          opt(
              "--topic",
              "T",
              null,
              "with --kafka: the events topic (default prescient.topic.events)"),
          opt(
              "--from",
              "X",
              null,
              "with --kafka: where to start, an ISO-8601 instant (the first record at or after"
                  + " it) or offsets partition:offset,... (default: earliest)"),
          opt(
              "--to",
              "X",
              null,
              "with --kafka: where to stop, exclusive: an instant or offsets (default: the latest"
                  + " offsets when the replay starts)"),
          opt("--privacy", "FILE", null, "privacy requests JSON lines"),
          opt(
              "--models",
              "FILE",
              null,
              "model announcements JSON lines (for exact replays prefer --prescient.model.churn"
                  + " MANIFEST-URI, which serves from the first event)"),
          opt(
              "--outcomes",
              "FILE",
              null,
              "outcomes JSON lines {decision_id, user_id, type, timestamp, value?}, joined to the"
                  + " decisions and written to feedback.jsonl"),
          opt(
              "--catalog",
              "FILE",
              null,
              "catalog JSON lines {product_id, category, price, margin, in_stock} (products not in"
                  + " it are in stock with the default margin)"),
          opt(
              "--output",
              "DIR",
              Path.of(".local", "replay").toString(),
              "where decisions.jsonl, feedback.jsonl, dlq.jsonl and audit.jsonl go"));

  /** What a replay wrote. */
  public record Summary(Map<String, Integer> lines, String decisionsSha256, Path output) {}

  public static void main(String[] args) throws Exception {
    CommandOptions.main(COMMAND, () -> run(args));
  }

  private static void run(String[] args) throws Exception {
    CommandOptions.Parsed p =
        CommandOptions.parse(
            COMMAND,
            "The production topology over an event log (a file, or a range of a Kafka topic) on"
                + " an embedded Flink with RocksDB state, writing the decisions it would have made."
                + " Give exactly one of --events and --kafka.",
            OPTIONS,
            CommandOptions.Rest.JOB_OPTIONS,
            args,
            "The replay is always bounded and takes no checkpoints.");
    if (p == null) {
      return;
    }
    Map<String, String> own = p.values();
    if (own.containsKey("--events") == own.containsKey("--kafka")) {
      throw p.error("give exactly one of --events and --kafka");
    }
    Configuration options = p.jobConfiguration();
    for (String k : List.of("--events", "--privacy", "--models", "--outcomes", "--catalog")) {
      if (own.containsKey(k) && !Files.isRegularFile(Path.of(own.get(k)))) {
        throw p.error(k + " " + own.get(k) + " is not a file");
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
    try {
      if (!spec.contains(":") || spec.contains("T")) {
        return OffsetsInitializer.timestamp(java.time.Instant.parse(spec).toEpochMilli());
      }
      Map<TopicPartition, Long> m = new java.util.HashMap<>();
      for (String part : spec.split(",")) {
        String[] po = part.trim().split(":");
        m.put(new TopicPartition(topic, Integer.parseInt(po[0])), Long.parseLong(po[1]));
      }
      return OffsetsInitializer.offsets(m);
    } catch (RuntimeException e) {
      throw new CommandOptions.UsageError(
          COMMAND
              + ": '"
              + spec
              + "' is neither an ISO-8601 instant (2011-12-01T00:00:00Z) nor offsets"
              + " (partition:offset,...)");
    }
  }

  private static Path path(String s) {
    return s == null ? null : Path.of(s);
  }
}

package io.prescient.job.bench;

import io.prescient.job.PipelineIO;
import io.prescient.job.PrescientConfig;
import io.prescient.job.PrescientJob;
import io.prescient.job.PrescientPipeline;
import io.prescient.job.datasets.CopyLog;
import io.prescient.job.replay.JsonLinesSink;
import io.prescient.job.replay.ReplayIO;
import io.prescient.operators.Envelope;
import io.prescient.operators.RouteFunction;
import io.prescient.state.json.OutputJson;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.apache.flink.api.common.eventtime.WatermarkStrategy;
import org.apache.flink.configuration.Configuration;
import org.apache.flink.streaming.api.environment.StreamExecutionEnvironment;

/**
 * The whole job against a passthrough job on the same input, side by side in one run, at the same
 * parallelism: (a) read the events file, parse and validate with the job's own router, write the
 * valid events back out as JSON lines; (b) the production topology ({@link PrescientPipeline}:
 * RocksDB profile state, four triggers, the policy with guardrails, the 24 h delay, feedback) over
 * the same file, writing its decisions, feedback, DLQ and audit records. Both are bounded; the
 * figure is events / job runtime. Rounds alternate (a) and (b), so machine noise shows.
 *
 * <pre>
 * ./prescient bench-job --input .local/data/taobao.jsonl [--copies 10] [--rounds 2] [--parallelism 2]
 * </pre>
 *
 * {@code --copies N} writes the log N times with user and event ids re-keyed per copy (more users,
 * the same behaviour) into one file first ({@link CopyLog}, as {@code ./prescient copies} does).
 * File sources and sinks, not Kafka: this measures the job's own cost over parsing; Kafka's is the
 * same for both and left out.
 */
public final class JobBenchmark {
  private JobBenchmark() {}

  static final String USAGE =
      String.join(
          "\n",
          "usage: prescient bench-job --input EVENTS.jsonl [--copies N] [--rounds R] [--parallelism P]",
          "  --input FILE       events JSON lines (a converted dataset; see docs/datasets.md)",
          "  --copies N         the log N times, re-keyed per copy (10)",
          "  --rounds R         rounds of (passthrough, full job) (2)",
          "  --parallelism P    of both jobs (2)",
          "  --work DIR         scratch directory for the input copies and outputs (.local/bench)",
          "  --results FILE     also write the figures as JSON (for ./prescient bench-suite)",
          "Prints events/s, events/s per core (/ P) and the ratio full / passthrough per round.");

  public static void main(String[] args) throws Exception {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("--copies", "10");
    o.put("--rounds", "2");
    o.put("--parallelism", "2");
    o.put("--work", Path.of(".local", "bench").toString());
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--help") || args[i].equals("-h")) {
        System.out.println(USAGE);
        return;
      }
      if (i + 1 >= args.length || !args[i].startsWith("--")) {
        System.err.println("prescient bench-job: unknown or incomplete argument " + args[i]);
        System.err.println(USAGE);
        System.exit(2);
      }
      o.put(args[i], args[++i]);
    }
    if (!o.containsKey("--input") || !Files.isRegularFile(Path.of(o.get("--input")))) {
      System.err.println("prescient bench-job: --input must name an events file\n" + USAGE);
      System.exit(2);
    }
    Path work = Path.of(o.get("--work"));
    Files.createDirectories(work);
    Path input = work.resolve("job-bench-input.jsonl");
    int copies = Integer.parseInt(o.get("--copies"));
    CopyLog.Written written = CopyLog.write(Path.of(o.get("--input")), copies, input);
    Map<String, Integer> mix = written.types();
    System.out.println("event types per copy: " + mix);
    long events = written.lines();
    int p = Integer.parseInt(o.get("--parallelism"));
    int rounds = Integer.parseInt(o.get("--rounds"));
    System.out.printf(
        Locale.ROOT,
        "%,d events (%d copies of %s), parallelism %d, %d rounds%n",
        events,
        copies,
        o.get("--input"),
        p,
        rounds);
    List<double[]> results = new ArrayList<>();
    for (int round = 1; round <= rounds; round++) {
      double pass = events / seconds(() -> passthrough(input, work.resolve("pass"), p));
      System.out.printf(
          Locale.ROOT,
          "round %d  passthrough (parse, validate, write)  %,9.0f events/s  %,8.0f per core%n",
          round,
          pass,
          pass / p);
      double full = events / seconds(() -> fullJob(input, work.resolve("full"), p));
      System.out.printf(
          Locale.ROOT,
          "round %d  full Prescient job                   %,9.0f events/s  %,8.0f per core%n",
          round,
          full,
          full / p);
      System.out.printf(
          Locale.ROOT, "round %d  ratio full / passthrough: %.2f%n", round, full / pass);
      // What the full job wrote: a benchmark whose input mostly ends in the DLQ measures the DLQ.
      long decisions = lines(work.resolve("full").resolve("parts"), "decisions");
      long dlq = lines(work.resolve("full").resolve("parts"), "dlq");
      System.out.printf(
          Locale.ROOT,
          "round %d  full job wrote %,d decisions, %,d DLQ records%n",
          round,
          decisions,
          dlq);
      results.add(new double[] {pass, full, decisions, dlq});
    }
    List<Map<String, Object>> roundResults = new ArrayList<>();
    for (int i = 0; i < results.size(); i++) {
      Map<String, Object> r = new LinkedHashMap<>();
      r.put("round", i + 1);
      r.put("passthrough_events_per_second", Math.round(results.get(i)[0]));
      r.put("full_events_per_second", Math.round(results.get(i)[1]));
      r.put("ratio", Math.round(results.get(i)[1] / results.get(i)[0] * 1000) / 1000.0);
      r.put("full_job_decisions", (long) results.get(i)[2]);
      r.put("full_job_dlq_records", (long) results.get(i)[3]);
      roundResults.add(r);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("input", Path.of(o.get("--input")).getFileName().toString());
    out.put("copies", copies);
    out.put("events", events);
    out.put("event_types_per_copy", mix);
    out.put("parallelism", p);
    out.put("rounds", roundResults);
    BenchResults.write(o.containsKey("--results") ? Path.of(o.get("--results")) : null, out);
  }

  /** Lines in the part files of one output ({@code NAME-*.jsonl}) under {@code parts}. */
  static long lines(Path parts, String name) throws IOException {
    long n = 0;
    try (java.util.stream.Stream<Path> files = Files.list(parts)) {
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith(name + "-")).toList()) {
        try (java.util.stream.Stream<String> l = Files.lines(f, StandardCharsets.UTF_8)) {
          n += l.count();
        }
      }
    }
    return n;
  }

  interface Run {
    void run() throws Exception;
  }

  private static double seconds(Run r) throws Exception {
    long t0 = System.nanoTime();
    r.run();
    return (System.nanoTime() - t0) / 1e9;
  }

  private static Configuration options(int parallelism, Path dir) throws IOException {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("prescient.parallelism", Integer.toString(parallelism));
    o.put("prescient.kafka.bounded", "true");
    o.put("prescient.checkpoint.interval", "0 s");
    o.put("prescient.delivery-guarantee", "at-least-once"); // file sinks: no transactions
    o.put("prescient.checkpoint.dir", dir.resolve("checkpoints").toUri().toString());
    return PrescientConfig.fromMap(o);
  }

  private static void passthrough(Path input, Path out, int p) throws Exception {
    Configuration c = options(p, out);
    PipelineIO io = ReplayIO.create(c, input, null, null, out.resolve("parts"));
    StreamExecutionEnvironment env = PrescientJob.environment(c);
    env.fromSource(io.events(), WatermarkStrategy.noWatermarks(), "events")
        .uid("source")
        .process(new RouteFunction())
        .uid("route")
        .sinkTo(
            new JsonLinesSink<Envelope>(
                out.resolve("parts"), "events", e -> OutputJson.event(e.event)))
        .uid("sink");
    env.execute("bench-passthrough");
  }

  private static void fullJob(Path input, Path out, int p) throws Exception {
    Configuration c = options(p, out);
    PipelineIO io = ReplayIO.create(c, input, null, null, out.resolve("parts"));
    StreamExecutionEnvironment env = PrescientJob.environment(c);
    PrescientPipeline.build(env, io, c);
    env.execute("bench-full-job");
  }
}

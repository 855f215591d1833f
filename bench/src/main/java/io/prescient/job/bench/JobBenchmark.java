package io.prescient.job.bench;

import static io.prescient.job.cli.CommandOptions.flag;
import static io.prescient.job.cli.CommandOptions.opt;

import io.prescient.job.PipelineIO;
import io.prescient.job.PrescientConfig;
import io.prescient.job.PrescientJob;
import io.prescient.job.PrescientPipeline;
import io.prescient.job.cli.CommandOptions;
import io.prescient.job.cli.CommandOptions.Opt;
import io.prescient.job.datasets.CopyLog;
import io.prescient.job.replay.JsonLinesSink;
import io.prescient.job.replay.ReplayClock;
import io.prescient.job.replay.ReplayIO;
import io.prescient.operators.Envelope;
import io.prescient.operators.PolicyCore;
import io.prescient.operators.ProfileFunction;
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
 * the same file, writing its decisions, feedback, DLQ and audit records. Both are bounded. The
 * figure is the steady state: events / the time from the first record read to the last record
 * written ({@link ReplayClock}); start-up (submission to first record) and shutdown are reported
 * beside it, not in it. Rounds alternate (a) and (b), so machine noise shows. A job whose steady
 * span is under 60 s gets a warning: raise {@code --copies}.
 *
 * <pre>
 * ./prescient bench-job --input .local/data/taobao.jsonl [--copies 30] [--rounds 2] [--parallelism 2]
 * </pre>
 *
 * {@code --copies N} writes the log N times with user and event ids re-keyed per copy (more users,
 * the same behaviour) into one file first ({@link CopyLog}, as {@code ./prescient copies} does).
 * File sources and sinks, not Kafka: this measures the job's own cost over parsing; Kafka's is the
 * same for both and left out.
 */
public final class JobBenchmark {
  private JobBenchmark() {}

  static final String COMMAND = "prescient bench-job";

  /** Copies of the input by default: the Taobao slice x 20 is 1.6 million events. */
  static final int DEFAULT_COPIES = 30;

  /**
   * The passthrough's copies by default: about a minute of its steady state over files on 2 cores
   * (200 gave 39-46 s on 2026-12-04; through a broker 200 are enough: 88-90 s).
   */
  static final int DEFAULT_PASSTHROUGH_COPIES = 300;

  /** The warm-up's copies by default: about a minute of the full job on 2 cores. */
  static final int DEFAULT_WARMUP_COPIES = 10;

  static final List<Opt> OPTIONS =
      List.of(
          opt(
              "--input",
              "FILE",
              null,
              "events JSON lines (a converted dataset; see docs/datasets.md); required"),
          opt(
              "--copies",
              "N",
              Integer.toString(DEFAULT_COPIES),
              "the log N times, re-keyed per copy (30: 24,420 users; the full job then runs for"
                  + " minutes on 2 cores, the passthrough for seconds)"),
          opt(
              "--passthrough-copies",
              "N",
              Integer.toString(DEFAULT_PASSTHROUGH_COPIES),
              "the log N times for the passthrough: it is stateless, so its rate per event does"
                  + " not depend on the copies, and with as many as the full job it would run for"
                  + " seconds, mostly warm-up"),
          opt(
              "--warmup-copies",
              "N",
              Integer.toString(DEFAULT_WARMUP_COPIES),
              "before the rounds each job runs once over the log N times, not measured: the full"
                  + " job's events per CPU-second rose by half from its first minute to its second"
                  + " with a warm-up of one copy (the JIT); 0: no warm-up"),
          opt("--rounds", "R", "2", "rounds of (passthrough, full job)"),
          opt("--parallelism", "P", "2", "of both jobs"),
          opt(
              "--via",
              "IO",
              "files",
              "files: both jobs read a JSON-lines file and write files; kafka: they read a topic"
                  + " of a real broker process (written once, before the first round) and write"
                  + " topics, as in production"),
          opt(
              "--kafka-classpath-file",
              "F",
              Path.of("deploy", "local-kafka", "target", "kafka.classpath").toString(),
              "the broker's class path, for --via kafka (./prescient builds it)"),
          opt(
              "--work",
              "DIR",
              Path.of(".local", "bench").toString(),
              "scratch directory for the input copies and outputs"),
          flag(
              "--profile",
              "record each round's full job with JFR (WORK/profile-round-R.jfr, for jfr print or"
                  + " JMC) and print where its per-user task's threads spent their time"),
          opt(
              "--results",
              "FILE",
              null,
              "also write the figures as JSON (for ./prescient bench-suite)"));

  public static void main(String[] args) throws Exception {
    CommandOptions.main(COMMAND, () -> run(args));
  }

  /** The command with {@code args}; a user error is a {@link CommandOptions.UsageError}. */
  static void run(String[] args) throws Exception {
    CommandOptions.Parsed o =
        CommandOptions.parse(
            COMMAND,
            "The whole job against a parse-and-write passthrough job on the same input, side by"
                + " side in one run, at the same parallelism, both bounded, over files or (--via"
                + " kafka) through a real broker. Prints steady-state events/s (first record read to last record"
                + " written), per core (/ P), start-up and shutdown seconds, and the ratio full /"
                + " passthrough per round.",
            OPTIONS,
            CommandOptions.Rest.JOB_OPTIONS,
            args,
            "Both jobs get the job and Flink options given, for example"
                + " --prescient.profile.cache-size 1024.");
    if (o == null) {
      return;
    }
    if (!o.has("--input") || !Files.isRegularFile(Path.of(o.get("--input")))) {
      throw o.error("--input must name an events file");
    }
    int copies = o.getInt("--copies", 1, Integer.MAX_VALUE);
    int passCopies = o.getInt("--passthrough-copies", 1, Integer.MAX_VALUE);
    int p = o.getInt("--parallelism", 1, Integer.MAX_VALUE);
    int rounds = o.getInt("--rounds", 1, Integer.MAX_VALUE);
    int warmCopies = o.getInt("--warmup-copies", 0, Integer.MAX_VALUE);
    String via = o.get("--via");
    if (!via.equals("files") && !via.equals("kafka")) {
      throw o.error("--via must be files or kafka, not '" + via + "'");
    }
    Path kafkaCp = Path.of(o.get("--kafka-classpath-file"));
    if (via.equals("kafka") && !Files.isRegularFile(kafkaCp)) {
      throw o.error(
          "--kafka-classpath-file "
              + kafkaCp
              + " is not a file (./prescient builds and passes it)");
    }
    JOB_OPTIONS.putAll(o.checkedJobOptions());
    Path work = Path.of(o.get("--work"));
    try {
      options(p, work.resolve("full")); // the options with the benchmark's own: checked now
    } catch (PrescientConfig.ConfigException e) {
      throw o.error(e.getMessage());
    }
    Files.createDirectories(work);
    Path input = work.resolve("job-bench-input.jsonl");
    CopyLog.Written written = CopyLog.write(Path.of(o.get("--input")), copies, input);
    Map<String, Integer> mix = written.types();
    System.out.println("event types per copy: " + mix);
    long events = written.lines();
    Path passInput = work.resolve("job-bench-passthrough-input.jsonl");
    long passEvents = CopyLog.write(Path.of(o.get("--input")), passCopies, passInput).lines();
    Path warmInput = work.resolve("job-bench-warm-up.jsonl");
    if (warmCopies > 0) {
      CopyLog.write(Path.of(o.get("--input")), warmCopies, warmInput);
    }
    System.out.printf(Locale.ROOT, "passthrough: %,d events (%d copies)%n", passEvents, passCopies);
    System.out.printf(
        Locale.ROOT,
        "%,d events (%d copies of %s), parallelism %d, %d rounds, via %s%n",
        events,
        copies,
        o.get("--input"),
        p,
        rounds,
        via);
    List<double[]> results = new ArrayList<>();
    List<Timing[]> timings = new ArrayList<>();
    KafkaJobRuns kafka =
        via.equals("kafka") ? KafkaJobRuns.start(work, kafkaCp, input, passInput, p) : null;
    CpuClock clock = new CpuClock(kafka == null ? null : kafka.brokerProcess());
    try {
      // Each job once over the warm-up copies, not measured: no round pays for the JIT's
      // compilation of the operators (through Kafka too; its clients warm up in round 1).
      if (warmCopies > 0) {
        long w0 = System.nanoTime();
        time(() -> passthrough(warmInput, work.resolve("warm-pass"), p), clock);
        time(() -> fullJob(warmInput, work.resolve("warm-full"), p), clock);
        System.out.printf(
            Locale.ROOT,
            "warm-up: each job once over %d copies in %.1f s (not measured)%n",
            warmCopies,
            (System.nanoTime() - w0) / 1e9);
      }
      Jobs jobs =
          kafka == null
              ? files(input, passInput, work, p, clock)
              : kafka.jobs(
                  options(p, work.resolve("pass")), options(p, work.resolve("full")), clock);
      for (int round = 1; round <= rounds; round++) {
        Timing passRun = jobs.passthrough(round);
        double pass = passEvents / passRun.steady();
        print(round, "passthrough (parse, validate, write)", pass, p, passRun);
        TaskProfile profile = o.has("--profile") ? TaskProfile.start() : null;
        FullRun fullRun = jobs.fullJob(round);
        Path recorded =
            profile == null ? null : profile.stop(work.resolve("profile-round-" + round + ".jfr"));
        double full = events / fullRun.timing().steady();
        print(round, "full Prescient job                  ", full, p, fullRun.timing());
        timings.add(new Timing[] {passRun, fullRun.timing()});
        System.out.printf(
            Locale.ROOT,
            "round %d  ratio full / passthrough: %.2f; per CPU-second %.2f%n",
            round,
            full / pass,
            fullRun.timing().perCpuSecond(events) / passRun.perCpuSecond(passEvents));
        // What the full job wrote: a benchmark whose input mostly ends in the DLQ measures the DLQ.
        System.out.printf(
            Locale.ROOT,
            "round %d  full job wrote %,d decisions, %,d DLQ records%n",
            round,
            fullRun.decisions(),
            fullRun.dlq());
        if (recorded != null) {
          printProfile(round, recorded);
        }
        results.add(new double[] {pass, full, fullRun.decisions(), fullRun.dlq()});
      }
    } finally {
      clock.close();
      if (kafka != null) {
        kafka.close(); // the broker is a process of its own: never left running
      }
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
      Timing[] t = timings.get(i);
      r.put("passthrough_steady_seconds", round1(t[0].steady()));
      r.put("passthrough_startup_seconds", round1(t[0].startup()));
      r.put("full_steady_seconds", round1(t[1].steady()));
      r.put("full_startup_seconds", round1(t[1].startup()));
      r.put("full_shutdown_seconds", round1(t[1].shutdown()));
      // CPU of the steady state: this JVM (the MiniCluster, sources, sinks, JIT, GC) and the broker
      r.put("passthrough_cpu_seconds", round1(t[0].cpu()));
      r.put("full_cpu_seconds", round1(t[1].cpu()));
      r.put("passthrough_events_per_cpu_second", Math.round(t[0].perCpuSecond(passEvents)));
      r.put("full_events_per_cpu_second", Math.round(t[1].perCpuSecond(events)));
      if (t[1].brokerCpu() > 0) {
        r.put("passthrough_broker_cpu_seconds", round1(t[0].brokerCpu()));
        r.put("full_broker_cpu_seconds", round1(t[1].brokerCpu()));
      }
      roundResults.add(r);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("input", Path.of(o.get("--input")).getFileName().toString());
    out.put("copies", copies);
    out.put("events", events);
    out.put("passthrough_copies", passCopies);
    out.put("passthrough_events", passEvents);
    out.put("warmup_copies", warmCopies);
    out.put("event_types_per_copy", mix);
    out.put("parallelism", p);
    out.put("via", via);
    out.put("job_options", JOB_OPTIONS);
    out.put("rounds", roundResults);
    BenchResults.write(o.has("--results") ? Path.of(o.get("--results")) : null, out);
    // The changelog state backend's upload threads outlive a finished local job: exit anyway.
    System.exit(0);
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

  /** Job and Flink options given as {@code --<key> VALUE}: both jobs run with them. */
  private static final Map<String, String> JOB_OPTIONS = new LinkedHashMap<>();

  /** A job's steady span shorter than this is mostly JIT warm-up and noise. */
  static final double MIN_STEADY_SECONDS = 60;

  interface Run {
    void run() throws Exception;
  }

  /** Where the per-user task's time goes (see {@link TaskProfile}): the areas printed. */
  static final List<TaskProfile.Area> AREAS =
      List.of(
          TaskProfile.Area.classPrefix(
              "RocksDB calls (org.rocksdb: native and JNI)", "org.rocksdb."),
          TaskProfile.Area.classPrefix(
              "timers kept in RocksDB",
              "org.apache.flink.state.rocksdb.RocksDBCachingPriorityQueueSet"),
          TaskProfile.Area.classPrefix(
              "Flink's POJO serializers (policy state, chained copies)",
              "org.apache.flink.api.java.typeutils.runtime.PojoSerializer"),
          TaskProfile.Area.classPrefix(
              "the profile's serializer", "io.prescient.operators.UserProfileSerializer"),
          TaskProfile.Area.method(
              "profile: events (with the policy for what they decide)",
              ProfileFunction.class,
              "processElement"),
          TaskProfile.Area.method(
              "profile: trigger timers (with the policy for what they decide)",
              ProfileFunction.class,
              "onTimer"),
          TaskProfile.Area.method("policy: deciding", PolicyCore.class, "decide"),
          TaskProfile.Area.method("policy: settling what is due", PolicyCore.class, "settle"),
          TaskProfile.Area.method(
              "policy: purchases and outcomes", PolicyCore.class, "onPurchase", "onOutcome"),
          TaskProfile.Area.classPrefix("decision and feedback JSON", OutputJson.class.getName()));

  private static void printProfile(int round, Path jfr) throws IOException {
    TaskProfile.Summary s = TaskProfile.summarize(jfr, PrescientPipeline.PROFILE_NAME, AREAS, 8);
    System.out.printf(
        Locale.ROOT,
        "round %d  profile of the full job's '%s' threads: %,d ms sampled (%s)%n",
        round,
        PrescientPipeline.PROFILE_NAME,
        s.sampledMs(),
        jfr);
    for (String line : s.lines()) {
      System.out.printf(Locale.ROOT, "round %d    %s%n", round, line);
    }
  }

  /** A round's two jobs, over files or through a broker ({@link KafkaJobRuns#jobs}). */
  interface Jobs {
    Timing passthrough(int round) throws Exception;

    FullRun fullJob(int round) throws Exception;
  }

  /** The full job's run and what it wrote: a benchmark whose input ends in the DLQ measures it. */
  record FullRun(Timing timing, long decisions, long dlq) {}

  /**
   * Both jobs over files: the passthrough over {@code passInput}, the full job over {@code input}.
   */
  private static Jobs files(Path input, Path passInput, Path work, int p, CpuClock clock) {
    return new Jobs() {
      @Override
      public Timing passthrough(int round) throws Exception {
        return time(() -> JobBenchmark.passthrough(passInput, work.resolve("pass"), p), clock);
      }

      @Override
      public FullRun fullJob(int round) throws Exception {
        Timing t = time(() -> JobBenchmark.fullJob(input, work.resolve("full"), p), clock);
        Path parts = work.resolve("full").resolve("parts");
        return new FullRun(t, lines(parts, "decisions"), lines(parts, "dlq"));
      }
    };
  }

  /**
   * One job's run: seconds from submission to the first record read (start-up), from the first
   * record read to the last record written (the steady state the figure divides by), and from then
   * to the job's end (shutdown: final flushes and the MiniCluster stopping).
   */
  record Timing(double startup, double steady, double shutdown, double cpu, double brokerCpu) {
    /** The CPU cores the steady state used on average: this JVM, and the broker process. */
    double cores() {
      return cpu / steady;
    }

    /** {@code events} over the CPU seconds of this JVM in the steady state. */
    double perCpuSecond(long events) {
      return events / cpu;
    }
  }

  static Timing time(Run r, CpuClock clock) throws Exception {
    ReplayClock.reset();
    long t0 = System.nanoTime();
    r.run();
    long t1 = System.nanoTime();
    long first = ReplayClock.firstRead();
    long last = ReplayClock.lastWrite();
    if (first == 0 || last <= first) {
      throw new IllegalStateException("the job read or wrote nothing: no steady state to measure");
    }
    double[] cpu = clock.betweenNanos(first, last);
    return new Timing((first - t0) / 1e9, (last - first) / 1e9, (t1 - last) / 1e9, cpu[0], cpu[1]);
  }

  private static void print(int round, String what, double rate, int p, Timing t) {
    System.out.printf(
        Locale.ROOT,
        "round %d  %s %,9.0f events/s  %,8.0f per core   (steady %.1f s; start-up %.1f s,"
            + " shutdown %.1f s, not counted)%n"
            + "round %d  %s %,9.0f events per CPU-second (the JVM used %.2f cores%s)%n",
        round,
        what,
        rate,
        rate / p,
        t.steady(),
        t.startup(),
        t.shutdown(),
        round,
        what,
        rate * t.steady() / t.cpu(),
        t.cores(),
        t.brokerCpu() > 0
            ? String.format(Locale.ROOT, ", the broker %.2f", t.brokerCpu() / t.steady())
            : "");
    if (t.steady() < MIN_STEADY_SECONDS) {
      System.out.printf(
          Locale.ROOT,
          "round %d  warning: a steady span under %.0f s is mostly warm-up and noise: raise --copies%n",
          round,
          MIN_STEADY_SECONDS);
    }
  }

  private static double round1(double x) {
    return Math.round(x * 10) / 10.0;
  }

  private static Configuration options(int parallelism, Path dir) throws IOException {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("prescient.parallelism", Integer.toString(parallelism));
    o.put("prescient.kafka.bounded", "true");
    o.put("prescient.checkpoint.interval", "0 s");
    o.put("prescient.delivery-guarantee", "at-least-once"); // file sinks: no transactions
    o.put("prescient.checkpoint.dir", dir.resolve("checkpoints").toUri().toString());
    // RocksDB's block cache and write buffers come from managed memory: 1 GB, as bench-state gives
    // the MiniCluster. At its default (128 MB) the full job was 2-3 times slower on 20 copies,
    // most of its time in RocksDB reads that missed the cache.
    o.put(LatencyBenchmark.MANAGED_MEMORY, "1g");
    o.putAll(JOB_OPTIONS);
    return PrescientConfig.fromMap(o);
  }

  private static void passthrough(Path input, Path out, int p) throws Exception {
    Configuration c = options(p, out);
    PipelineIO io = ReplayIO.create(c, input, null, null, out.resolve("parts"));
    StreamExecutionEnvironment env = PrescientJob.environment(c);
    passthrough(
        env,
        io.events(),
        new JsonLinesSink<Envelope>(
            out.resolve("parts"), "events", e -> OutputJson.event(e.event)));
    env.execute("bench-passthrough");
  }

  /**
   * The passthrough's topology, over files or Kafka: read, parse and validate (the job's router),
   * write the valid events.
   */
  static void passthrough(
      StreamExecutionEnvironment env,
      org.apache.flink.api.connector.source.Source<Envelope, ?, ?> events,
      org.apache.flink.api.connector.sink2.Sink<Envelope> sink) {
    env.fromSource(events, WatermarkStrategy.noWatermarks(), "events")
        .uid("source")
        .process(new RouteFunction())
        .uid("route")
        .sinkTo(sink)
        .uid("sink");
  }

  private static void fullJob(Path input, Path out, int p) throws Exception {
    Configuration c = options(p, out);
    PipelineIO io = ReplayIO.create(c, input, null, null, out.resolve("parts"));
    StreamExecutionEnvironment env = PrescientJob.environment(c);
    PrescientPipeline.build(env, io, c);
    env.execute("bench-full-job");
  }
}

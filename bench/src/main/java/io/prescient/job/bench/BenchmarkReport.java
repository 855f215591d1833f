package io.prescient.job.bench;

import static io.prescient.job.cli.CommandOptions.opt;

import com.fasterxml.jackson.databind.JsonNode;
import io.prescient.job.PrescientJob;
import io.prescient.job.cli.CommandOptions;
import io.prescient.job.cli.CommandOptions.Opt;
import io.prescient.offline.report.Charts;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code ./prescient bench-report}: turns the JSON results of one {@code bench-suite} run into
 * {@code BENCHMARKS.md} and its PNG charts. The prose is a Markdown template with {@code
 * {{placeholders}}}; every figure, table, chart and goal verdict in the output is computed here
 * from the results, so the document cannot drift from what was measured. A benchmark whose results
 * file is missing is reported as not measured in this run.
 */
public final class BenchmarkReport {
  private BenchmarkReport() {}

  static final String COMMAND = "prescient bench-report";

  static final List<Opt> OPTIONS =
      List.of(
          opt(
              "--results",
              "DIR",
              Path.of(".local", "bench-suite", "results").toString(),
              "the JSON files of a bench-suite run"),
          opt(
              "--template",
              "FILE",
              Path.of("docs", "benchmarks", "TEMPLATE.md").toString(),
              "Markdown with {{placeholders}}"),
          opt("--output", "FILE", "BENCHMARKS.md", "the document to write"),
          opt(
              "--charts",
              "DIR",
              Path.of("docs", "benchmarks").toString(),
              "where the PNG charts go"),
          opt("--commit", "SHA", "(not given)", "the commit measured, shown in the document"),
          opt(
              "--command",
              "TEXT",
              "./prescient bench-suite",
              "the command that produced the results, shown in the document"));

  /** The latency runs of a suite, in the order the table shows them. */
  static final List<String> LATENCY_RUNS =
      List.of(
          "latency-sweep",
          "latency-load",
          "latency-load-100ms",
          "latency-load-5ms",
          "latency-load-native",
          "latency-load-5ms-requests",
          "latency-exactly-once",
          "latency-overload");

  /** Results files of one suite run, by benchmark. */
  static final List<String> FILES =
      Stream.of(
              Stream.of("job", "job-kafka"),
              LATENCY_RUNS.stream(),
              Stream.of("state", "scoring", "profile"))
          .flatMap(f -> f)
          .toList();

  public static void main(String[] args) throws Exception {
    CommandOptions.main(COMMAND, () -> run(args));
  }

  /** The command with {@code args}; a user error is a {@link CommandOptions.UsageError}. */
  static void run(String[] args) throws Exception {
    CommandOptions.Parsed p =
        CommandOptions.parse(
            COMMAND,
            "BENCHMARKS.md and its PNG charts from the JSON results of one bench-suite run: every"
                + " figure, table, chart and goal verdict is computed from the results. A"
                + " benchmark whose results file is missing is reported as not measured in this"
                + " run.",
            OPTIONS,
            CommandOptions.Rest.NONE,
            args);
    if (p == null) {
      return;
    }
    Map<String, String> o = p.values();
    if (!Files.isDirectory(Path.of(o.get("--results")))) {
      throw p.error("--results " + o.get("--results") + " is not a directory");
    }
    if (!Files.isRegularFile(Path.of(o.get("--template")))) {
      throw p.error("--template " + o.get("--template") + " is not a file");
    }
    Path output = Path.of(o.get("--output"));
    Path charts = Path.of(o.get("--charts"));
    Map<String, JsonNode> results = new LinkedHashMap<>();
    for (String name : FILES) {
      Path f = Path.of(o.get("--results")).resolve(name + ".json");
      if (Files.isRegularFile(f)) {
        results.put(name, BenchResults.read(f));
      } else {
        System.err.println("bench-report: no " + f + ": that benchmark is shown as not measured");
      }
    }
    String template = Files.readString(Path.of(o.get("--template")), StandardCharsets.UTF_8);
    Files.createDirectories(charts);
    Report r = new Report(results, charts, relative(output, charts));
    r.values.put("commit", o.get("--commit"));
    r.values.put("command", o.get("--command"));
    r.build();
    String doc;
    try {
      doc = fill(template, r.values);
    } catch (IllegalArgumentException e) {
      throw p.error(o.get("--template") + ": " + e.getMessage());
    }
    Files.writeString(output, doc, StandardCharsets.UTF_8);
    System.out.println("wrote " + output + " and the charts in " + charts);
  }

  /** The charts directory as the document links it. */
  static String relative(Path document, Path charts) {
    Path base = document.toAbsolutePath().normalize().getParent();
    return base.relativize(charts.toAbsolutePath().normalize()).toString().replace('\\', '/');
  }

  private static final Pattern PLACEHOLDER = Pattern.compile("\\{\\{([a-z0-9_.-]+)}}");

  /** Replaces every placeholder; an unknown one is an error, not a silent blank. */
  static String fill(String template, Map<String, String> values) {
    Matcher m = PLACEHOLDER.matcher(template);
    StringBuilder sb = new StringBuilder();
    TreeSet<String> unknown = new TreeSet<>();
    while (m.find()) {
      String v = values.get(m.group(1));
      if (v == null) {
        unknown.add(m.group(1));
        v = m.group();
      }
      m.appendReplacement(sb, Matcher.quoteReplacement(v));
    }
    m.appendTail(sb);
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException("the template names unknown values: " + unknown);
    }
    return sb.toString();
  }

  static String verdict(boolean met) {
    return met ? "**met**" : "**not met**";
  }

  /** A goal judged per round: met in all, in some (which is not met), or in none. */
  static String rounds(int met, int of) {
    if (met == of) {
      return "**met** in every round";
    }
    return met == 0
        ? "**not met** in any round"
        : "**not met**: met in " + met + " of " + of + " rounds";
  }

  static String n(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  static String d1(double v) {
    return String.format(Locale.ROOT, "%.1f", v);
  }

  static String d2(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  static String mb(double bytes) {
    return String.format(Locale.ROOT, "%,.1f MB", bytes / 1e6);
  }

  /** Computes every value of the template from the results. */
  static final class Report {
    final Map<String, JsonNode> results;
    final Path charts;
    final String chartLink;
    final Map<String, String> values = new LinkedHashMap<>();

    Report(Map<String, JsonNode> results, Path charts, String chartLink) {
      this.results = results;
      this.charts = charts;
      this.chartLink = chartLink.isEmpty() ? "." : chartLink;
    }

    void build() throws IOException {
      values.put("date", LocalDate.now(ZoneOffset.UTC).toString());
      JsonNode machine =
          results.values().stream().map(j -> j.path("machine")).findFirst().orElse(null);
      values.put(
          "machine",
          machine == null
              ? "(no results)"
              : String.format(
                  Locale.ROOT,
                  "%d cores, %d GiB, %s, %s",
                  machine.path("cores").asInt(),
                  machine.path("memory_gib").asInt(),
                  machine.path("java").asText(),
                  machine.path("os").asText()));
      for (String name : FILES) {
        JsonNode j = results.get(name);
        values.put(
            name + ".when",
            j == null ? "not run" : j.path("finished_at").asText().replaceFirst("T.*", ""));
      }
      throughput("job", "throughput", "files");
      throughput("job-kafka", "throughput-kafka", "Kafka");
      latency();
      state();
      scoring();
      profile();
    }

    /**
     * When {@code file}'s results are missing: the first key says so, the others stay empty;
     * returns whether they were missing.
     */
    private boolean absent(String file, String... keys) {
      if (results.containsKey(file)) {
        return false;
      }
      values.put(keys[0], missing(file));
      for (int i = 1; i < keys.length; i++) {
        values.put(keys[i], "");
      }
      return true;
    }

    private String missing(String name) {
      return "_Not measured in this run: `" + name + ".json` is missing from the results._";
    }

    private String chart(String file, String alt) {
      return "![" + alt + "](" + chartLink + "/" + file + ")";
    }

    /**
     * The throughput section of one bench-job results file ({@code file}: "job" over files,
     * "job-kafka" through a broker) into the template keys {@code key.*}.
     */
    void throughput(String file, String key, String via) throws IOException {
      if (absent(file, key + ".summary", key + ".table", key + ".goals", key + ".chart")) {
        return;
      }
      JsonNode j = results.get(file);
      int p = j.path("parallelism").asInt();
      values.put(
          key + ".summary",
          String.format(
              Locale.ROOT,
              "%s events: `%s` %d times over, the copies interleaved line by line with user and"
                  + " event ids re-keyed per copy (one timeline with that many times the users);"
                  + " per copy: %s. Both jobs at parallelism %d.%s",
              n(j.path("events").asDouble()),
              j.path("input").asText(),
              j.path("copies").asInt(),
              mix(j.path("event_types_per_copy")),
              p,
              j.has("passthrough_copies")
                  ? String.format(
                      Locale.ROOT,
                      " The passthrough, which keeps no state, reads the log %d times over (%s"
                          + " events) so that it too runs for about a minute; each job first ran"
                          + " once over %s, not measured (the JIT compiling).",
                      j.path("passthrough_copies").asInt(),
                      n(j.path("passthrough_events").asDouble()),
                      j.path("warmup_copies").asInt(1) == 1
                          ? "one copy"
                          : j.path("warmup_copies").asInt() + " copies")
                  : ""));
      StringBuilder t =
          new StringBuilder(
              "| round | passthrough events/s (per core) | full job events/s (per core) | ratio"
                  + " full / passthrough | steady s: passthrough, full (start-up s, not counted)"
                  + " | events per CPU-second: passthrough, full (cores used in the steady state)"
                  + " | full job wrote: decisions, DLQ records |\n"
                  + "|---|---|---|---|---|---|---|\n");
      Map<String, Double> bars = new LinkedHashMap<>();
      double bestPerCore = 0;
      double minPerCore = Double.MAX_VALUE;
      double bestRatio = 0;
      double minRatio = Double.MAX_VALUE;
      int perCoreMet = 0;
      int ratioMet = 0;
      int count = 0;
      for (JsonNode r : j.path("rounds")) {
        double pass = r.path("passthrough_events_per_second").asDouble();
        double full = r.path("full_events_per_second").asDouble();
        double ratio = r.path("ratio").asDouble();
        t.append(
            String.format(
                Locale.ROOT,
                "| %d | %s (%s) | %s (%s) | %s | %s | %s | %s, %s |%n",
                r.path("round").asInt(),
                n(pass),
                n(pass / p),
                n(full),
                n(full / p),
                d2(ratio),
                r.has("full_steady_seconds")
                    ? String.format(
                        Locale.ROOT,
                        "%s (%s), %s (%s)",
                        d1(r.path("passthrough_steady_seconds").asDouble()),
                        d1(r.path("passthrough_startup_seconds").asDouble()),
                        d1(r.path("full_steady_seconds").asDouble()),
                        d1(r.path("full_startup_seconds").asDouble()))
                    : "- (start-up included)",
                cpu(r),
                r.has("full_job_decisions") ? n(r.path("full_job_decisions").asDouble()) : "-",
                r.has("full_job_dlq_records")
                    ? n(r.path("full_job_dlq_records").asDouble())
                    : "-"));
        bars.put("round " + r.path("round").asInt() + ": passthrough", pass / p);
        bars.put("round " + r.path("round").asInt() + ": full job", full / p);
        bestPerCore = Math.max(bestPerCore, full / p);
        minPerCore = Math.min(minPerCore, full / p);
        bestRatio = Math.max(bestRatio, ratio);
        minRatio = Math.min(minRatio, ratio);
        perCoreMet += full / p >= 25_000 ? 1 : 0;
        ratioMet += ratio >= 0.5 ? 1 : 0;
        count++;
      }
      values.put(key + ".table", t.toString().strip());
      values.put(
          key + ".goals",
          String.format(
              Locale.ROOT,
              "- full job >= 25,000 events/s per core: %s (%s to %s per core)\n"
                  + "- ratio full / passthrough >= 0.5: %s (%s to %s)",
              rounds(perCoreMet, count),
              n(minPerCore),
              n(bestPerCore),
              rounds(ratioMet, count),
              d2(minRatio),
              d2(bestRatio)));
      Charts.bars(
          charts.resolve(key + ".png"),
          "Throughput per core, parallelism " + p + " (bench-job, " + via + ")",
          "events/s per core",
          bars);
      values.put(key + ".chart", chart(key + ".png", "throughput per core, " + via));
    }

    /**
     * A round's events per CPU-second of both jobs and the cores they used (the JVM's, and the
     * broker's when it was followed), or "-" for results written before they were measured.
     */
    private static String cpu(JsonNode r) {
      if (!r.has("full_events_per_cpu_second")) {
        return "-";
      }
      double ps = r.path("passthrough_steady_seconds").asDouble();
      double fs = r.path("full_steady_seconds").asDouble();
      return String.format(
          Locale.ROOT,
          "%s (%s), %s (%s)",
          n(r.path("passthrough_events_per_cpu_second").asDouble()),
          cores(r, "passthrough", ps),
          n(r.path("full_events_per_cpu_second").asDouble()),
          cores(r, "full", fs));
    }

    private static String cores(JsonNode r, String job, double steady) {
      String jvm = d2(r.path(job + "_cpu_seconds").asDouble() / steady);
      return r.has(job + "_broker_cpu_seconds")
          ? jvm + " + broker " + d2(r.path(job + "_broker_cpu_seconds").asDouble() / steady)
          : jvm;
    }

    private static String mix(JsonNode types) {
      List<String> parts = new ArrayList<>();
      types
          .fields()
          .forEachRemaining(e -> parts.add(n(e.getValue().asDouble()) + " " + e.getKey()));
      return String.join(", ", parts);
    }

    void latency() throws IOException {
      StringBuilder t =
          new StringBuilder(
              "| run | delivery | checkpoints | buffer timeout | rate asked | target events/s |"
                  + " achieved | decisions measured | p50 ms | p95 ms | p99 ms | max ms | sustained |\n"
                  + "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n");
      List<Charts.Series> curves = new ArrayList<>();
      boolean any = false;
      for (String name : LATENCY_RUNS) {
        JsonNode j = results.get(name);
        if (j == null) {
          t.append("| ")
              .append(name.substring("latency-".length()))
              .append(" | not measured in this run | | | | | | | | | | | |\n");
          continue;
        }
        any = true;
        for (JsonNode r : j.path("rates")) {
          t.append(
              String.format(
                  Locale.ROOT,
                  "| %s | %s | %d s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |%n",
                  name.substring("latency-".length()),
                  j.path("delivery").asText(),
                  j.path("checkpoint_interval_seconds").asInt(),
                  bufferTimeout(j),
                  r.path("asked").asText(),
                  n(r.path("target_events_per_second").asDouble()),
                  n(r.path("achieved_events_per_second").asDouble()),
                  n(r.path("decisions_measured").asDouble()),
                  r.path("p50_ms").asText("-"),
                  r.path("p95_ms").asText("-"),
                  r.path("p99_ms").asText("-"),
                  r.path("max_ms").asText("-"),
                  r.path("sustained").asText("-")));
          if (!name.equals("latency-sweep") && r.path("asked").asText().endsWith("%")) {
            List<double[]> pts = new ArrayList<>();
            for (JsonNode q : r.path("percentiles_ms")) {
              pts.add(new double[] {q.get(0).asDouble(), q.get(1).asDouble()});
            }
            curves.add(
                new Charts.Series(
                    j.path("delivery").asText()
                        + ", buffer "
                        + bufferTimeout(j)
                        + " at "
                        + r.path("asked").asText()
                        + " ("
                        + n(r.path("target_events_per_second").asDouble())
                        + " ev/s)",
                    pts));
          }
        }
      }
      values.put("latency.table", t.toString().strip());

      JsonNode sweep = results.get("latency-sweep");
      JsonNode max = sweep == null ? null : sweep.get("max_sustained_rate");
      values.put(
          "latency.max",
          max == null || max.isNull()
              ? "not found in this run (no sweep results, or no rate was sustained)"
              : String.format(
                  Locale.ROOT,
                  "%s events/s%s (the largest rate of the sweep that the generator achieved and the"
                      + " job kept up with: the median latency of the last third of its measured"
                      + " seconds was at most 1.5 times that of the first third plus 250 ms, and its"
                      + " p50 was at most 1 s: the table's \"sustained\" column)",
                  n(max.asDouble()),
                  sweep.path("max_rate_is_lower_bound").asBoolean()
                      ? " or more: the sweep's top rate was sustained"
                      : ""));

      JsonNode eo = phase("latency-exactly-once", "50%");
      JsonNode eoRun = results.get("latency-exactly-once");
      List<String> goals = new ArrayList<>();
      for (String load : LATENCY_RUNS.stream().filter(r -> r.startsWith("latency-load")).toList()) {
        JsonNode half = phase(load, "50%");
        goals.add(
            half == null
                ? "- at-least-once at 50% load, buffer timeout "
                    + (results.get(load) == null
                        ? "(" + load + ")"
                        : bufferTimeout(results.get(load)))
                    + ": not measured in this run"
                : String.format(
                    Locale.ROOT,
                    "- at-least-once at 50%% load, buffer timeout %s: p99 %s ms at %s events/s;"
                        + " p99 <= 200 ms: %s; p99 <= 50 ms (the goal): %s",
                    bufferTimeout(results.get(load)),
                    half.path("p99_ms").asText("-"),
                    n(half.path("target_events_per_second").asDouble()),
                    verdict(half.path("p99_ms").asLong(Long.MAX_VALUE) <= 200),
                    verdict(half.path("p99_ms").asLong(Long.MAX_VALUE) <= 50)));
      }
      goals.add(
          max == null || max.isNull()
              ? "- maximum sustained rate >= 10,000 events/s (twice 5,000): not measured in this run"
              : String.format(
                  Locale.ROOT,
                  "- maximum sustained rate >= 10,000 events/s (twice 5,000): %s (%s events/s%s)",
                  verdict(max.asDouble() >= 10_000),
                  n(max.asDouble()),
                  sweep.path("max_rate_is_lower_bound").asBoolean() ? " or more" : ""));
      if (eo == null) {
        goals.add(
            "- exactly-once p99 within 1.5x the checkpoint interval: not measured in this run");
      } else {
        long bound = eoRun.path("checkpoint_interval_seconds").asLong() * 1500;
        goals.add(
            String.format(
                Locale.ROOT,
                "- exactly-once p99 within 1.5x the checkpoint interval (%s ms for %d s): %s (p99"
                    + " %s ms at %s events/s)",
                n(bound),
                eoRun.path("checkpoint_interval_seconds").asInt(),
                verdict(eo.path("p99_ms").asLong(Long.MAX_VALUE) <= bound),
                eo.path("p99_ms").asText("-"),
                n(eo.path("target_events_per_second").asDouble())));
      }
      values.put("latency.goals", String.join("\n", goals));
      List<String> requestLines = new ArrayList<>();
      for (String name : LATENCY_RUNS) {
        JsonNode j = results.get(name);
        for (JsonNode r : j == null ? List.<JsonNode>of() : toList(j.path("rates"))) {
          JsonNode q = r.path("requests");
          if (!q.isMissingNode()) {
            requestLines.add(
                String.format(
                    Locale.ROOT,
                    "- %s at %s events/s (buffer timeout %s): %s requests/s, %s answered; p50 %s"
                        + " ms, p99 %s ms, max %s ms; %s fallbacks",
                    name.substring("latency-".length()),
                    n(r.path("target_events_per_second").asDouble()),
                    bufferTimeout(j),
                    q.path("rate").asText(),
                    n(q.path("answered").asDouble()),
                    q.path("p50_ms").asText("-"),
                    q.path("p99_ms").asText("-"),
                    q.path("max_ms").asText("-"),
                    q.path("fallbacks").asText("0")));
          }
        }
      }
      values.put(
          "latency.requests",
          requestLines.isEmpty()
              ? "- not measured in this run (bench-latency --requests R)"
              : String.join("\n", requestLines));

      JsonNode over = results.get("latency-overload");
      if (over == null) {
        values.put("latency.overload", missing("latency-overload"));
      } else {
        JsonNode rates = over.path("rates");
        JsonNode last = rates.get(rates.size() - 1);
        values.put(
            "latency.overload",
            String.format(
                Locale.ROOT,
                "The last rate, %s (%s events/s), ran for %d s: p50 %s ms there. After the"
                    + " generator stopped, the job caught up in **%s s**, and **%s decisions never"
                    + " came**.",
                last.path("asked").asText(),
                n(last.path("target_events_per_second").asDouble()),
                over.path("warmup_seconds").asInt() + over.path("measured_seconds").asInt(),
                last.path("p50_ms").asText("-"),
                d1(over.path("catch_up").path("seconds").asDouble()),
                n(over.path("catch_up").path("decisions_never_received").asDouble())));
      }
      if (any && !curves.isEmpty()) {
        Charts.lines(
            charts.resolve("latency.png"),
            "Event-to-decision latency by percentile (bench-latency)",
            "percentile",
            "latency ms (log scale)",
            curves,
            true);
        values.put("latency.chart", chart("latency.png", "latency percentiles"));
      } else {
        values.put("latency.chart", "");
      }
    }

    private static List<JsonNode> toList(JsonNode array) {
      List<JsonNode> out = new ArrayList<>();
      array.forEach(out::add);
      return out;
    }

    /** The network buffer timeout a latency run used (the job's default when not given). */
    private static String bufferTimeout(JsonNode run) {
      JsonNode v = run.path("flink_overrides").get("execution.buffer-timeout.interval");
      boolean nativeOnly =
          run.path("flink_overrides").path("prescient.state.changelog").asText().equals("false");
      String requests = "";
      for (JsonNode r : toList(run.path("rates"))) {
        if (r.has("requests")) {
          requests = ", " + r.path("requests").path("rate").asText() + " web-page requests/s";
        }
      }
      return (v == null ? PrescientJob.BUFFER_TIMEOUT.toMillis() + " ms (default)" : v.asText())
          + (nativeOnly ? ", RocksDB's native checkpoints without the changelog" : "")
          + requests;
    }

    /** The phase of a latency run whose rate was asked as {@code asked}, or null. */
    private JsonNode phase(String file, String asked) {
      JsonNode j = results.get(file);
      if (j == null) {
        return null;
      }
      for (JsonNode r : j.path("rates")) {
        if (r.path("asked").asText().equals(asked)) {
          return r;
        }
      }
      return null;
    }

    void state() {
      if (absent("state", "state.summary", "state.table", "state.goals")) {
        return;
      }
      JsonNode j = results.get("state");
      long users = j.path("users").asLong();
      values.put(
          "state.summary",
          String.format(
              Locale.ROOT,
              "%s simulated users, each a slice of 1 to %d events of a real Taobao user's history:"
                  + " %s events.",
              n(users),
              j.path("max_events_per_user").asInt(),
              n(j.path("events").asDouble())));
      double minInc = Double.MAX_VALUE;
      double maxInc = 0;
      double minIncS = Double.MAX_VALUE;
      double maxIncS = 0;
      for (JsonNode c : j.path("incremental_checkpoints_during_load")) {
        minInc = Math.min(minInc, c.path("checkpointed_bytes").asDouble());
        maxInc = Math.max(maxInc, c.path("checkpointed_bytes").asDouble());
        minIncS = Math.min(minIncS, c.path("seconds").asDouble());
        maxIncS = Math.max(maxIncS, c.path("seconds").asDouble());
      }
      JsonNode full = j.path("full_checkpoint");
      JsonNode inc = j.path("incremental_checkpoint_after_it");
      StringBuilder t = new StringBuilder("| what | measured |\n|---|---|\n");
      row(
          t,
          "load",
          String.format(
              Locale.ROOT,
              "%s events in %s s: %s events/s",
              n(j.path("events").asDouble()),
              n(j.path("load_seconds").asDouble()),
              n(j.path("load_events_per_second").asDouble())));
      row(t, "RocksDB on disk", mb(j.path("rocksdb_bytes_on_disk").asDouble()));
      row(
          t,
          "state per user (full checkpoint / users)",
          "**" + n(j.path("bytes_per_user").asDouble()) + " B**");
      row(
          t,
          "full checkpoint",
          mb(full.path("state_bytes").asDouble())
              + ", "
              + d1(full.path("seconds").asDouble())
              + " s");
      if (maxInc > 0) {
        row(
            t,
            "incremental checkpoints during the load",
            String.format(
                Locale.ROOT,
                "%s to %s uploaded each, %s to %s s",
                mb(minInc),
                mb(maxInc),
                d1(minIncS),
                d1(maxIncS)));
      }
      row(
          t,
          "incremental checkpoint right after the full one",
          mb(inc.path("checkpointed_bytes").asDouble())
              + ", "
              + d1(inc.path("seconds").asDouble())
              + " s");
      for (String f : List.of("canonical", "native")) {
        JsonNode sp = j.path(f + "_savepoint");
        row(
            t,
            f + " savepoint",
            mb(sp.path("bytes").asDouble()) + ", " + d1(sp.path("seconds").asDouble()) + " s");
      }
      for (String f : List.of("canonical", "native")) {
        row(
            t,
            "restore from the " + f + " savepoint",
            d1(j.path("restore_from_" + f).path("seconds_to_running").asDouble())
                + " s to every task running");
      }
      values.put("state.table", t.toString().strip());
      double nativeS = j.path("restore_from_native").path("seconds_to_running").asDouble();
      double canonicalS = j.path("restore_from_canonical").path("seconds_to_running").asDouble();
      values.put(
          "state.goals",
          String.format(
              Locale.ROOT,
              "- <= 1 KB per user: %s (%s B)\n"
                  + "- restore of %s users in under 60 s: from a native savepoint %s (%s s); from a"
                  + " canonical savepoint %s (%s s)",
              verdict(j.path("bytes_per_user").asDouble() <= 1024),
              n(j.path("bytes_per_user").asDouble()),
              n(users),
              verdict(nativeS < 60),
              d1(nativeS),
              verdict(canonicalS < 60),
              d1(canonicalS)));
    }

    private static double medianOf(JsonNode slices, int from, int to, String field) {
      double[] v = new double[to - from];
      for (int i = from; i < to; i++) {
        v[i - from] = slices.get(i).path(field).asDouble();
      }
      java.util.Arrays.sort(v);
      return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    private static void row(StringBuilder t, String what, String value) {
      t.append("| ").append(what).append(" | ").append(value).append(" |\n");
    }

    void scoring() {
      if (absent("scoring", "scoring.table", "scoring.endurance", "scoring.goals")) {
        return;
      }
      JsonNode j = results.get("scoring");
      StringBuilder t = new StringBuilder("| path | µs per row |\n|---|---:|\n");
      row(
          t,
          "`Model.predict(Example)`, one row per call",
          d2(j.path("predict_example_us_per_row").asDouble()));
      row(t, "booster, one row per call", d2(j.path("booster_single_us_per_row").asDouble()));
      j.path("booster_batch_us_per_row")
          .fields()
          .forEachRemaining(
              e -> row(t, "booster, batches of " + e.getKey(), d2(e.getValue().asDouble())));
      t.append(
          String.format(
              Locale.ROOT,
              "%nAgreement with `Model.predict(Example)` on %s real feature vectors: max |diff| %.3g,"
                  + " %d rows above 1e-6.",
              n(j.path("rows").asDouble()),
              j.path("agreement_max_abs_diff").asDouble(),
              j.path("agreement_rows_above_1e-6").asInt()));
      values.put("scoring.table", t.toString().strip());
      StringBuilder e =
          new StringBuilder(
              "| scores so far | µs/row, batches of 64 | one row µs (median of 1000) | RSS MB |\n"
                  + "|---:|---:|---:|---:|\n");
      JsonNode slices = j.path("endurance");
      for (JsonNode s : slices) {
        e.append(
            String.format(
                Locale.ROOT,
                "| %s | %s | %s | %s |%n",
                n(s.path("scores").asDouble()),
                d2(s.path("batch64_us_per_row").asDouble()),
                d1(s.path("single_us_median").asDouble()),
                n(s.path("rss_mb").asDouble())));
      }
      values.put("scoring.endurance", e.toString().strip());
      double batch = j.path("booster_batch_us_per_row").path("64").asDouble(Double.NaN);
      double single = j.path("booster_single_us_per_row").asDouble();
      String growth = "not measured (no endurance run)";
      if (slices.size() >= 2) {
        // Medians of the first and the last (up to) three slices: one slice slowed by the shared
        // machine is not growth.
        int k = Math.min(3, slices.size() / 2);
        JsonNode last = slices.get(slices.size() - 1);
        double rss = last.path("rss_mb").asDouble() - slices.get(0).path("rss_mb").asDouble();
        double lat =
            medianOf(slices, slices.size() - k, slices.size(), "batch64_us_per_row")
                / medianOf(slices, 0, k, "batch64_us_per_row");
        growth =
            String.format(
                Locale.ROOT,
                "%s (resident memory %+,.0f MB from the first to the last slice of %s scores; batch"
                    + " latency x%.2f, the median of the last %d slices over that of the first %d)",
                verdict(rss < 50 && lat < 1.5),
                rss,
                n(last.path("scores").asDouble()),
                lat,
                k,
                k);
      }
      values.put(
          "scoring.goals",
          String.format(
              Locale.ROOT,
              "- <= 10 µs per row in batches (of 64): %s (%s µs)\n"
                  + "- <= 50 µs for one row: %s (%s µs)\n"
                  + "- no growth of latency or native memory: %s\n"
                  + "- the booster agrees with `Model.predict` to 1e-6 on every row: %s",
              verdict(batch <= 10),
              d2(batch),
              verdict(single <= 50),
              d2(single),
              growth,
              verdict(j.path("agreement_rows_above_1e-6").asInt() == 0)));
    }

    void profile() {
      if (absent("profile", "profile.table", "profile.goals")) {
        return;
      }
      JsonNode j = results.get("profile");
      JsonNode s = j.path("state_per_user");
      StringBuilder t =
          new StringBuilder(
              String.format(
                  Locale.ROOT,
                  "State per user, serialized with RocksDB row keys, %s users: median %s B, p90 %s"
                      + " B, p99 %s B, max %s B.%n%n",
                  n(s.path("users").asDouble()),
                  n(s.path("median_bytes").asDouble()),
                  n(s.path("p90_bytes").asDouble()),
                  n(s.path("p99_bytes").asDouble()),
                  n(s.path("max_bytes").asDouble())));
      t.append(
          "| round | parse only events/s | parse + keyBy, no state, events/s | parse + profile"
              + " events/s | ratio profile / parse | profile, no cache, events/s |"
              + "\n|---|---|---|---|---|---|\n");
      double minRatio = Double.MAX_VALUE;
      double maxRatio = 0;
      int met = 0;
      int count = 0;
      for (JsonNode r : j.path("rounds")) {
        t.append(
            String.format(
                Locale.ROOT,
                "| %d | %s | %s | %s | %s | %s |%n",
                r.path("round").asInt(),
                n(r.path("parse_events_per_second").asDouble()),
                r.has("keyed_events_per_second")
                    ? n(r.path("keyed_events_per_second").asDouble())
                    : "not measured",
                n(r.path("profile_events_per_second").asDouble()),
                d2(r.path("ratio").asDouble()),
                r.has("profile_nocache_events_per_second")
                    ? n(r.path("profile_nocache_events_per_second").asDouble())
                    : "not measured"));
        minRatio = Math.min(minRatio, r.path("ratio").asDouble());
        maxRatio = Math.max(maxRatio, r.path("ratio").asDouble());
        met += r.path("ratio").asDouble() >= 0.5 ? 1 : 0;
        count++;
      }
      values.put("profile.table", t.toString().strip());
      values.put(
          "profile.goals",
          String.format(
              Locale.ROOT,
              "- median under 1 KB per user: %s (%s B)\n"
                  + "- profile update at least half the speed of parsing alone: %s (%s to %s)",
              verdict(s.path("median_bytes").asDouble() < 1024),
              n(s.path("median_bytes").asDouble()),
              rounds(met, count),
              d2(minRatio),
              d2(maxRatio)));
    }
  }
}

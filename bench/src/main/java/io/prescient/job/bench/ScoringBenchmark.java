package io.prescient.job.bench;

import static io.prescient.job.cli.CommandOptions.opt;

import io.prescient.job.cli.CommandOptions;
import io.prescient.job.cli.CommandOptions.Opt;
import io.prescient.models.artifact.LoadedModel;
import io.prescient.models.artifact.ModelLoadException;
import io.prescient.models.scoring.BoosterScorer;
import io.prescient.offline.training.ChurnTrainingSet;
import io.prescient.offline.training.EventLog;
import io.prescient.offline.training.LabelledRows;
import io.prescient.state.features.FeatureSchema;
import io.prescient.state.profile.ProfileUpdater;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import org.tribuo.Model;
import org.tribuo.classification.Label;

/**
 * Scoring on the hot path, measured: the booster on dense float arrays (what the job uses), single
 * rows and batches, side by side with Tribuo's {@code Model.predict(Example)} on the same real
 * rows; agreement of every score to 1e-6; and latency and resident memory over many scores.
 *
 * <pre>
 * ./prescient train churn          # writes .local/models/churn-*.json
 * ./prescient bench-scoring [--model FILE.json] [--events FILE] [--scores 10000000]
 * </pre>
 *
 * The rows are the real feature vectors of every Online Retail customer at 2011-09-01, built by the
 * job's feature code. Exits with status 1 when any score disagrees by more than 1e-6.
 */
public final class ScoringBenchmark {
  private ScoringBenchmark() {}

  static final String COMMAND = "prescient bench-scoring";

  static final List<Opt> OPTIONS =
      List.of(
          opt(
              "--model",
              "FILE.json",
              null,
              "a churn model's manifest (default: the newest in .local/models)"),
          opt(
              "--events",
              "FILE",
              Path.of(".local", "data", "online-retail.jsonl").toString(),
              "the log its rows come from"),
          opt("--scores", "N", "10000000", "scores of the endurance run"),
          opt("--predict-calls", "N", "20000", "calls timed per path"),
          opt(
              "--items",
              "FILE.json",
              null,
              "an items model to time recommendations with (default: the newest, if any)"),
          opt(
              "--items-events",
              "FILE",
              null,
              "the log whose customers' last 10 purchases and views the items model ranks for"
                  + " (default: --events, before 2011-09-01; another log: all of it)"),
          opt("--results", "FILE", null, "also write the figures as JSON"));

  public static void main(String[] args) throws Exception {
    CommandOptions.main(COMMAND, () -> run(args));
  }

  /** The command with {@code args}; a user error is a {@link CommandOptions.UsageError}. */
  static void run(String[] args) throws Exception {
    CommandOptions.Parsed p =
        CommandOptions.parse(
            COMMAND,
            "Scoring on the hot path: the booster on dense float arrays (what the job uses), single"
                + " rows and batches, side by side with Tribuo's Model.predict(Example) on the same"
                + " real rows; agreement of every score to 1e-6; latency and resident memory over"
                + " many scores.",
            OPTIONS,
            CommandOptions.Rest.NONE,
            args,
            "Exits with status 1 when any score disagrees by more than 1e-6.");
    if (p == null) {
      return;
    }
    Path events = Path.of(p.get("--events"));
    long scores = p.getLong("--scores");
    if (scores < 1) {
      throw p.error("--scores must be at least 1, not " + scores);
    }
    int predictCalls = p.getInt("--predict-calls", 1, Integer.MAX_VALUE);
    Path resultsFile = p.has("--results") ? Path.of(p.get("--results")) : null;
    Path items = p.has("--items") ? Path.of(p.get("--items")) : null;
    for (String k : List.of("--model", "--items", "--items-events")) {
      if (p.has(k) && !Files.isRegularFile(Path.of(p.get(k)))) {
        throw p.error(k + " " + p.get(k) + " is not a file");
      }
    }
    Path model = p.has("--model") ? Path.of(p.get("--model")) : newest(Path.of(".local", "models"));
    if (model == null || !Files.exists(events)) {
      throw p.error("needs a churn model and its event log: run ./prescient train churn first");
    }
    long cutoff =
        LocalDate.parse("2011-09-01").atStartOfDay(ZoneOffset.UTC).toInstant().toEpochMilli();
    EventLog log = EventLog.read(events);
    long end = Math.max(cutoff, log.lastTimestamp());
    List<ChurnTrainingSet.Row> rows =
        ChurnTrainingSet.build(
                log.events,
                List.of(cutoff),
                end - cutoff,
                Set.of(),
                ProfileUpdater.Settings.defaults())
            .get(cutoff);
    float[][] x = rows.stream().map(ChurnTrainingSet.Row::features).toArray(float[][]::new);
    System.out.printf(
        "model %s; %,d real feature vectors (customers at 2011-09-01), %d features%n",
        model.getFileName(), x.length, FeatureSchema.names().size());
    System.out.printf(
        "machine: %d cores, Java %s; booster single-threaded (nthread=1)%n",
        Runtime.getRuntime().availableProcessors(), System.getProperty("java.version"));

    Model<Label> tribuo = tribuoModel(model);
    try (LoadedModel loaded = LoadedModel.load(model)) {
      BoosterScorer scorer = loaded.scorer;
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("model", model.getFileName().toString());
      out.put("rows", x.length);
      out.put("features", FeatureSchema.names().size());
      int bad = agreement(tribuo, scorer, x, out);
      // Warm both paths up before timing them.
      timeSingle(scorer, x, 20_000);
      timePredict(tribuo, x, 2_000);
      System.out.println();
      System.out.println("| path | rows | us/row |");
      System.out.println("|---|---:|---:|");
      double predictUs = timePredict(tribuo, x, predictCalls);
      out.put("predict_example_us_per_row", predictUs);
      System.out.printf(
          "| Model.predict(Example), one row per call | %,d | %.2f |%n", predictCalls, predictUs);
      double singleUs = timeSingle(scorer, x, predictCalls);
      out.put("booster_single_us_per_row", singleUs);
      Map<String, Object> batches = new LinkedHashMap<>();
      out.put("booster_batch_us_per_row", batches);
      System.out.printf("| booster, one row per call | %,d | %.2f |%n", predictCalls, singleUs);
      for (int batch : new int[] {16, 64, 256}) {
        long n = 200_000;
        double us = timeBatches(scorer, x, batch, n);
        batches.put(Integer.toString(batch), us);
        System.out.printf("| booster, batches of %d | %,d | %.2f |%n", batch, n, us);
      }
      System.out.printf(
          "%nratio Model.predict / booster single row: %.1fx%n", predictUs / singleUs);
      if (items == null) {
        items = newest(Path.of(".local", "models"), "items");
      }
      if (items != null) {
        if (p.has("--items-events")) {
          EventLog other = EventLog.read(Path.of(p.get("--items-events")));
          out.put("items", itemsTiming(items, other, other.lastTimestamp() + 1));
        } else {
          out.put("items", itemsTiming(items, log, cutoff));
        }
      }
      out.put("endurance", endurance(scorer, x, scores));
      BenchResults.write(resultsFile, out);
      if (bad > 0) {
        System.exit(1);
      }
    }
  }

  /** Every row scored both ways; prints the largest difference and counts those above 1e-6. */
  static int agreement(
      Model<Label> tribuo, BoosterScorer scorer, float[][] x, Map<String, Object> out) {
    List<String> names = FeatureSchema.names();
    float[] batched = scorer.score(x, x.length);
    double max = 0;
    int bad = 0;
    for (int i = 0; i < x.length; i++) {
      double expected =
          tribuo
              .predict(LabelledRows.example(names, x[i], false))
              .getOutputScores()
              .get(LabelledRows.POSITIVE)
              .getScore();
      double d = Math.max(Math.abs(expected - batched[i]), Math.abs(expected - scorer.score(x[i])));
      max = Math.max(max, d);
      if (d > 1e-6) {
        bad++;
      }
    }
    System.out.printf(
        "agreement with Model.predict(Example) on %,d rows (single and batched): max |diff| %.3g,"
            + " %d above 1e-6 -> %s%n",
        x.length, max, bad, bad == 0 ? "OK" : "FAILED");
    out.put("agreement_max_abs_diff", max);
    out.put("agreement_rows_above_1e-6", bad);
    return bad;
  }

  static double timePredict(Model<Label> m, float[][] x, int calls) {
    List<String> names = FeatureSchema.names();
    double sink = 0;
    long t0 = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      sink += m.predict(LabelledRows.example(names, x[i % x.length], false)).getOutput().getScore();
    }
    long ns = System.nanoTime() - t0;
    blackhole(sink);
    return ns / 1e3 / calls;
  }

  static double timeSingle(BoosterScorer s, float[][] x, int calls) {
    double sink = 0;
    long t0 = System.nanoTime();
    for (int i = 0; i < calls; i++) {
      sink += s.score(x[i % x.length]);
    }
    long ns = System.nanoTime() - t0;
    blackhole(sink);
    return ns / 1e3 / calls;
  }

  static double timeBatches(BoosterScorer s, float[][] x, int batch, long rows) {
    float[][] b = new float[batch][];
    double sink = 0;
    long done = 0;
    int next = 0;
    long t0 = System.nanoTime();
    while (done < rows) {
      for (int i = 0; i < batch; i++) {
        b[i] = x[next++ % x.length];
      }
      sink += s.score(b, batch)[0];
      done += batch;
    }
    long ns = System.nanoTime() - t0;
    blackhole(sink);
    return ns / 1e3 / done;
  }

  /** Scores {@code total} rows in batches of 64 and reports latency and RSS per slice. */
  static List<Map<String, Object>> endurance(BoosterScorer s, float[][] x, long total)
      throws IOException {
    List<Map<String, Object>> slices = new java.util.ArrayList<>();
    if (total <= 0) {
      return slices;
    }
    long slice = Math.max(64, total / 10);
    System.out.printf("%nendurance: %,d scores in batches of 64, one line per %,d%n", total, slice);
    System.out.println(
        "| scores so far | us/row in slice | one-row us (median of 1000) | RSS MB |");
    System.out.println("|---:|---:|---:|---:|");
    long done = 0;
    while (done < total) {
      long n = Math.min(slice, total - done);
      double us = timeBatches(s, x, 64, n);
      done += n;
      double[] single = new double[1000];
      for (int i = 0; i < single.length; i++) {
        long t0 = System.nanoTime();
        s.score(x[i % x.length]);
        single[i] = (System.nanoTime() - t0) / 1e3;
      }
      java.util.Arrays.sort(single);
      long rss = rssMb();
      System.out.printf("| %,d | %.2f | %.1f | %,d |%n", done, us, single[500], rss);
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("scores", done);
      m.put("batch64_us_per_row", us);
      m.put("single_us_median", single[500]);
      m.put("rss_mb", rss);
      slices.add(m);
    }
    return slices;
  }

  static long rssMb() throws IOException {
    for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
      if (line.startsWith("VmRSS:")) {
        return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
      }
    }
    return -1;
  }

  @SuppressWarnings("unchecked")
  static Model<Label> tribuoModel(Path manifest) throws IOException, ModelLoadException {
    String file =
        io.prescient.models.artifact.ModelManifest.parse(Files.readString(manifest)).modelFile();
    return (Model<Label>)
        Model.deserializeFromFile(manifest.toAbsolutePath().getParent().resolve(file));
  }

  static Path newest(Path dir) throws IOException {
    return newest(dir, "churn");
  }

  /** The newest manifest of model {@code name} in {@code dir}, or null. */
  static Path newest(Path dir, String name) throws IOException {
    if (!Files.isDirectory(dir)) {
      return null;
    }
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.getFileName().toString().matches(name + "-[0-9TZ]+\\.json"))
          .max(Comparator.comparing(p -> p.getFileName().toString()))
          .orElse(null);
    }
  }

  /**
   * The cost of item-to-item recommendations per decision, as the policy computes them: for each
   * customer of the log who bought before the cut-off, their last 10 purchased products as history
   * and their last 10 viewed products (as the profile keeps them; a log without views: none), the
   * top 5 of {@code manifest}'s model. Prints mean, p50 and p99 microseconds per decision.
   */
  static Map<String, Object> itemsTiming(Path manifest, EventLog log, long cutoff)
      throws Exception {
    Map<String, java.util.LinkedHashMap<String, Long>> bought = new LinkedHashMap<>();
    Map<String, java.util.LinkedHashMap<String, Long>> viewed = new LinkedHashMap<>();
    for (io.prescient.state.contract.Event e : log.events) {
      if (e.productId != null && e.timestamp < cutoff) {
        Map<String, java.util.LinkedHashMap<String, Long>> into =
            switch (e.type) {
              case PURCHASE -> bought;
              case VIEW -> viewed;
              default -> null;
            };
        if (into != null) {
          java.util.LinkedHashMap<String, Long> h =
              into.computeIfAbsent(e.userId, k -> new java.util.LinkedHashMap<>());
          h.remove(e.productId);
          h.put(e.productId, e.timestamp);
        }
      }
    }
    List<List<String>> histories = new java.util.ArrayList<>();
    List<long[]> times = new java.util.ArrayList<>();
    List<List<String>> views = new java.util.ArrayList<>();
    for (Map.Entry<String, java.util.LinkedHashMap<String, Long>> u : bought.entrySet()) {
      java.util.LinkedHashMap<String, Long> h = u.getValue();
      List<String> last = lastTen(h.keySet());
      histories.add(last);
      times.add(last.stream().mapToLong(h::get).toArray());
      views.add(lastTen(viewed.getOrDefault(u.getKey(), new java.util.LinkedHashMap<>()).keySet()));
    }
    try (LoadedModel m = LoadedModel.load(manifest)) {
      io.prescient.models.items.ItemSimilarity model = m.items;
      int n = histories.size();
      long[] ns = new long[Math.max(1, n) * 5];
      for (int round = 0; round < 6; round++) { // the first round warms up
        for (int i = 0; i < n; i++) {
          long t = System.nanoTime();
          List<?> r =
              model.recommend(histories.get(i), times.get(i), views.get(i), cutoff, 5, id -> true);
          long d = System.nanoTime() - t;
          if (round > 0) {
            ns[(round - 1) * n + i] = d;
          }
          blackhole(r.size());
        }
      }
      long[] sorted = java.util.Arrays.copyOf(ns, 5 * n);
      java.util.Arrays.sort(sorted);
      double mean = java.util.Arrays.stream(sorted).average().orElse(0) / 1e3;
      double p50 = sorted[sorted.length / 2] / 1e3;
      double p99 = sorted[(int) (sorted.length * 0.99)] / 1e3;
      System.out.printf(
          "%nitems model %s (%,d items): top 5 for %,d customers' last 10 purchases (and %,d"
              + " with views), 5 rounds: %.1f us mean, %.1f us p50, %.1f us p99 per decision%n",
          manifest.getFileName(),
          model.size(),
          n,
          views.stream().filter(v -> !v.isEmpty()).count(),
          mean,
          p50,
          p99);
      Map<String, Object> out = new LinkedHashMap<>();
      out.put("model", manifest.getFileName().toString());
      out.put("customers", n);
      out.put("us_mean", mean);
      out.put("us_p50", p50);
      out.put("us_p99", p99);
      return out;
    }
  }

  /** The last 10 of {@code ids} (insertion order: oldest first). */
  private static List<String> lastTen(java.util.Collection<String> ids) {
    List<String> all = new java.util.ArrayList<>(ids);
    return List.copyOf(all.subList(Math.max(0, all.size() - 10), all.size()));
  }

  private static volatile double blackholeValue;

  static void blackhole(double v) {
    blackholeValue = v;
  }
}

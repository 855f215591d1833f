package io.prescient.job.training;

import io.prescient.job.cli.CommandOptions;
import io.prescient.models.items.ItemSimilarity;
import io.prescient.offline.items.ItemEvaluation;
import io.prescient.offline.training.EventLog;
import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import io.prescient.state.profile.SensitiveCategories;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * {@code ./prescient train items}: item-to-item recommendations from an event log, evaluated on the
 * fixed protocol ({@link ItemEvaluation}) against popularity and plain cosine. The setting of the
 * served model (damping of large baskets, recency of the history, share of recent popularity) is
 * chosen on a validation cut-off before the test cut-off, never on the test rows. Writes a Markdown
 * report and the servable artifact (slot {@value ItemSimilarity#NAME}): the chosen setting trained
 * on everything before {@code --serve-cutoff}, top {@code --neighbours} per item.
 */
public final class TrainItems {
  private TrainItems() {}

  static final List<CommandOptions.Opt> OPTIONS =
      TrainingCli.withCommon(
          TrainingCli.onlineRetailEvents(),
          TrainingCli.testCutoff(),
          TrainingCli.opt(
              "--validation-cutoff", "DATE", "2011-06-01", "where the setting is chosen"),
          TrainingCli.opt(
              "--horizon-days", "N", "90", "targets: new items in N days after a cut-off"),
          TrainingCli.opt(
              "--history", "TYPES", "purchase", "event types forming a history, comma separated"),
          TrainingCli.opt("--targets", "TYPES", "purchase", "event types counting as targets"),
          TrainingCli.opt(
              "--new-to",
              "TYPES",
              null,
              "a target is an item the customer had no event of these types for before the"
                  + " cut-off (default: the --history types; a clickstream: add_to_cart,purchase,"
                  + " so that a product viewed before and bought after counts, and the report adds"
                  + " the 'recently viewed' baseline)"),
          TrainingCli.opt("--bootstrap", "N", "1000", "bootstrap resamples for the intervals"),
          TrainingCli.opt(
              "--neighbours",
              "K",
              "50",
              "most neighbours kept per item; the search tries 5, 10, 20 and 50 up to it"),
          TrainingCli.opt(
              "--serve-cutoff",
              "DATE",
              null,
              "the served model learns from events before it (default: the whole log)"));

  static final int K = 10;

  public static void main(String[] args) throws Exception {
    TrainingCli.main("items", () -> run(args));
  }

  /** The command with {@code args}; a user error is a {@link CommandOptions.UsageError}. */
  static void run(String[] args) throws Exception {
    Map<String, String> o =
        TrainingCli.parse(
            "items",
            "Item-to-item recommendations from an event log, evaluated against popularity and"
                + " plain cosine; writes the servable artifact and a report.",
            OPTIONS,
            args);
    if (o == null) {
      return;
    }
    Path events =
        o.containsKey("--events")
            ? Path.of(o.get("--events"))
            : Path.of(".local", "data", "online-retail.jsonl");
    if (!Files.isRegularFile(events)) {
      TrainingCli.fail(
          "items", "event log " + events + " not found (./prescient convert, or --events)");
    }
    long test = TrainingCli.day("items", o, "--test-cutoff");
    long validation = TrainingCli.day("items", o, "--validation-cutoff");
    long horizon = TrainingCli.number("items", o, "--horizon-days", 1, 3650) * 86_400_000L;
    int bootstrap = TrainingCli.number("items", o, "--bootstrap", 0, 1_000_000);
    int neighbours = TrainingCli.number("items", o, "--neighbours", 1, 10_000);
    long serveCutoff =
        o.containsKey("--serve-cutoff") ? TrainingCli.day("items", o, "--serve-cutoff") : 0;
    Set<EventType> historyTypes = types(o.get("--history"));
    Set<EventType> targetTypes = types(o.get("--targets"));
    Set<EventType> newToTypes = o.get("--new-to") == null ? historyTypes : types(o.get("--new-to"));
    long t0 = System.nanoTime();
    EventLog log = TrainingCli.readEvents("items", events, o);
    List<ItemSimilarity.Purchase> history = interactions(log, historyTypes, false);
    List<ItemSimilarity.Purchase> targets = interactions(log, targetTypes, false);
    // A clickstream's targets may be products viewed before: then "recently viewed" is a baseline.
    boolean newToOtherTypes = !newToTypes.equals(historyTypes);
    List<ItemSimilarity.Purchase> had =
        newToOtherTypes ? interactions(log, newToTypes, false) : history;
    List<ItemSimilarity.Purchase> servable = interactions(log, historyTypes, true);
    TrainingCli.log(
        String.format(
            "%s: %,d events; %,d history and %,d target interactions",
            events, log.events.size(), history.size(), targets.size()));

    // The setting: chosen on the validation cut-off by hit@10.
    ItemEvaluation.Rows valRows = ItemEvaluation.rows(history, had, targets, validation, horizon);
    // Products viewed and not had are candidates only in a clickstream: then search their share.
    double[] viewedWeights = newToOtherTypes ? new double[] {0, 0.25, 0.5, 0.75} : new double[] {0};
    ItemSimilarity.Settings best = null;
    double bestHit = -1;
    StringBuilder grid = new StringBuilder();
    for (double damping : new double[] {0, 0.5, 1}) {
      // One training per basket damping; the other settings only change how it scores.
      ItemSimilarity trained =
          ItemSimilarity.train(
              history, validation, new ItemSimilarity.Settings(neighbours, 0, 0, 30, damping, 0.5));
      for (int k :
          java.util.stream.IntStream.of(5, 10, 20, 50, neighbours)
              .filter(k -> k <= neighbours)
              .distinct()
              .toArray()) {
        for (double halfLife : new double[] {0, 90}) {
          for (double pop : new double[] {0, 0.1, 0.2, 0.3, 0.5}) {
            for (double viewed : viewedWeights) {
              if (pop + viewed > 1) {
                continue;
              }
              ItemSimilarity.Settings s =
                  new ItemSimilarity.Settings(k, halfLife, pop, 30, damping, 0.5, viewed);
              ItemSimilarity m = trained.withSettings(s);
              ItemEvaluation.Result r =
                  ItemEvaluation.evaluate(valRows, ItemEvaluation.served(m), validation, K, 0, 1);
              grid.append(
                  String.format(
                      Locale.ROOT,
                      "| %s | %d | %s | %s | %s | %.3f | %.4f |%n",
                      damping,
                      k,
                      halfLife == 0 ? "none" : (int) halfLife + " d",
                      pop,
                      viewed,
                      r.hit(),
                      r.recall()));
              if (r.hit() > bestHit) {
                bestHit = r.hit();
                best = s;
              }
            }
          }
        }
      }
    }
    if (valRows.size() == 0 || best == null) {
      TrainingCli.fail(
          "items",
          "no customer of the validation cut-off "
              + o.get("--validation-cutoff")
              + " has a new item in the horizon: choose cut-offs inside the log");
    }
    TrainingCli.log(
        String.format(
            "validation (%s, %,d customers): chose basket damping %s, top %d neighbours,"
                + " history half-life %s d, popularity %.1f, viewed %.2f (hit@10 %.3f)",
            o.get("--validation-cutoff"),
            valRows.size(),
            best.buyerExponent(),
            best.neighbours(),
            best.historyHalfLifeDays(),
            best.popularityWeight(),
            best.viewedWeight(),
            bestHit));

    ItemEvaluation.Rows rows = ItemEvaluation.rows(history, had, targets, test, horizon);
    ItemSimilarity served = ItemSimilarity.train(history, test, best);
    ItemSimilarity cosine =
        ItemSimilarity.train(history, test, ItemSimilarity.Settings.plainCosine());
    Map<String, ItemEvaluation.Result> results = new LinkedHashMap<>();
    ItemEvaluation.Recommender popularity = (h, now, k) -> names(cosine.popular(k, h.keySet()), k);
    results.put(
        "popularity (customers per item, last 30 days)",
        ItemEvaluation.evaluate(rows, popularity, test, K, bootstrap, 42));
    results.put(
        "plain item-item cosine",
        ItemEvaluation.evaluate(rows, ItemEvaluation.served(cosine), test, K, bootstrap, 42));
    results.put(
        String.format(
            Locale.ROOT,
            "served: cosine, basket damping %s, history half-life %s, popularity %.1f,%s top %d",
            best.buyerExponent(),
            best.historyHalfLifeDays() == 0 ? "none" : (int) best.historyHalfLifeDays() + " d",
            best.popularityWeight(),
            newToOtherTypes ? String.format(Locale.ROOT, " viewed %.2f,", best.viewedWeight()) : "",
            best.neighbours()),
        ItemEvaluation.evaluate(rows, ItemEvaluation.served(served), test, K, bootstrap, 42));
    if (newToOtherTypes) {
      // Not a model: what a clickstream's own history gives, for scale.
      results.put(
          "recently viewed, then popularity",
          ItemEvaluation.evaluate(
              rows, ItemEvaluation.recentlyViewedThen(popularity), test, K, bootstrap, 42));
    }

    StringBuilder report = new StringBuilder();
    report.append("# Item-to-item recommendations: offline evaluation\n\n");
    report.append(
        String.format(
            Locale.ROOT,
            "Data: %s (sha256 %s), %,d events. History: %s; targets: %s, new to %s. Test cut-off"
                + " %s, horizon"
                + " %d days: %,d customers with a new item in the horizon; every item of the"
                + " catalogue at the cut-off they never had is a candidate. Not counted: %,d new"
                + " items of returning customers first sold after the cut-off (no method can rank"
                + " them; %,d customers had only such). Intervals: %d bootstrap resamples of the"
                + " customers.%n%n",
            events.getFileName(),
            log.sha256.substring(0, 12),
            log.events.size(),
            o.get("--history"),
            o.get("--targets"),
            o.get("--new-to") == null ? o.get("--history") : o.get("--new-to"),
            o.get("--test-cutoff"),
            horizon / 86_400_000L,
            rows.size(),
            rows.outsideCatalogue(),
            rows.customersOnlyOutside(),
            bootstrap));
    report.append("| method | hit@10 [95% CI] | recall@10 [95% CI] |\n|---|---|---|\n");
    results.forEach(
        (name, r) ->
            report.append(
                String.format(
                    Locale.ROOT,
                    "| %s | %.3f [%.3f, %.3f] | %.4f [%.4f, %.4f] |%n",
                    name,
                    r.hit(),
                    r.hitLow(),
                    r.hitHigh(),
                    r.recall(),
                    r.recallLow(),
                    r.recallHigh())));
    report.append(
        String.format(
            "%nThe setting was chosen on the validation cut-off %s (%,d customers), by hit@10:%n%n",
            o.get("--validation-cutoff"), valRows.size()));
    report.append(
        "| basket damping | neighbours | history half-life | popularity share | viewed share |"
            + " hit@10 | recall@10 |\n|---|---|---|---|---|---|---|\n");
    report.append(grid);
    Path dir = Files.createDirectories(Path.of(o.get("--output")));
    Path file = dir.resolve("items-" + o.get("--version") + "-report.md");
    Files.writeString(file, report.toString());

    // The servable model: the chosen setting, learned from everything before the serve cut-off.
    if (serveCutoff == 0) { // the whole log; "recent" popularity is its last days
      serveCutoff = servable.stream().mapToLong(ItemSimilarity.Purchase::at).max().orElse(0) + 1;
    }
    ItemSimilarity model = ItemSimilarity.train(servable, serveCutoff, best);
    Map<String, String> training = new LinkedHashMap<>();
    training.put("events", events.getFileName().toString());
    training.put("events_sha256", log.sha256);
    training.put("history_types", o.get("--history"));
    training.put("sensitive_left_out", Integer.toString(history.size() - servable.size()));
    training.put("serve_cutoff", java.time.Instant.ofEpochMilli(serveCutoff).toString());
    training.put("test_cutoff", o.get("--test-cutoff"));
    training.put("validation_cutoff", o.get("--validation-cutoff"));
    training.put("neighbours", Integer.toString(best.neighbours()));
    training.put("buyer_exponent", Double.toString(best.buyerExponent()));
    Map<String, Double> metrics = new LinkedHashMap<>();
    String[] keys = {"popularity", "plain_cosine", "served", "recently_viewed"};
    int x = 0;
    for (ItemEvaluation.Result r : results.values()) {
      metrics.put(keys[x] + "_test_hit_at_10", r.hit());
      metrics.put(keys[x++] + "_test_recall_at_10", r.recall());
    }
    Path manifest = model.writeArtifact(dir, o.get("--version"), training, metrics);
    System.out.println();
    System.out.print(report);
    System.out.printf(
        "%nartifact: %s (%,d items, top %d neighbours each, %,d interactions in sensitive"
            + " categories left out; announce on 'models' with name %s)%n",
        manifest,
        model.size(),
        best.neighbours(),
        history.size() - servable.size(),
        ItemSimilarity.NAME);
    System.out.println("report:   " + file);
    TrainingCli.log(String.format("done in %.1f s", (System.nanoTime() - t0) / 1e9));
  }

  private static List<String> names(List<ItemSimilarity.Scored> scored, int k) {
    List<String> out = new ArrayList<>();
    for (ItemSimilarity.Scored s : scored) {
      if (out.size() < k) {
        out.add(s.item());
      }
    }
    return out;
  }

  static Set<EventType> types(String list) {
    Set<EventType> out = EnumSet.noneOf(EventType.class);
    for (String t : list.split(",")) {
      EventType type = EventType.fromWireName(t.trim());
      if (type == null) {
        TrainingCli.fail(
            "items",
            "unknown event type '"
                + t.trim()
                + "' (one of "
                + java.util.Arrays.stream(EventType.values())
                    .map(EventType::wireName)
                    .collect(java.util.stream.Collectors.joining(", "))
                + ")");
      }
      out.add(type);
    }
    return out;
  }

  /**
   * The interactions of {@code types}; with {@code withoutSensitive}, leaving out events in
   * sensitive categories (the defaults of {@code prescient.privacy.sensitive-categories}): the job
   * never keeps them in a profile, so the served model never learns from them nor recommends them.
   * The evaluation protocol is defined on every purchase, so it keeps them.
   */
  static List<ItemSimilarity.Purchase> interactions(
      EventLog log, Set<EventType> types, boolean withoutSensitive) {
    SensitiveCategories sensitive = new SensitiveCategories(SensitiveCategories.DEFAULTS);
    List<ItemSimilarity.Purchase> out = new ArrayList<>();
    for (Event e : log.events) {
      if (types.contains(e.type)
          && e.productId != null
          && !(withoutSensitive && e.category != null && sensitive.isSensitive(e.category))) {
        out.add(new ItemSimilarity.Purchase(e.userId, e.productId, e.timestamp));
      }
    }
    return out;
  }
}

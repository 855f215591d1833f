package io.prescient.job.local;

import io.prescient.job.training.TrainingCli;
import io.prescient.models.items.ItemSimilarity;
import io.prescient.offline.training.EventLog;
import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import io.prescient.state.profile.SensitiveCategories;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

/**
 * The demo's item-to-item model: trained once from the replayed dataset with the setting {@code
 * prescient train items} chose on the dataset's validation cut-off, cached in the work dir, and
 * announced on {@code models} when the job has started. Purchases only where the log has enough of
 * them (Online Retail: baskets not damped, history half-life 90 days, 30% recent popularity, top 10
 * neighbours); in a clickstream (Taobao) views and carts count as co-interactions too, and 75% of
 * the score goes to the products the user viewed and did not buy (20% recent popularity, top 5
 * neighbours).
 */
final class DemoItems {
  private DemoItems() {}

  static final ItemSimilarity.Settings SETTINGS =
      new ItemSimilarity.Settings(10, 90, 0.3, 30, 0, 0.5);

  /**
   * The setting chosen on Taobao (validation cut-off 2017-12-01, --new-to add_to_cart,purchase).
   */
  static final ItemSimilarity.Settings CLICKSTREAM =
      new ItemSimilarity.Settings(5, 0, 0.1, 30, 0, 0.5, 0.75);

  /** The newest cached model for {@code events} in {@code dir}, or one trained now. */
  static Path modelFor(Path events, Path dir) throws IOException {
    String stem = events.getFileName().toString().replaceAll("\\.jsonl$", "");
    // the cache names the artifact format: a model cached before viewed products counted is not
    // reused
    Path cache = dir.resolve(stem + "-v3");
    if (Files.isDirectory(cache)) {
      try (Stream<Path> files = Files.list(cache)) {
        Path newest =
            files
                .filter(f -> f.getFileName().toString().matches("items-[0-9TZ]+\\.json"))
                .max(Comparator.naturalOrder())
                .orElse(null);
        if (newest != null) {
          return newest;
        }
      }
    }
    EventLog log = EventLog.read(events);
    long purchases = log.events.stream().filter(e -> e.type == EventType.PURCHASE).count();
    boolean purchasesOnly = purchases >= log.events.size() / 2;
    Set<EventType> types =
        purchasesOnly
            ? Set.of(EventType.PURCHASE)
            : Set.of(EventType.VIEW, EventType.ADD_TO_CART, EventType.PURCHASE);
    SensitiveCategories sensitive = new SensitiveCategories(SensitiveCategories.DEFAULTS);
    List<ItemSimilarity.Purchase> history = new ArrayList<>();
    for (Event e : log.events) {
      if (types.contains(e.type)
          && e.productId != null
          && (e.category == null || !sensitive.isSensitive(e.category))) {
        history.add(new ItemSimilarity.Purchase(e.userId, e.productId, e.timestamp));
      }
    }
    // Learned from the whole log; "recent" popularity is the log's last 30 days.
    long end = history.stream().mapToLong(ItemSimilarity.Purchase::at).max().orElse(0) + 1;
    ItemSimilarity model =
        ItemSimilarity.train(history, end, purchasesOnly ? SETTINGS : CLICKSTREAM);
    Map<String, String> training = new LinkedHashMap<>();
    training.put("events", events.getFileName().toString());
    training.put("events_sha256", log.sha256);
    training.put("interactions", types.toString());
    return model.writeArtifact(cache, TrainingCli.versionNow(), training, Map.of());
  }
}

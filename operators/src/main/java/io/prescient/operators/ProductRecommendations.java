package io.prescient.operators;

import io.prescient.models.artifact.LoadedModel;
import io.prescient.models.items.ItemSimilarity;
import io.prescient.models.policy.Guardrails;
import io.prescient.models.policy.PolicyEngine;
import io.prescient.state.contract.CatalogEntry;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.LineItem;
import io.prescient.state.contract.Recommendation;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * The products recommended with a decision: the served item-to-item model ranks, from what the user
 * bought (and the decision's own product) and viewed recently, and the guardrails filter: never out
 * of stock, never sensitive (by the catalog's flag or the category), never below the margin floor,
 * never named to the user more than the shown limit allows, never what they bought or have in the
 * cart. Flink-free; the policy calls it when a decision is made and again when a held one is
 * released.
 */
final class ProductRecommendations {
  /** The triggers whose decisions carry recommendations. */
  static final Set<String> TRIGGERS =
      Set.of("post_purchase", "browse_abandonment", "win_back", "onsite_request");

  /** At most this many products per decision. */
  static final int MAX = 5;

  /** The live catalog, by product id. */
  interface Catalog {
    CatalogEntry get(String productId) throws Exception;
  }

  /** How often a product was named to the user at or after a time. */
  interface Shown {
    int since(String productId, long since);
  }

  private ProductRecommendations() {}

  /**
   * Fills {@code d.recommendations} for a decision that is sent (not a hold-out), when an items
   * model is served ({@code served}, null when none) and the trigger is one of {@link #TRIGGERS};
   * the model's version goes into {@code model_versions}.
   */
  static void recommend(
      Decision d,
      DecisionCandidate c,
      LoadedModel served,
      Guardrails.Settings g,
      Guardrails.UserView user,
      Catalog catalog)
      throws Exception {
    if (served == null
        || !TRIGGERS.contains(d.trigger)
        || PolicyEngine.NO_ACTION.equals(d.action)
        || user.optedOut()
        || c.userEvents < g.minHistoryEvents()) { // broad first: no products for a new user
      return;
    }
    List<String> history = new ArrayList<>(c.history);
    List<Long> at = new ArrayList<>();
    for (long t : c.historyAt) {
      at.add(t);
    }
    if (d.productId != null && !history.contains(d.productId)) {
      history.add(d.productId); // the product the decision is about: "with it, customers bought"
      at.add(d.decidedAt);
    }
    if (history.isEmpty() && c.viewed.isEmpty()) {
      return;
    }
    ItemSimilarity model = served.items;
    d.modelVersions.put(ItemSimilarity.NAME, served.manifest.version());
    Set<String> inCart = new HashSet<>(c.cart);
    for (LineItem i : d.items) {
      inCart.add(i.productId);
    }
    long since = d.decidedAt - g.shownWindowMs();
    List<Exception> failed = new ArrayList<>();
    List<ItemSimilarity.Recommended> ranked =
        model.recommend(
            history,
            at.stream().mapToLong(Long::longValue).toArray(),
            c.viewed,
            d.decidedAt,
            MAX,
            id -> {
              try {
                return !inCart.contains(id)
                    && allowed(catalog.get(id), g)
                    && user.shownSince(id, since) < g.shownLimit();
              } catch (Exception e) {
                failed.add(e);
                return false;
              }
            });
    if (!failed.isEmpty()) {
      throw failed.get(0);
    }
    d.recommendations = new ArrayList<>();
    for (ItemSimilarity.Recommended r : ranked) {
      double score = Math.round(r.score() * 1e4) / 1e4;
      Recommendation rec =
          r.viewed()
              ? Recommendation.viewed(r.item(), score)
              : new Recommendation(r.item(), score, r.because());
      describe(rec, catalog.get(r.item()));
      d.recommendations.add(rec);
    }
  }

  /**
   * At release: the recommendations still allowed by the live catalog (a product out of stock or
   * marked sensitive since the decision is dropped) and by the shown limit (another decision held
   * at the same time may have named the product since), described as the catalog is now. Returns
   * whether any was dropped.
   */
  static boolean recheck(Decision d, Guardrails.Settings g, Shown shown, Catalog catalog)
      throws Exception {
    if (d.recommendations.isEmpty()) {
      return false;
    }
    long since = d.sendAfter - g.shownWindowMs();
    List<Recommendation> kept = new ArrayList<>();
    for (Recommendation r : d.recommendations) {
      CatalogEntry e = catalog.get(r.productId);
      if (allowed(e, g) && shown.since(r.productId, since) < g.shownLimit()) {
        describe(r, e);
        kept.add(r);
      }
    }
    boolean dropped = kept.size() < d.recommendations.size();
    d.recommendations = kept;
    return dropped;
  }

  /** Whether the catalog allows recommending a product; one it does not describe is allowed. */
  private static boolean allowed(CatalogEntry e, Guardrails.Settings g) {
    if (e == null) {
      return g.defaultMargin() >= g.marginFloor();
    }
    return e.inStock
        && !e.sensitive
        && (e.category == null || !g.sensitive().isSensitive(e.category))
        && e.margin >= g.marginFloor();
  }

  private static void describe(Recommendation r, CatalogEntry e) {
    if (e != null) {
      r.productName = e.name;
      r.productPrice = e.price;
      r.productUrl = e.url;
      r.productImageUrl = e.imageUrl;
    }
  }
}

package io.prescient.state.contract;

import java.util.Objects;

/**
 * A record of the {@code catalog} topic (key = product id): the live facts about one product that
 * the guardrails need. Broadcast to every parallel instance; the latest record per product wins.
 */
public class CatalogEntry {
  public String productId;
  public String category;
  public double price;

  /** Gross margin as a fraction of the price, in [-1, 1]. */
  public double margin;

  public boolean inStock;

  /** The product belongs to a sensitive category whatever its category says. */
  public boolean sensitive;

  /** Optional: what a message shows of the product (name, page, image); null when not given. */
  public String name;

  public String url;
  public String imageUrl;

  public CatalogEntry() {}

  public CatalogEntry(
      String productId,
      String category,
      double price,
      double margin,
      boolean inStock,
      boolean sensitive) {
    this.productId = productId;
    this.category = category;
    this.price = price;
    this.margin = margin;
    this.inStock = inStock;
    this.sensitive = sensitive;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof CatalogEntry c
        && Objects.equals(productId, c.productId)
        && Objects.equals(category, c.category)
        && price == c.price
        && margin == c.margin
        && inStock == c.inStock
        && sensitive == c.sensitive;
  }

  @Override
  public int hashCode() {
    return Objects.hash(productId, category, price, margin, inStock, sensitive);
  }

  @Override
  public String toString() {
    return "CatalogEntry{" + productId + ", in_stock=" + inStock + ", margin=" + margin + "}";
  }
}

package io.prescient.state.contract;

/**
 * A product recommended with a decision (decision schema 5), ranked by {@code score}: the sum of
 * its item-to-item similarities to what the user bought (and the decision's own product), and why,
 * with what the live catalog knows to render it.
 */
public class Recommendation {
  public String productId;

  /** The model's score: higher is better; comparable only within one decision. */
  public double score;

  /** The product of the user's history that contributed most, or null (popular now). */
  public String becauseOf;

  /** The reason in words: "bought together with X" or "popular now". */
  public String reason;

  /** From the live catalog when it describes the product, else null. */
  public String productName;

  public Double productPrice;
  public String productUrl;
  public String productImageUrl;

  public Recommendation() {}

  public Recommendation(String productId, double score, String becauseOf) {
    this.productId = productId;
    this.score = score;
    this.becauseOf = becauseOf;
    this.reason = becauseOf == null ? "popular now" : "bought together with " + becauseOf;
  }
}

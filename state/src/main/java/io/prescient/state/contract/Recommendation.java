package io.prescient.state.contract;

/**
 * A product recommended with a decision (decision schema 5), ranked by {@code score}: the sum of
 * its item-to-item similarities to what the user bought (and the decision's own product), plus a
 * share for a product the user viewed recently, and why, with what the live catalog knows to render
 * it.
 */
public class Recommendation {
  public String productId;

  /** The model's score: higher is better; comparable only within one decision. */
  public double score;

  /** The product of the user's history that contributed most, or null (popular now). */
  public String becauseOf;

  /**
   * The reason in words: "bought together with X", "viewed recently" (then {@code becauseOf} is the
   * product itself) or "popular now".
   */
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

  /** A product recommended because the user viewed it recently and did not buy it. */
  public static Recommendation viewed(String productId, double score) {
    Recommendation r = new Recommendation(productId, score, productId);
    r.reason = "viewed recently";
    return r;
  }
}

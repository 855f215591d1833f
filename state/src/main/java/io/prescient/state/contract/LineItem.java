package io.prescient.state.contract;

/** One line of a cart, as a decision carries it so that a message can list what was left. */
public class LineItem {
  public String productId;
  public int quantity;

  /** Unit price when known, else null. */
  public Double price;

  public LineItem() {}

  public LineItem(String productId, int quantity, Double price) {
    this.productId = productId;
    this.quantity = quantity;
    this.price = price;
  }
}

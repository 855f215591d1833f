package io.prescient.state.profile;

/** One product in the user's open cart (a value of the cart {@code MapState}, keyed by product). */
public class CartLine {
  public int quantity;

  /** Unit price when known, else null. */
  public Double price;

  public String category;

  /** Event time of the last change to this line, epoch millis. */
  public long updatedAt;

  public CartLine() {}

  public CartLine(int quantity, Double price, String category, long updatedAt) {
    this.quantity = quantity;
    this.price = price;
    this.category = category;
    this.updatedAt = updatedAt;
  }

  /** An equal line that shares nothing mutable with this one. */
  public CartLine copy() {
    return new CartLine(quantity, price, category, updatedAt);
  }

  public double value() {
    return price == null ? 0.0 : price * quantity;
  }
}

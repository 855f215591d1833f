package io.prescient.state.contract;

/** What a messaging service reports on the {@code outcomes} topic about one decision. */
public enum OutcomeType {
  DELIVERED("delivered"),
  OPENED("opened"),
  CLICKED("clicked"),
  /** The user bought because of (or after) the decision; {@code value} is the order value. */
  CONVERTED("converted"),
  DISMISSED("dismissed");

  private final String wireName;

  OutcomeType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static OutcomeType fromWireName(String name) {
    for (OutcomeType t : values()) {
      if (t.wireName.equals(name)) {
        return t;
      }
    }
    return null;
  }
}

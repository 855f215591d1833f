package io.prescient.state.contract;

/** Requests on the {@code privacy} topic. */
public enum PrivacyType {
  /** Stop all personalization for the user, effective on the next event. */
  OPT_OUT("opt_out"),
  /** Personalization allowed again. */
  OPT_IN("opt_in"),
  /** Stop messages on the listed channels. */
  UNSUBSCRIBE("unsubscribe"),
  /** Right to be forgotten: delete every trace of the user from state. */
  ERASE("erase");

  private final String wireName;

  PrivacyType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  public static PrivacyType fromWireName(String name) {
    for (PrivacyType t : values()) {
      if (t.wireName.equals(name)) {
        return t;
      }
    }
    return null;
  }
}

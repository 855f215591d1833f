package io.prescient.state.contract;

import java.util.HashMap;
import java.util.Map;

/** The behavioural event types of the {@code events} topic, with their wire names. */
public enum EventType {
  VIEW("view"),
  DWELL("dwell"),
  SEARCH("search"),
  ADD_TO_CART("add_to_cart"),
  REMOVE_FROM_CART("remove_from_cart"),
  PURCHASE("purchase"),
  REFUND("refund"),
  EMAIL_OPEN("email_open"),
  EMAIL_CLICK("email_click"),
  SUPPORT_TICKET("support_ticket");

  private static final Map<String, EventType> BY_WIRE_NAME = new HashMap<>();

  static {
    for (EventType t : values()) {
      BY_WIRE_NAME.put(t.wireName, t);
    }
  }

  private final String wireName;

  EventType(String wireName) {
    this.wireName = wireName;
  }

  public String wireName() {
    return wireName;
  }

  /** Returns the type for a wire name, or null when the name is not a known type. */
  public static EventType fromWireName(String name) {
    return BY_WIRE_NAME.get(name);
  }
}

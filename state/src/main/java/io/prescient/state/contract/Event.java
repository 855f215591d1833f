package io.prescient.state.contract;

import java.util.Objects;

/**
 * One behavioural event from the {@code events} topic, after validation. A Flink POJO (public
 * fields, no-arg constructor) so that it never falls back to Kryo; optional fields are null when
 * absent.
 */
public class Event {
  public String eventId;
  public String userId;
  public EventType type;

  /** Event time, epoch milliseconds UTC. */
  public long timestamp;

  public String productId;
  public String category;
  public Double price;
  public Integer quantity;
  public Long dwellMs;
  public String channel;
  public String device;

  /** Support-ticket sentiment in [-1, 1]. */
  public Double sentiment;

  public Event() {}

  public Event(String eventId, String userId, EventType type, long timestamp) {
    this.eventId = eventId;
    this.userId = userId;
    this.type = type;
    this.timestamp = timestamp;
  }

  /** Units on the event: the quantity when given, else 1. */
  public int units() {
    return quantity == null ? 1 : quantity;
  }

  /** Price x units, 0 when the event carries no price. */
  public double value() {
    return price == null ? 0.0 : price * units();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof Event)) {
      return false;
    }
    Event e = (Event) o;
    return timestamp == e.timestamp
        && Objects.equals(eventId, e.eventId)
        && Objects.equals(userId, e.userId)
        && type == e.type
        && Objects.equals(productId, e.productId)
        && Objects.equals(category, e.category)
        && Objects.equals(price, e.price)
        && Objects.equals(quantity, e.quantity)
        && Objects.equals(dwellMs, e.dwellMs)
        && Objects.equals(channel, e.channel)
        && Objects.equals(device, e.device)
        && Objects.equals(sentiment, e.sentiment);
  }

  @Override
  public int hashCode() {
    return Objects.hash(eventId, userId, type, timestamp);
  }

  @Override
  public String toString() {
    return "Event{" + eventId + ", " + userId + ", " + type + ", " + timestamp + "}";
  }
}

package io.prescient.state.contract;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** A request from the {@code privacy} topic, after validation. */
public class PrivacyRequest {
  public String userId;
  public PrivacyType type;

  /** When the request was made, epoch milliseconds UTC. */
  public long timestamp;

  /** Channels for {@link PrivacyType#UNSUBSCRIBE}; empty otherwise. */
  public List<String> channels = new ArrayList<>();

  public PrivacyRequest() {}

  public PrivacyRequest(String userId, PrivacyType type, long timestamp, List<String> channels) {
    this.userId = userId;
    this.type = type;
    this.timestamp = timestamp;
    this.channels = new ArrayList<>(channels);
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof PrivacyRequest)) {
      return false;
    }
    PrivacyRequest p = (PrivacyRequest) o;
    return timestamp == p.timestamp
        && Objects.equals(userId, p.userId)
        && type == p.type
        && Objects.equals(channels, p.channels);
  }

  @Override
  public int hashCode() {
    return Objects.hash(userId, type, timestamp, channels);
  }

  @Override
  public String toString() {
    return "PrivacyRequest{" + userId + ", " + type + ", " + timestamp + ", " + channels + "}";
  }
}

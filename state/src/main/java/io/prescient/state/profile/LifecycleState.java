package io.prescient.state.profile;

/**
 * What the lifecycle triggers need besides the profile (a Flink POJO in its own keyed state, kept
 * only for customers: users with an order): the last order, and what was already answered with a
 * post-purchase follow-up or a win-back decision point. It changes on orders and decisions only.
 */
public class LifecycleState {
  public long lastOrderAt;
  public String lastOrderEventId;

  /** The order a follow-up was decided for. */
  public String followedUp;

  /** The last activity (the profile's last-seen time) a win-back was decided for. */
  public long wonBackAt;

  /** The pending lifecycle timer (0: none); it may be earlier than what is due (then re-armed). */
  public long pendingTimer;

  public LifecycleState() {}

  /** A copy with every field (all are values). */
  public LifecycleState copy() {
    LifecycleState c = new LifecycleState();
    c.lastOrderAt = lastOrderAt;
    c.lastOrderEventId = lastOrderEventId;
    c.followedUp = followedUp;
    c.wonBackAt = wonBackAt;
    c.pendingTimer = pendingTimer;
    return c;
  }
}

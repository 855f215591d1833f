package io.prescient.state.profile;

/**
 * The user's current browsing session, for the browse-abandonment trigger (a Flink POJO in its own
 * keyed state, beside the profile): the views of the session so far, the last product viewed, and
 * whether the session already led to a cart, a purchase or a decision.
 */
public class BrowseSession {
  /** Event time of the session's first and last view, epoch millis (0: no session). */
  public long startedAt;

  public long lastViewAt;

  public int views;

  /** The last view: it names the decision and its product. */
  public String lastViewEventId;

  public String lastProductId;
  public String lastCategory;

  /** Price of the last product viewed, when the event said (0 otherwise). */
  public double lastPrice;

  /** The session turned into a cart or a purchase, or was answered by a decision. */
  public boolean closed;

  /** The pending browse timer (0: none), so erase can delete it. */
  public long pendingTimer;

  public BrowseSession() {}

  /** A copy with every field (all are values). */
  public BrowseSession copy() {
    BrowseSession c = new BrowseSession();
    c.startedAt = startedAt;
    c.lastViewAt = lastViewAt;
    c.views = views;
    c.lastViewEventId = lastViewEventId;
    c.lastProductId = lastProductId;
    c.lastCategory = lastCategory;
    c.lastPrice = lastPrice;
    c.closed = closed;
    c.pendingTimer = pendingTimer;
    return c;
  }
}

package io.prescient.operators;

import java.util.ArrayList;
import java.util.List;

/**
 * What the policy operator remembers about a user besides held decisions, open feedback and message
 * history: the privacy choices and the last purchase, to re-check held decisions at release. (The
 * profile operator keeps its own copy; the two operators share nothing.)
 */
public class PolicyUser {
  public boolean optedOut;
  public List<String> unsubscribed = new ArrayList<>();

  /** Event time of the user's last purchase, epoch millis (0: none seen). */
  public long lastPurchaseAt;

  public PolicyUser() {}
}

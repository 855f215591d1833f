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

  /**
   * A lower bound of the earliest due time of the user's held decisions, buffered outcomes and open
   * reward windows ({@link Long#MAX_VALUE}: none pending), so that settling on each input needs one
   * state read instead of three RocksDB scans. Added in policy state format 2; see {@code
   * PolicyFunction#settle}.
   */
  public long nextDueAt = Long.MAX_VALUE;

  /**
   * The due-time index (policy state format 3): every held decision, buffered outcome and open
   * reward window of the user, as parallel arrays sorted by (time, kind, key), so settling reads
   * only what is due instead of scanning three map states. Null for a user stored before format 3:
   * the first settle scans once and builds it. See {@link DueIndex}.
   */
  public long[] dueAt;

  /** {@link DueIndex#RELEASE}, {@link DueIndex#OUTCOME} or {@link DueIndex#CLOSE}, per entry. */
  public byte[] dueKind;

  /** The map-state key of each entry (decision id, or buffered outcome key). */
  public String[] dueKey;

  public PolicyUser() {}
}

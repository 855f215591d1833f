package io.prescient.operators;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.IntPredicate;

/**
 * The policy's due-time index of one user, kept in {@link PolicyUser}: what is pending (held
 * decisions, buffered outcomes, open reward windows), when it is due, in the order it is settled:
 * by time, then kind (a release before an outcome before a window closing), then key. Settling
 * takes what is due from the front; nothing else of the user is read. Plain Java: no Flink, no
 * state.
 */
public final class DueIndex {
  private DueIndex() {}

  /** A held decision is re-checked and released or cancelled. */
  public static final byte RELEASE = 0;

  /** A buffered outcome is joined. */
  public static final byte OUTCOME = 1;

  /** A reward window closes: the feedback record goes out. */
  public static final byte CLOSE = 2;

  /** One entry: due at {@code at}, of a kind, for the map-state key {@code key}. */
  public record Due(long at, byte kind, String key) {}

  /** Whether the user's pending work is indexed (false for state stored before the index). */
  public static boolean indexed(PolicyUser u) {
    return u.dueAt != null;
  }

  /** Starts an empty index (a new user, or one whose pending work is about to be re-added). */
  public static void clear(PolicyUser u) {
    u.dueAt = new long[0];
    u.dueKind = new byte[0];
    u.dueKey = new String[0];
    u.nextDueAt = Long.MAX_VALUE;
  }

  /**
   * Adds an entry, replacing an earlier one of the same kind and key (a map-state entry is due
   * once, at its latest time). Keeps {@link PolicyUser#nextDueAt} the earliest time in the index.
   */
  public static void add(PolicyUser u, long at, byte kind, String key) {
    if (!indexed(u)) {
      throw new IllegalStateException("the user's due-time index is not built yet");
    }
    remove(u, kind, key);
    int n = u.dueAt.length;
    int i = 0;
    while (i < n && compare(u.dueAt[i], u.dueKind[i], u.dueKey[i], at, kind, key) < 0) {
      i++;
    }
    u.dueAt = insert(u.dueAt, i, at);
    byte[] kinds = new byte[n + 1];
    System.arraycopy(u.dueKind, 0, kinds, 0, i);
    kinds[i] = kind;
    System.arraycopy(u.dueKind, i, kinds, i + 1, n - i);
    u.dueKind = kinds;
    String[] keys = new String[n + 1];
    System.arraycopy(u.dueKey, 0, keys, 0, i);
    keys[i] = key;
    System.arraycopy(u.dueKey, i, keys, i + 1, n - i);
    u.dueKey = keys;
    u.nextDueAt = u.dueAt[0];
  }

  /** Removes every entry of one kind (an opt-out drops the open reward windows). */
  public static void removeKind(PolicyUser u, byte kind) {
    if (indexed(u)) {
      keep(u, i -> u.dueKind[i] != kind);
    }
  }

  /**
   * Takes every entry due at or before {@code bound}, in settling order, out of the index; {@link
   * PolicyUser#nextDueAt} becomes the earliest entry left.
   */
  public static List<Due> takeDue(PolicyUser u, long bound) {
    int n = 0;
    while (n < u.dueAt.length && u.dueAt[n] <= bound) {
      n++;
    }
    List<Due> due = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      due.add(new Due(u.dueAt[i], u.dueKind[i], u.dueKey[i]));
    }
    if (n > 0) {
      u.dueAt = Arrays.copyOfRange(u.dueAt, n, u.dueAt.length);
      u.dueKind = Arrays.copyOfRange(u.dueKind, n, u.dueKind.length);
      u.dueKey = Arrays.copyOfRange(u.dueKey, n, u.dueKey.length);
    }
    u.nextDueAt = u.dueAt.length == 0 ? Long.MAX_VALUE : u.dueAt[0];
    return due;
  }

  /** Entries in the index (for tests and the erase receipt). */
  public static int size(PolicyUser u) {
    return indexed(u) ? u.dueAt.length : 0;
  }

  private static void remove(PolicyUser u, byte kind, String key) {
    keep(u, i -> u.dueKind[i] != kind || !u.dueKey[i].equals(key));
  }

  private static void keep(PolicyUser u, IntPredicate keep) {
    int n = u.dueAt.length;
    int kept = 0;
    for (int i = 0; i < n; i++) {
      kept += keep.test(i) ? 1 : 0;
    }
    if (kept == n) {
      return;
    }
    long[] at = new long[kept];
    byte[] kinds = new byte[kept];
    String[] keys = new String[kept];
    for (int i = 0, j = 0; i < n; i++) {
      if (keep.test(i)) {
        at[j] = u.dueAt[i];
        kinds[j] = u.dueKind[i];
        keys[j] = u.dueKey[i];
        j++;
      }
    }
    u.dueAt = at;
    u.dueKind = kinds;
    u.dueKey = keys;
    u.nextDueAt = kept == 0 ? Long.MAX_VALUE : at[0];
  }

  private static int compare(long at1, byte kind1, String key1, long at2, byte kind2, String key2) {
    int c = Long.compare(at1, at2);
    if (c != 0) {
      return c;
    }
    c = Byte.compare(kind1, kind2);
    return c != 0 ? c : key1.compareTo(key2);
  }

  private static long[] insert(long[] a, int i, long v) {
    long[] b = new long[a.length + 1];
    System.arraycopy(a, 0, b, 0, i);
    b[i] = v;
    System.arraycopy(a, i, b, i + 1, a.length - i);
    return b;
  }
}

package io.prescient.state.contract;

import java.util.regex.Pattern;

/**
 * Ids of re-keyed copies of an event log: the same real behaviour N times as N times the users (a
 * larger synthetic population for benchmarks and the simulated loop).
 *
 * <p>Convention: copy 0 keeps the original ids; copy {@code k >= 1} prefixes the user and event ids
 * with {@code c<k>-} ({@code tb-42} becomes {@code c3-tb-42}). The source user of an id is the id
 * without its copy prefixes ({@link #source}), so that evaluation can resample all copies of one
 * real user together: they share that user's real behaviour, so they are not independent. Ids of
 * the converted datasets ({@code tb-}, {@code or-}, ...) never start with {@code c<digits>-}; an
 * original id that did would be merged with the user it seems to copy, which makes intervals wider,
 * never narrower.
 */
public final class CopyIds {
  private CopyIds() {}

  private static final Pattern PREFIX = Pattern.compile("^c[1-9][0-9]*-");

  /** The prefix of copy {@code copy} ({@code ""} for copy 0, else {@code c<copy>-}). */
  public static String prefix(int copy) {
    if (copy < 0) {
      throw new IllegalArgumentException("copy " + copy + " < 0");
    }
    return copy == 0 ? "" : "c" + copy + "-";
  }

  /** The id of copy {@code copy} of {@code id}. */
  public static String of(String id, int copy) {
    return prefix(copy) + id;
  }

  /** Whether {@code id} is the id of a copy (copy 1 or later). */
  public static boolean isCopy(String id) {
    return PREFIX.matcher(id).find();
  }

  /** The original id of a copy: every copy prefix removed (copies of copies included). */
  public static String source(String id) {
    String s = id;
    while (isCopy(s)) {
      s = PREFIX.matcher(s).replaceFirst("");
    }
    return s;
  }
}

package io.prescient.state.contract;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.Instant;
import java.util.Locale;

/**
 * The two formats every decision writes, without {@link java.util.Formatter} and {@link
 * java.time.format.DateTimeFormatter}: under a decision-heavy load, {@code String.format("%.2f")}
 * in the explanations was 12% of the task thread and the instants' formatter 2%. Both give exactly
 * what the library calls give ({@code FormatsTest} compares them on random and edge values), so
 * decisions stay byte-identical.
 */
public final class Formats {
  private Formats() {}

  /**
   * {@code String.format(Locale.ROOT, "%.<places>f", v)}: the shortest decimal of {@code v} rounded
   * half up to {@code places} digits, "-" kept for a negative value that rounds to zero.
   */
  public static String fixed(double v, int places) {
    if (!Double.isFinite(v) || Math.abs(v) >= 1e15 || places < 0 || places > 9) {
      return String.format(Locale.ROOT, "%." + places + "f", v);
    }
    String s = BigDecimal.valueOf(v).setScale(places, RoundingMode.HALF_UP).toPlainString();
    boolean negative = v < 0 || (v == 0 && 1 / v < 0);
    return negative && s.charAt(0) != '-' ? "-" + s : s;
  }

  /**
   * {@code Instant.ofEpochMilli(millis).toString()} (ISO-8601, UTC, a fraction of 3 digits when the
   * millisecond is not 0), computed directly for the years 0 to 9999.
   */
  public static String isoInstant(long millis) {
    long days = Math.floorDiv(millis, 86_400_000L);
    long ms = Math.floorMod(millis, 86_400_000L);
    // civil date from days since 1970-01-01 (H. Hinnant's algorithm)
    long z = days + 719_468;
    long era = Math.floorDiv(z, 146_097);
    long doe = z - era * 146_097;
    long yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    long mp = (5 * doy + 2) / 153;
    int day = (int) (doy - (153 * mp + 2) / 5 + 1);
    int month = (int) (mp < 10 ? mp + 3 : mp - 9);
    long year = yoe + era * 400 + (month <= 2 ? 1 : 0);
    if (year < 0 || year > 9999) {
      return Instant.ofEpochMilli(millis).toString();
    }
    int secondOfDay = (int) (ms / 1000);
    int milli = (int) (ms % 1000);
    char[] c = new char[milli == 0 ? 20 : 24];
    digits(c, 0, (int) year, 4);
    c[4] = '-';
    digits(c, 5, month, 2);
    c[7] = '-';
    digits(c, 8, day, 2);
    c[10] = 'T';
    digits(c, 11, secondOfDay / 3600, 2);
    c[13] = ':';
    digits(c, 14, secondOfDay / 60 % 60, 2);
    c[16] = ':';
    digits(c, 17, secondOfDay % 60, 2);
    if (milli != 0) {
      c[19] = '.';
      digits(c, 20, milli, 3);
    }
    c[c.length - 1] = 'Z';
    return new String(c);
  }

  private static void digits(char[] c, int at, int value, int width) {
    for (int i = at + width - 1; i >= at; i--) {
      c[i] = (char) ('0' + value % 10);
      value /= 10;
    }
  }
}

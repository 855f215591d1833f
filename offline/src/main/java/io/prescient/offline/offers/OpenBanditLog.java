package io.prescient.offline.offers;

import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.dataformat.csv.CsvMapper;
import com.fasterxml.jackson.dataformat.csv.CsvParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeFormatterBuilder;
import java.time.temporal.ChronoField;
import java.time.temporal.TemporalAccessor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.GZIPInputStream;

/**
 * Logged bandit feedback in the Open Bandit Dataset's layout: one impression per row (the item
 * shown, its slot, whether it was clicked, the logging policy's propensity, the user's features
 * and, optionally, the user's affinity to every item), joined with the item features of {@code
 * item_context.csv} from the same directory (the random and bts copies were anonymised separately
 * and must not be mixed).
 *
 * <p>Read generally, so a log from another source reads too: any number of {@code user_feature_*}
 * columns (categorical); {@code user-item_affinity_*} columns optional; item features {@code
 * item_feature_*} numeric when every value is a number, else categorical; timestamps ISO-8601 or
 * {@code yyyy-MM-dd HH:mm:ss}, with or without fractions and offset (UTC when none); CSV quoting as
 * RFC 4180 (a comma inside quotes is part of the value); {@code propensity_score} in (0, 1].
 */
public final class OpenBanditLog {
  /**
   * One impression; {@code userFeatures} in the order of {@link #userFeatureNames}, {@code
   * affinities} by item id (empty when the log has no affinity columns).
   */
  public record Impression(
      String campaign,
      long timestamp,
      int item,
      int position,
      boolean click,
      double propensity,
      String[] userFeatures,
      float[] affinities) {}

  /** One item's features by column name: the numeric ones and the categorical ones. */
  public record Item(Map<String, Float> numeric, Map<String, String> categorical) {}

  public final String campaign;
  public final Path file;
  public final String sha256;
  public final List<Impression> impressions;
  public final Map<Integer, Item> items;

  /** The {@code user_feature_*} columns, by their number. */
  public final List<String> userFeatureNames;

  private OpenBanditLog(
      String campaign,
      Path file,
      String sha256,
      List<Impression> rows,
      Map<Integer, Item> items,
      List<String> userFeatureNames) {
    this.campaign = campaign;
    this.file = file;
    this.sha256 = sha256;
    this.impressions = rows;
    this.items = items;
    this.userFeatureNames = userFeatureNames;
  }

  public int itemCount() {
    return items.size();
  }

  private static final DateTimeFormatter TS =
      new DateTimeFormatterBuilder()
          .appendPattern("yyyy-MM-dd")
          .optionalStart()
          .appendLiteral('T')
          .optionalEnd()
          .optionalStart()
          .appendLiteral(' ')
          .optionalEnd()
          .appendPattern("HH:mm:ss")
          .optionalStart()
          .appendFraction(ChronoField.NANO_OF_SECOND, 1, 9, true)
          .optionalEnd()
          .optionalStart()
          .appendOffset("+HH:MM", "Z")
          .optionalEnd()
          .optionalStart()
          .appendOffset("+HHMM", "Z")
          .optionalEnd()
          .toFormatter();

  /** Epoch millis of a log timestamp; UTC when it names no offset. */
  static long timestamp(String s) {
    TemporalAccessor t = TS.parse(s.trim());
    return t.isSupported(ChronoField.OFFSET_SECONDS)
        ? OffsetDateTime.from(t).toInstant().toEpochMilli()
        : LocalDateTime.from(t).toInstant(ZoneOffset.UTC).toEpochMilli();
  }

  private static final Pattern USER_FEATURE = Pattern.compile("user_feature_(\\d+)");
  private static final Pattern AFFINITY = Pattern.compile("user-item_affinity_(\\d+)");
  private static final Pattern ITEM_FEATURE = Pattern.compile("item_feature_(\\d+)");

  /**
   * Reads {@code dir/<campaign>.csv(.gz)} and {@code dir/item_context.csv(.gz)}; the campaign is
   * the directory's name.
   *
   * @throws IOException with the file and line when a row does not have the needed columns or a
   *     value is out of range
   */
  public static OpenBanditLog read(Path dir) throws IOException {
    String campaign = dir.getFileName().toString();
    Path file = existing(dir, campaign + ".csv");
    Map<Integer, Item> items = readItems(existing(dir, "item_context.csv"));
    MessageDigest sha = sha256();
    List<Impression> rows = new ArrayList<>();
    List<String> userFeatures;
    try (MappingIterator<List<String>> in = rows(file, sha)) {
      Map<String, Integer> col = header(in, file);
      userFeatures = numbered(col, USER_FEATURE);
      int[] uf = userFeatures.stream().mapToInt(col::get).toArray();
      Map<Integer, Integer> affinityColumn = new HashMap<>();
      for (String name : numbered(col, AFFINITY)) {
        Matcher m = AFFINITY.matcher(name);
        m.matches();
        affinityColumn.put(Integer.parseInt(m.group(1)), col.get(name));
      }
      int affinities =
          affinityColumn.isEmpty()
              ? 0
              : affinityColumn.keySet().stream().max(Integer::compare).get() + 1;
      int ts = need(col, "timestamp", file);
      int item = need(col, "item_id", file);
      int pos = need(col, "position", file);
      int click = need(col, "click", file);
      int prop = need(col, "propensity_score", file);
      int lineNo = 1;
      while (in.hasNextValue()) {
        List<String> f = in.nextValue();
        lineNo++;
        if (f.size() == 1 && f.get(0).isBlank()) {
          continue;
        }
        try {
          String[] u = new String[uf.length];
          for (int k = 0; k < uf.length; k++) {
            u[k] = f.get(uf[k]);
          }
          float[] a = new float[affinities];
          affinityColumn.forEach((id, c) -> a[id] = Float.parseFloat(f.get(c)));
          int itemId = Integer.parseInt(f.get(item).trim());
          if (!items.containsKey(itemId)) {
            throw new IllegalArgumentException("item_id " + itemId + " is not in item_context");
          }
          double p = Double.parseDouble(f.get(prop));
          if (!(p > 0 && p <= 1)) {
            throw new IllegalArgumentException("propensity_score " + p + " is not in (0, 1]");
          }
          String c = f.get(click).trim();
          if (!c.equals("0") && !c.equals("1")) {
            throw new IllegalArgumentException("click " + c + " is not 0 or 1");
          }
          rows.add(
              new Impression(
                  campaign,
                  timestamp(f.get(ts)),
                  itemId,
                  Integer.parseInt(f.get(pos).trim()),
                  c.equals("1"),
                  p,
                  u,
                  a));
        } catch (RuntimeException e) {
          throw new IOException(file + " line " + lineNo + ": " + e.getMessage(), e);
        }
      }
    } catch (RuntimeException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
    return new OpenBanditLog(
        campaign, file, HexFormat.of().formatHex(sha.digest()), rows, items, userFeatures);
  }

  private static Map<Integer, Item> readItems(Path file) throws IOException {
    List<List<String>> lines = new ArrayList<>();
    Map<String, Integer> col;
    try (MappingIterator<List<String>> in = rows(file, sha256())) {
      col = header(in, file);
      while (in.hasNextValue()) {
        List<String> f = in.nextValue();
        if (!(f.size() == 1 && f.get(0).isBlank())) {
          lines.add(f);
        }
      }
    } catch (RuntimeException e) {
      throw new IOException(file + ": " + e.getMessage(), e);
    }
    int id = need(col, "item_id", file);
    List<String> features = numbered(col, ITEM_FEATURE);
    // A feature is numeric when every item's value is a finite number, categorical otherwise.
    List<Boolean> numeric = new ArrayList<>();
    for (String name : features) {
      int c = col.get(name);
      numeric.add(lines.stream().allMatch(f -> c < f.size() && finite(f.get(c))));
    }
    Map<Integer, Item> items = new LinkedHashMap<>();
    int lineNo = 1;
    for (List<String> f : lines) {
      lineNo++;
      try {
        Map<String, Float> num = new LinkedHashMap<>();
        Map<String, String> cat = new LinkedHashMap<>();
        for (int k = 0; k < features.size(); k++) {
          String v = f.get(col.get(features.get(k)));
          if (numeric.get(k)) {
            num.put(features.get(k), Float.parseFloat(v));
          } else {
            cat.put(features.get(k), v);
          }
        }
        int itemId = Integer.parseInt(f.get(id).trim());
        if (items.put(itemId, new Item(num, cat)) != null) {
          throw new IllegalArgumentException("item_id " + itemId + " again");
        }
      } catch (RuntimeException e) {
        throw new IOException(file + " line " + lineNo + ": " + e.getMessage(), e);
      }
    }
    return items;
  }

  private static boolean finite(String s) {
    try {
      return Double.isFinite(Double.parseDouble(s.trim()));
    } catch (NumberFormatException e) {
      return false;
    }
  }

  /** The header's columns by name. */
  private static Map<String, Integer> header(MappingIterator<List<String>> in, Path file)
      throws IOException {
    if (!in.hasNextValue()) {
      throw new IOException(file + " is empty");
    }
    List<String> header = in.nextValue();
    Map<String, Integer> col = new HashMap<>();
    for (int i = 0; i < header.size(); i++) {
      col.put(header.get(i).trim(), i);
    }
    return col;
  }

  /** The columns whose names match {@code p} (name + number), ordered by the number. */
  private static List<String> numbered(Map<String, Integer> col, Pattern p) {
    return col.keySet().stream()
        .filter(n -> p.matcher(n).matches())
        .sorted(
            Comparator.comparingInt(
                n -> {
                  Matcher m = p.matcher(n);
                  m.matches();
                  return Integer.parseInt(m.group(1));
                }))
        .toList();
  }

  private static int need(Map<String, Integer> col, String name, Path file) throws IOException {
    Integer i = col.get(name);
    if (i == null) {
      throw new IOException(file + ": no column '" + name + "'");
    }
    return i;
  }

  private static Path existing(Path dir, String name) throws IOException {
    for (Path p : List.of(dir.resolve(name + ".gz"), dir.resolve(name))) {
      if (Files.exists(p)) {
        return p;
      }
    }
    throw new IOException(dir.resolve(name) + "(.gz) not found");
  }

  private static final CsvMapper CSV = new CsvMapper();

  /** The rows of a CSV file as lists of strings ({@code .gz} decompressed, hashed into sha). */
  private static MappingIterator<List<String>> rows(Path path, MessageDigest sha)
      throws IOException {
    InputStream raw = new DigestInputStream(Files.newInputStream(path), sha);
    InputStream in = path.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
    return CSV.readerForListOf(String.class).with(CsvParser.Feature.WRAP_AS_ARRAY).readValues(in);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

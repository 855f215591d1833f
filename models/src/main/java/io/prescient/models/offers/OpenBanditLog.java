package io.prescient.models.offers;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * Logged bandit feedback in the Open Bandit Dataset format: one impression per row (the item shown,
 * its slot, whether it was clicked, the logging policy's propensity, hashed user features and the
 * user's affinity to every item), joined with the item features of {@code item_context.csv} from
 * the same directory (the random and bts copies were anonymised separately and must not be mixed).
 */
public final class OpenBanditLog {
  /** One impression. */
  public record Impression(
      String campaign,
      long timestamp,
      int item,
      int position,
      boolean click,
      double propensity,
      String[] userFeatures,
      float[] affinities) {}

  /** One item's features: {@code item_feature_0} (float) and the hashed categoricals 1..3. */
  public record Item(float feature0, String[] categorical) {}

  public final String campaign;
  public final Path file;
  public final String sha256;
  public final List<Impression> impressions;
  public final Map<Integer, Item> items;

  private OpenBanditLog(
      String campaign, Path file, String sha256, List<Impression> rows, Map<Integer, Item> items) {
    this.campaign = campaign;
    this.file = file;
    this.sha256 = sha256;
    this.impressions = rows;
    this.items = items;
  }

  public int itemCount() {
    return items.size();
  }

  private static final DateTimeFormatter TS =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSSSSxxx");

  /**
   * Reads {@code dir/<campaign>.csv(.gz)} and {@code dir/item_context.csv(.gz)}; the campaign is
   * the directory's name.
   *
   * @throws IOException with the file and line when a row does not have the documented columns
   */
  public static OpenBanditLog read(Path dir) throws IOException {
    String campaign = dir.getFileName().toString();
    Path file = existing(dir, campaign + ".csv");
    Map<Integer, Item> items = readItems(existing(dir, "item_context.csv"));
    MessageDigest sha = sha256();
    List<Impression> rows = new ArrayList<>();
    try (BufferedReader in = reader(file, sha)) {
      String[] header = in.readLine().split(",", -1);
      Map<String, Integer> col = new HashMap<>();
      for (int i = 0; i < header.length; i++) {
        col.put(header[i], i);
      }
      int[] uf = new int[4];
      for (int k = 0; k < 4; k++) {
        uf[k] = need(col, "user_feature_" + k, file);
      }
      int[] aff = new int[items.size()];
      for (int k = 0; k < aff.length; k++) {
        aff[k] = need(col, "user-item_affinity_" + k, file);
      }
      int ts = need(col, "timestamp", file);
      int item = need(col, "item_id", file);
      int pos = need(col, "position", file);
      int click = need(col, "click", file);
      int prop = need(col, "propensity_score", file);
      String line;
      int lineNo = 1;
      while ((line = in.readLine()) != null) {
        lineNo++;
        String[] f = line.split(",", -1);
        try {
          String[] u = new String[4];
          for (int k = 0; k < 4; k++) {
            u[k] = f[uf[k]];
          }
          float[] a = new float[aff.length];
          for (int k = 0; k < aff.length; k++) {
            a[k] = Float.parseFloat(f[aff[k]]);
          }
          int itemId = Integer.parseInt(f[item]);
          if (!items.containsKey(itemId)) {
            throw new IllegalArgumentException("item_id " + itemId + " is not in item_context");
          }
          rows.add(
              new Impression(
                  campaign,
                  OffsetDateTime.parse(f[ts], TS).toInstant().toEpochMilli(),
                  itemId,
                  Integer.parseInt(f[pos]),
                  Integer.parseInt(f[click]) == 1,
                  Double.parseDouble(f[prop]),
                  u,
                  a));
        } catch (RuntimeException e) {
          throw new IOException(file + " line " + lineNo + ": " + e.getMessage(), e);
        }
      }
    }
    return new OpenBanditLog(campaign, file, HexFormat.of().formatHex(sha.digest()), rows, items);
  }

  private static Map<Integer, Item> readItems(Path file) throws IOException {
    Map<Integer, Item> items = new HashMap<>();
    try (BufferedReader in = reader(file, sha256())) {
      String[] header = in.readLine().split(",", -1);
      Map<String, Integer> col = new HashMap<>();
      for (int i = 0; i < header.length; i++) {
        col.put(header[i], i);
      }
      int id = need(col, "item_id", file);
      int f0 = need(col, "item_feature_0", file);
      int[] cat = {
        need(col, "item_feature_1", file),
        need(col, "item_feature_2", file),
        need(col, "item_feature_3", file)
      };
      String line;
      while ((line = in.readLine()) != null) {
        String[] f = line.split(",", -1);
        items.put(
            Integer.parseInt(f[id]),
            new Item(Float.parseFloat(f[f0]), new String[] {f[cat[0]], f[cat[1]], f[cat[2]]}));
      }
    }
    return items;
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

  private static BufferedReader reader(Path path, MessageDigest sha) throws IOException {
    InputStream raw = new DigestInputStream(Files.newInputStream(path), sha);
    InputStream in = path.toString().endsWith(".gz") ? new GZIPInputStream(raw, 1 << 16) : raw;
    return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8), 1 << 16);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}

package io.prescient.operators;

import io.prescient.state.profile.ActivityWindows;
import io.prescient.state.profile.Affinity;
import io.prescient.state.profile.RecentEventIds;
import io.prescient.state.profile.UserProfile;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.apache.flink.api.common.typeutils.TypeSerializer;
import org.apache.flink.api.common.typeutils.TypeSerializerSchemaCompatibility;
import org.apache.flink.api.common.typeutils.TypeSerializerSnapshot;
import org.apache.flink.api.java.typeutils.runtime.PojoSerializerSnapshot;
import org.apache.flink.core.memory.DataInputDeserializer;
import org.apache.flink.core.memory.DataInputView;
import org.apache.flink.core.memory.DataOutputSerializer;
import org.apache.flink.core.memory.DataOutputView;
import org.apache.flink.types.StringValue;

/**
 * The profile's own serializer: a compact, versioned binary format instead of Flink's reflective
 * POJO serializer. Every record starts with its format byte ({@link #FORMAT}), so a newer
 * serializer reads records of every older format in place; a format change only adds a case.
 *
 * <p>Format 1: counters as unsigned varints; times as varints relative to {@code firstSeen} (0
 * stays "never"); the activity windows' bucket numbers delta-coded and their counters as zigzag
 * varints (most are 0: one byte each, where the POJO format spent four); strings in Flink's string
 * format. A user with a typical history takes about half the bytes of the POJO format.
 *
 * <p>Format 2 (profile format 2) adds what used to be separate map states: the category affinities
 * (category, score as a double, its time) and the recent event ids (a 64-bit hash each, with its
 * time), and a flag telling whether they were merged in ({@link UserProfile#mapsMerged}). It drops
 * format 1's affinity count (the map's size) and de-duplication prune time. A format-1 record reads
 * as a profile whose maps are not merged yet.
 *
 * <p>Format 3 appends the recently bought products with their times ({@link
 * UserProfile#recentBought}); a format-1 or format-2 record reads with none.
 *
 * <p>State written with the POJO serializer (before this class) is migrated on restore: {@link
 * Snapshot#resolveSchemaCompatibility} answers "compatible after migration", and Flink reads it
 * with the old POJO serializer and rewrites it in this format.
 */
public final class UserProfileSerializer extends TypeSerializer<UserProfile> {
  private static final long serialVersionUID = 1L;

  /** The format this serializer writes; it reads 1 .. FORMAT. */
  static final int FORMAT = 3;

  public static final UserProfileSerializer INSTANCE = new UserProfileSerializer();

  @Override
  public boolean isImmutableType() {
    return false;
  }

  @Override
  public TypeSerializer<UserProfile> duplicate() {
    return this; // stateless
  }

  @Override
  public UserProfile createInstance() {
    return new UserProfile();
  }

  @Override
  public UserProfile copy(UserProfile from) {
    try {
      DataOutputSerializer out = new DataOutputSerializer(256);
      serialize(from, out);
      return deserialize(new DataInputDeserializer(out.getSharedBuffer(), 0, out.length()));
    } catch (IOException e) {
      throw new IllegalStateException("cannot copy a profile", e);
    }
  }

  @Override
  public UserProfile copy(UserProfile from, UserProfile reuse) {
    return copy(from);
  }

  @Override
  public int getLength() {
    return -1;
  }

  @Override
  public void serialize(UserProfile p, DataOutputView out) throws IOException {
    out.writeByte(FORMAT);
    long base = p.firstSeen;
    writeVarLong(out, zigzag(base));
    writeTime(out, p.lastSeen, base);
    writeVarLong(out, zigzag(p.events));
    writeVarLong(out, zigzag(p.views));
    writeVarLong(out, zigzag(p.cartAdds));
    writeVarLong(out, zigzag(p.purchases));
    writeVarLong(out, zigzag(p.refunds));
    out.writeDouble(p.revenue);
    writeTime(out, p.lastPurchaseAt, base);
    writeVarLong(out, zigzag(p.cartLines));
    writeTime(out, p.cartLastChange, base);
    writeString(out, p.cartLastEventId);
    writeString(out, p.cartRemindedFor);
    writeTime(out, p.pendingTimer, base);
    writeWindows(out, p.windows, base);
    writeVarLong(out, zigzag(p.orders));
    writeTimes(out, p.recentPurchases, base);
    writeStrings(out, p.recentViews);
    out.writeBoolean(p.optedOut);
    writeStrings(out, p.unsubscribedChannels);
    out.writeBoolean(p.mapsMerged);
    writeVarLong(out, p.affinityScores.size());
    for (Map.Entry<String, Affinity> a : p.affinityScores.entries()) {
      writeString(out, a.getKey());
      out.writeDouble(a.getValue().score);
      writeTime(out, a.getValue().at, p.lastSeen); // mostly recent: a few bytes
    }
    RecentEventIds ids = p.recentEventIds;
    writeVarLong(out, ids.size());
    long previous = base;
    for (int i = 0; i < ids.size(); i++) {
      out.writeLong(ids.hashAt(i));
      writeVarLong(out, zigzag(ids.timeAt(i) - previous)); // lines of an order: one byte
      previous = ids.timeAt(i);
    }
    writeStrings(out, p.recentBought);
    int bought = p.recentBought == null ? 0 : p.recentBought.size();
    for (int i = 0; i < bought; i++) {
      long[] at = p.recentBoughtAt;
      writeTime(out, at != null && i < at.length ? at[i] : 0, p.lastSeen);
    }
  }

  @Override
  public UserProfile deserialize(DataInputView in) throws IOException {
    int format = in.readUnsignedByte();
    if (format < 1 || format > FORMAT) {
      throw new IOException(
          "profile record of format "
              + format
              + ": this version reads formats 1 to "
              + FORMAT
              + " (state written by a newer Prescient?)");
    }
    UserProfile p = new UserProfile();
    long base = unzigzag(readVarLong(in));
    p.firstSeen = base;
    p.lastSeen = readTime(in, base);
    p.events = unzigzag(readVarLong(in));
    p.views = unzigzag(readVarLong(in));
    p.cartAdds = unzigzag(readVarLong(in));
    p.purchases = unzigzag(readVarLong(in));
    p.refunds = unzigzag(readVarLong(in));
    p.revenue = in.readDouble();
    p.lastPurchaseAt = readTime(in, base);
    p.cartLines = (int) unzigzag(readVarLong(in));
    p.cartLastChange = readTime(in, base);
    p.cartLastEventId = readString(in, format);
    p.cartRemindedFor = readString(in, format);
    p.pendingTimer = readTime(in, base);
    if (format == 1) {
      readTime(in, base); // the de-duplication prune time: the ids were a map state then
    }
    p.windows = readWindows(in, base);
    p.orders = unzigzag(readVarLong(in));
    p.recentPurchases = readTimes(in, base);
    p.recentViews = readStrings(in, format);
    if (format == 1) {
      readVarLong(in); // the number of affinities: they were a map state then
    }
    p.optedOut = in.readBoolean();
    p.unsubscribedChannels = readStrings(in, format);
    if (format == 1) {
      p.mapsMerged = false;
      return p;
    }
    p.mapsMerged = in.readBoolean();
    int affinities = (int) readVarLong(in);
    for (int i = 0; i < affinities; i++) {
      String category = readString(in, format);
      double score = in.readDouble();
      p.affinityScores.put(category, new Affinity(score, readTime(in, p.lastSeen)));
    }
    int ids = (int) readVarLong(in);
    p.recentEventIds.ensureCapacity(ids);
    long previous = base;
    for (int i = 0; i < ids; i++) {
      long hash = in.readLong();
      previous += unzigzag(readVarLong(in));
      p.recentEventIds.addHash(hash, previous);
    }
    if (format >= 3) {
      List<String> bought = readStrings(in, format);
      p.recentBought = bought == null ? new ArrayList<>() : bought;
      p.recentBoughtAt = new long[p.recentBought.size()];
      for (int i = 0; i < p.recentBoughtAt.length; i++) {
        p.recentBoughtAt[i] = readTime(in, p.lastSeen);
      }
    }
    return p;
  }

  @Override
  public UserProfile deserialize(UserProfile reuse, DataInputView in) throws IOException {
    return deserialize(in);
  }

  @Override
  public void copy(DataInputView source, DataOutputView target) throws IOException {
    serialize(deserialize(source), target);
  }

  @Override
  public boolean equals(Object obj) {
    return obj instanceof UserProfileSerializer;
  }

  @Override
  public int hashCode() {
    return UserProfileSerializer.class.hashCode();
  }

  @Override
  public TypeSerializerSnapshot<UserProfile> snapshotConfiguration() {
    return new Snapshot();
  }

  // ---------------------------------------------------------------- activity windows

  private static void writeWindows(DataOutputView out, ActivityWindows w, long base)
      throws IOException {
    out.writeBoolean(w != null);
    if (w == null) {
      return;
    }
    writeTime(out, w.latest, base);
    writeVarLong(out, w.lifetime == null ? 0 : w.lifetime.length + 1L);
    if (w.lifetime != null) {
      for (long v : w.lifetime) {
        writeVarLong(out, zigzag(v));
      }
    }
    writeRing(out, w.fiveMinIdx, w.fiveMinCounts);
    writeRing(out, w.hourIdx, w.hourCounts);
    writeRing(out, w.dayIdx, w.dayCounts);
  }

  private static ActivityWindows readWindows(DataInputView in, long base) throws IOException {
    if (!in.readBoolean()) {
      return null;
    }
    ActivityWindows w = new ActivityWindows();
    w.latest = readTime(in, base);
    int n = (int) readVarLong(in) - 1;
    w.lifetime = n < 0 ? null : new long[n];
    for (int i = 0; i < n; i++) {
      w.lifetime[i] = unzigzag(readVarLong(in));
    }
    int[][] r = readRing(in);
    w.fiveMinIdx = r[0];
    w.fiveMinCounts = r[1];
    r = readRing(in);
    w.hourIdx = r[0];
    w.hourCounts = r[1];
    r = readRing(in);
    w.dayIdx = r[0];
    w.dayCounts = r[1];
    return w;
  }

  /** Bucket numbers (ascending) delta-coded, then every counter as a zigzag varint. */
  private static void writeRing(DataOutputView out, int[] idx, int[] counts) throws IOException {
    writeVarLong(out, idx == null ? 0 : idx.length + 1L);
    writeVarLong(out, counts == null ? 0 : counts.length + 1L);
    long previous = 0;
    if (idx != null) {
      for (int b : idx) {
        writeVarLong(out, zigzag(b - previous));
        previous = b;
      }
    }
    if (counts != null) {
      for (int c : counts) {
        writeVarLong(out, zigzag(c));
      }
    }
  }

  private static int[][] readRing(DataInputView in) throws IOException {
    int n = (int) readVarLong(in) - 1;
    int m = (int) readVarLong(in) - 1;
    int[] idx = n < 0 ? null : new int[n];
    long previous = 0;
    for (int i = 0; i < n; i++) {
      previous += unzigzag(readVarLong(in));
      idx[i] = (int) previous;
    }
    int[] counts = m < 0 ? null : new int[m];
    for (int i = 0; i < m; i++) {
      counts[i] = (int) unzigzag(readVarLong(in));
    }
    return new int[][] {idx, counts};
  }

  // ---------------------------------------------------------------- primitives

  /** A time as an offset from {@code base}; 0 ("never") is its own code. */
  private static void writeTime(DataOutputView out, long t, long base) throws IOException {
    writeVarLong(out, t == 0 ? 0 : zigzag(t - base) + 1);
  }

  private static long readTime(DataInputView in, long base) throws IOException {
    long v = readVarLong(in);
    return v == 0 ? 0 : base + unzigzag(v - 1);
  }

  private static void writeTimes(DataOutputView out, long[] ts, long base) throws IOException {
    writeVarLong(out, ts == null ? 0 : ts.length + 1L);
    if (ts != null) {
      for (long t : ts) {
        writeTime(out, t, base);
      }
    }
  }

  private static long[] readTimes(DataInputView in, long base) throws IOException {
    int n = (int) readVarLong(in) - 1;
    if (n < 0) {
      return null;
    }
    long[] ts = new long[n];
    for (int i = 0; i < n; i++) {
      ts[i] = readTime(in, base);
    }
    return ts;
  }

  private static void writeStrings(DataOutputView out, List<String> l) throws IOException {
    writeVarLong(out, l == null ? 0 : l.size() + 1L);
    if (l != null) {
      for (String s : l) {
        writeString(out, s);
      }
    }
  }

  private static List<String> readStrings(DataInputView in, int format) throws IOException {
    int n = (int) readVarLong(in) - 1;
    if (n < 0) {
      return null;
    }
    List<String> l = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      l.add(readString(in, format));
    }
    return l;
  }

  /** A string as its UTF-8 bytes after their length + 1 (0: null), read in one block. */
  private static void writeString(DataOutputView out, String s) throws IOException {
    if (s == null) {
      writeVarLong(out, 0);
      return;
    }
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    writeVarLong(out, b.length + 1L);
    out.write(b);
  }

  /** Format 1 wrote strings in Flink's string format, a character at a time. */
  private static String readString(DataInputView in, int format) throws IOException {
    if (format == 1) {
      return StringValue.readString(in);
    }
    int n = (int) readVarLong(in) - 1;
    if (n < 0) {
      return null;
    }
    byte[] b = new byte[n];
    in.readFully(b);
    return new String(b, StandardCharsets.UTF_8);
  }

  static long zigzag(long v) {
    return (v << 1) ^ (v >> 63);
  }

  static long unzigzag(long v) {
    return (v >>> 1) ^ -(v & 1);
  }

  /** Unsigned LEB128: 7 bits a byte, the high bit set on every byte but the last. */
  static void writeVarLong(DataOutputView out, long v) throws IOException {
    while ((v & ~0x7FL) != 0) {
      out.writeByte((int) ((v & 0x7F) | 0x80));
      v >>>= 7;
    }
    out.writeByte((int) v);
  }

  static long readVarLong(DataInputView in) throws IOException {
    long v = 0;
    for (int shift = 0; shift < 64; shift += 7) {
      int b = in.readUnsignedByte();
      v |= (long) (b & 0x7F) << shift;
      if ((b & 0x80) == 0) {
        return v;
      }
    }
    throw new IOException("malformed varint in a profile record");
  }

  // ---------------------------------------------------------------- snapshot

  /**
   * The serializer's snapshot. Its version is the newest record format; since every format is read
   * in place, state of any older version is compatible as is. POJO-serialized profiles (written
   * before this serializer) are migrated.
   */
  public static final class Snapshot implements TypeSerializerSnapshot<UserProfile> {
    private int format = FORMAT;

    public Snapshot() {}

    @Override
    public int getCurrentVersion() {
      return FORMAT;
    }

    @Override
    public void writeSnapshot(DataOutputView out) {}

    @Override
    public void readSnapshot(int readVersion, DataInputView in, ClassLoader classLoader) {
      format = readVersion;
    }

    @Override
    public TypeSerializer<UserProfile> restoreSerializer() {
      return INSTANCE;
    }

    @Override
    public TypeSerializerSchemaCompatibility<UserProfile> resolveSchemaCompatibility(
        TypeSerializerSnapshot<UserProfile> old) {
      if (old instanceof Snapshot s) {
        return s.format <= FORMAT
            ? TypeSerializerSchemaCompatibility.compatibleAsIs()
            : TypeSerializerSchemaCompatibility.incompatible();
      }
      if (old instanceof PojoSerializerSnapshot) {
        return TypeSerializerSchemaCompatibility.compatibleAfterMigration();
      }
      return TypeSerializerSchemaCompatibility.incompatible();
    }
  }
}

package io.prescient.job;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Enumeration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.zip.ZipEntry;
import java.util.zip.ZipFile;
import org.junit.jupiter.api.Test;

/**
 * The deployable (the shaded jar a Flink cluster runs) holds the job and nothing of the tools or of
 * the offline module (training, evaluation, reports), and is complete: every class of ours (or
 * shaded by us) that a class in the jar refers to, in its constant pool or in a type descriptor, is
 * in the jar. A class left out by the shade filters that the job needs would otherwise fail only on
 * a cluster, with NoClassDefFoundError.
 */
class DeployableJarITCase {
  static final Path JAR = Path.of("target", "prescient-job-0.1.0-SNAPSHOT-shaded.jar");

  @Test
  void holdsTheJobAndNoToolAndEveryClassItNeeds() throws Exception {
    assertThat(JAR).exists();
    Set<String> classes = new HashSet<>();
    List<String> offending = new ArrayList<>();
    Pattern tools =
        Pattern.compile(
            "io/prescient/job/(audit|bench|cli|datasets|evaluate|local|replay|savepoint|serve|training)/.*"
                + "|io/prescient/offline/.*"
                + "|org/apache/parquet/.*|shaded/parquet/.*|org/locationtech/jts/.*"
                + "|io/prescient/shaded/jackson/dataformat/csv/.*");
    Set<String> referenced = new TreeSet<>();
    try (ZipFile zip = new ZipFile(JAR.toFile())) {
      Enumeration<? extends ZipEntry> entries = zip.entries();
      while (entries.hasMoreElements()) {
        ZipEntry e = entries.nextElement();
        String name = e.getName();
        if (!name.endsWith(".class") || name.startsWith("META-INF/")) {
          continue;
        }
        String cls = name.substring(0, name.length() - ".class".length());
        classes.add(cls);
        if (tools.matcher(name).matches()) {
          offending.add(name);
        }
        if (cls.startsWith("io/prescient/")) {
          try (InputStream in = zip.getInputStream(e)) {
            for (String r : references(in)) {
              if (r.startsWith("io/prescient/")) {
                referenced.add(r + " <- " + cls);
              }
            }
          }
        }
      }
    }
    assertThat(offending).as("tool classes in the deployable").isEmpty();
    assertThat(classes)
        .contains("io/prescient/job/PrescientJob", "io/prescient/operators/ProfileFunction");
    List<String> missing =
        referenced.stream().filter(r -> !classes.contains(r.substring(0, r.indexOf(' ')))).toList();
    assertThat(missing).as("classes of ours referred to and not in the jar").isEmpty();
    assertThat(Files.size(JAR)).isLessThan(40L << 20);
  }

  private static final Pattern DESCRIPTOR = Pattern.compile("L(io/prescient/[^;<>]+)[;<]");

  /**
   * The classes a class file refers to: its CONSTANT_Class entries and the classes named in its
   * descriptors and signatures (CONSTANT_Utf8 entries of the form {@code Lname;}).
   */
  static Set<String> references(InputStream in) throws IOException {
    DataInputStream d = new DataInputStream(in);
    if (d.readInt() != 0xCAFEBABE) {
      throw new IOException("not a class file");
    }
    d.readUnsignedShort();
    d.readUnsignedShort();
    int count = d.readUnsignedShort();
    String[] utf8 = new String[count];
    List<Integer> classIndexes = new ArrayList<>();
    for (int i = 1; i < count; i++) {
      int tag = d.readUnsignedByte();
      switch (tag) {
        case 1 -> utf8[i] = d.readUTF();
        case 7 -> classIndexes.add(d.readUnsignedShort());
        case 8, 16, 19, 20 -> d.readUnsignedShort();
        case 15 -> {
          d.readUnsignedByte();
          d.readUnsignedShort();
        }
        case 3, 4, 9, 10, 11, 12, 17, 18 -> d.readInt();
        case 5, 6 -> {
          d.readLong();
          i++; // takes two slots
        }
        default -> throw new IOException("constant pool tag " + tag);
      }
    }
    Set<String> out = new HashSet<>();
    for (int i : classIndexes) {
      String n = utf8[i];
      out.add(n.startsWith("[") ? n.replaceAll("^\\[+L?|;$", "") : n);
    }
    for (String s : utf8) {
      if (s != null && s.contains("Lio/prescient/")) {
        Matcher m = DESCRIPTOR.matcher(s);
        while (m.find()) {
          out.add(m.group(1));
        }
      }
    }
    return out;
  }
}

package io.prescient.job;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.job.replay.ReplayCommand;
import io.prescient.state.contract.RejectReason;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.AbstractMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Collectors;
import org.apache.flink.shaded.jackson2.com.fasterxml.jackson.databind.JsonNode;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile input at volume: 3,000 real Taobao events with 100,000+ generated bad records mixed in
 * (truncated and invalid JSON, wrong types, huge fields, deep nesting, control characters, invalid
 * UTF-8, timestamps far in the past and the future, negative prices and quantities, missing fields,
 * unknown types, duplicate ids, outcomes for decisions that do not exist) go through the live job
 * on Kafka. The job finishes the whole input; every bad record is in the DLQ once, with a reason
 * that fits what was wrong with it (matched by the SHA-256 of its bytes); and the decisions are
 * exactly those of a replay of the 3,000 valid events alone.
 */
class HostileInputITCase extends PipelineTestBase {
  static final int NOISE = 100_000;

  /** A bad record: its bytes and the DLQ reasons that correctly describe it. */
  record Bad(String kind, byte[] value, Set<String> reasons) {}

  @Test
  void everyBadRecordIsInTheDlqWithAReasonAndTheValidOnesDecideAsWithoutNoise(@TempDir Path tmp)
      throws Exception {
    String p = "hostile";
    createTopicsWithEventsInFileOrder(p);
    List<String> valid = Files.readAllLines(ReplayITCase.LOG, StandardCharsets.UTF_8);
    Random r = new Random(20261124L);

    // Interleave: after each valid event, ~33 bad records; a valid event is sometimes sent twice.
    List<Map.Entry<String, byte[]>> events = new ArrayList<>();
    List<Bad> bad = new ArrayList<>();
    int duplicates = 0;
    for (int i = 0; i < valid.size(); i++) {
      events.add(json(null, valid.get(i)));
      if (r.nextInt(30) == 0) {
        events.add(json(null, valid.get(i))); // the same event_id again, right away
        duplicates++;
      }
      int n = NOISE / valid.size() + (i < NOISE % valid.size() ? 1 : 0);
      for (int k = 0; k < n; k++) {
        Bad b = hostile(r, valid.get(r.nextInt(valid.size())));
        bad.add(b);
        events.add(new AbstractMap.SimpleImmutableEntry<>(null, b.value()));
      }
    }
    assertThat(bad).hasSizeGreaterThanOrEqualTo(NOISE);
    kafka.produceUnacknowledged(p + "-events", events);
    int unknownOutcomes = 1_000;
    List<Map.Entry<String, byte[]>> outcomes = new ArrayList<>();
    for (int i = 0; i < unknownOutcomes; i++) {
      String user = "tb-nobody-" + i;
      outcomes.add(
          json(
              user,
              "{\"decision_id\":\"ffffffffffffffffffffffffffff"
                  + String.format("%04d", i)
                  + "\",\"user_id\":\""
                  + user
                  + "\",\"type\":\"converted\",\"timestamp\":\"2017-11-26T10:00:00Z\"}"));
    }
    kafka.produceUnacknowledged(p + "-outcomes", outcomes);

    Map<String, String> o = baseOptions(p, tmp.resolve("checkpoints"));
    o.put("prescient.kafka.bounded", "true");
    o.put("prescient.watermark.idleness", "0 s");
    o.put("prescient.watermark.out-of-orderness", "5 min");
    long t0 = System.nanoTime();
    buildJob(o).execute("prescient-hostile-input");
    double seconds = (System.nanoTime() - t0) / 1e9;

    // Every bad record is in the DLQ once, with a reason that fits it.
    Map<String, List<Bad>> byHash = new HashMap<>();
    for (Bad b : bad) {
      byHash.computeIfAbsent(sha256(b.value()), h -> new ArrayList<>()).add(b);
    }
    Map<String, Integer> reasons = new TreeMap<>();
    int matched = 0;
    int duplicateEvents = 0;
    int unknownDecisions = 0;
    Map<String, Integer> wrongReason = new TreeMap<>();
    for (ConsumerRecord<byte[], byte[]> rec : kafka.readAll(p + "-dlq")) {
      JsonNode d = JSON.readTree(rec.value());
      String reason = d.get("reason").asText();
      assertThat(d.get("detail").asText()).as("detail of a %s record", reason).isNotBlank();
      reasons.merge(reason, 1, Integer::sum);
      if (reason.equals(RejectReason.DUPLICATE_EVENT.code())) {
        duplicateEvents++;
        continue;
      }
      if (reason.equals(RejectReason.UNKNOWN_DECISION.code())) {
        unknownDecisions++;
        continue;
      }
      List<Bad> candidates = byHash.get(d.get("raw_sha256").asText());
      assertThat(candidates)
          .as("a DLQ record (%s) that was not sent as bad input", reason)
          .isNotEmpty();
      Bad b = candidates.remove(candidates.size() - 1);
      if (!b.reasons().contains(reason)) {
        wrongReason.merge(b.kind() + " -> " + reason, 1, Integer::sum);
      }
      matched++;
    }
    assertThat(wrongReason).as("bad records with a reason that does not fit them").isEmpty();
    Map<String, Long> missing =
        byHash.values().stream()
            .flatMap(List::stream)
            .collect(Collectors.groupingBy(Bad::kind, TreeMap::new, Collectors.counting()));
    assertThat(missing).as("bad records with no DLQ record, by kind").isEmpty();
    assertThat(matched).isEqualTo(bad.size());
    assertThat(duplicateEvents).isEqualTo(duplicates);
    assertThat(unknownDecisions).isEqualTo(unknownOutcomes);
    assertThat(reasons.keySet()).hasSizeGreaterThanOrEqualTo(10);

    // The valid events decided exactly as they do alone.
    List<String> live = new ArrayList<>();
    for (ConsumerRecord<byte[], byte[]> rec : kafka.readAll(p + "-decisions")) {
      live.add(new String(rec.value(), StandardCharsets.UTF_8));
    }
    live.sort(null);
    ReplayCommand.run(
        PrescientConfig.fromMap(o),
        ReplayITCase.LOG,
        new ReplayCommand.Inputs(null, null, null, null),
        tmp.resolve("clean"));
    List<String> clean = Files.readAllLines(tmp.resolve("clean").resolve("decisions.jsonl"));
    assertThat(clean).hasSizeGreaterThan(50);
    assertThat(live).containsExactlyElementsOf(clean);
    System.out.printf(
        "hostile input: %,d valid + %,d duplicates + %,d bad events + %,d unknown outcomes in"
            + " %.1f s; DLQ by reason %s; %,d decisions as without noise%n",
        valid.size(), duplicates, bad.size(), unknownOutcomes, seconds, reasons, live.size());
  }

  // ------------------------------------------------------------------------------ generators

  static final Set<String> MALFORMED = Set.of(RejectReason.MALFORMED_JSON.code());

  /** One bad record of a random kind, usually made from a real event line. */
  static Bad hostile(Random r, String line) {
    String ts = "\"timestamp\":\"";
    return switch (r.nextInt(16)) {
      case 0 -> // truncated: cut anywhere before the closing brace
          new Bad(
              "truncated",
              line.substring(0, 1 + r.nextInt(line.length() - 2)).getBytes(StandardCharsets.UTF_8),
              Set.of(RejectReason.MALFORMED_JSON.code()));
      case 1 -> new Bad("garbage", garbage(r), Set.of("malformed_json", "not_an_object"));
      case 2 -> // wrong type of a field
          new Bad(
              "wrong_type",
              line.replaceFirst("\"user_id\":\"[^\"]*\"", "\"user_id\":[" + r.nextInt() + "]")
                  .getBytes(StandardCharsets.UTF_8),
              Set.of("wrong_type"));
      case 3 ->
          new Bad(
              "timestamp_type",
              line.replaceFirst(
                      ts + "[^\"]*\"", "\"timestamp\":" + (r.nextBoolean() ? "true" : "{}"))
                  .getBytes(StandardCharsets.UTF_8),
              Set.of("invalid_timestamp", "wrong_type"));
      case 4 -> // a huge field: an id far over its limit, or a huge unknown field
          new Bad(
              "huge_field",
              line.replaceFirst(
                      "\"event_id\":\"", "\"event_id\":\"" + "x".repeat(1_000 + r.nextInt(200_000)))
                  .getBytes(StandardCharsets.UTF_8),
              Set.of("out_of_range"));
      case 5 -> // deep nesting in a field
          new Bad(
              "deep_nesting",
              line.replaceFirst("\\{", "{\"x\":" + nested(33 + r.nextInt(500)) + ",")
                  .getBytes(StandardCharsets.UTF_8),
              Set.of("out_of_range")); // the parser's nesting limit, named in the detail
      case 6 -> // a raw control character inside a string
          new Bad(
              "control_char",
              line.replaceFirst("\"user_id\":\"", "\"user_id\":\"" + (char) (1 + r.nextInt(31)))
                  .getBytes(StandardCharsets.UTF_8),
              MALFORMED);
      case 7 -> new Bad("invalid_utf8", invalidUtf8(r, line), Set.of("invalid_utf8"));
      case 8 ->
          new Bad(
              "far_past",
              line.replaceFirst(ts + "[^\"]*\"", ts + (1900 + r.nextInt(99)) + "-06-01T00:00:00Z\"")
                  .getBytes(StandardCharsets.UTF_8),
              Set.of("out_of_range"));
      case 9 ->
          new Bad(
              "far_future",
              line.replaceFirst(
                      ts + "[^\"]*\"", ts + (2100 + r.nextInt(7000)) + "-01-01T00:00:00Z\"")
                  .getBytes(StandardCharsets.UTF_8),
              Set.of("out_of_range"));
      case 10 ->
          new Bad(
              "negative_price",
              withField(line, "\"price\":-" + (1 + r.nextInt(1000)) + ".5"),
              Set.of("out_of_range", "invalid_value"));
      case 11 ->
          new Bad(
              "negative_quantity",
              withField(line, "\"quantity\":-" + (1 + r.nextInt(50))),
              Set.of("out_of_range", "invalid_value"));
      case 12 ->
          new Bad(
              "missing_field",
              line.replaceFirst("\"user_id\":\"[^\"]*\",?", "").getBytes(StandardCharsets.UTF_8),
              Set.of("missing_field", "malformed_json"));
      case 13 ->
          new Bad(
              "unknown_type",
              line.replaceFirst(
                      "\"type\":\"[^\"]*\"", "\"type\":\"teleport_" + r.nextInt(99) + "\"")
                  .getBytes(StandardCharsets.UTF_8),
              Set.of("unknown_type"));
      case 14 ->
          new Bad(
              "duplicate_field",
              line.replaceFirst("\\{", "{\"user_id\":\"tb-dup\",").getBytes(StandardCharsets.UTF_8),
              Set.of("duplicate_field"));
      default ->
          new Bad(
              "not_an_object",
              (r.nextBoolean() ? "[" + line + "]" : "\"" + r.nextInt() + "\"")
                  .getBytes(StandardCharsets.UTF_8),
              Set.of("not_an_object"));
    };
  }

  /** The line with {@code field} in place of the same field, or added after the brace. */
  static byte[] withField(String line, String field) {
    String name = field.substring(0, field.indexOf(':') + 1);
    String out =
        line.contains(name)
            ? line.replaceFirst(java.util.regex.Pattern.quote(name) + "[^,}]*", field)
            : line.replaceFirst("\\{", "{" + field + ",");
    return out.getBytes(StandardCharsets.UTF_8);
  }

  /** Well-formed arrays nested {@code depth} deep: over the parser's nesting limit (32). */
  static String nested(int depth) {
    return "[".repeat(depth) + "1" + "]".repeat(depth);
  }

  static byte[] garbage(Random r) {
    byte[] b = new byte[1 + r.nextInt(300)];
    for (int i = 0; i < b.length; i++) {
      b[i] = (byte) (32 + r.nextInt(95)); // printable ASCII: invalid JSON, but valid UTF-8
    }
    if (b[0] == '{' || b[0] == '[' || b[0] == '"' || b[0] == ' ' || Character.isDigit(b[0])) {
      b[0] = '#'; // never accidentally a JSON value
    }
    return b;
  }

  static byte[] invalidUtf8(Random r, String line) {
    byte[] ok = line.getBytes(StandardCharsets.UTF_8);
    byte[] b = Arrays.copyOf(ok, ok.length);
    byte[][] bad = {
      {(byte) 0xC3, (byte) 0x28}, {(byte) 0xFF}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80}
    };
    byte[] seq = bad[r.nextInt(bad.length)];
    int at = 1 + r.nextInt(b.length - seq.length - 1);
    System.arraycopy(seq, 0, b, at, seq.length);
    return b;
  }

  static String sha256(byte[] value) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(value));
  }
}

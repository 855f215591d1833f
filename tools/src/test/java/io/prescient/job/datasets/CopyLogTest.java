package io.prescient.job.datasets;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.prescient.job.cli.CommandOptions;
import io.prescient.state.contract.CopyIds;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code ./prescient copies}: every line N times, interleaved; in copy k only the top-level user
 * and event ids change, to c<k>-ID, consistently across the lines of one user; nothing else
 * changes.
 */
class CopyLogTest {
  @TempDir Path dir;

  static final ObjectMapper JSON = new ObjectMapper();

  static final List<String> LOG =
      List.of(
          "{\"event_id\":\"tb-1\",\"user_id\":\"tb-7\",\"type\":\"view\","
              + "\"timestamp\":\"2017-11-25T00:00:01Z\",\"product_id\":\"tb-p1\",\"price\":2.50}",
          // spaces, the ids in the other order, a nested object that names a user_id, an escape
          "{ \"user_id\" : \"tb-8\\\"q\", \"type\":\"add_to_cart\", \"event_id\": \"tb-2\","
              + " \"timestamp\":\"2017-11-25T00:00:02Z\", \"product_id\":\"tb-p2\","
              + " \"extra\": {\"user_id\":\"someone-else\", \"event_id\":\"n\"}}",
          "{\"event_id\":\"tb-3\",\"user_id\":\"tb-7\",\"type\":\"purchase\","
              + "\"timestamp\":\"2017-11-25T00:00:03Z\",\"product_id\":\"tb-p1\",\"quantity\":1}",
          "not json at all",
          "{\"user_id\":\"tb-9\",\"type\":\"view\"}");

  @Test
  void everyLineIsWrittenOncePerCopyWithOnlyItsIdsChanged() throws Exception {
    Path in = dir.resolve("log.jsonl");
    Files.write(in, LOG, StandardCharsets.UTF_8);
    Path out = dir.resolve("copies.jsonl");
    int copies = 4;
    CopyLog.Written w = CopyLog.write(in, copies, out);
    List<String> lines = Files.readAllLines(out, StandardCharsets.UTF_8);
    assertThat(lines).hasSize(LOG.size() * copies);
    assertThat(w.lines()).isEqualTo(lines.size());
    assertThat(w.sourceLines()).isEqualTo(LOG.size());
    assertThat(w.notRekeyed()).isEqualTo(2); // not JSON; no event_id
    assertThat(w.types()).isEqualTo(Map.of("view", 1, "add_to_cart", 1, "purchase", 1));
    assertThat(Files.exists(dir.resolve("copies.jsonl.tmp"))).isFalse();

    Set<String> eventIds = new HashSet<>();
    for (int i = 0; i < LOG.size(); i++) {
      String source = LOG.get(i);
      for (int c = 0; c < copies; c++) {
        String copy = lines.get(i * copies + c); // interleaved: line i of every copy in a row
        if (c == 0 || i >= 3) {
          assertThat(copy).isEqualTo(source); // the original, and lines that are not events
          if (i >= 3) {
            continue;
          }
        }
        ObjectNode expected = (ObjectNode) JSON.readTree(source);
        expected.put("user_id", CopyIds.of(expected.get("user_id").asText(), c));
        expected.put("event_id", CopyIds.of(expected.get("event_id").asText(), c));
        JsonNode actual = JSON.readTree(copy);
        assertThat(actual).isEqualTo(expected); // nested user_id and every other field unchanged
        assertThat(copy.length()).isEqualTo(source.length() + 2 * CopyIds.prefix(c).length());
        assertThat(CopyIds.source(actual.get("user_id").asText()))
            .isEqualTo(JSON.readTree(source).get("user_id").asText());
        assertThat(eventIds.add(actual.get("event_id").asText())).isTrue();
      }
    }
    // one source user's lines stay one user within a copy, and are another user in each copy
    assertThat(userOf(lines.get(0 * copies + 2))).isEqualTo(userOf(lines.get(2 * copies + 2)));
    assertThat(userOf(lines.get(0 * copies + 2))).isNotEqualTo(userOf(lines.get(0 * copies + 3)));
  }

  @Test
  void oneCopyIsTheLogItself() throws Exception {
    Path in = dir.resolve("log.jsonl");
    Files.write(in, LOG, StandardCharsets.UTF_8);
    Path out = dir.resolve("one.jsonl");
    CopyLog.write(in, 1, out);
    assertThat(Files.readAllLines(out, StandardCharsets.UTF_8)).isEqualTo(LOG);
  }

  @Test
  void compactLinesGetThePrefixRightAfterTheOpeningQuote() {
    assertThat(CopyLog.rekey(LOG.get(0), 3))
        .isEqualTo(
            "{\"event_id\":\"c3-tb-1\",\"user_id\":\"c3-tb-7\",\"type\":\"view\","
                + "\"timestamp\":\"2017-11-25T00:00:01Z\",\"product_id\":\"tb-p1\",\"price\":2.50}");
  }

  private static String userOf(String line) throws Exception {
    return JSON.readTree(line).get("user_id").asText();
  }

  @Test
  void badArgumentsAreOneLineErrors() throws Exception {
    Path in = dir.resolve("in.jsonl");
    Files.write(in, LOG, StandardCharsets.UTF_8);
    String out = dir.resolve("out.jsonl").toString();
    assertThatThrownBy(
            () ->
                CopyLog.run(
                    new String[] {"--events", in.toString(), "--copies", "three", "--output", out}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient copies: --copies needs a whole number, not 'three'");
    assertThatThrownBy(
            () ->
                CopyLog.run(
                    new String[] {"--events", in.toString(), "--copies", "0", "--output", out}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessageStartingWith("prescient copies: --copies must be at least 1");
    assertThatThrownBy(
            () ->
                CopyLog.run(
                    new String[] {"--events", in.toString(), "--copise", "2", "--output", out}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient copies: unknown argument --copise (did you mean --copies?)");
    assertThatThrownBy(() -> CopyLog.run(new String[] {"--events", in.toString()}))
        .isInstanceOf(CommandOptions.UsageError.class)
        .hasMessage("prescient copies: --events, --copies and --output are required");
    CopyLog.run(new String[] {"--events", in.toString(), "--copies=2", "--output", out});
    assertThat(Files.readAllLines(Path.of(out))).hasSize(2 * LOG.size());
  }
}

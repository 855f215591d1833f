package io.prescient.state.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import io.prescient.state.contract.InvalidRecordException;
import io.prescient.state.contract.PrivacyRequest;
import io.prescient.state.contract.PrivacyType;
import io.prescient.state.contract.RejectReason;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RecordParserTest {
  private static final long NOW = Instant.parse("2026-11-24T00:00:00Z").toEpochMilli();
  private final RecordParser parser = new RecordParser(JsonLimits.defaults());

  private Event event(String json) throws InvalidRecordException {
    return parser.parseEvent(json.getBytes(StandardCharsets.UTF_8), NOW);
  }

  private static String valid(String extra) {
    return "{\"event_id\":\"e1\",\"user_id\":\"u1\",\"type\":\"add_to_cart\","
        + "\"timestamp\":\"2011-01-04T10:00:00Z\",\"product_id\":\"p1\""
        + extra
        + "}";
  }

  /**
   * Ids that look empty or like another id are refused: format characters (zero-width, bidi
   * controls, the BOM), whitespace of any kind only, and lone surrogates. JSON escapes carry them.
   */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "zero-width space only | \\u200B | format character U+200B",
        "zero-width joiner inside | u\\u200D1 | format character U+200D",
        "right-to-left override | u1\\u202Egnp.exe | format character U+202E",
        "byte order mark | \\uFEFFu1 | format character U+FEFF",
        "no-break spaces only | \\u00A0\\u2007\\u202F | has only whitespace",
        "ideographic space only | \\u3000 | is blank",
        "lone high surrogate | u\\uD83D | lone surrogate U+D83D",
        "lone low surrogate | \\uDE00u | lone surrogate U+DE00",
      })
  void refusesIdsThatLookEmptyOrLikeAnother(String what, String escaped, String detail) {
    String json =
        "{\"event_id\":\"e1\",\"user_id\":\""
            + escaped
            + "\",\"type\":\"view\",\"timestamp\":1300000000000}";
    assertThatThrownBy(() -> event(json))
        .isInstanceOf(InvalidRecordException.class)
        .hasMessageContaining("field 'user_id'")
        .hasMessageContaining(detail)
        .satisfies(
            e ->
                assertThat(((InvalidRecordException) e).reason())
                    .isEqualTo(RejectReason.INVALID_VALUE));
  }

  @Test
  void acceptsIdsInAnyScriptAndEmoji() throws Exception {
    for (String id : List.of("用户-42", "Zoë", "u\\uD83D\\uDE00", "a b")) {
      Event e =
          event(
              "{\"event_id\":\"e1\",\"user_id\":\""
                  + id
                  + "\",\"type\":\"view\",\"timestamp\":1300000000000}");
      assertThat(e.userId).isNotBlank();
    }
  }

  @Test
  void parsesEveryFieldOfAValidEvent() throws Exception {
    Event e =
        event(
            valid(
                ",\"category\":\"bags\",\"price\":2.55,\"quantity\":6,\"dwell_ms\":1200,"
                    + "\"channel\":\"web\",\"device\":\"mobile\",\"sentiment\":-0.5,"
                    + "\"future_field\":{\"nested\":[1,2,3]}"));
    assertThat(e.eventId).isEqualTo("e1");
    assertThat(e.userId).isEqualTo("u1");
    assertThat(e.type).isEqualTo(EventType.ADD_TO_CART);
    assertThat(e.timestamp).isEqualTo(Instant.parse("2011-01-04T10:00:00Z").toEpochMilli());
    assertThat(e.productId).isEqualTo("p1");
    assertThat(e.category).isEqualTo("bags");
    assertThat(e.price).isEqualTo(2.55);
    assertThat(e.quantity).isEqualTo(6);
    assertThat(e.dwellMs).isEqualTo(1200L);
    assertThat(e.channel).isEqualTo("web");
    assertThat(e.device).isEqualTo("mobile");
    assertThat(e.sentiment).isEqualTo(-0.5);
    assertThat(e.value()).isEqualTo(2.55 * 6);
  }

  @Test
  void acceptsEpochMillisAndOffsetTimestamps() throws Exception {
    long expected = Instant.parse("2011-01-04T10:00:00Z").toEpochMilli();
    String millis = valid("").replace("\"2011-01-04T10:00:00Z\"", Long.toString(expected));
    String offset = valid("").replace("2011-01-04T10:00:00Z", "2011-01-04T11:00:00+01:00");
    assertThat(event(millis).timestamp).isEqualTo(expected);
    assertThat(event(offset).timestamp).isEqualTo(expected);
  }

  @Test
  void nullOptionalFieldsAreAbsent() throws Exception {
    Event e = event(valid(",\"price\":null,\"category\":null"));
    assertThat(e.price).isNull();
    assertThat(e.category).isNull();
    assertThat(e.units()).isEqualTo(1);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "truncated | {\"event_id\":\"e1\",\"user_id\" | MALFORMED_JSON",
        "not json | hello | MALFORMED_JSON",
        "array | [1,2,3] | NOT_AN_OBJECT",
        "string | \"just a string\" | NOT_AN_OBJECT",
        "two objects | {\"a\":1}{\"b\":2} | MALFORMED_JSON",
        "missing user | {\"event_id\":\"e1\",\"type\":\"view\",\"timestamp\":1300000000000} |"
            + " MISSING_FIELD",
        "missing timestamp | {\"event_id\":\"e1\",\"user_id\":\"u\",\"type\":\"view\"} |"
            + " MISSING_FIELD",
        "unknown type | {\"event_id\":\"e1\",\"user_id\":\"u\",\"type\":\"teleport\","
            + "\"timestamp\":1300000000000} | UNKNOWN_TYPE",
        "cart without product | {\"event_id\":\"e1\",\"user_id\":\"u\",\"type\":\"add_to_cart\","
            + "\"timestamp\":1300000000000} | MISSING_FIELD",
        "user id is a number | {\"event_id\":\"e1\",\"user_id\":42,\"type\":\"view\","
            + "\"timestamp\":1300000000000} | WRONG_TYPE",
        "price is a string | {\"event_id\":\"e1\",\"user_id\":\"u\",\"type\":\"view\","
            + "\"timestamp\":1300000000000,\"price\":\"3\"} | WRONG_TYPE",
        "negative price | {\"event_id\":\"e1\",\"user_id\":\"u\",\"type\":\"view\","
            + "\"timestamp\":1300000000000,\"price\":-1} | OUT_OF_RANGE",
        "negative quantity | {\"event_id\":\"e1\",\"user_id\":\"u\",\"type\":\"view\","
            + "\"timestamp\":1300000000000,\"quantity\":-3} | OUT_OF_RANGE",
        "fractional quantity | {\"event_id\":\"e1\",\"user_id\":\"u\",\"type\":\"view\","
            + "\"timestamp\":1300000000000,\"quantity\":1.5} | WRONG_TYPE",
        "huge quantity | {\"event_id\":\"e1\",\"user_id\":\"u\",\"type\":\"view\","
            + "\"timestamp\":1300000000000,\"quantity\":99999999999999999999999} | OUT_OF_RANGE",
        "sentiment out of range | {\"event_id\":\"e1\",\"user_id\":\"u\",\"type\":\"view\","
            + "\"timestamp\":1300000000000,\"sentiment\":7} | OUT_OF_RANGE",
        "timestamp in 1970 | {\"event_id\":\"e1\",\"user_id\":\"u\",\"type\":\"view\","
            + "\"timestamp\":5} | OUT_OF_RANGE",
        "timestamp in 2300 | {\"event_id\":\"e1\",\"user_id\":\"u\",\"type\":\"view\","
            + "\"timestamp\":\"2300-01-01T00:00:00Z\"} | OUT_OF_RANGE",
        "timestamp without zone | {\"event_id\":\"e1\",\"user_id\":\"u\",\"type\":\"view\","
            + "\"timestamp\":\"2011-01-04 10:00:00\"} | INVALID_TIMESTAMP",
        "timestamp is boolean | {\"event_id\":\"e1\",\"user_id\":\"u\",\"type\":\"view\","
            + "\"timestamp\":true} | INVALID_TIMESTAMP",
        "blank user | {\"event_id\":\"e1\",\"user_id\":\"  \",\"type\":\"view\","
            + "\"timestamp\":1300000000000} | INVALID_VALUE",
        "control char in user | {\"event_id\":\"e1\",\"user_id\":\"a\\u0007b\",\"type\":\"view\","
            + "\"timestamp\":1300000000000} | INVALID_VALUE",
        "duplicate field | {\"event_id\":\"e1\",\"user_id\":\"u\",\"user_id\":\"v\","
            + "\"type\":\"view\",\"timestamp\":1300000000000} | DUPLICATE_FIELD",
      })
  void rejectsWithAPreciseReason(String name, String json, RejectReason reason) {
    assertThatThrownBy(() -> event(json))
        .isInstanceOfSatisfying(
            InvalidRecordException.class,
            ex -> {
              assertThat(ex.reason()).isEqualTo(reason);
              assertThat(ex.getMessage()).isNotBlank();
            });
  }

  @Test
  void rejectsEmptyOversizedAndNonUtf8Records() {
    assertReason(new byte[0], RejectReason.EMPTY_RECORD);
    assertReason(null, RejectReason.EMPTY_RECORD);
    byte[] big = new byte[10 * 1024 * 1024];
    Arrays.fill(big, (byte) ' ');
    assertReason(big, RejectReason.RECORD_TOO_LARGE);
    byte[] latin1 = valid("").replace("u1", "caf\u00e9").getBytes(StandardCharsets.ISO_8859_1);
    assertReason(latin1, RejectReason.INVALID_UTF8);
    byte[] overlong = valid("").getBytes(StandardCharsets.UTF_8);
    overlong[5] = (byte) 0xC0; // overlong encoding start byte inside "event_id"
    assertReason(overlong, RejectReason.INVALID_UTF8);
  }

  @Test
  void rejectsDeepNestingWithoutStackOverflow() {
    String deep = "{\"x\":" + "[".repeat(10_000) + "]".repeat(10_000) + "}";
    assertReason(deep.getBytes(StandardCharsets.UTF_8), RejectReason.OUT_OF_RANGE);
  }

  @Test
  void acceptsValidMultibyteUtf8() throws Exception {
    assertThat(event(valid("").replace("u1", "caf\u00e9-\uD83D\uDE00")).userId)
        .isEqualTo("caf\u00e9-\uD83D\uDE00");
  }

  @Test
  void parsesPrivacyRequests() throws Exception {
    PrivacyRequest r =
        parser.parsePrivacy(
            "{\"user_id\":\"u1\",\"type\":\"unsubscribe\",\"timestamp\":\"2026-01-01T00:00:00Z\",\"channels\":[\"email\",\"push\"]}"
                .getBytes(StandardCharsets.UTF_8),
            NOW);
    assertThat(r.type).isEqualTo(PrivacyType.UNSUBSCRIBE);
    assertThat(r.channels).isEqualTo(List.of("email", "push"));
    assertThatThrownBy(
            () ->
                parser.parsePrivacy(
                    "{\"user_id\":\"u1\",\"type\":\"unsubscribe\",\"timestamp\":1300000000000}"
                        .getBytes(StandardCharsets.UTF_8),
                    NOW))
        .hasMessageContaining("channels");
    assertThatThrownBy(
            () ->
                parser.parsePrivacy(
                    "{\"user_id\":\"u1\",\"type\":\"forget_me_maybe\",\"timestamp\":1300000000000}"
                        .getBytes(StandardCharsets.UTF_8),
                    NOW))
        .isInstanceOfSatisfying(
            InvalidRecordException.class,
            ex -> assertThat(ex.reason()).isEqualTo(RejectReason.UNKNOWN_TYPE));
  }

  @Test
  void readsUserIdOfInvalidRecordsBestEffort() {
    assertThat(RecordParser.userIdOrNull("{\"user_id\":\"u9\",\"type\":7}".getBytes()))
        .isEqualTo("u9");
    assertThat(RecordParser.userIdOrNull("{\"user_id\":".getBytes())).isNull();
    assertThat(RecordParser.userIdOrNull(new byte[] {(byte) 0xFF})).isNull();
    // Only an id the job would accept becomes the DLQ record's user id and Kafka key (the ids
    // below are JSON text, with JSON escapes for the odd characters).
    String[] bad = {"", "  ", "u\\u0007x", "u\\u200bx", "u\\ud800", "x".repeat(257)};
    for (String id : bad) {
      byte[] json = ("{\"user_id\":\"" + id + "\"}").getBytes(StandardCharsets.UTF_8);
      assertThat(RecordParser.userIdOrNull(json)).as(id).isNull();
    }
    byte[] ok = "{\"user_id\":\"\\u00fcser 1\"}".getBytes(StandardCharsets.UTF_8);
    assertThat(RecordParser.userIdOrNull(ok)).isEqualTo("\u00fcser 1");
  }

  private void assertReason(byte[] raw, RejectReason reason) {
    assertThatThrownBy(() -> parser.parseEvent(raw, NOW))
        .isInstanceOfSatisfying(
            InvalidRecordException.class, ex -> assertThat(ex.reason()).isEqualTo(reason));
  }

  private io.prescient.state.contract.DecisionRequest request(String json)
      throws InvalidRecordException {
    return parser.parseRequest(json.getBytes(StandardCharsets.UTF_8), NOW);
  }

  @Test
  void parsesARequestWithItsContext() throws Exception {
    var r =
        request(
            "{\"request_id\":\"r1\",\"user_id\":\"u1\",\"placement\":\"home_banner\","
                + "\"timestamp\":\"2026-11-23T10:00:00Z\",\"context\":{\"page\":\"/\"},"
                + "\"extra\":[1]}");
    assertThat(r.requestId).isEqualTo("r1");
    assertThat(r.userId).isEqualTo("u1");
    assertThat(r.placement).isEqualTo("home_banner");
    assertThat(r.timestamp).isEqualTo(Instant.parse("2026-11-23T10:00:00Z").toEpochMilli());
    assertThat(r.context).containsEntry("page", "/").hasSize(1);
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "no request id | {'user_id':'u1','placement':'p','timestamp':1700000000000}"
            + " | MISSING_FIELD | 'request_id'",
        "no placement | {'request_id':'r','user_id':'u1','timestamp':1700000000000}"
            + " | MISSING_FIELD | 'placement'",
        "no timestamp | {'request_id':'r','user_id':'u1','placement':'p'}"
            + " | MISSING_FIELD | 'timestamp'",
        "placement with a space | {'request_id':'r','user_id':'u1','placement':'home page',"
            + "'timestamp':1700000000000} | INVALID_VALUE | may hold only",
        "placement too long | {'request_id':'r','user_id':'u1','placement':"
            + "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa',"
            + "'timestamp':1700000000000} | OUT_OF_RANGE | allowed 1 to 64",
        "context not an object | {'request_id':'r','user_id':'u1','placement':'p',"
            + "'timestamp':1700000000000,'context':[1]} | WRONG_TYPE | an object of strings",
      })
  void refusesABadRequestWithItsReason(String what, String json, String reason, String detail) {
    assertThatThrownBy(() -> request(json.replace('\'', '"')))
        .isInstanceOf(InvalidRecordException.class)
        .satisfies(e -> assertThat(((InvalidRecordException) e).reason().name()).isEqualTo(reason))
        .hasMessageContaining(detail);
  }

  @Test
  void refusesARequestWithTooMuchContext() {
    StringBuilder context = new StringBuilder();
    for (int i = 0; i < 17; i++) {
      context.append(i == 0 ? "" : ",").append("\"k").append(i).append("\":\"v\"");
    }
    assertThatThrownBy(
            () ->
                request(
                    "{\"request_id\":\"r\",\"user_id\":\"u\",\"placement\":\"p\","
                        + "\"timestamp\":1700000000000,\"context\":{"
                        + context
                        + "}}"))
        .hasMessageContaining("more than 16 entries");
  }

  @Test
  void aCatalogRecordMayNameAndLinkItsProductWithHttpUrlsOnly() throws Exception {
    String base =
        "{\"product_id\":\"p1\",\"category\":\"bags\",\"price\":9.5,\"margin\":0.3,"
            + "\"in_stock\":true";
    var c =
        parser.parseCatalog(
            (base
                    + ",\"name\":\"Red tote\",\"url\":\"https://shop.example/p1\","
                    + "\"image_url\":\"http://cdn.example/p1.jpg\"}")
                .getBytes(StandardCharsets.UTF_8));
    assertThat(c.name).isEqualTo("Red tote");
    assertThat(c.url).isEqualTo("https://shop.example/p1");
    assertThat(c.imageUrl).isEqualTo("http://cdn.example/p1.jpg");
    assertThat(parser.parseCatalog((base + "}").getBytes(StandardCharsets.UTF_8)).name).isNull();
    assertThatThrownBy(
            () ->
                parser.parseCatalog(
                    (base + ",\"url\":\"javascript:alert(1)\"}").getBytes(StandardCharsets.UTF_8)))
        .isInstanceOfSatisfying(
            InvalidRecordException.class,
            e -> assertThat(e.reason()).isEqualTo(RejectReason.INVALID_VALUE))
        .hasMessageContaining("http(s) URL");
  }
}

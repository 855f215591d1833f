package io.prescient.state.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.exc.StreamConstraintsException;
import io.prescient.state.contract.CatalogEntry;
import io.prescient.state.contract.DecisionRequest;
import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import io.prescient.state.contract.InvalidRecordException;
import io.prescient.state.contract.ModelAnnouncement;
import io.prescient.state.contract.Outcome;
import io.prescient.state.contract.OutcomeType;
import io.prescient.state.contract.PrivacyRequest;
import io.prescient.state.contract.PrivacyType;
import io.prescient.state.contract.RejectReason;
import java.io.IOException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Strict parser for the input topics: {@code events}, {@code privacy}, {@code models}, {@code
 * outcomes} and {@code catalog}. It reads the bytes once with a streaming parser, rejects anything
 * that is not exactly one JSON object of the documented shape, and says precisely why. Unknown
 * fields are ignored (forward compatibility), duplicate fields are rejected (ambiguous), JSON
 * {@code null} counts as absent.
 */
public final class RecordParser {
  private static final int MAX_ID_LENGTH = 256;
  private static final long MAX_DWELL_MS = 24L * 3600 * 1000;

  private static final JsonFactory FACTORY =
      JsonFactory.builder()
          .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
          .streamReadConstraints(
              StreamReadConstraints.builder()
                  .maxNestingDepth(32)
                  .maxNumberLength(64)
                  .maxStringLength(1 << 20)
                  .build())
          .build();

  private final JsonLimits limits;

  public RecordParser(JsonLimits limits) {
    this.limits = limits;
  }

  /** Parses and validates one {@code events} record; {@code now} bounds future timestamps. */
  public Event parseEvent(byte[] raw, long now) throws InvalidRecordException {
    Event e = new Event();
    String[] typeName = new String[1];
    readObject(
        raw,
        (p, field) -> {
          switch (field) {
            case "event_id" -> e.eventId = id(p, field);
            case "user_id" -> e.userId = id(p, field);
            case "type" -> typeName[0] = string(p, field);
            case "timestamp" -> e.timestamp = timestamp(p, field, now);
            case "product_id" -> e.productId = id(p, field);
            case "category" -> e.category = id(p, field);
            case "price" -> e.price = number(p, field, 0.0, limits.maxPrice);
            case "quantity" -> e.quantity = (int) integer(p, field, 1, limits.maxQuantity);
            case "dwell_ms" -> e.dwellMs = integer(p, field, 0, MAX_DWELL_MS);
            case "channel" -> e.channel = id(p, field);
            case "device" -> e.device = id(p, field);
            case "sentiment" -> e.sentiment = number(p, field, -1.0, 1.0);
            default -> p.skipChildren();
          }
        });
    require(e.eventId, "event_id");
    require(e.userId, "user_id");
    require(typeName[0], "type");
    e.type = EventType.fromWireName(typeName[0]);
    if (e.type == null) {
      throw new InvalidRecordException(
          RejectReason.UNKNOWN_TYPE, "unknown event type '" + abbreviate(typeName[0]) + "'");
    }
    if (e.timestamp == 0L) {
      throw missing("timestamp");
    }
    switch (e.type) {
      case ADD_TO_CART, REMOVE_FROM_CART, PURCHASE, REFUND -> require(e.productId, "product_id");
      case DWELL -> {
        if (e.dwellMs == null) {
          throw missing("dwell_ms");
        }
      }
      default -> {}
    }
    return e;
  }

  /** Parses and validates one {@code privacy} record. */
  public PrivacyRequest parsePrivacy(byte[] raw, long now) throws InvalidRecordException {
    PrivacyRequest r = new PrivacyRequest();
    String[] typeName = new String[1];
    boolean[] sawChannels = new boolean[1];
    readObject(
        raw,
        (p, field) -> {
          switch (field) {
            case "user_id" -> r.userId = id(p, field);
            case "type" -> typeName[0] = string(p, field);
            case "timestamp" -> r.timestamp = timestamp(p, field, now);
            case "channels" -> {
              r.channels = channels(p);
              sawChannels[0] = true;
            }
            default -> p.skipChildren();
          }
        });
    require(r.userId, "user_id");
    require(typeName[0], "type");
    r.type = PrivacyType.fromWireName(typeName[0]);
    if (r.type == null) {
      throw new InvalidRecordException(
          RejectReason.UNKNOWN_TYPE,
          "unknown privacy request type '" + abbreviate(typeName[0]) + "'");
    }
    if (r.timestamp == 0L) {
      throw missing("timestamp");
    }
    if (r.type == PrivacyType.UNSUBSCRIBE && (!sawChannels[0] || r.channels.isEmpty())) {
      throw missing("channels");
    }
    return r;
  }

  /** Parses and validates one {@code models} record. */
  public ModelAnnouncement parseModel(byte[] raw) throws InvalidRecordException {
    ModelAnnouncement m = new ModelAnnouncement();
    readObject(
        raw,
        (p, field) -> {
          switch (field) {
            case "name" -> m.name = id(p, field);
            case "version" -> m.version = id(p, field);
            case "uri" -> m.uri = uri(p, field);
            case "sha256" -> m.sha256 = sha256(p, field);
            case "shadow" -> m.shadow = bool(p, field);
            default -> p.skipChildren();
          }
        });
    require(m.name, "name");
    require(m.version, "version");
    require(m.uri, "uri");
    require(m.sha256, "sha256");
    return m;
  }

  /** Parses and validates one {@code outcomes} record. */
  public Outcome parseOutcome(byte[] raw, long now) throws InvalidRecordException {
    Outcome o = new Outcome();
    String[] typeName = new String[1];
    readObject(
        raw,
        (p, field) -> {
          switch (field) {
            case "decision_id" -> o.decisionId = id(p, field);
            case "user_id" -> o.userId = id(p, field);
            case "type" -> typeName[0] = string(p, field);
            case "timestamp" -> o.timestamp = timestamp(p, field, now);
            case "value" -> o.value = number(p, field, 0.0, limits.maxPrice * limits.maxQuantity);
            default -> p.skipChildren();
          }
        });
    require(o.decisionId, "decision_id");
    require(o.userId, "user_id");
    require(typeName[0], "type");
    o.type = OutcomeType.fromWireName(typeName[0]);
    if (o.type == null) {
      throw new InvalidRecordException(
          RejectReason.UNKNOWN_TYPE, "unknown outcome type '" + abbreviate(typeName[0]) + "'");
    }
    if (o.timestamp == 0L) {
      throw missing("timestamp");
    }
    return o;
  }

  /** Parses and validates one {@code catalog} record. */
  public CatalogEntry parseCatalog(byte[] raw) throws InvalidRecordException {
    CatalogEntry c = new CatalogEntry();
    boolean[] seen = new boolean[3];
    readObject(
        raw,
        (p, field) -> {
          switch (field) {
            case "product_id" -> c.productId = id(p, field);
            case "category" -> c.category = id(p, field);
            case "price" -> {
              c.price = number(p, field, 0.0, limits.maxPrice);
              seen[0] = true;
            }
            case "margin" -> {
              c.margin = number(p, field, -1.0, 1.0);
              seen[1] = true;
            }
            case "in_stock" -> {
              c.inStock = bool(p, field);
              seen[2] = true;
            }
            case "sensitive" -> c.sensitive = bool(p, field);
            case "name" -> c.name = text(p, field, MAX_TEXT_LENGTH);
            case "url" -> c.url = webUrl(p, field);
            case "image_url" -> c.imageUrl = webUrl(p, field);
            default -> p.skipChildren();
          }
        });
    require(c.productId, "product_id");
    require(c.category, "category");
    String[] names = {"price", "margin", "in_stock"};
    for (int i = 0; i < names.length; i++) {
      if (!seen[i]) {
        throw missing(names[i]);
      }
    }
    return c;
  }

  /** Longest product name or URL a catalog record may carry. */
  public static final int MAX_TEXT_LENGTH = 2048;

  /** A display text: non-blank, at most {@code max} characters, no control characters. */
  private static String text(JsonParser p, String field, int max)
      throws IOException, InvalidRecordException {
    String s = string(p, field);
    if (s.isBlank() || s.length() > max) {
      throw new InvalidRecordException(
          RejectReason.OUT_OF_RANGE,
          "field '" + field + "' is " + s.length() + " characters, allowed 1 to " + max);
    }
    for (int i = 0; i < s.length(); i++) {
      if (Character.isISOControl(s.charAt(i))) {
        throw invalidChar(field, "control character", s.charAt(i));
      }
    }
    return s;
  }

  /** An http(s) URL a message may link to. */
  private static String webUrl(JsonParser p, String field)
      throws IOException, InvalidRecordException {
    String s = text(p, field, MAX_TEXT_LENGTH);
    if (!(s.startsWith("https://") || s.startsWith("http://")) || s.indexOf(' ') >= 0) {
      throw new InvalidRecordException(
          RejectReason.INVALID_VALUE,
          "field '" + field + "' must be an http(s) URL without spaces: '" + abbreviate(s) + "'");
    }
    return s;
  }

  /** Context entries a request may carry, and the length of each value. */
  public static final int MAX_REQUEST_CONTEXT = 16;

  public static final int MAX_PLACEMENT_LENGTH = 64;

  /** Parses and validates one {@code requests} record. */
  public DecisionRequest parseRequest(byte[] raw, long now) throws InvalidRecordException {
    DecisionRequest r = new DecisionRequest();
    readObject(
        raw,
        (p, field) -> {
          switch (field) {
            case "request_id" -> r.requestId = id(p, field);
            case "user_id" -> r.userId = id(p, field);
            case "placement" -> r.placement = placement(p);
            case "timestamp" -> r.timestamp = timestamp(p, field, now);
            case "context" -> r.context = context(p);
            default -> p.skipChildren();
          }
        });
    require(r.requestId, "request_id");
    require(r.userId, "user_id");
    require(r.placement, "placement");
    if (r.timestamp == 0L) {
      throw missing("timestamp");
    }
    return r;
  }

  /** A placement: 1 to 64 of a-z, 0-9, '_', '-' and '.', so it can name a template or a slot. */
  private static String placement(JsonParser p) throws IOException, InvalidRecordException {
    String s = string(p, "placement");
    if (s.isEmpty() || s.length() > MAX_PLACEMENT_LENGTH) {
      throw new InvalidRecordException(
          RejectReason.OUT_OF_RANGE,
          "field 'placement' is "
              + s.length()
              + " characters, allowed 1 to "
              + MAX_PLACEMENT_LENGTH);
    }
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-' || c == '.')) {
        throw new InvalidRecordException(
            RejectReason.INVALID_VALUE,
            "field 'placement' '" + abbreviate(s) + "' may hold only a-z, 0-9, '_', '-' and '.'");
      }
    }
    return s;
  }

  private static Map<String, String> context(JsonParser p)
      throws IOException, InvalidRecordException {
    if (p.currentToken() == JsonToken.VALUE_NULL) {
      return new LinkedHashMap<>();
    }
    if (p.currentToken() != JsonToken.START_OBJECT) {
      throw wrongType("context", "an object of strings", p.currentToken());
    }
    Map<String, String> out = new LinkedHashMap<>();
    while (p.nextToken() == JsonToken.FIELD_NAME) {
      String key = p.currentName();
      p.nextToken();
      out.put(key, id(p, "context." + key));
      if (out.size() > MAX_REQUEST_CONTEXT) {
        throw new InvalidRecordException(
            RejectReason.OUT_OF_RANGE,
            "field 'context' has more than " + MAX_REQUEST_CONTEXT + " entries");
      }
    }
    return out;
  }

  /** Reads only {@code user_id}, best effort, for DLQ records of otherwise invalid input. */
  public static String userIdOrNull(byte[] raw) {
    if (raw == null || raw.length == 0) {
      return null;
    }
    try (JsonParser p = FACTORY.createParser(raw)) {
      if (p.nextToken() != JsonToken.START_OBJECT) {
        return null;
      }
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        JsonToken t = p.nextToken();
        if ("user_id".equals(field) && t == JsonToken.VALUE_STRING) {
          // It becomes the DLQ record's Kafka key: only an id the job would accept.
          return checkedId(p.getText(), field);
        }
        p.skipChildren();
      }
    } catch (IOException | InvalidRecordException | RuntimeException ignored) {
      // best effort only
    }
    return null;
  }

  /** Reads one field's value; the parser stands on it (never JSON null). */
  private interface FieldReader {
    void read(JsonParser p, String field) throws IOException, InvalidRecordException;
  }

  /** Reads exactly one JSON object, handing each non-null field to {@code reader}. */
  private void readObject(byte[] raw, FieldReader reader) throws InvalidRecordException {
    try (JsonParser p = open(raw)) {
      while (p.nextToken() == JsonToken.FIELD_NAME) {
        String field = p.currentName();
        if (p.nextToken() != JsonToken.VALUE_NULL) {
          reader.read(p, field);
        }
      }
      expectEnd(p);
    } catch (IOException ex) {
      throw fromJackson(ex);
    }
  }

  private JsonParser open(byte[] raw) throws InvalidRecordException, IOException {
    if (raw == null || raw.length == 0) {
      throw new InvalidRecordException(RejectReason.EMPTY_RECORD, "record has no value");
    }
    if (raw.length > limits.maxRecordBytes) {
      throw new InvalidRecordException(
          RejectReason.RECORD_TOO_LARGE,
          "record is " + raw.length + " bytes, limit is " + limits.maxRecordBytes);
    }
    int bad = Utf8.firstInvalidByte(raw);
    if (bad >= 0) {
      throw new InvalidRecordException(
          RejectReason.INVALID_UTF8, "invalid UTF-8 byte sequence at offset " + bad);
    }
    JsonParser p = FACTORY.createParser(raw);
    JsonToken first = p.nextToken();
    if (first != JsonToken.START_OBJECT) {
      p.close();
      throw new InvalidRecordException(
          RejectReason.NOT_AN_OBJECT,
          "expected a JSON object, got " + (first == null ? "nothing" : describe(first)));
    }
    return p;
  }

  private static void expectEnd(JsonParser p) throws IOException, InvalidRecordException {
    if (p.currentToken() != JsonToken.END_OBJECT) {
      throw new InvalidRecordException(RejectReason.MALFORMED_JSON, "object is not closed");
    }
    JsonToken trailing = p.nextToken();
    if (trailing != null) {
      throw new InvalidRecordException(
          RejectReason.MALFORMED_JSON, "unexpected " + describe(trailing) + " after the object");
    }
  }

  private static String string(JsonParser p, String field)
      throws IOException, InvalidRecordException {
    if (p.currentToken() != JsonToken.VALUE_STRING) {
      throw wrongType(field, "a string", p.currentToken());
    }
    return p.getText();
  }

  private static String id(JsonParser p, String field) throws IOException, InvalidRecordException {
    return checkedId(string(p, field), field);
  }

  /** {@code s} when it is a valid id (what {@link #id} accepts), else the reason it is not. */
  private static String checkedId(String s, String field) throws InvalidRecordException {
    if (s.isBlank()) {
      throw new InvalidRecordException(
          RejectReason.INVALID_VALUE, "field '" + field + "' is blank");
    }
    if (s.length() > MAX_ID_LENGTH) {
      throw new InvalidRecordException(
          RejectReason.OUT_OF_RANGE,
          "field '" + field + "' is " + s.length() + " characters, limit is " + MAX_ID_LENGTH);
    }
    boolean visible = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (Character.isISOControl(c)) {
        throw invalidChar(field, "control character", c);
      }
      // Zero-width characters, bidi overrides, the BOM, soft hyphens: invisible, or they reorder
      // what is displayed, so two ids that look the same would be two users.
      if (Character.getType(c) == Character.FORMAT) {
        throw invalidChar(field, "format character", c);
      }
      if (Character.isHighSurrogate(c)
          && i + 1 < s.length()
          && Character.isLowSurrogate(s.charAt(i + 1))) {
        i++;
        visible = true;
        continue;
      }
      if (Character.isSurrogate(c)) {
        throw invalidChar(field, "lone surrogate", c);
      }
      if (!Character.isWhitespace(c) && !Character.isSpaceChar(c)) {
        visible = true;
      }
    }
    if (!visible) {
      throw new InvalidRecordException(
          RejectReason.INVALID_VALUE, "field '" + field + "' has only whitespace");
    }
    return s;
  }

  private static InvalidRecordException invalidChar(String field, String what, char c) {
    return new InvalidRecordException(
        RejectReason.INVALID_VALUE,
        "field '" + field + "' contains " + what + " U+" + String.format("%04X", (int) c));
  }

  private static String uri(JsonParser p, String field) throws IOException, InvalidRecordException {
    String s = string(p, field);
    if (s.isBlank() || s.length() > 4096 || s.chars().anyMatch(Character::isISOControl)) {
      throw new InvalidRecordException(
          RejectReason.INVALID_VALUE,
          "field '" + field + "' must be a URI of 1..4096 characters without control characters");
    }
    return s;
  }

  private static String sha256(JsonParser p, String field)
      throws IOException, InvalidRecordException {
    String s = string(p, field);
    if (!s.matches("[0-9a-fA-F]{64}")) {
      throw new InvalidRecordException(
          RejectReason.INVALID_VALUE,
          "field '" + field + "' must be 64 hexadecimal digits, got '" + abbreviate(s) + "'");
    }
    return s.toLowerCase(java.util.Locale.ROOT);
  }

  private static boolean bool(JsonParser p, String field)
      throws IOException, InvalidRecordException {
    JsonToken t = p.currentToken();
    if (t != JsonToken.VALUE_TRUE && t != JsonToken.VALUE_FALSE) {
      throw wrongType(field, "a boolean", t);
    }
    return t == JsonToken.VALUE_TRUE;
  }

  private static double number(JsonParser p, String field, double min, double max)
      throws IOException, InvalidRecordException {
    JsonToken t = p.currentToken();
    if (t != JsonToken.VALUE_NUMBER_INT && t != JsonToken.VALUE_NUMBER_FLOAT) {
      throw wrongType(field, "a number", t);
    }
    double v = p.getDoubleValue();
    if (!(v >= min && v <= max)) {
      throw new InvalidRecordException(
          RejectReason.OUT_OF_RANGE,
          "field '"
              + field
              + "' is "
              + p.getText()
              + ", allowed range is ["
              + min
              + ", "
              + max
              + "]");
    }
    return v;
  }

  private static long integer(JsonParser p, String field, long min, long max)
      throws IOException, InvalidRecordException {
    JsonToken t = p.currentToken();
    if (t != JsonToken.VALUE_NUMBER_INT) {
      throw wrongType(field, "an integer", t);
    }
    if (p.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
      throw new InvalidRecordException(
          RejectReason.OUT_OF_RANGE,
          "field '" + field + "' is too large: " + abbreviate(p.getText()));
    }
    long v = p.getLongValue();
    if (v < min || v > max) {
      throw new InvalidRecordException(
          RejectReason.OUT_OF_RANGE,
          "field '" + field + "' is " + v + ", allowed range is [" + min + ", " + max + "]");
    }
    return v;
  }

  private long timestamp(JsonParser p, String field, long now)
      throws IOException, InvalidRecordException {
    long millis;
    JsonToken t = p.currentToken();
    if (t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() != JsonParser.NumberType.BIG_INTEGER) {
      millis = p.getLongValue();
    } else if (t == JsonToken.VALUE_STRING) {
      millis = parseIsoInstant(p.getText(), field);
    } else {
      throw new InvalidRecordException(
          RejectReason.INVALID_TIMESTAMP,
          "field '" + field + "' must be ISO-8601 or epoch milliseconds, got " + describe(t));
    }
    if (millis < limits.minTimestamp) {
      throw new InvalidRecordException(
          RejectReason.OUT_OF_RANGE,
          "field '" + field + "' is " + render(millis) + ", before " + render(limits.minTimestamp));
    }
    if (millis > now + limits.maxFutureSkewMs) {
      throw new InvalidRecordException(
          RejectReason.OUT_OF_RANGE,
          "field '"
              + field
              + "' is "
              + render(millis)
              + ", more than "
              + limits.maxFutureSkewMs / 1000
              + " s in the future");
    }
    return millis;
  }

  private static long parseIsoInstant(String text, String field) throws InvalidRecordException {
    try {
      return Instant.parse(text).toEpochMilli();
    } catch (DateTimeParseException first) {
      try {
        return OffsetDateTime.parse(text).toInstant().toEpochMilli();
      } catch (DateTimeParseException second) {
        throw new InvalidRecordException(
            RejectReason.INVALID_TIMESTAMP,
            "field '"
                + field
                + "' is not ISO-8601 with a zone or offset: '"
                + abbreviate(text)
                + "'");
      }
    } catch (ArithmeticException overflow) {
      throw new InvalidRecordException(
          RejectReason.INVALID_TIMESTAMP, "field '" + field + "' overflows: " + abbreviate(text));
    }
  }

  private static List<String> channels(JsonParser p) throws IOException, InvalidRecordException {
    if (p.currentToken() != JsonToken.START_ARRAY) {
      throw wrongType("channels", "an array of strings", p.currentToken());
    }
    List<String> out = new ArrayList<>();
    while (p.nextToken() != JsonToken.END_ARRAY) {
      out.add(id(p, "channels"));
      if (out.size() > 32) {
        throw new InvalidRecordException(
            RejectReason.OUT_OF_RANGE, "field 'channels' has more than 32 entries");
      }
    }
    return out;
  }

  private static void require(String value, String field) throws InvalidRecordException {
    if (value == null) {
      throw missing(field);
    }
  }

  private static InvalidRecordException missing(String field) {
    return new InvalidRecordException(
        RejectReason.MISSING_FIELD, "required field '" + field + "' is missing");
  }

  private static InvalidRecordException wrongType(String field, String expected, JsonToken got) {
    return new InvalidRecordException(
        RejectReason.WRONG_TYPE,
        "field '" + field + "' must be " + expected + ", got " + describe(got));
  }

  private static InvalidRecordException fromJackson(IOException ex) {
    if (ex instanceof StreamConstraintsException) {
      return new InvalidRecordException(
          RejectReason.OUT_OF_RANGE, "JSON exceeds limits: " + firstLine(ex.getMessage()));
    }
    String message = firstLine(ex.getMessage());
    if (message.startsWith("Duplicate field")) {
      return new InvalidRecordException(RejectReason.DUPLICATE_FIELD, message);
    }
    return new InvalidRecordException(RejectReason.MALFORMED_JSON, message);
  }

  private static String describe(JsonToken t) {
    if (t == null) {
      return "end of input";
    }
    return switch (t) {
      case START_OBJECT -> "an object";
      case START_ARRAY -> "an array";
      case VALUE_STRING -> "a string";
      case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "a number";
      case VALUE_TRUE, VALUE_FALSE -> "a boolean";
      case VALUE_NULL -> "null";
      default -> t.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  private static String render(long millis) {
    return Instant.ofEpochMilli(millis).toString();
  }

  private static String firstLine(String message) {
    if (message == null) {
      return "unreadable JSON";
    }
    int nl = message.indexOf('\n');
    return abbreviate(nl < 0 ? message : message.substring(0, nl));
  }

  static String abbreviate(String s) {
    return s.length() <= 120 ? s : s.substring(0, 117) + "...";
  }
}

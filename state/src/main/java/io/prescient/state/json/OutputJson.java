package io.prescient.state.json;

import static io.prescient.state.json.JsonWriting.instant;
import static io.prescient.state.json.JsonWriting.numbers;
import static io.prescient.state.json.JsonWriting.optional;
import static io.prescient.state.json.JsonWriting.strings;

import com.fasterxml.jackson.core.JsonGenerator;
import io.prescient.state.contract.AuditRecord;
import io.prescient.state.contract.CatalogEntry;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.Effect;
import io.prescient.state.contract.Event;
import io.prescient.state.contract.Feedback;
import io.prescient.state.contract.Outcome;
import io.prescient.state.contract.Recommendation;
import io.prescient.state.contract.Rejection;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;

/**
 * The wire format of the output topics: decisions, responses, feedback, dlq and audit (their JSON
 * Schemas are in docs/schemas).
 */
public final class OutputJson {
  private OutputJson() {}

  /** A decision record; field names are the documented, schema-versioned contract. */
  public static byte[] decision(Decision d) {
    return JsonWriting.object(
        g -> {
          g.writeNumberField("schema_version", Decision.SCHEMA_VERSION);
          decisionFields(g, d, true);
        });
  }

  /**
   * One record of the {@code responses} topic: the answer to a web tier's request, a decision
   * record with {@code request_id} and {@code placement} first (schema {@link
   * Decision#RESPONSE_SCHEMA_VERSION}).
   */
  public static byte[] response(Decision d) {
    return JsonWriting.object(
        g -> {
          g.writeNumberField("schema_version", Decision.RESPONSE_SCHEMA_VERSION);
          g.writeStringField("request_id", d.requestId);
          g.writeStringField("placement", d.placement);
          decisionFields(g, d, true);
        });
  }

  /**
   * @param toSend a record of the {@code decisions} topic: a hold-out (action {@code none}) names
   *     no channel there, so that nothing routing by channel sends it; {@code holdout_channel} says
   *     which it would have used. Feedback keeps the channel for analysis.
   */
  private static void decisionFields(JsonGenerator g, Decision d, boolean toSend)
      throws IOException {
    g.writeStringField("decision_id", d.decisionId);
    g.writeStringField("user_id", d.userId);
    g.writeStringField("trigger", d.trigger);
    optional(g, "triggering_event_id", d.triggeringEventId);
    boolean holdout = Decision.NO_ACTION.equals(d.action);
    if (toSend && holdout) {
      g.writeNullField("channel");
      g.writeStringField("holdout_channel", d.channel);
    } else {
      g.writeStringField("channel", d.channel);
    }
    g.writeStringField("action", d.action);
    optional(g, "offer_id", d.offerId);
    if (d.discount != null) {
      g.writeNumberField("discount", d.discount);
    }
    optional(g, "template", d.template);
    optional(g, "coupon", d.coupon);
    optional(g, "product_id", d.productId);
    rendering(g, d.productName, d.productPrice, d.productUrl, d.productImageUrl);
    optional(g, "category", d.category);
    if (!d.items.isEmpty()) {
      g.writeArrayFieldStart("items");
      for (io.prescient.state.contract.LineItem i : d.items) {
        g.writeStartObject();
        g.writeStringField("product_id", i.productId);
        g.writeNumberField("quantity", i.quantity);
        if (i.price != null) {
          g.writeNumberField("price", i.price);
        }
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    if (!d.recommendations.isEmpty()) {
      g.writeArrayFieldStart("recommendations");
      for (Recommendation r : d.recommendations) {
        g.writeStartObject();
        g.writeStringField("product_id", r.productId);
        g.writeNumberField("score", r.score);
        g.writeStringField("reason", r.reason);
        optional(g, "because_of", r.becauseOf);
        rendering(g, r.productName, r.productPrice, r.productUrl, r.productImageUrl);
        g.writeEndObject();
      }
      g.writeEndArray();
    }
    instant(g, "decided_at", d.decidedAt);
    instant(g, "send_after", d.sendAfter);
    instant(g, "expires_at", d.expiresAt);
    g.writeStringField("arm", d.arm);
    g.writeStringField("policy", d.policy);
    g.writeObjectFieldStart("model_versions");
    for (Map.Entry<String, String> e : d.modelVersions.entrySet()) {
      g.writeStringField(e.getKey(), e.getValue());
    }
    g.writeEndObject();
    numbers(g, "scores", d.scores);
    g.writeBooleanField("explored", d.explored);
    g.writeNumberField("propensity", d.propensity);
    strings(g, "candidates", d.candidates);
    numbers(g, "candidate_scores", d.candidateScores);
    numbers(g, "candidate_values", d.candidateValues);
    optional(g, "experiment", d.experiment);
    strings(g, "reason_codes", d.reasonCodes);
    g.writeStringField("why", d.why);
    strings(g, "guardrails", d.guardrails);
  }

  /**
   * A feedback record: the decision's fields (as in the decisions topic, under {@code decision}),
   * the features at decision time, and what happened within the reward window.
   */
  public static byte[] feedback(Feedback f) {
    return JsonWriting.object(
        g -> {
          g.writeNumberField("schema_version", Feedback.SCHEMA_VERSION);
          g.writeObjectFieldStart("decision");
          g.writeNumberField("schema_version", Decision.SCHEMA_VERSION);
          decisionFields(g, f.decision, false);
          g.writeEndObject();
          g.writeNumberField("feature_schema_version", f.featureSchemaVersion);
          g.writeArrayFieldStart("features");
          for (float v : f.features) {
            if (Float.isNaN(v)) {
              g.writeNull();
            } else {
              g.writeNumber(v);
            }
          }
          g.writeEndArray();
          instant(g, "reward_window_end", f.rewardWindowEnd);
          optional(g, "cancelled_reason", f.cancelledReason);
          strings(g, "outcomes", f.outcomes);
          g.writeBooleanField("delivered", f.delivered);
          g.writeBooleanField("opened", f.opened);
          g.writeBooleanField("clicked", f.clicked);
          g.writeBooleanField("dismissed", f.dismissed);
          g.writeBooleanField("converted", f.converted);
          optional(g, "converted_by", f.convertedBy);
          if (f.converted) {
            instant(g, "converted_at", f.convertedAt);
          }
          g.writeNumberField("conversion_value", f.conversionValue);
          g.writeNumberField("reward", f.reward());
        });
  }

  /**
   * A DLQ record. The raw value is kept as text when it is valid UTF-8 ({@code raw}) and as base64
   * otherwise ({@code raw_base64}); {@code raw_size} and {@code raw_sha256} describe the original
   * even when the stored copy was truncated.
   */
  public static byte[] rejection(Rejection r) {
    return JsonWriting.object(
        g -> {
          g.writeNumberField("schema_version", Rejection.SCHEMA_VERSION);
          g.writeStringField("source_topic", r.sourceTopic);
          g.writeNumberField("partition", r.partition);
          g.writeNumberField("offset", r.offset);
          if (r.kafkaTimestamp >= 0) {
            instant(g, "kafka_timestamp", r.kafkaTimestamp);
          }
          g.writeStringField("reason", r.reason.code());
          g.writeStringField("detail", r.detail);
          optional(g, "user_id", r.userId);
          g.writeNumberField("raw_size", r.rawSize);
          optional(g, "raw_sha256", r.rawSha256);
          g.writeBooleanField("raw_truncated", r.truncated());
          byte[] raw = r.raw == null ? new byte[0] : r.raw;
          if (Utf8.firstInvalidByte(raw) < 0) {
            g.writeStringField("raw", new String(raw, StandardCharsets.UTF_8));
          } else {
            g.writeStringField("raw_base64", Base64.getEncoder().encodeToString(raw));
          }
        });
  }

  /** An event in the {@code events} format (timestamps as ISO-8601), absent fields omitted. */
  public static byte[] event(Event e) {
    return JsonWriting.object(
        g -> {
          g.writeStringField("event_id", e.eventId);
          g.writeStringField("user_id", e.userId);
          g.writeStringField("type", e.type.wireName());
          instant(g, "timestamp", e.timestamp);
          optional(g, "product_id", e.productId);
          optional(g, "category", e.category);
          if (e.price != null) {
            g.writeNumberField("price", e.price);
          }
          if (e.quantity != null) {
            g.writeNumberField("quantity", e.quantity);
          }
          if (e.dwellMs != null) {
            g.writeNumberField("dwell_ms", e.dwellMs);
          }
          optional(g, "channel", e.channel);
          optional(g, "device", e.device);
          if (e.sentiment != null) {
            g.writeNumberField("sentiment", e.sentiment);
          }
        });
  }

  /** An outcome in the {@code outcomes} format (for DLQ records of unjoinable outcomes). */
  public static byte[] outcome(Outcome o) {
    return JsonWriting.object(
        g -> {
          g.writeStringField("decision_id", o.decisionId);
          g.writeStringField("user_id", o.userId);
          g.writeStringField("type", o.type.wireName());
          instant(g, "timestamp", o.timestamp);
          if (o.value != null) {
            g.writeNumberField("value", o.value);
          }
        });
  }

  /** A catalog entry in the {@code catalog} format (for DLQ records of refused entries). */
  public static byte[] catalog(CatalogEntry c) {
    return JsonWriting.object(
        g -> {
          g.writeStringField("product_id", c.productId);
          g.writeStringField("category", c.category);
          g.writeNumberField("price", c.price);
          g.writeNumberField("margin", c.margin);
          g.writeBooleanField("in_stock", c.inStock);
          g.writeBooleanField("sensitive", c.sensitive);
        });
  }

  /** What the catalog gives a sender to render a product, each field only when known. */
  private static void rendering(
      JsonGenerator g, String name, Double price, String url, String imageUrl) throws IOException {
    optional(g, "product_name", name);
    if (price != null) {
      g.writeNumberField("product_price", price);
    }
    optional(g, "product_url", url);
    optional(g, "product_image_url", imageUrl);
  }

  public static byte[] audit(AuditRecord a) {
    return JsonWriting.object(
        g -> {
          g.writeNumberField("schema_version", AuditRecord.SCHEMA_VERSION);
          g.writeStringField("audit_id", a.auditId());
          g.writeStringField("user_id", a.userId);
          g.writeStringField("request", a.request);
          instant(g, "requested_at", a.requestedAt);
          g.writeStringField("component", a.component);
          g.writeArrayFieldStart("effects");
          for (Effect e : a.effects) {
            g.writeStartObject();
            g.writeStringField("what", e.what);
            if (e.count != null) {
              g.writeNumberField("count", e.count);
            }
            if (e.value != null) {
              g.writeStringField("value", e.value);
            }
            g.writeEndObject();
          }
          g.writeEndArray();
        });
  }
}

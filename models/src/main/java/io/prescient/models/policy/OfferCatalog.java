package io.prescient.models.policy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.Serializable;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Set;

/**
 * The declarative offer catalog: every action the policy may choose, read from a YAML file and
 * checked field by field (a bad catalog stops the job at start with the offer and field named).
 */
public final class OfferCatalog implements Serializable {
  /** The decision points an offer can be for. */
  public static final java.util.Set<String> TRIGGERS =
      java.util.Set.of(
          io.prescient.models.rules.CartAbandonmentRule.TRIGGER,
          io.prescient.models.rules.BrowseAbandonmentRule.TRIGGER,
          io.prescient.models.rules.LifecycleRule.FOLLOW_UP,
          io.prescient.models.rules.LifecycleRule.WIN_BACK,
          io.prescient.models.rules.OnsiteRequestRule.TRIGGER);

  private static final long serialVersionUID = 1L;

  /** The catalog shipped with the job, used when no file is configured. */
  public static final String DEFAULT_RESOURCE = "prescient/offers.yaml";

  private static final Set<String> FIELDS =
      Set.of(
          "id",
          "kind",
          "channel",
          "triggers",
          "send_cost",
          "discount",
          "conversion_cost",
          "prior_conversion",
          "uses_product",
          "rules_rank",
          "template",
          "coupon");

  private final List<Offer> offers;
  private final String source;

  public OfferCatalog(List<Offer> offers, String source) {
    this.offers = List.copyOf(offers);
    this.source = source;
  }

  public List<Offer> offers() {
    return offers;
  }

  public String source() {
    return source;
  }

  /** The offers a trigger may use, in catalog order. */
  public List<Offer> forTrigger(String trigger) {
    List<Offer> out = new ArrayList<>();
    for (Offer o : offers) {
      if (o.triggers().contains(trigger)) {
        out.add(o);
      }
    }
    return out;
  }

  public Offer byId(String id) {
    for (Offer o : offers) {
      if (o.id().equals(id)) {
        return o;
      }
    }
    return null;
  }

  /** Reads the catalog from {@code file}, or the shipped default when {@code file} is empty. */
  public static OfferCatalog load(String file) {
    try {
      if (file == null || file.isBlank()) {
        try (InputStream in =
            OfferCatalog.class.getClassLoader().getResourceAsStream(DEFAULT_RESOURCE)) {
          if (in == null) {
            throw new IllegalStateException(DEFAULT_RESOURCE + " is missing from the classpath");
          }
          return parse(in.readAllBytes(), "classpath:" + DEFAULT_RESOURCE);
        }
      }
      return parse(Files.readAllBytes(Path.of(file)), file);
    } catch (IOException e) {
      throw new IllegalArgumentException("offer catalog " + file + " cannot be read: " + e, e);
    }
  }

  /** Parses and validates a catalog; {@code source} names it in errors. */
  public static OfferCatalog parse(byte[] yaml, String source) {
    JsonNode root;
    try {
      root = new ObjectMapper(new YAMLFactory()).readTree(yaml);
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "offer catalog " + source + " is not valid YAML: " + e.getMessage(), e);
    }
    if (root == null || !root.path("offers").isArray() || root.path("offers").isEmpty()) {
      throw new IllegalArgumentException(
          "offer catalog " + source + " needs a non-empty list 'offers'");
    }
    List<Offer> offers = new ArrayList<>();
    Set<String> ids = new HashSet<>();
    int index = 0;
    for (JsonNode n : root.get("offers")) {
      String where = "offer catalog " + source + ", offer #" + (index++ + 1);
      for (Iterator<String> it = n.fieldNames(); it.hasNext(); ) {
        String f = it.next();
        if (!FIELDS.contains(f)) {
          throw new IllegalArgumentException(where + ": unknown field '" + f + "'");
        }
      }
      String id = text(n, "id", where);
      where = "offer catalog " + source + ", offer " + id;
      if (!ids.add(id)) {
        throw new IllegalArgumentException(where + ": the id is used twice");
      }
      String kind = oneOf(text(n, "kind", where), Offer.KINDS, "kind", where);
      String channel = oneOf(text(n, "channel", where), Offer.CHANNELS, "channel", where);
      JsonNode t = n.path("triggers");
      if (!t.isArray() || t.isEmpty()) {
        throw new IllegalArgumentException(where + ": 'triggers' must be a non-empty list");
      }
      List<String> triggers = new ArrayList<>();
      for (JsonNode x : t) {
        if (!x.isTextual() || !TRIGGERS.contains(x.asText())) {
          // An offer no decision point can use would never be offered, without a word.
          throw new IllegalArgumentException(
              where
                  + ": unknown trigger "
                  + x
                  + "; the triggers are "
                  + String.join(", ", TRIGGERS.stream().sorted().toList()));
        }
        triggers.add(x.asText());
      }
      offers.add(
          new Offer(
              id,
              kind,
              channel,
              List.copyOf(triggers),
              number(n, "send_cost", 0, 1e6, where),
              number(n, "discount", 0, 0.99, where),
              number(n, "conversion_cost", 0, 1e6, where),
              number(n, "prior_conversion", 0, 1, where),
              bool(n, "uses_product", where),
              (int) number(n, "rules_rank", -1e6, 1e6, where),
              n.has("template") ? text(n, "template", where) : null,
              n.has("coupon") ? text(n, "coupon", where) : null));
    }
    offers.sort(Comparator.comparingInt(Offer::rulesRank).thenComparing(Offer::id));
    return new OfferCatalog(offers, source);
  }

  private static String text(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual() || v.asText().isBlank()) {
      throw new IllegalArgumentException(where + ": '" + field + "' must be a non-empty string");
    }
    return v.asText();
  }

  private static String oneOf(String v, List<String> allowed, String field, String where) {
    if (!allowed.contains(v)) {
      throw new IllegalArgumentException(
          where + ": '" + field + "' is '" + v + "', expected one of " + allowed);
    }
    return v;
  }

  private static double number(JsonNode n, String field, double min, double max, String where) {
    JsonNode v = n.get(field);
    if (v == null || !v.isNumber()) {
      throw new IllegalArgumentException(where + ": '" + field + "' must be a number");
    }
    double d = v.asDouble();
    if (!(d >= min && d <= max)) {
      throw new IllegalArgumentException(
          where + ": '" + field + "' is " + d + ", expected " + min + " to " + max);
    }
    return d;
  }

  private static boolean bool(JsonNode n, String field, String where) {
    JsonNode v = n.get(field);
    if (v == null || !v.isBoolean()) {
      throw new IllegalArgumentException(where + ": '" + field + "' must be true or false");
    }
    return v.asBoolean();
  }
}

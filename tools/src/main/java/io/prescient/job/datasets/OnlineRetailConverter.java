package io.prescient.job.datasets;

import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import java.time.LocalDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * UCI Online Retail: every invoice line of a known customer is a purchase; a {@code C} invoice (a
 * cancellation) is a refund. The category comes from the description through {@link
 * #CATEGORY_KEYWORDS}.
 */
final class OnlineRetailConverter extends DatasetConverter {
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss");
  private static final ZoneId UK = ZoneId.of("Europe/London");
  private static final Pattern PRODUCT_CODE = Pattern.compile("\\d{5}[A-Za-z]*");

  /**
   * Description keywords -> category, first match wins (whole words, upper case). Health and beauty
   * is kept apart because a later feature treats health as a sensitive category.
   */
  static final List<Map.Entry<String, List<String>>> CATEGORY_KEYWORDS =
      List.of(
          Map.entry(
              "health_beauty",
              List.of(
                  "PLASTERS",
                  "FIRST AID",
                  "HOT WATER BOTTLE",
                  "SOAP",
                  "LIP GLOSS",
                  "MIRROR",
                  "TISSUES",
                  "BATH",
                  "COMPACT",
                  "HAND WARMER",
                  "NAIL")),
          Map.entry("christmas", List.of("CHRISTMAS", "XMAS", "ADVENT", "SANTA", "REINDEER")),
          Map.entry(
              "candles_lighting",
              List.of(
                  "T-LIGHT",
                  "TLIGHT",
                  "CANDLE",
                  "CANDLES",
                  "LANTERN",
                  "LIGHTS",
                  "LAMP",
                  "NIGHT LIGHT",
                  "LIGHT HOLDER")),
          Map.entry(
              "bags", List.of("BAG", "BAGS", "SHOPPER", "TOTE", "PURSE", "CHARLOTTE", "RUCKSACK")),
          Map.entry(
              "stationery_gift_wrap",
              List.of(
                  "CARD",
                  "CARDS",
                  "WRAP",
                  "PAPER",
                  "NOTEBOOK",
                  "PENCIL",
                  "PENCILS",
                  "PEN",
                  "STICKER",
                  "STICKERS",
                  "TAPE",
                  "RIBBON",
                  "RIBBONS",
                  "ENVELOPE",
                  "GIFT TAG",
                  "TAGS",
                  "CALENDAR",
                  "DIARY",
                  "ERASER",
                  "STATIONERY")),
          Map.entry(
              "kitchen_dining",
              List.of(
                  "MUG",
                  "MUGS",
                  "CUP",
                  "CUPS",
                  "PLATE",
                  "PLATES",
                  "BOWL",
                  "BOWLS",
                  "TEA",
                  "CAKE",
                  "BAKING",
                  "CUTLERY",
                  "NAPKINS",
                  "JAR",
                  "JAM",
                  "LUNCH",
                  "BOTTLE",
                  "GLASS",
                  "SPOON",
                  "SPOONS",
                  "TEAPOT",
                  "COFFEE",
                  "KITCHEN",
                  "APRON",
                  "TRAY",
                  "PANTRY",
                  "CAKESTAND",
                  "DISH",
                  "PICNIC",
                  "CUTTER",
                  "CUTTERS",
                  "TUMBLER",
                  "BEAKER",
                  "CASES",
                  "STRAWS",
                  "MOULD",
                  "OVEN",
                  "TOAST",
                  "TOASTRACK",
                  "EGG")),
          Map.entry(
              "toys_games",
              List.of(
                  "TOY",
                  "TOYS",
                  "GAME",
                  "GAMES",
                  "DOLLY",
                  "DOLL",
                  "PUZZLE",
                  "JIGSAW",
                  "SPACEBOY",
                  "CHILDRENS",
                  "CHILDS",
                  "KIDS",
                  "PLAYHOUSE",
                  "SKITTLES",
                  "DOMINOES",
                  "BALLOON",
                  "BALLOONS",
                  "FELTCRAFT",
                  "CRAYONS",
                  "COLOURING",
                  "KIT",
                  "PARTY",
                  "BUNTING",
                  "MONEY BOX",
                  "SOLDIER",
                  "TEDDY",
                  "BINGO",
                  "RABBIT",
                  "CIRCUS")),
          Map.entry(
              "garden",
              List.of(
                  "GARDEN",
                  "PLANT",
                  "PLANTER",
                  "FLOWER POT",
                  "WATERING",
                  "BIRD",
                  "BIRDHOUSE",
                  "SEED",
                  "SEEDS",
                  "TRELLIS")),
          Map.entry(
              "storage",
              List.of(
                  "BOX", "BOXES", "TIN", "TINS", "STORAGE", "BASKET", "HAMPER", "DRAWER", "CHEST",
                  "CRATE", "HOLDER", "RACK", "HOOK", "HOOKS", "SHELF", "CABINET")),
          Map.entry(
              "jewellery_accessories",
              List.of(
                  "NECKLACE",
                  "BRACELET",
                  "EARRINGS",
                  "RING",
                  "BROOCH",
                  "HAIR",
                  "HAIRCLIP",
                  "SLIDE",
                  "JEWEL",
                  "JEWELLERY",
                  "DIAMANTE",
                  "BEADS",
                  "UMBRELLA",
                  "KEY RING",
                  "KEYRING",
                  "SCARF",
                  "GLOVES",
                  "HAT",
                  "WATCH",
                  "SUNGLASSES",
                  "BADGE")),
          Map.entry(
              "textiles",
              List.of(
                  "CUSHION",
                  "CUSHIONS",
                  "THROW",
                  "BLANKET",
                  "TOWEL",
                  "TOWELS",
                  "TEA TOWEL",
                  "DOORMAT",
                  "MAT",
                  "QUILT",
                  "FELT",
                  "FABRIC",
                  "OILCLOTH",
                  "TABLECLOTH",
                  "CURTAIN")),
          Map.entry(
              "home_decor",
              List.of(
                  "HEART",
                  "SIGN",
                  "CLOCK",
                  "FRAME",
                  "DECORATION",
                  "HANGING",
                  "ORNAMENT",
                  "WALL",
                  "VASE",
                  "MIRROR",
                  "CHALKBOARD",
                  "WREATH",
                  "GARLAND",
                  "DOORSTOP",
                  "STAND",
                  "PLAQUE",
                  "METAL",
                  "ZINC",
                  "WICKER",
                  "PICTURE",
                  "HOME",
                  "BELL",
                  "BIRDCAGE",
                  "FLOWERS",
                  "FLOWER",
                  "ROSE",
                  "CHANDELIER",
                  "DOOR",
                  "KNOB",
                  "PLACARD",
                  "BUTTERFLY",
                  "STAR",
                  "SNOWFLAKE",
                  "FAIRY",
                  "ANGEL",
                  "DECOUPAGE",
                  "LOVE",
                  "SWEETHEART",
                  "CUSHION COVER",
                  "POSTCARD",
                  "PEG",
                  "PEGS")));

  private final Map<String, Integer> linesPerInvoice = new HashMap<>();

  @Override
  public String name() {
    return "online-retail";
  }

  @Override
  int columns() {
    return 8;
  }

  @Override
  boolean hasCategoryTable() {
    return true;
  }

  @Override
  Event convert(List<String> row, long rowNumber, ConversionStats stats) {
    String invoice = row.get(0);
    String stockCode = row.get(1);
    String customer = row.get(6);
    int line = linesPerInvoice.merge(invoice, 1, Integer::sum);
    if (customer.isEmpty()) {
      stats.skipped("no_customer_id");
      return null;
    }
    boolean cancellation = invoice.startsWith("C");
    if (!cancellation && !invoice.matches("\\d{6}")) {
      stats.skipped("not_a_sale (" + invoice.charAt(0) + "... invoice)");
      return null;
    }
    if (!PRODUCT_CODE.matcher(stockCode).matches()) {
      stats.skipped("non_product_code");
      return null;
    }
    int quantity = Integer.parseInt(row.get(3));
    if (quantity == 0 || (!cancellation && quantity < 0)) {
      stats.skipped("non_positive_quantity");
      return null;
    }
    long ts = LocalDateTime.parse(row.get(4), DATE).atZone(UK).toInstant().toEpochMilli();
    Event e =
        event(
            "or-" + invoice + "-" + line,
            "or-" + (long) Double.parseDouble(customer),
            cancellation ? EventType.REFUND : EventType.PURCHASE,
            ts,
            stockCode);
    e.price = Double.parseDouble(row.get(5));
    e.quantity = Math.abs(quantity);
    e.channel = "web";
    e.category = categoryOf(row.get(2));
    return e;
  }

  /** The keyword table as Markdown, for docs/datasets.md (a test keeps the two in sync). */
  static String keywordTableMarkdown() {
    StringBuilder sb =
        new StringBuilder("| category | keywords (first match wins, in this order) |\n");
    sb.append("|---|---|\n");
    for (Map.Entry<String, List<String>> c : CATEGORY_KEYWORDS) {
      sb.append("| `").append(c.getKey()).append("` | ");
      sb.append(String.join(", ", c.getValue())).append(" |\n");
    }
    return sb.toString();
  }

  /** The first category whose keyword occurs in the description as whole words, else other. */
  static String categoryOf(String description) {
    String padded = " " + description.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9-]+", " ") + " ";
    for (Map.Entry<String, List<String>> c : CATEGORY_KEYWORDS) {
      for (String keyword : c.getValue()) {
        if (padded.contains(" " + keyword + " ")) {
          return c.getKey();
        }
      }
    }
    return "other";
  }
}

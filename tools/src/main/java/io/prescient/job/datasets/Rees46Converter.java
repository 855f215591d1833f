package io.prescient.job.datasets;

import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.List;

/** REES46 multi-category store: view, cart, remove_from_cart, purchase with prices. */
final class Rees46Converter extends DatasetConverter {
  private static final DateTimeFormatter TIME =
      DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss 'UTC'");

  @Override
  public String name() {
    return "rees46";
  }

  @Override
  int columns() {
    return 9;
  }

  @Override
  Event convert(List<String> row, long rowNumber, ConversionStats stats) {
    EventType type =
        switch (row.get(1)) {
          case "view" -> EventType.VIEW;
          case "cart" -> EventType.ADD_TO_CART;
          case "remove_from_cart" -> EventType.REMOVE_FROM_CART;
          case "purchase" -> EventType.PURCHASE;
          default -> null;
        };
    if (type == null) {
      stats.skipped("event_type_" + row.get(1) + "_unknown");
      return null;
    }
    long ts = LocalDateTime.parse(row.get(0), TIME).toInstant(ZoneOffset.UTC).toEpochMilli();
    Event e =
        event(
            "r46-" + rowNumber,
            "r46-" + Long.parseLong(row.get(7)),
            type,
            ts,
            "r46-" + Long.parseLong(row.get(2)));
    e.category = row.get(4).isEmpty() ? "r46-cat-" + row.get(3) : row.get(4);
    double price = Double.parseDouble(row.get(6));
    if (price > 0) {
      e.price = price;
    }
    if (type == EventType.PURCHASE) {
      e.quantity = 1;
    }
    e.channel = "web";
    return e;
  }
}

package io.prescient.job.datasets;

import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import java.util.List;

/** Taobao UserBehavior: pv -> view, cart -> add_to_cart, buy -> purchase; fav is skipped. */
final class TaobaoConverter extends DatasetConverter {
  @Override
  public String name() {
    return "taobao";
  }

  @Override
  int columns() {
    return 5;
  }

  @Override
  Event convert(List<String> row, long rowNumber, ConversionStats stats) {
    EventType type =
        switch (row.get(3)) {
          case "pv" -> EventType.VIEW;
          case "cart" -> EventType.ADD_TO_CART;
          case "buy" -> EventType.PURCHASE;
          default -> null;
        };
    if (type == null) {
      stats.skipped("behavior_" + row.get(3) + "_has_no_event_type");
      return null;
    }
    Event e =
        event(
            "tb-" + rowNumber,
            "tb-" + Long.parseLong(row.get(0)),
            type,
            Long.parseLong(row.get(4)) * 1000,
            "tb-" + Long.parseLong(row.get(1)));
    e.category = "tb-cat-" + Long.parseLong(row.get(2));
    e.channel = "app";
    if (type == EventType.PURCHASE) {
      e.quantity = 1;
    }
    return e;
  }
}

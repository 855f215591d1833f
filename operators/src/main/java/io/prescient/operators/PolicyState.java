package io.prescient.operators;

import io.prescient.state.contract.CatalogEntry;
import io.prescient.state.contract.Feedback;
import io.prescient.state.contract.ModelAnnouncement;
import io.prescient.state.contract.Outcome;
import org.apache.flink.api.common.state.MapStateDescriptor;
import org.apache.flink.api.common.state.ValueStateDescriptor;
import org.apache.flink.api.common.typeinfo.TypeInformation;
import org.apache.flink.api.common.typeinfo.Types;

/**
 * Every state of the policy operator, declared once: the names are part of the savepoint format.
 * Keyed state has no TTL: every entry is removed by the operator itself (held decisions at release,
 * open feedback when its window closes, message history when it falls out of the longest cap
 * window), and erase clears it all.
 */
public final class PolicyState {
  private PolicyState() {}

  public static final String USER = "policy-user";
  public static final String HELD = "held-decisions";
  public static final String OPEN = "open-feedback";
  public static final String OUTCOMES = "buffered-outcomes";
  public static final String SENDS = "sends";
  public static final String SHOWN = "shown";

  /** Announcements each model slot was loaded from (broadcast). */
  public static final MapStateDescriptor<String, ModelAnnouncement> MODELS =
      new MapStateDescriptor<>("models", Types.STRING, TypeInformation.of(ModelAnnouncement.class));

  /** The live catalog, by product id (broadcast). */
  public static final MapStateDescriptor<String, CatalogEntry> CATALOG =
      new MapStateDescriptor<>("catalog", Types.STRING, TypeInformation.of(CatalogEntry.class));

  public static ValueStateDescriptor<PolicyUser> user() {
    return new ValueStateDescriptor<>(USER, TypeInformation.of(PolicyUser.class));
  }

  /** Decisions waiting out their creepiness delay, by decision id. */
  public static MapStateDescriptor<String, HeldDecision> held() {
    return new MapStateDescriptor<>(HELD, Types.STRING, TypeInformation.of(HeldDecision.class));
  }

  /** Released decisions whose reward window is open, by decision id. */
  public static MapStateDescriptor<String, Feedback> open() {
    return new MapStateDescriptor<>(OPEN, Types.STRING, TypeInformation.of(Feedback.class));
  }

  /**
   * Outcomes ahead of the watermark, by (event time, decision id, type): they are joined in event
   * time, after every decision released before them. An identical outcome is kept once.
   */
  public static MapStateDescriptor<String, Outcome> outcomes() {
    return new MapStateDescriptor<>(OUTCOMES, Types.STRING, TypeInformation.of(Outcome.class));
  }

  /** Event times of messages sent, by channel (for the frequency caps). */
  public static MapStateDescriptor<String, long[]> sends() {
    return new MapStateDescriptor<>(SENDS, Types.STRING, TypeInformation.of(long[].class));
  }

  /** Event times a product was named to the user, by product (for the shown limit). */
  public static MapStateDescriptor<String, long[]> shown() {
    return new MapStateDescriptor<>(SHOWN, Types.STRING, TypeInformation.of(long[].class));
  }
}

package io.prescient.state.contract;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One decision for the {@code decisions} topic (schema version {@link #SCHEMA_VERSION}). What to
 * send, to whom, on which channel, not before when, and why. The id is derived from the input
 * (user, trigger, triggering event), so consumers de-duplicate under at-least-once delivery and a
 * replay yields the same ids.
 */
public class Decision {
  /**
   * 5: adds {@code recommendations} (ranked products with score and reason). 4: adds {@code
   * template}, {@code coupon}, {@code product_name}, {@code product_price}, {@code product_url},
   * {@code product_image_url} and {@code items}. 3: a hold-out names no channel; {@code discount}.
   * 2: adds {@code experiment}, {@code candidate_scores} and {@code candidate_values}; version 1
   * fields are unchanged.
   */
  public static final int SCHEMA_VERSION = 5;

  /** Version of a {@code responses} record: a decision record with request id and placement. */
  public static final int RESPONSE_SCHEMA_VERSION = 2;

  /** The action of a hold-out (control arm) decision: logged, never sent. */
  public static final String NO_ACTION = "none";

  public String decisionId;
  public String userId;
  public String trigger;
  public String triggeringEventId;
  public String channel;
  public String action;
  public String offerId;

  /**
   * The offer's discount as a fraction of the price (0.10: 10% off), from the offers file; null for
   * an offer without one and for a hold-out.
   */
  public Double discount;

  /** The offer's message template and coupon code, from the offers file; null when none. */
  public String template;

  public String coupon;

  public String productId;
  public String category;

  /**
   * What a message shows of {@link #productId}, from the live catalog when it describes the product
   * (null otherwise): name, price, page and image.
   */
  public String productName;

  public Double productPrice;
  public String productUrl;
  public String productImageUrl;

  /** A cart reminder's lines (up to {@link #MAX_ITEMS}, by value), empty for other decisions. */
  public List<LineItem> items = new ArrayList<>();

  /**
   * Products recommended with the decision, best first (decision schema 5): empty unless an items
   * model is served and the trigger is a follow-up, browse abandonment, win-back or an onsite
   * request, and never on a hold-out.
   */
  public List<Recommendation> recommendations = new ArrayList<>();

  /** Lines a decision lists at most. */
  public static final int MAX_ITEMS = 10;

  /** Event time at which the decision was made, epoch millis. */
  public long decidedAt;

  public long sendAfter;
  public long expiresAt;
  public String arm;
  public String policy;
  public Map<String, String> modelVersions = new LinkedHashMap<>();
  public Map<String, Double> scores = new LinkedHashMap<>();
  public boolean explored;
  public double propensity;
  public List<String> candidates = new ArrayList<>();

  /** Estimated conversion probability per candidate (model or catalog prior), when estimated. */
  public Map<String, Double> candidateScores = new LinkedHashMap<>();

  /** Expected value per candidate: score x value of the order - cost of the action. */
  public Map<String, Double> candidateValues = new LinkedHashMap<>();

  /** The experiment whose salt assigned the arm. */
  public String experiment;

  public List<String> reasonCodes = new ArrayList<>();
  public String why;
  public List<String> guardrails = new ArrayList<>();

  /**
   * The request this decision answers ({@code requests} topic), null for a behavioural trigger's
   * decision. Answers go to {@code responses}, never to {@code decisions}.
   */
  public String requestId;

  /** With {@link #requestId}: the placement the request named. */
  public String placement;

  public Decision() {}

  @Override
  public String toString() {
    return "Decision{" + decisionId + ", " + userId + ", " + trigger + ", " + action + "}";
  }
}

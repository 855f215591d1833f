package io.prescient.state.contract;

import java.util.Objects;

/**
 * One thing an audited action did, as structured fields: {@code what} (a snake_case name), and
 * either how many ({@code count}) or which ({@code value}), or neither. For example {@code
 * {"what":"cart_products","count":3}}, {@code {"what":"unsubscribed","value":"email"}}, {@code
 * {"what":"profile"}}.
 */
public class Effect {
  public String what;

  /** How many were removed or changed; null when the effect is not counted. */
  public Integer count;

  /** Which one (a channel, a guardrail, a version, a reason); null when not named. */
  public String value;

  public Effect() {}

  private Effect(String what, Integer count, String value) {
    this.what = Objects.requireNonNull(what, "what");
    this.count = count;
    this.value = value;
  }

  /** An effect with neither a count nor a value, such as {@code profile} (the profile went). */
  public static Effect of(String what) {
    return new Effect(what, null, null);
  }

  public static Effect count(String what, int count) {
    return new Effect(what, count, null);
  }

  public static Effect named(String what, String value) {
    return new Effect(what, null, Objects.requireNonNull(value, "value"));
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof Effect e
        && what.equals(e.what)
        && Objects.equals(count, e.count)
        && Objects.equals(value, e.value);
  }

  @Override
  public int hashCode() {
    return Objects.hash(what, count, value);
  }

  /** {@code what}, {@code what=count} or {@code what=value}: the form hashed into the audit id. */
  @Override
  public String toString() {
    return count != null ? what + "=" + count : value != null ? what + "=" + value : what;
  }
}

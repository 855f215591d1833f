package io.prescient.operators;

import static org.assertj.core.api.Assertions.assertThat;

import io.prescient.models.rules.BrowseAbandonmentRule;
import io.prescient.models.rules.CartAbandonmentRule;
import io.prescient.models.rules.LifecycleRule;
import io.prescient.state.contract.Decision;
import io.prescient.state.contract.Event;
import io.prescient.state.contract.EventType;
import io.prescient.state.profile.BrowseSession;
import io.prescient.state.profile.CartLine;
import io.prescient.state.profile.InMemoryStore;
import io.prescient.state.profile.LifecycleState;
import io.prescient.state.profile.ProfileUpdater;
import io.prescient.state.profile.UserProfile;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * {@link Triggers} on in-memory state, with no Flink: the lazy path (triggers due before an event
 * decide first, in time order), timers, shared registrations and opted-out users.
 */
class TriggersTest {
  private static final long T0 = 1_300_000_020_000L; // a whole minute
  private static final long MINUTE = 60_000L;
  private static final long HOUR = 60 * MINUTE;
  private static final long DAY = 24 * HOUR;

  /** One user's trigger state in memory; what was emitted, in order. */
  static final class Memory implements Triggers.Env {
    final InMemoryStore<CartLine> cart = new InMemoryStore<>();
    BrowseSession browse;
    LifecycleState life;
    final TreeSet<Long> timers = new TreeSet<>();
    int registrations;
    final List<String> emitted = new ArrayList<>();
    int suppressed;

    @Override
    public String user() {
      return "u1";
    }

    @Override
    public InMemoryStore<CartLine> cart() {
      return cart;
    }

    @Override
    public BrowseSession browse() {
      return browse;
    }

    @Override
    public void putBrowse(BrowseSession s) {
      browse = s;
    }

    @Override
    public LifecycleState lifecycle() {
      return life;
    }

    @Override
    public void putLifecycle(LifecycleState s) {
      life = s;
    }

    @Override
    public void registerTimer(long at) {
      registrations++;
      timers.add(at);
    }

    @Override
    public void deleteTimer(long at) {
      timers.remove(at);
    }

    @Override
    public void emit(Decision d, UserProfile p, long at, double orderValue) {
      emitted.add(d.trigger + "@" + (at - T0) / MINUTE);
    }

    @Override
    public void emitBroad(Decision d) {
      emitted.add("broad " + d.trigger + "@" + (d.decidedAt - T0) / MINUTE);
    }

    @Override
    public void suppressed() {
      suppressed++;
    }
  }

  private final Memory env = new Memory();
  private final UserProfile profile = new UserProfile();

  private static Triggers triggers(boolean broad) {
    return new Triggers(
        new CartAbandonmentRule(HOUR, 7 * DAY, broad),
        new BrowseAbandonmentRule(30 * MINUTE, 30 * MINUTE, 2, 7 * DAY),
        new LifecycleRule(3 * DAY, 0, 7 * DAY),
        MINUTE,
        ProfileUpdater.Settings.defaults());
  }

  private static Event event(String id, EventType type, long at, String product) {
    Event e = new Event(id, "u1", type, at);
    e.productId = product;
    e.category = "bags";
    e.price = 20.0;
    e.quantity = 1;
    return e;
  }

  @Test
  void aCartDueBeforeTheNextEventIsDecidedFirstOnTheCartAsItWas() throws Exception {
    Triggers t = triggers(false);
    t.onEvent(event("c1", EventType.ADD_TO_CART, T0, "p1"), profile, env);
    assertThat(env.timers).containsExactly(T0 + HOUR);
    // Two hours later, with no watermark having passed the timer: the event decides the cart
    // first, at its deadline, then counts as activity.
    t.onEvent(event("v1", EventType.VIEW, T0 + 2 * HOUR, "p2"), profile, env);
    assertThat(env.emitted).containsExactly(CartAbandonmentRule.TRIGGER + "@60");
    assertThat(env.timers).doesNotContain(T0 + HOUR);
  }

  @Test
  void aPurchaseBeforeTheDeadlineLeavesNothingToDecide() throws Exception {
    Triggers t = triggers(false);
    t.onEvent(event("c1", EventType.ADD_TO_CART, T0, "p1"), profile, env);
    t.onEvent(event("b1", EventType.PURCHASE, T0 + 10 * MINUTE, "p1"), profile, env);
    t.onTimer(T0 + HOUR, profile, env);
    assertThat(env.emitted).isEmpty();
    assertThat(env.life).isNotNull(); // a customer now: the follow-up is armed
    assertThat(env.timers).contains(T0 + 10 * MINUTE + 3 * DAY);
  }

  @Test
  void aBrowseSessionDueBeforeACartAddIsDecidedFirstThenTheCartAtItsTimer() throws Exception {
    Triggers t = triggers(false);
    t.onEvent(event("v1", EventType.VIEW, T0, "p1"), profile, env);
    t.onEvent(event("v2", EventType.VIEW, T0 + MINUTE, "p2"), profile, env);
    assertThat(env.timers).containsExactly(T0 + 31 * MINUTE);
    t.onEvent(event("c1", EventType.ADD_TO_CART, T0 + 40 * MINUTE, "p3"), profile, env);
    assertThat(env.emitted).containsExactly(BrowseAbandonmentRule.TRIGGER + "@31");
    assertThat(env.timers).containsExactly(T0 + 100 * MINUTE);
    t.onTimer(T0 + 100 * MINUTE, profile, env);
    assertThat(env.emitted)
        .containsExactly(
            BrowseAbandonmentRule.TRIGGER + "@31", CartAbandonmentRule.TRIGGER + "@100");
  }

  @Test
  void aBrowsingSessionKeepsOneTimerWhichReArmsUntilTheSessionIsDue() throws Exception {
    Triggers t = triggers(false);
    for (int i = 0; i <= 4; i++) {
      t.onEvent(event("v" + i, EventType.VIEW, T0 + i * 5 * MINUTE, "p" + i), profile, env);
    }
    // Due 30 minutes after the second view (the first with 2 views); later views do not move it.
    assertThat(env.timers).containsExactly(T0 + 35 * MINUTE);
    assertThat(env.registrations).isEqualTo(1);
    env.timers.pollFirst(); // fired, as the timer service does
    t.onTimer(T0 + 35 * MINUTE, profile, env);
    assertThat(env.emitted).isEmpty(); // viewed since: due 30 minutes after the last view
    assertThat(env.timers).containsExactly(T0 + 50 * MINUTE);
    env.timers.pollFirst();
    t.onTimer(T0 + 50 * MINUTE, profile, env);
    assertThat(env.emitted).containsExactly(BrowseAbandonmentRule.TRIGGER + "@50");
    assertThat(env.registrations).isEqualTo(2);
  }

  @Test
  void anOptedOutUserGetsABroadDecisionOrNoneAndIsCounted() throws Exception {
    profile.optedOut = true;
    triggers(true).onEvent(event("c1", EventType.ADD_TO_CART, T0, "p1"), profile, env);
    triggers(true).onTimer(T0 + HOUR, profile, env);
    assertThat(env.emitted).containsExactly("broad " + CartAbandonmentRule.TRIGGER + "@60");

    Memory other = new Memory();
    UserProfile optedOut = new UserProfile();
    optedOut.optedOut = true;
    triggers(false).onEvent(event("c1", EventType.ADD_TO_CART, T0, "p1"), optedOut, other);
    triggers(false).onTimer(T0 + HOUR, optedOut, other);
    assertThat(other.emitted).isEmpty();
    assertThat(other.suppressed).isEqualTo(1);
  }
}

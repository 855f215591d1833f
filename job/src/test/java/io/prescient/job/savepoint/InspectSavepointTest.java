package io.prescient.job.savepoint;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class InspectSavepointTest {
  @Test
  void registeredTimersAreBrokenDownIntoArmedSharedAndNoOp() {
    InspectSavepoint.Summary s =
        InspectSavepoint.summarize(
            List.of(
                // cart and browse due at the same rounded time: one registration for two triggers
                "a: profile=true cart=2 seen=3 affinities=1 timers=1 triggers=2 no_op_timers=0",
                // a lifecycle timer superseded by an earlier one: two registered, one armed
                "b: profile=true cart=0 seen=1 affinities=1 timers=2 triggers=1 no_op_timers=1",
                "c: profile=false cart=0 seen=0 affinities=0 timers=0 triggers=0 no_op_timers=0"));
    assertThat(s.users()).isEqualTo(3);
    assertThat(s.profiles()).isEqualTo(2);
    assertThat(s.cartLines()).isEqualTo(2);
    assertThat(s.timers()).isEqualTo(3);
    assertThat(s.triggers()).isEqualTo(3);
    assertThat(s.noOpTimers()).isEqualTo(1);
    assertThat(s.sharedTimers()).isEqualTo(1);
    assertThat(s.timers()).isEqualTo(s.triggers() - s.sharedTimers() + s.noOpTimers());
  }

  @Test
  void aLineInAnotherFormatIsAnError() {
    assertThatThrownBy(() -> InspectSavepoint.summarize(List.of("a: profile=true timers=1")))
        .hasMessageContaining("unexpected line");
  }
}

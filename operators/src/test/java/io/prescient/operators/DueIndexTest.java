package io.prescient.operators;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import org.junit.jupiter.api.Test;

class DueIndexTest {
  private static PolicyUser empty() {
    PolicyUser u = new PolicyUser();
    DueIndex.clear(u);
    return u;
  }

  @Test
  void takesWhatIsDueInSettlingOrderAndKeepsTheRest() {
    PolicyUser u = empty();
    DueIndex.add(u, 300, DueIndex.CLOSE, "d1");
    DueIndex.add(u, 100, DueIndex.RELEASE, "d1");
    DueIndex.add(u, 200, DueIndex.CLOSE, "d2");
    DueIndex.add(u, 200, DueIndex.OUTCOME, "o");
    DueIndex.add(u, 200, DueIndex.RELEASE, "d2");
    DueIndex.add(u, 200, DueIndex.RELEASE, "a");
    assertThat(u.nextDueAt).isEqualTo(100);

    List<DueIndex.Due> due = DueIndex.takeDue(u, 200);

    // time, then release < outcome < close, then key
    assertThat(due)
        .containsExactly(
            new DueIndex.Due(100, DueIndex.RELEASE, "d1"),
            new DueIndex.Due(200, DueIndex.RELEASE, "a"),
            new DueIndex.Due(200, DueIndex.RELEASE, "d2"),
            new DueIndex.Due(200, DueIndex.OUTCOME, "o"),
            new DueIndex.Due(200, DueIndex.CLOSE, "d2"));
    assertThat(u.nextDueAt).isEqualTo(300);
    assertThat(DueIndex.size(u)).isEqualTo(1);
    assertThat(DueIndex.takeDue(u, 299)).isEmpty();
    assertThat(DueIndex.takeDue(u, 300))
        .containsExactly(new DueIndex.Due(300, DueIndex.CLOSE, "d1"));
    assertThat(u.nextDueAt).isEqualTo(Long.MAX_VALUE);
  }

  @Test
  void anEntryOfTheSameKindAndKeyIsReplacedNotRepeated() {
    PolicyUser u = empty();
    DueIndex.add(u, 100, DueIndex.RELEASE, "d");
    DueIndex.add(u, 100, DueIndex.RELEASE, "d");
    DueIndex.add(u, 500, DueIndex.RELEASE, "d");
    DueIndex.add(u, 100, DueIndex.CLOSE, "d");
    assertThat(DueIndex.takeDue(u, Long.MAX_VALUE))
        .containsExactly(
            new DueIndex.Due(100, DueIndex.CLOSE, "d"),
            new DueIndex.Due(500, DueIndex.RELEASE, "d"));
  }

  @Test
  void removingAKindMovesTheNextDueTime() {
    PolicyUser u = empty();
    DueIndex.add(u, 100, DueIndex.CLOSE, "d1");
    DueIndex.add(u, 400, DueIndex.RELEASE, "d2");
    DueIndex.add(u, 200, DueIndex.CLOSE, "d2");
    DueIndex.removeKind(u, DueIndex.CLOSE);
    assertThat(u.nextDueAt).isEqualTo(400);
    DueIndex.removeKind(u, DueIndex.RELEASE);
    assertThat(u.nextDueAt).isEqualTo(Long.MAX_VALUE);
    assertThat(DueIndex.size(u)).isZero();
  }

  @Test
  void aUserStoredBeforeTheIndexMustBeIndexedFirst() {
    PolicyUser old = new PolicyUser();
    assertThat(DueIndex.indexed(old)).isFalse();
    assertThatThrownBy(() -> DueIndex.add(old, 1, DueIndex.CLOSE, "d"))
        .isInstanceOf(IllegalStateException.class);
  }
}

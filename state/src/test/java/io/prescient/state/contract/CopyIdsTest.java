package io.prescient.state.contract;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** The copy id convention: copy 0 is the original, copy k prefixes c<k>-, source undoes it. */
class CopyIdsTest {
  @Test
  void copyZeroKeepsTheIdAndLaterCopiesArePrefixed() {
    assertThat(CopyIds.of("tb-42", 0)).isEqualTo("tb-42");
    assertThat(CopyIds.of("tb-42", 3)).isEqualTo("c3-tb-42");
    assertThat(CopyIds.of("tb-42", 12)).isEqualTo("c12-tb-42");
    assertThatThrownBy(() -> CopyIds.prefix(-1)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  void theSourceOfEveryCopyIsTheOriginalId() {
    for (int k = 0; k < 25; k++) {
      assertThat(CopyIds.source(CopyIds.of("tb-42", k))).isEqualTo("tb-42");
      assertThat(CopyIds.isCopy(CopyIds.of("tb-42", k))).isEqualTo(k > 0);
    }
    // copies of a copied log lead back to the real user
    assertThat(CopyIds.source(CopyIds.of(CopyIds.of("or-17850", 4), 2))).isEqualTo("or-17850");
  }

  @Test
  void idsThatOnlyLookSimilarAreNotCopies() {
    for (String id : new String[] {"c0-x", "c-x", "cx-1", "c1", "c12", "tb-c1-x", "C1-x", "42"}) {
      assertThat(CopyIds.isCopy(id)).as(id).isFalse();
      assertThat(CopyIds.source(id)).as(id).isEqualTo(id);
    }
  }
}

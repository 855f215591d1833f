package io.prescient.offline.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class FairnessAuditTest {
  /**
   * n users of a group: the first {@code offered} get an offer; the first {@code qualified}
   * qualify.
   */
  static void group(List<FairnessAudit.Subject> out, String g, int n, int offered, int qualified) {
    for (int i = 0; i < n; i++) {
      out.add(
          new FairnessAudit.Subject(
              g + i, g, i < offered, i < offered ? 10.0 + i : Double.NaN, null, i < qualified));
    }
  }

  @Test
  void parityRatioAndOpportunityGapOverGroupsLargeEnough() {
    List<FairnessAudit.Subject> s = new ArrayList<>();
    group(s, "a", 100, 50, 40); // offer rate 0.5; all 40 qualified are offered: TPR 1.0
    group(s, "b", 100, 30, 60); // offer rate 0.3; 30 of 60 qualified offered: TPR 0.5
    group(s, "tiny", 5, 0, 5); // left out of both measures
    FairnessAudit.Result r = FairnessAudit.run("g", s, 30, 0.8, 0.1);
    assertThat(r.parityRatio()).isCloseTo(0.3 / 0.5, within(1e-12));
    assertThat(r.parityLow()).isEqualTo("b");
    assertThat(r.parityHigh()).isEqualTo("a");
    assertThat(r.parityFlagged()).isTrue();
    assertThat(r.equalOpportunityGap()).isCloseTo(0.5, within(1e-12));
    assertThat(r.gapFlagged()).isTrue();
    FairnessAudit.GroupStats a = r.groups().get(0);
    assertThat(a.meanOfferValue()).isCloseTo(10 + 24.5, within(1e-12)); // values 10..59
    assertThat(r.groups()).extracting(FairnessAudit.GroupStats::group).contains("tiny");
  }

  @Test
  void equalRatesPassAndOneComparableGroupGivesNoGap() {
    List<FairnessAudit.Subject> s = new ArrayList<>();
    group(s, "a", 100, 40, 50);
    group(s, "b", 50, 20, 10); // qualified group too small: no gap can be measured
    FairnessAudit.Result r = FairnessAudit.run("g", s, 30, 0.8, 0.1);
    assertThat(r.parityRatio()).isCloseTo(1.0, within(1e-12));
    assertThat(r.parityFlagged()).isFalse();
    assertThat(r.equalOpportunityGap()).isNaN();
    assertThat(r.gapFlagged()).isFalse();
  }
}

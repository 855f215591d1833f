package io.prescient.job.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class SuggestionsTest {
  static final List<String> KNOWN =
      List.of("--speed-up", "--serve-port", "--churn-model", "--limit");

  @Test
  void aTypoGetsTheClosestOptionAndNonsenseGetsNone() {
    assertThat(Suggestions.didYouMean("--sped-up", KNOWN)).isEqualTo(" (did you mean --speed-up?)");
    assertThat(Suggestions.didYouMean("--churn-modle", KNOWN))
        .isEqualTo(" (did you mean --churn-model?)");
    assertThat(Suggestions.didYouMean("--no-such-flag", KNOWN)).isEmpty();
    assertThat(Suggestions.distance("kitten", "sitting")).isEqualTo(3);
  }
}

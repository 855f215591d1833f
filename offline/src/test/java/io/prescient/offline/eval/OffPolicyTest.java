package io.prescient.offline.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import java.util.Random;
import org.junit.jupiter.api.Test;

class OffPolicyTest {
  @Test
  void ipsOfAUniformLogRecoversTheTargetPolicysValue() {
    // 4 actions logged uniformly; action 2 converts at 30%, the others at 5%.
    Random r = new Random(11);
    int n = 200_000;
    boolean[] matches = new boolean[n];
    double[] rewards = new double[n];
    double[] p = new double[n];
    for (int i = 0; i < n; i++) {
      int a = r.nextInt(4);
      rewards[i] = r.nextDouble() < (a == 2 ? 0.3 : 0.05) ? 1 : 0;
      p[i] = 0.25;
      matches[i] = a == 2; // the target policy always plays action 2
    }
    OffPolicy.Estimate ips = OffPolicy.ips(matches, rewards, p, 200, 1);
    OffPolicy.Estimate snips = OffPolicy.snips(matches, rewards, p, 200, 1);
    OffPolicy.Estimate logged = OffPolicy.logged(rewards, 200, 1);
    assertThat(ips.value()).isCloseTo(0.3, within(0.01));
    assertThat(snips.value()).isCloseTo(0.3, within(0.01));
    assertThat(logged.value()).isCloseTo((0.3 + 3 * 0.05) / 4, within(0.005));
    assertThat(ips.low()).isLessThan(ips.value());
    assertThat(ips.high()).isGreaterThan(ips.value());
    assertThat(logged.high()).isLessThan(ips.low()); // and here clearly apart
  }
}

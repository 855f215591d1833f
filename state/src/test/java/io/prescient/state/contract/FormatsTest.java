package io.prescient.state.contract;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The fast formats give exactly what String.format and Instant.toString give. */
class FormatsTest {
  @Test
  void fixedIsStringFormatOnRandomHalvesAndEdges() {
    Random r = new Random(7);
    List<Double> values =
        new ArrayList<>(
            List.of(
                0.0,
                -0.0,
                0.005,
                0.015,
                0.125,
                1.005,
                2.675,
                -0.001,
                -0.005,
                -1.5,
                0.5,
                1.5,
                2.5,
                99.995,
                1e-9,
                -1e-9,
                123456789.125,
                1e14 + 0.5,
                1e15,
                1e300,
                -1e300,
                Double.NaN,
                Double.POSITIVE_INFINITY,
                Double.NEGATIVE_INFINITY,
                Double.MIN_VALUE,
                Double.MAX_VALUE));
    for (int i = 0; i < 100_000; i++) {
      values.add((r.nextInt(2_000_000) - 1_000_000) / 1000.0); // exact-looking money values
      values.add((r.nextInt(200_000) - 100_000 + 0.5) / 100.0); // halves at the 3rd digit
      values.add(r.nextGaussian() * Math.pow(10, r.nextInt(12) - 4));
      values.add(r.nextDouble());
    }
    for (double v : values) {
      for (int places = 0; places <= 3; places++) {
        assertThat(Formats.fixed(v, places))
            .as("%s to %d places", v, places)
            .isEqualTo(String.format(Locale.ROOT, "%." + places + "f", v));
      }
    }
  }

  @Test
  void isoInstantIsInstantToStringOnRandomTimesAndEdges() {
    Random r = new Random(11);
    List<Long> times =
        new ArrayList<>(
            List.of(
                0L,
                -1L,
                1L,
                999L,
                1000L,
                -86_400_000L,
                951_782_400_000L, // 2000-02-29
                4_107_542_399_999L, // 2100-02-28T23:59:59.999
                -62_167_219_200_000L, // 0000-01-01
                -62_167_219_200_001L, // before year 0: the library's form
                253_402_300_799_999L, // 9999-12-31T23:59:59.999
                253_402_300_800_000L)); // 10000-01-01: the library's form
    for (int i = 0; i < 200_000; i++) {
      times.add(r.nextLong() % 253_402_300_800_000L);
      times.add(1_300_000_000_000L + r.nextInt(1_000_000_000) * 1000L); // whole seconds
    }
    for (long t : times) {
      assertThat(Formats.isoInstant(t)).as("%d", t).isEqualTo(Instant.ofEpochMilli(t).toString());
    }
  }
}

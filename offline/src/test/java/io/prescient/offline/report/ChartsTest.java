package io.prescient.offline.report;

import static org.assertj.core.api.Assertions.assertThat;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ChartsTest {
  @TempDir Path dir;

  private static final List<Charts.Series> ROC =
      List.of(
          new Charts.Series(
              "model", List.of(new double[] {0, 0}, new double[] {0, 0.5}, new double[] {1, 1})),
          new Charts.Series("prior", List.of(new double[] {0, 0}, new double[] {1, 1})));

  @Test
  void eachKindOfChartIsAPngOfItsSize() throws Exception {
    Path unit = dir.resolve("roc.png");
    Charts.unitLines(unit, "ROC", "false positive rate", "true positive rate", ROC, false);
    assertThat(size(unit)).containsExactly(Charts.W, Charts.H);

    Path log = dir.resolve("latency.png");
    Charts.lines(
        log,
        "latency",
        "events/s",
        "ms",
        List.of(
            new Charts.Series(
                "p99",
                List.of(
                    new double[] {1000, 200}, new double[] {2000, 0}, new double[] {4000, 2300})),
            new Charts.Series("p50", List.of(new double[] {1000, 90}, new double[] {4000, 110}))),
        true);
    assertThat(size(log)).containsExactly(Charts.W, Charts.H + 2 * 18);

    Map<String, Double> bars = new LinkedHashMap<>();
    bars.put("round 1: passthrough", 250_000.0);
    bars.put("round 1: full job", 27_000.0);
    bars.put("round 2: passthrough", 240_000.0);
    Path bar = dir.resolve("bars.png");
    Charts.bars(bar, "events/s per core", "events/s", bars);
    assertThat(size(bar)).containsExactly(Charts.W + 160, Charts.barsHeight(3));
  }

  @Test
  void barsOfOneSeriesShareAColourAndSeriesDiffer() throws Exception {
    Map<String, Double> bars = new LinkedHashMap<>();
    bars.put("round 1: passthrough", 1.0);
    bars.put("round 1: full job", 1.0);
    bars.put("round 2: passthrough", 1.0);
    Path bar = dir.resolve("bars.png");
    Charts.bars(bar, "t", "x", bars);
    BufferedImage img = ImageIO.read(bar.toFile());
    // The bars are equal in length: sample each row's colour in the middle of the plot.
    int[] colours = rowColours(img, 3);
    assertThat(colours[0]).isEqualTo(Charts.PALETTE[0].getRGB());
    assertThat(colours[1]).isEqualTo(Charts.PALETTE[1].getRGB());
    assertThat(colours[2]).isEqualTo(Charts.PALETTE[0].getRGB());
  }

  /** The palette colours met going down the middle column, one per bar. */
  private static int[] rowColours(BufferedImage img, int bars) {
    int[] out = new int[bars];
    int n = 0;
    int last = 0;
    for (int y = 0; y < img.getHeight() && n < bars; y++) {
      int rgb = img.getRGB(img.getWidth() / 2, y);
      boolean palette = false;
      for (java.awt.Color c : Charts.PALETTE) {
        palette |= c.getRGB() == rgb;
      }
      if (palette && rgb != last) {
        out[n++] = rgb;
      }
      last = palette ? rgb : 0;
    }
    return out;
  }

  private static int[] size(Path png) throws Exception {
    BufferedImage img = ImageIO.read(png.toFile());
    return new int[] {img.getWidth(), img.getHeight()};
  }
}

package io.prescient.offline.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;

/** Small PNG charts drawn with Java2D (headless): no plotting library, no native dependency. */
public final class Charts {
  private Charts() {}

  static final Color[] PALETTE = {
    new Color(0x1f77b4),
    new Color(0xff7f0e),
    new Color(0x2ca02c),
    new Color(0xd62728),
    new Color(0x9467bd),
    new Color(0x8c564b)
  };
  static final int W = 640;
  static final int H = 480;
  static final int LEFT = 70;
  static final int RIGHT = 20;
  static final int TOP = 40;
  static final int BOTTOM = 60;

  /** A named series of (x, y) points. */
  public record Series(String name, List<double[]> points) {}

  /**
   * Lines on unit axes [0,1] x [0,1] with the diagonal dashed: ROC curves and reliability diagrams.
   */
  public static void unitLines(
      Path file, String title, String xLabel, String yLabel, List<Series> series, boolean markers)
      throws IOException {
    BufferedImage img = new BufferedImage(W, H, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = frame(img, title, xLabel, yLabel);
    int pw = W - LEFT - RIGHT;
    int ph = H - TOP - BOTTOM;
    g.setColor(Color.GRAY);
    g.setStroke(
        new BasicStroke(1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {5}, 0));
    g.drawLine(LEFT, TOP + ph, LEFT + pw, TOP);
    for (int t = 0; t <= 10; t += 2) {
      int x = LEFT + pw * t / 10;
      int y = TOP + ph - ph * t / 10;
      g.setColor(Color.DARK_GRAY);
      g.drawString(String.format("%.1f", t / 10.0), x - 8, TOP + ph + 16);
      g.drawString(String.format("%.1f", t / 10.0), LEFT - 28, y + 4);
    }
    for (int s = 0; s < series.size(); s++) {
      g.setColor(PALETTE[s % PALETTE.length]);
      g.setStroke(new BasicStroke(2));
      List<double[]> pts = series.get(s).points();
      for (int i = 0; i < pts.size(); i++) {
        int x = LEFT + (int) Math.round(pts.get(i)[0] * pw);
        int y = TOP + ph - (int) Math.round(pts.get(i)[1] * ph);
        if (i > 0) {
          int px = LEFT + (int) Math.round(pts.get(i - 1)[0] * pw);
          int py = TOP + ph - (int) Math.round(pts.get(i - 1)[1] * ph);
          g.drawLine(px, py, x, y);
        }
        if (markers) {
          g.fillOval(x - 3, y - 3, 7, 7);
        }
      }
      g.fillRect(LEFT + pw - 250, TOP + ph - 20 - 18 * (series.size() - s), 12, 12);
      g.setColor(Color.BLACK);
      g.drawString(series.get(s).name(), LEFT + pw - 232, TOP + ph - 9 - 18 * (series.size() - s));
    }
    g.dispose();
    ImageIO.write(img, "png", file.toFile());
  }

  /**
   * Lines on data-scaled axes, the y axis logarithmic when {@code logY} (latency percentiles, whose
   * tails span decades). Points with y <= 0 are left out of a log chart.
   */
  public static void lines(
      Path file, String title, String xLabel, String yLabel, List<Series> series, boolean logY)
      throws IOException {
    double x0 = Double.MAX_VALUE;
    double x1 = -Double.MAX_VALUE;
    double y0 = Double.MAX_VALUE;
    double y1 = -Double.MAX_VALUE;
    for (Series s : series) {
      for (double[] p : s.points()) {
        if (logY && p[1] <= 0) {
          continue;
        }
        x0 = Math.min(x0, p[0]);
        x1 = Math.max(x1, p[0]);
        y0 = Math.min(y0, p[1]);
        y1 = Math.max(y1, p[1]);
      }
    }
    if (x0 > x1) {
      x0 = 0;
      x1 = 1;
      y0 = 1;
      y1 = 10;
    }
    if (logY) {
      y0 = Math.pow(10, Math.floor(Math.log10(y0)));
      y1 = Math.pow(10, Math.ceil(Math.log10(y1)));
    } else {
      y0 = 0;
      y1 = y1 <= 0 ? 1 : y1 * 1.05;
    }
    if (x1 == x0) {
      x1 = x0 + 1;
    }
    BufferedImage img =
        new BufferedImage(W, H + 18 * series.size() + 10, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.dispose();
    g = frame(img, title, xLabel, yLabel);
    int pw = W - LEFT - RIGHT;
    int ph = H - TOP - BOTTOM;
    final double fy0 = y0;
    final double fy1 = y1;
    java.util.function.DoubleUnaryOperator sy =
        v ->
            logY
                ? (Math.log10(v) - Math.log10(fy0)) / (Math.log10(fy1) - Math.log10(fy0))
                : (v - fy0) / (fy1 - fy0);
    g.setColor(Color.DARK_GRAY);
    double step = niceStep(x1 - x0);
    for (double xv = Math.ceil(x0 / step) * step; xv <= x1 + 1e-9; xv += step) {
      int x = LEFT + (int) Math.round((xv - x0) / (x1 - x0) * pw);
      String label =
          Math.abs(xv - Math.rint(xv)) < 1e-9
              ? String.format(java.util.Locale.ROOT, "%.0f", xv)
              : String.format(java.util.Locale.ROOT, "%.4g", xv);
      g.drawString(label, x - 8, TOP + ph + 16);
    }
    if (logY) {
      for (double v = y0; v <= y1 * 1.0001; v *= 10) {
        int y = TOP + ph - (int) Math.round(sy.applyAsDouble(v) * ph);
        g.setColor(Color.LIGHT_GRAY);
        g.drawLine(LEFT, y, LEFT + pw, y);
        g.setColor(Color.DARK_GRAY);
        g.drawString(String.format("%.0f", v), LEFT - 50, y + 4);
      }
    } else {
      for (int t = 0; t <= 5; t++) {
        double v = y0 + (y1 - y0) * t / 5;
        int y = TOP + ph - ph * t / 5;
        g.drawString(String.format("%.4g", v), LEFT - 50, y + 4);
      }
    }
    for (int s = 0; s < series.size(); s++) {
      g.setColor(PALETTE[s % PALETTE.length]);
      g.setStroke(new BasicStroke(2));
      int px = -1;
      int py = -1;
      for (double[] p : series.get(s).points()) {
        if (logY && p[1] <= 0) {
          continue;
        }
        int x = LEFT + (int) Math.round((p[0] - x0) / (x1 - x0) * pw);
        int y = TOP + ph - (int) Math.round(sy.applyAsDouble(p[1]) * ph);
        if (px >= 0) {
          g.drawLine(px, py, x, y);
        }
        g.fillOval(x - 3, y - 3, 7, 7);
        px = x;
        py = y;
      }
      g.fillRect(LEFT, H + 18 * s, 12, 12);
      g.setColor(Color.BLACK);
      g.drawString(series.get(s).name(), LEFT + 18, H + 11 + 18 * s);
    }
    g.dispose();
    ImageIO.write(img, "png", file.toFile());
  }

  /** A round tick step (1, 2 or 5 times a power of ten) giving about 5 ticks over {@code range}. */
  static double niceStep(double range) {
    double raw = range / 5;
    double p = Math.pow(10, Math.floor(Math.log10(raw)));
    double f = raw / p;
    return (f < 1.5 ? 1 : f < 3.5 ? 2 : f < 7.5 ? 5 : 10) * p;
  }

  /**
   * Horizontal bars in the map's order (callers sort, e.g. feature importance largest first). A
   * label "group: series" colours the bar by its series, so that "round 1: passthrough" and "round
   * 1: full job" differ.
   */
  public static void bars(Path file, String title, String xLabel, Map<String, Double> values)
      throws IOException {
    int rows = values.size();
    int height = Math.max(160, TOP + BOTTOM + rows * 22);
    BufferedImage img = new BufferedImage(W + 160, height, BufferedImage.TYPE_INT_RGB);
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, img.getWidth(), img.getHeight());
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString(title, 20, 25);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    double max = values.values().stream().mapToDouble(Double::doubleValue).max().orElse(1);
    int left = 230;
    int width = img.getWidth() - left - 80;
    int i = 0;
    Map<String, Integer> colours = new java.util.HashMap<>();
    for (Map.Entry<String, Double> e : values.entrySet()) {
      int y = TOP + i * 22;
      g.setColor(Color.BLACK);
      g.drawString(e.getKey(), 10, y + 14);
      int colon = e.getKey().lastIndexOf(": ");
      String group = colon < 0 ? "" : e.getKey().substring(colon + 2);
      g.setColor(
          PALETTE[
              Math.floorMod(colours.computeIfAbsent(group, k -> colours.size()), PALETTE.length)]);
      int w = (int) Math.round(e.getValue() / max * width);
      g.fillRect(left, y + 2, Math.max(1, w), 16);
      g.setColor(Color.DARK_GRAY);
      g.drawString(
          Math.abs(e.getValue()) >= 1000
              ? String.format(java.util.Locale.ROOT, "%,.0f", e.getValue())
              : String.format("%.3g", e.getValue()),
          left + w + 5,
          y + 14);
      i++;
    }
    g.drawString(xLabel, left, height - 20);
    g.dispose();
    ImageIO.write(img, "png", file.toFile());
  }

  private static Graphics2D frame(BufferedImage img, String title, String xLabel, String yLabel) {
    Graphics2D g = img.createGraphics();
    g.setRenderingHint(RenderingHints.KEY_ANTIALIASING, RenderingHints.VALUE_ANTIALIAS_ON);
    g.setColor(Color.WHITE);
    g.fillRect(0, 0, W, H);
    g.setColor(Color.BLACK);
    g.setFont(new Font(Font.SANS_SERIF, Font.BOLD, 15));
    g.drawString(title, LEFT, 25);
    g.setFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
    g.drawRect(LEFT, TOP, W - LEFT - RIGHT, H - TOP - BOTTOM);
    g.drawString(xLabel, LEFT + (W - LEFT - RIGHT) / 2 - 40, H - 20);
    Graphics2D r = (Graphics2D) g.create();
    r.rotate(-Math.PI / 2);
    r.drawString(yLabel, -(TOP + (H - TOP - BOTTOM) / 2) - 40, 20);
    r.dispose();
    return g;
  }
}

package io.prescient.models.report;

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
    new Color(0x1f77b4), new Color(0xff7f0e), new Color(0x2ca02c), new Color(0xd62728)
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

  /** Horizontal bars, largest first (feature importance). */
  public static void bars(Path file, String title, String xLabel, Map<String, Double> values)
      throws IOException {
    int rows = values.size();
    int height = Math.max(H, TOP + BOTTOM + rows * 22);
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
    for (Map.Entry<String, Double> e : values.entrySet()) {
      int y = TOP + i * 22;
      g.setColor(Color.BLACK);
      g.drawString(e.getKey(), 10, y + 14);
      g.setColor(PALETTE[0]);
      int w = (int) Math.round(e.getValue() / max * width);
      g.fillRect(left, y + 2, Math.max(1, w), 16);
      g.setColor(Color.DARK_GRAY);
      g.drawString(String.format("%.3g", e.getValue()), left + w + 5, y + 14);
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

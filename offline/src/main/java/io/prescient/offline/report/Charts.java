package io.prescient.offline.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Paint;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.jfree.chart.ChartFactory;
import org.jfree.chart.ChartUtils;
import org.jfree.chart.JFreeChart;
import org.jfree.chart.annotations.XYLineAnnotation;
import org.jfree.chart.axis.AxisLocation;
import org.jfree.chart.axis.LogAxis;
import org.jfree.chart.axis.NumberAxis;
import org.jfree.chart.axis.NumberTickUnit;
import org.jfree.chart.labels.ItemLabelAnchor;
import org.jfree.chart.labels.ItemLabelPosition;
import org.jfree.chart.labels.StandardCategoryItemLabelGenerator;
import org.jfree.chart.plot.CategoryPlot;
import org.jfree.chart.plot.PlotOrientation;
import org.jfree.chart.plot.XYPlot;
import org.jfree.chart.renderer.category.BarRenderer;
import org.jfree.chart.renderer.category.StandardBarPainter;
import org.jfree.chart.renderer.xy.XYLineAndShapeRenderer;
import org.jfree.chart.ui.TextAnchor;
import org.jfree.data.category.DefaultCategoryDataset;
import org.jfree.data.xy.XYSeries;
import org.jfree.data.xy.XYSeriesCollection;

/** The reports' PNG charts, drawn with JFreeChart (headless). */
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

  /** A named series of (x, y) points. */
  public record Series(String name, List<double[]> points) {}

  /**
   * Lines on unit axes [0,1] x [0,1] with the diagonal dashed: ROC curves and reliability diagrams.
   */
  public static void unitLines(
      Path file, String title, String xLabel, String yLabel, List<Series> series, boolean markers)
      throws IOException {
    XYPlot plot = xyPlot(title, xLabel, yLabel, series, false, markers);
    ((NumberAxis) plot.getDomainAxis()).setRange(0, 1);
    ((NumberAxis) plot.getRangeAxis()).setRange(0, 1);
    plot.addAnnotation(
        new XYLineAnnotation(
            0,
            0,
            1,
            1,
            new BasicStroke(
                1, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10, new float[] {5}, 0),
            Color.GRAY));
    save(file, plot.getChart(), W, H);
  }

  /**
   * Lines on data-scaled axes, the y axis logarithmic when {@code logY} (latency percentiles, whose
   * tails span decades). Points with y <= 0 are left out of a log chart.
   */
  public static void lines(
      Path file, String title, String xLabel, String yLabel, List<Series> series, boolean logY)
      throws IOException {
    XYPlot plot = xyPlot(title, xLabel, yLabel, series, logY, true);
    if (logY) {
      // whole decades, a tick at each: 10, 100, 1,000 ms
      double lo = Double.MAX_VALUE;
      double hi = 0;
      for (Series s : series) {
        for (double[] p : s.points()) {
          if (p[1] > 0) {
            lo = Math.min(lo, p[1]);
            hi = Math.max(hi, p[1]);
          }
        }
      }
      LogAxis axis = new LogAxis(yLabel);
      axis.setBase(10);
      axis.setTickUnit(new NumberTickUnit(1));
      axis.setMinorTickMarksVisible(true);
      axis.setNumberFormatOverride(new DecimalFormat("#,##0"));
      if (hi > 0) {
        axis.setRange(
            Math.pow(10, Math.floor(Math.log10(lo))), Math.pow(10, Math.ceil(Math.log10(hi))));
      }
      plot.setRangeAxis(axis);
    }
    ((NumberAxis) plot.getDomainAxis()).setAutoRangeIncludesZero(false);
    save(file, plot.getChart(), W, H + 18 * series.size());
  }

  private static XYPlot xyPlot(
      String title,
      String xLabel,
      String yLabel,
      List<Series> series,
      boolean positiveOnly,
      boolean markers) {
    XYSeriesCollection data = new XYSeriesCollection();
    for (Series s : series) {
      XYSeries xy = new XYSeries(s.name(), false, true); // in the given order, x may repeat
      for (double[] p : s.points()) {
        if (!positiveOnly || p[1] > 0) {
          xy.add(p[0], p[1]);
        }
      }
      data.addSeries(xy);
    }
    JFreeChart chart =
        ChartFactory.createXYLineChart(
            title, xLabel, yLabel, data, PlotOrientation.VERTICAL, true, false, false);
    chart.setBackgroundPaint(Color.WHITE);
    XYPlot plot = chart.getXYPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setDomainGridlinePaint(Color.LIGHT_GRAY);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    XYLineAndShapeRenderer renderer = new XYLineAndShapeRenderer(true, markers);
    for (int s = 0; s < series.size(); s++) {
      renderer.setSeriesPaint(s, PALETTE[s % PALETTE.length]);
      renderer.setSeriesStroke(s, new BasicStroke(2));
    }
    plot.setRenderer(renderer);
    return plot;
  }

  /**
   * Horizontal bars in the map's order (callers sort, e.g. feature importance largest first). A
   * label "group: series" colours the bar by its series, so that "round 1: passthrough" and "round
   * 1: full job" differ.
   */
  public static void bars(Path file, String title, String xLabel, Map<String, Double> values)
      throws IOException {
    DefaultCategoryDataset data = new DefaultCategoryDataset();
    Map<String, Integer> colours = new HashMap<>();
    Paint[] paints = new Paint[values.size()];
    int i = 0;
    for (Map.Entry<String, Double> e : values.entrySet()) {
      data.addValue(e.getValue(), "value", e.getKey());
      int colon = e.getKey().lastIndexOf(": ");
      String group = colon < 0 ? "" : e.getKey().substring(colon + 2);
      paints[i++] =
          PALETTE[
              Math.floorMod(colours.computeIfAbsent(group, k -> colours.size()), PALETTE.length)];
    }
    JFreeChart chart =
        ChartFactory.createBarChart(
            title, null, xLabel, data, PlotOrientation.HORIZONTAL, false, false, false);
    chart.setBackgroundPaint(Color.WHITE);
    CategoryPlot plot = chart.getCategoryPlot();
    plot.setBackgroundPaint(Color.WHITE);
    plot.setRangeGridlinePaint(Color.LIGHT_GRAY);
    BarRenderer renderer =
        new BarRenderer() {
          private static final long serialVersionUID = 1L;

          @Override
          public Paint getItemPaint(int row, int column) {
            return paints[column];
          }
        };
    renderer.setBarPainter(new StandardBarPainter());
    renderer.setShadowVisible(false);
    renderer.setDefaultItemLabelGenerator(
        new StandardCategoryItemLabelGenerator("{2}", new DecimalFormat("#,##0.###")));
    renderer.setDefaultItemLabelsVisible(true);
    renderer.setDefaultPositiveItemLabelPosition(
        new ItemLabelPosition(ItemLabelAnchor.OUTSIDE3, TextAnchor.CENTER_LEFT));
    plot.setRenderer(renderer);
    plot.setRangeAxisLocation(AxisLocation.BOTTOM_OR_RIGHT);
    ((NumberAxis) plot.getRangeAxis()).setUpperMargin(0.15); // room for the value labels
    save(file, chart, W + 160, barsHeight(values.size()));
  }

  static int barsHeight(int bars) {
    return Math.max(160, 110 + bars * 26);
  }

  private static void save(Path file, JFreeChart chart, int width, int height) throws IOException {
    ChartUtils.saveChartAsPNG(file.toFile(), chart, width, height);
  }
}

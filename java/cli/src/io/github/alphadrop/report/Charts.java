package io.github.alphadrop.report;

import io.github.alphadrop.adversarial.AttackMetrics;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.XYChart;
import org.knowm.xchart.XYChartBuilder;
import org.knowm.xchart.XYSeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

import java.awt.BasicStroke;
import java.awt.Color;
import java.awt.Font;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Line charts rendered to PNG with XChart, headless. One look for every chart of the report: a
 * colour-blind-safe palette (Okabe–Ito) assigned in model order, so a model keeps its colour across
 * all pictures.
 */
public final class Charts {

    static {
        // Rendering needs no display; say so before AWT starts so a stray DISPLAY cannot make it try one.
        if (System.getProperty("java.awt.headless") == null) {
            System.setProperty("java.awt.headless", "true");
        }
    }

    /** Okabe–Ito colours, distinguishable with the common colour-vision deficiencies. */
    static final Color[] PALETTE = {new Color(0x0072B2), new Color(0xD55E00), new Color(0x009E73),
            new Color(0xCC79A7), new Color(0xE69F00), new Color(0x56B4E9), new Color(0x000000), new Color(0xF0E442)};

    static final int WIDTH = 800;
    static final int HEIGHT = 500;
    /** Above this many points a series is drawn as a plain line; markers would merge into a smear. */
    static final int MAX_MARKED_POINTS = 40;

    private Charts() {
    }

    /**
     * One line: y against x, with optional ± error bars (same length, or null).
     *
     * @param color  index into the palette (the model's index keeps its colour across charts)
     * @param dashed a second measure of the same model, drawn dashed in the model's colour
     */
    public record Line(String name, double[] x, double[] y, double[] error, int color, boolean dashed) {
        public Line {
            if (x.length != y.length || (error != null && error.length != y.length) || x.length == 0) {
                throw new IllegalArgumentException("line " + name + ": x, y and error bars must have the same positive length");
            }
        }

        public Line(String name, double[] x, double[] y, double[] error, int color) {
            this(name, x, y, error, color, false);
        }
    }

    /**
     * Writes a line chart to {@code file}.
     *
     * @param yMin, yMax fixed y range, or null to fit the data
     */
    public static void lines(Path file, String title, String xTitle, String yTitle, List<Line> lines,
                             Double yMin, Double yMax) throws IOException {
        XYChart chart = chart(title, xTitle, yTitle);
        chart.getStyler().setYAxisMin(yMin).setYAxisMax(yMax);
        double xLo = Double.POSITIVE_INFINITY;
        double xHi = Double.NEGATIVE_INFINITY;
        double yLo = yMin == null ? Double.POSITIVE_INFINITY : yMin;
        double yHi = yMax == null ? Double.NEGATIVE_INFINITY : yMax;
        for (Line l : lines) {
            for (int i = 0; i < l.x().length; i++) {
                double e = l.error() == null ? 0 : l.error()[i];
                xLo = Math.min(xLo, l.x()[i]);
                xHi = Math.max(xHi, l.x()[i]);
                yLo = Math.min(yLo, l.y()[i] - e);
                yHi = Math.max(yHi, l.y()[i] + e);
            }
        }
        chart.getStyler().setXAxisDecimalPattern(decimalPattern(xHi - xLo));
        unevenXValues(chart, xLo, xHi, lines.get(0).y()[0]);
        chart.getStyler().setYAxisDecimalPattern(decimalPattern(yHi - yLo));
        for (Line l : lines) {
            XYSeries s = l.error() == null ? chart.addSeries(l.name(), l.x(), l.y())
                    : chart.addSeries(l.name(), l.x(), l.y(), l.error());
            style(s, PALETTE[Math.floorMod(l.color(), PALETTE.length)], l.x().length <= MAX_MARKED_POINTS);
            if (l.dashed()) {
                // Short dashes: XChart strokes each segment on its own, restarting the pattern, so a dash
                // longer than a segment (dense series) would draw a solid line.
                s.setLineStyle(new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                        new float[]{4f, 3f}, 0f));
                s.setMarker(SeriesMarkers.NONE);
            }
        }
        save(chart, file);
    }

    /**
     * The reliability diagram: per model, accuracy against mean confidence of the non-empty confidence
     * bins, over the diagonal of perfect calibration. The legend carries each model's ECE.
     */
    public static void reliability(Path file, Map<String, AttackMetrics.Calibration> models) throws IOException {
        XYChart chart = chart("Reliability on clean test inputs (" + AttackMetrics.ECE_BINS + " bins)",
                "confidence (largest mean probability)", "accuracy");
        // A little headroom so points at accuracy 1 are not drawn on the frame.
        chart.getStyler().setXAxisMin(0.0).setXAxisMax(1.0).setYAxisMin(0.0).setYAxisMax(1.02);
        chart.getStyler().setXAxisDecimalPattern("0.0").setYAxisDecimalPattern("0.0");
        XYSeries diagonal = chart.addSeries("perfect calibration", new double[]{0, 1}, new double[]{0, 1});
        diagonal.setMarker(SeriesMarkers.NONE);
        diagonal.setLineColor(Color.GRAY);
        diagonal.setLineStyle(new BasicStroke(1.5f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_MITER, 10f,
                new float[]{6f, 5f}, 0f));
        int i = 0;
        for (Map.Entry<String, AttackMetrics.Calibration> e : models.entrySet()) {
            List<Double> conf = new ArrayList<>();
            List<Double> acc = new ArrayList<>();
            for (AttackMetrics.Bin b : e.getValue().bins()) {
                if (b.count() > 0) {
                    conf.add(b.confidence());
                    acc.add(b.accuracy());
                }
            }
            String name = String.format(java.util.Locale.ROOT, "%s (ECE %.3f)", e.getKey(), e.getValue().ece());
            style(chart.addSeries(name, conf, acc), PALETTE[i++ % PALETTE.length], true);
        }
        save(chart, file);
    }

    private static XYChart chart(String title, String xTitle, String yTitle) {
        XYChart chart = new XYChartBuilder().width(WIDTH).height(HEIGHT).title(title).xAxisTitle(xTitle)
                .yAxisTitle(yTitle).build();
        Styler s = chart.getStyler();
        s.setChartBackgroundColor(Color.WHITE);
        s.setPlotBackgroundColor(Color.WHITE);
        s.setLegendPosition(Styler.LegendPosition.OutsideS);
        s.setLegendLayout(Styler.LegendLayout.Horizontal);
        s.setLegendBorderColor(Color.WHITE);
        s.setChartTitleFont(new Font(Font.SANS_SERIF, Font.BOLD, 16));
        s.setLegendFont(new Font(Font.SANS_SERIF, Font.PLAIN, 13));
        s.setAntiAlias(true);
        chart.getStyler().setPlotGridLinesColor(new Color(0xDDDDDD));
        chart.getStyler().setAxisTitleFont(new Font(Font.SANS_SERIF, Font.PLAIN, 14));
        chart.getStyler().setAxisTickLabelsFont(new Font(Font.SANS_SERIF, Font.PLAIN, 12));
        chart.getStyler().setErrorBarsColorSeriesColor(true);
        chart.getStyler().setPlotBorderVisible(false);
        chart.getStyler().setXAxisTickMarkSpacingHint(90);
        return chart;
    }

    /**
     * XChart puts x ticks on the data's own x values when those are equally spaced (as an ε grid or a
     * step count is), as densely as the labels fit: 0, 3, 6, ... 99 for 101 steps. One invisible point
     * between two grid values makes them unequal, and the axis falls back to round tick values.
     */
    private static void unevenXValues(XYChart chart, double xLo, double xHi, double y) {
        if (!(xHi > xLo)) {
            return;
        }
        XYSeries s = chart.addSeries(" ", new double[]{xLo + (xHi - xLo) * 0.4999}, new double[]{y});
        s.setMarker(SeriesMarkers.NONE);
        s.setLineColor(new Color(0, 0, 0, 0));
        s.setShowInLegend(false);
    }

    /**
     * Tick labels with a leading zero and as many decimals as about ten ticks over {@code range} need
     * (XChart's default drops the leading zero: ".04").
     */
    static String decimalPattern(double range) {
        if (!(range > 0) || !Double.isFinite(range)) {
            return "0.##";
        }
        int decimals = (int) Math.max(0, Math.min(6, Math.ceil(-Math.log10(range / 10))));
        return decimals == 0 ? "0" : "0." + "#".repeat(decimals);
    }

    private static void style(XYSeries s, Color color, boolean markers) {
        s.setLineColor(color);
        s.setMarkerColor(color);
        s.setLineWidth(2f);
        s.setMarker(markers ? SeriesMarkers.CIRCLE : SeriesMarkers.NONE);
    }

    private static void save(XYChart chart, Path file) throws IOException {
        // A horizontal legend does not wrap: past a few entries (e.g. 4 models x rate and mean p) it would
        // run off both edges, so long legends go in a column on the right instead.
        long entries = chart.getSeriesMap().values().stream().filter(XYSeries::isShowInLegend).count();
        if (entries > 5) {
            chart.getStyler().setLegendPosition(Styler.LegendPosition.OutsideE);
            chart.getStyler().setLegendLayout(Styler.LegendLayout.Vertical);
        }
        try (OutputStream out = Files.newOutputStream(file)) {
            BitmapEncoder.saveBitmap(chart, out, BitmapEncoder.BitmapFormat.PNG);
        }
    }
}

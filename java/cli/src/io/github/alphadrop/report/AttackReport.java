package io.github.alphadrop.report;

import io.github.alphadrop.adversarial.AttackMetrics;
import io.github.alphadrop.adversarial.AttackRow;
import io.github.alphadrop.adversarial.AttackRunner;

import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * The report of an adversarial comparison, written into one folder: {@code metrics.csv}, the PNG charts,
 * the example grids and an {@code index.html} that shows them, readable offline (relative links, inline
 * style, no scripts). {@code metrics.json} is written by the caller, which owns the JSON form.
 */
public final class AttackReport {

    /** What the report says about one model besides its rows. */
    public record ModelSummary(String name, String source, boolean deterministic, int samples, double cleanAccuracy,
                               AttackMetrics.Calibration calibration) {
    }

    /** Columns of the HTML summary tables: a few evenly spread strengths out of the full sweep. */
    static final int SUMMARY_ROWS = 6;
    /** Top of a probability axis, a little above 1 so values of exactly 1 are not drawn on the frame. */
    private static final double FULL = 1.02;

    private AttackReport() {
    }

    /**
     * Writes everything and returns the files written, index.html last.
     *
     * @param settings shown at the top of the page, in order
     * @param results  one per model and method, in model order
     * @param target   the targeted attack's class (−1 if none was run)
     */
    public static List<Path> write(Path dir, Map<String, String> settings, List<ModelSummary> models,
                                   List<AttackRunner.Result> results, int target) throws IOException {
        Files.createDirectories(dir);
        List<Path> files = new ArrayList<>();
        Path csv = dir.resolve("metrics.csv");
        Files.writeString(csv, csv(results), StandardCharsets.UTF_8);
        files.add(csv);
        Map<String, Integer> colour = new LinkedHashMap<>();
        for (ModelSummary m : models) {
            colour.putIfAbsent(m.name(), colour.size());
        }
        List<AttackRunner.Result> fgsm = ofMethod(results, "fgsm");
        List<AttackRunner.Result> targeted = ofMethod(results, "targeted");
        List<Figure> figures = new ArrayList<>();
        if (!fgsm.isEmpty()) {
            figures.add(chart(dir, "accuracy.png", "FGSM: accuracy vs ε", "ε", "accuracy on true labels", fgsm, colour,
                    AttackRow::accuracy, null, true, 0.0, FULL, "Accuracy on the true labels as ε grows."));
            figures.add(chart(dir, "entropy.png", "FGSM: predictive entropy vs ε", "ε", "mean predictive entropy (nats)",
                    fgsm, colour, AttackRow::entropy, AttackRow::entropySe, true, 0.0, null,
                    "Mean predictive entropy H[p̄] with ± 1 standard error: a model that notices the attack grows uncertain."));
            figures.add(chart(dir, "mutual_information.png", "FGSM: mutual information vs ε", "ε",
                    "mean mutual information (nats)", fgsm, colour, AttackRow::mutualInformation,
                    AttackRow::mutualInformationSe, true, 0.0, null,
                    "Mean mutual information (epistemic uncertainty) with ± 1 standard error; zero for a deterministic network."));
            figures.add(detection(dir, "detection.png", "FGSM: detecting attacked inputs", "ε", fgsm, colour, true));
            figures.add(grid(dir, "examples_fgsm.png", "FGSM: examples as ε grows", fgsm, -1));
        }
        if (!targeted.isEmpty()) {
            figures.add(targetChart(dir, targeted, colour, target));
            figures.add(chart(dir, "targeted_entropy.png", "Targeted attack: predictive entropy vs step", "step",
                    "mean predictive entropy (nats)", targeted, colour, AttackRow::entropy, AttackRow::entropySe, false,
                    0.0, null, "Mean predictive entropy of the attacked inputs with ± 1 standard error."));
            figures.add(chart(dir, "targeted_mutual_information.png", "Targeted attack: mutual information vs step",
                    "step", "mean mutual information (nats)", targeted, colour, AttackRow::mutualInformation,
                    AttackRow::mutualInformationSe, false, 0.0, null,
                    "Mean mutual information of the attacked inputs with ± 1 standard error."));
            figures.add(detection(dir, "targeted_detection.png", "Targeted attack: detecting attacked inputs", "step",
                    targeted, colour, false));
            figures.add(grid(dir, "examples_targeted.png", "Targeted attack towards class " + target
                    + ": examples as the steps accumulate", targeted, target));
        }
        Map<String, AttackMetrics.Calibration> calibration = new LinkedHashMap<>();
        for (ModelSummary m : models) {
            calibration.put(m.name(), m.calibration());
        }
        Path reliability = dir.resolve("reliability.png");
        Charts.reliability(reliability, calibration);
        figures.add(new Figure(reliability.getFileName().toString(), "Reliability diagram of the clean predictions: "
                + "accuracy against confidence per bin; points below the diagonal are over-confident."));
        for (Figure f : figures) {
            if (f != null) {
                files.add(dir.resolve(f.file()));
            }
        }
        Path index = dir.resolve("index.html");
        Files.writeString(index, html(settings, models, fgsm, targeted, figures, target), StandardCharsets.UTF_8);
        files.add(index);
        return files;
    }

    /** The rows of every result as CSV with {@link AttackRow#COLUMNS}; not-applicable values are empty. */
    public static String csv(List<AttackRunner.Result> results) {
        StringBuilder s = new StringBuilder(String.join(",", AttackRow.COLUMNS)).append('\n');
        for (AttackRunner.Result r : results) {
            for (AttackRow row : r.rows()) {
                Object[] v = row.values();
                for (int i = 0; i < v.length; i++) {
                    if (i > 0) {
                        s.append(',');
                    }
                    s.append(cell(v[i]));
                }
                s.append('\n');
            }
        }
        return s.toString();
    }

    /** Seven significant digits, no exponent noise for grid values such as 0.06. */
    public static String number(double v) {
        if (!Double.isFinite(v)) {
            return "";
        }
        if (v == 0) {
            return "0";
        }
        return new BigDecimal(v).round(new MathContext(7)).stripTrailingZeros().toPlainString();
    }

    private static String cell(Object v) {
        if (v == null) {
            return "";
        }
        if (v instanceof Double d) {
            return number(d);
        }
        String s = v.toString();
        // RFC 4180: quote fields holding a separator, a quote or a line break.
        if (s.contains(",") || s.contains("\"") || s.contains("\n") || s.contains("\r")) {
            return '"' + s.replace("\"", "\"\"") + '"';
        }
        return s;
    }

    private record Figure(String file, String caption) {
    }

    private static List<AttackRunner.Result> ofMethod(List<AttackRunner.Result> results, String method) {
        return results.stream().filter(r -> r.method().equals(method)).toList();
    }

    private static double[] column(List<AttackRow> rows, ToDoubleFunction<AttackRow> f) {
        return rows.stream().mapToDouble(f).toArray();
    }

    private static double[] xOf(List<AttackRow> rows, boolean byEps) {
        return byEps ? column(rows, AttackRow::eps) : rows.stream().mapToDouble(AttackRow::step).toArray();
    }

    private static Figure chart(Path dir, String file, String title, String xTitle, String yTitle,
                                List<AttackRunner.Result> results, Map<String, Integer> colour,
                                ToDoubleFunction<AttackRow> y, ToDoubleFunction<AttackRow> error, boolean byEps,
                                Double yMin, Double yMax, String caption) throws IOException {
        List<Charts.Line> lines = new ArrayList<>();
        for (AttackRunner.Result r : results) {
            lines.add(new Charts.Line(r.model(), xOf(r.rows(), byEps), column(r.rows(), y),
                    error == null ? null : column(r.rows(), error), colour.getOrDefault(r.model(), lines.size())));
        }
        Charts.lines(dir.resolve(file), title, xTitle, yTitle, lines, yMin, yMax);
        return new Figure(file, caption);
    }

    private static Figure targetChart(Path dir, List<AttackRunner.Result> results, Map<String, Integer> colour,
                                      int target) throws IOException {
        List<Charts.Line> lines = new ArrayList<>();
        for (AttackRunner.Result r : results) {
            int c = colour.getOrDefault(r.model(), lines.size());
            double[] x = xOf(r.rows(), false);
            lines.add(new Charts.Line(r.model() + ": mean p̄(" + target + ")", x, column(r.rows(), AttackRow::targetProb),
                    null, c));
            lines.add(new Charts.Line(r.model() + ": rate", x, column(r.rows(), AttackRow::targetRate), null, c, true));
        }
        String file = "targeted_probability.png";
        Charts.lines(dir.resolve(file), "Targeted attack: probability of class " + target + " vs step", "step",
                "mean p̄(target)  /  fraction classified as target", lines, 0.0, FULL);
        return new Figure(file, "Mean predictive probability of the target class (solid) and the fraction of attacked "
                + "inputs classified as the target (dashed).");
    }

    private static Figure detection(Path dir, String file, String title, String xTitle, List<AttackRunner.Result> results,
                                    Map<String, Integer> colour, boolean byEps) throws IOException {
        List<Charts.Line> lines = new ArrayList<>();
        for (AttackRunner.Result r : results) {
            int c = colour.getOrDefault(r.model(), lines.size());
            double[] x = xOf(r.rows(), byEps);
            lines.add(new Charts.Line(r.model() + ": entropy", x, column(r.rows(), AttackRow::aucEntropy), null, c));
            lines.add(new Charts.Line(r.model() + ": MI", x, column(r.rows(), AttackRow::aucMi), null, c, true));
        }
        Charts.lines(dir.resolve(file), title, xTitle, "ROC-AUC (attacked vs clean)", lines, 0.0, FULL);
        return new Figure(file, "ROC-AUC for telling attacked inputs from their clean versions by predictive entropy "
                + "(solid) and by mutual information (dashed); 0.5 is chance.");
    }

    private static Figure grid(Path dir, String file, String title, List<AttackRunner.Result> results, int target)
            throws IOException {
        if (results.get(0).examples().isEmpty() || results.get(0).examples().get(0).frames().isEmpty()) {
            return null;
        }
        if (ExampleGrid.side(results.get(0).examples().get(0).frames().get(0).pixels().length) < 0) {
            return null; // not images: nothing sensible to draw
        }
        ExampleGrid.write(dir.resolve(file), title, results, target);
        return new Figure(file, "Example inputs (rows: model, grouped by input) at increasing attack strength "
                + "(columns); under each image the predicted class and its mean probability"
                + (target >= 0 ? " (green: the target is reached; red: wrong otherwise)." : " (red: wrong)."));
    }

    // ---------------------------------------------------------------- HTML

    private static String html(Map<String, String> settings, List<ModelSummary> models, List<AttackRunner.Result> fgsm,
                               List<AttackRunner.Result> targeted, List<Figure> figures, int target) {
        StringBuilder h = new StringBuilder();
        h.append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n")
                .append("<title>AlphaDrop: adversarial examples and uncertainty</title>\n<style>\n")
                .append("body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}\n")
                .append("table{border-collapse:collapse;margin:0.5em 0 1.5em}\n")
                .append("th,td{border:1px solid #ccc;padding:0.25em 0.6em;text-align:right}\n")
                .append("th{background:#f3f3f3}td.l,th.l{text-align:left}\n")
                .append("figure{margin:1.5em 0}figcaption{color:#555;font-size:0.95em}img{max-width:100%}\n")
                .append("</style>\n</head>\n<body>\n")
                .append("<h1>Adversarial examples and uncertainty</h1>\n")
                .append("<p>Inputs are attacked through the MC-averaged predictive p̄(y|x) (T dropout passes; one "
                        + "dropout-free pass for deterministic models) and measured with the same predictive, "
                        + "as in Li &amp; Gal (2017), section 5.3. Data: <a href=\"metrics.csv\">metrics.csv</a>, "
                        + "<a href=\"metrics.json\">metrics.json</a>.</p>\n");
        h.append("<h2>Settings</h2>\n<table>\n");
        settings.forEach((k, v) -> h.append("<tr><th class=\"l\">").append(esc(k)).append("</th><td class=\"l\">")
                .append(esc(v)).append("</td></tr>\n"));
        h.append("</table>\n<h2>Models</h2>\n<table>\n<tr><th class=\"l\">model</th><th class=\"l\">file</th>"
                + "<th class=\"l\">prediction</th><th>clean accuracy</th><th>ECE (" + AttackMetrics.ECE_BINS
                + " bins)</th></tr>\n");
        for (ModelSummary m : models) {
            h.append("<tr><td class=\"l\">").append(esc(m.name())).append("</td><td class=\"l\">").append(esc(m.source()))
                    .append("</td><td class=\"l\">")
                    .append(m.deterministic() ? "deterministic (dropout off)" : "MC dropout, T = " + m.samples())
                    .append("</td><td>").append(fmt(m.cleanAccuracy())).append("</td><td>")
                    .append(fmt(m.calibration().ece())).append("</td></tr>\n");
        }
        h.append("</table>\n");
        if (!fgsm.isEmpty()) {
            h.append("<h2>FGSM</h2>\n<p>x<sub>adv</sub> = clip(x − ε · sign(∇<sub>x</sub> log p̄(ŷ|x)), 0, 1), "
                    + "ŷ the model's prediction on the clean input.</p>\n");
            summary(h, fgsm, true, -1);
        }
        if (!targeted.isEmpty()) {
            h.append("<h2>Iterative targeted FGSM</h2>\n<p>x<sub>t</sub> = clip(x<sub>t−1</sub> + η · "
                    + "sign(∇<sub>x</sub> log p̄(").append(target).append("|x<sub>t−1</sub>)), 0, 1), on the inputs "
                    + "whose label is not ").append(target).append(".</p>\n");
            summary(h, targeted, false, target);
        }
        h.append("<h2>Figures</h2>\n");
        for (Figure f : figures) {
            if (f != null) {
                h.append("<figure><img src=\"").append(esc(f.file())).append("\" alt=\"").append(esc(f.file()))
                        .append("\"><figcaption>").append(esc(f.caption())).append("</figcaption></figure>\n");
            }
        }
        h.append("</body>\n</html>\n");
        return h.toString();
    }

    private static void summary(StringBuilder h, List<AttackRunner.Result> results, boolean byEps, int target) {
        h.append("<table>\n<tr><th class=\"l\">model</th><th>").append(byEps ? "ε" : "step").append("</th>")
                .append("<th>accuracy</th>");
        if (target >= 0) {
            h.append("<th>classified as ").append(target).append("</th><th>mean p̄(").append(target).append(")</th>");
        }
        h.append("<th>entropy ± se</th><th>mutual information ± se</th><th>AUC entropy</th><th>AUC MI</th></tr>\n");
        for (AttackRunner.Result r : results) {
            int[] pick = ExampleGrid.spread(r.rows().size(), SUMMARY_ROWS);
            for (int k = 0; k < pick.length; k++) {
                AttackRow row = r.rows().get(pick[k]);
                h.append("<tr>");
                if (k == 0) {
                    h.append("<td class=\"l\" rowspan=\"").append(pick.length).append("\">").append(esc(r.model()))
                            .append("</td>");
                }
                h.append("<td>").append(byEps ? number(row.eps()) : Integer.toString(row.step())).append("</td><td>")
                        .append(fmt(row.accuracy())).append("</td>");
                if (target >= 0) {
                    h.append("<td>").append(fmt(row.targetRate())).append("</td><td>").append(fmt(row.targetProb()))
                            .append("</td>");
                }
                h.append("<td>").append(fmt(row.entropy())).append(" ± ").append(fmt(row.entropySe())).append("</td><td>")
                        .append(fmt(row.mutualInformation())).append(" ± ").append(fmt(row.mutualInformationSe()))
                        .append("</td><td>").append(fmt(row.aucEntropy())).append("</td><td>").append(fmt(row.aucMi()))
                        .append("</td></tr>\n");
            }
        }
        h.append("</table>\n");
    }

    private static String fmt(double v) {
        return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3f", v) : "–";
    }

    static String esc(String s) {
        StringBuilder out = new StringBuilder(s.length());
        for (char c : s.toCharArray()) {
            switch (c) {
                case '<' -> out.append("&lt;");
                case '>' -> out.append("&gt;");
                case '&' -> out.append("&amp;");
                case '"' -> out.append("&quot;");
                default -> out.append(c);
            }
        }
        return out.toString();
    }
}

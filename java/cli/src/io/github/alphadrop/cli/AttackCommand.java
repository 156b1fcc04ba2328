package io.github.alphadrop.cli;

import io.github.alphadrop.adversarial.AttackMetrics;
import io.github.alphadrop.adversarial.AttackRow;
import io.github.alphadrop.adversarial.AttackRunner;
import io.github.alphadrop.data.DataSpec;
import io.github.alphadrop.data.Dataset;
import io.github.alphadrop.io.ModelFile;
import io.github.alphadrop.io.TrainingSettings;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.predict.ClassPredictions;
import io.github.alphadrop.report.AttackReport;
import io.github.alphadrop.report.ExampleGrid;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;

/**
 * {@code alphadrop attack}: compares saved classifiers under FGSM and iterative targeted FGSM on the same
 * test inputs, and writes metrics (CSV, JSON) and a visual report (PNG charts, example grids,
 * index.html) into one folder.
 */
@Command(name = "attack", mixinStandardHelpOptions = true,
        footer = {"", "Examples:", "  ./alphadrop train --data digits --out d.adm --epochs 50 --dropout 0.2", "  ./alphadrop attack --model d.adm --model d.adm:deterministic --data digits --method both --out report"},
        description = {"Attack saved models with FGSM or iterative targeted FGSM through the MC predictive, measure "
                + "accuracy, uncertainty and detection AUCs, and write metrics.csv, metrics.json, PNG plots and "
                + "index.html into --out.",
                "Inputs must lie in [0, 1] (pixel data such as digits or idx:DIR); perturbed inputs are clipped to it."})
final class AttackCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Mixin
    ModelOptions models;

    @Mixin
    DataOptions data;

    @Mixin
    SeedOption seed;

    @Mixin
    SampleOptions.Test passes = new SampleOptions.Test(10);

    @Mixin
    SampleOptions.NoTraining noTraining;

    @Option(names = "--deterministic", description = "Dropout off for every model: the standard networks.")
    boolean allDeterministic;

    /** The attacks {@code --method} names. */
    enum Method { fgsm, targeted, both }

    @Option(names = "--method", defaultValue = "fgsm", paramLabel = "fgsm|targeted|both",
            description = "Which attack (default ${DEFAULT-VALUE}).")
    Method method;

    @Option(names = "--eps", defaultValue = "0:0.5:0.02", paramLabel = "FROM:TO:STEP|E1,E2,...",
            description = "FGSM strengths: a range or a list (default ${DEFAULT-VALUE}, 26 values).")
    String eps;

    @Option(names = "--target-class", defaultValue = "0", paramLabel = "C", converter = Converters.NonNegativeInt.class,
            description = "Targeted: the class to push towards (default ${DEFAULT-VALUE}).")
    int target;

    @Option(names = "--steps", defaultValue = "100", converter = Converters.PositiveInt.class,
            description = "Targeted: iterations (default ${DEFAULT-VALUE}).")
    int steps;

    @Option(names = "--step-size", defaultValue = "0.01", converter = Converters.PositiveDouble.class,
            description = "Targeted: η per iteration (default ${DEFAULT-VALUE}).")
    double stepSize;

    @Option(names = "--every", defaultValue = "1", converter = Converters.PositiveInt.class,
            description = "Targeted: measure every N steps (and at the last) (default ${DEFAULT-VALUE}).")
    int every;

    @Option(names = "--limit", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "Use only the first N test inputs.")
    Integer limit;

    @Option(names = "--examples", defaultValue = "2", converter = Converters.NonNegativeInt.class,
            description = "Example inputs in the picture grids (default ${DEFAULT-VALUE}).")
    int examples;

    @Mixin
    OutOption outOption;

    @Override
    public Integer call() throws Exception {
        long start = System.nanoTime();
        boolean runFgsm = method != Method.targeted;
        boolean runTargeted = method != Method.fgsm;
        double[] epsilons = runFgsm ? parseEps(eps) : new double[0];
        int samples = passes.testSamples;
        long seed = this.seed.seed;
        Path out = outOption.orElse(Path.of("attack-report"));
        List<ModelOptions.Model> modelArgs = models.all(allDeterministic);
        String data = this.data.spec;
        if (this.data.target != null && !data.startsWith("csv:")) {
            throw new IllegalArgumentException("--target names a CSV's target column; the class a targeted attack"
                    + " pushes towards is --target-class");
        }

        Dataset test = this.data.load().test();
        if (!test.isClassification()) {
            throw new IllegalArgumentException(data + " is a regression set; attacks need a classification set");
        }
        if (test.normalization().isPresent()) {
            throw new IllegalArgumentException(data + " is standardised; attacks clip to [0, 1] and need raw pixel data "
                    + "(digits or idx:DIR)");
        }
        int n = limit == null ? test.size() : Math.min(limit, test.size());
        int d = test.featureDim();
        float[] x = Arrays.copyOf(test.features(), n * d);
        int[] labels = Arrays.copyOf(test.labels(), n);

        List<ModelFile.Saved> nets = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        for (ModelOptions.Model m : modelArgs) {
            ModelFile.Saved saved = ModelFile.load(m.path());
            nets.add(attackable(m.path(), saved, test, runTargeted));
            sources.add(describe(m.path(), saved.settings()));
        }
        int[] fgsmExamples = java.util.stream.IntStream.range(0, Math.min(examples, n)).toArray();
        int[] targetRows = AttackRunner.rowsNotLabelled(labels, target);
        if (runTargeted && targetRows.length == 0) {
            throw new IllegalArgumentException("every selected test input is labelled " + target + ": nothing to attack");
        }
        int[] targetExamples = Arrays.copyOf(targetRows, Math.min(examples, targetRows.length));
        int[] fgsmColumns = ExampleGrid.spread(epsilons.length, 6);
        int[] stepColumns = Arrays.stream(ExampleGrid.spread(steps + 1, 6)).toArray();

        Kernels kernels = common.kernels();
        common.say("attacking %d model%s on %d test inputs of %s (%s), %s backend", nets.size(),
                nets.size() == 1 ? "" : "s", n, data, runFgsm && runTargeted ? "FGSM and targeted FGSM"
                        : runFgsm ? "FGSM" : "targeted FGSM", kernels.describe());
        long units = (long) nets.size() * (1 + (runFgsm ? 1 + epsilons.length : 0) + (runTargeted ? 1 + steps : 0));
        Progress progress = new Progress("attack", units, common.json);
        long[] done = {0};
        List<AttackReport.ModelSummary> summaries = new ArrayList<>();
        List<AttackRunner.Result> results = new ArrayList<>();
        try {
            for (int i = 0; i < nets.size(); i++) {
                ModelOptions.Model m = modelArgs.get(i);
                String label = m.name();
                Runnable tick = () -> progress.update(++done[0], label);
                ModelFile.Saved net = nets.get(i);
                AttackRunner runner = net.model() != null
                        ? new AttackRunner(label, net.model(), kernels, samples, m.deterministic(), seed, 0f, 1f)
                        : new AttackRunner(label, net.network(), kernels, samples, m.deterministic(), seed, 0f, 1f);
                ClassPredictions clean = runner.predict(x);
                AttackMetrics.Calibration cal = AttackMetrics.calibration(clean, labels, AttackMetrics.ECE_BINS);
                summaries.add(new AttackReport.ModelSummary(label, sources.get(i), m.deterministic(), runner.samples(),
                        clean.accuracy(labels), cal));
                tick.run();
                if (runFgsm) {
                    results.add(runner.fgsm(x, labels, epsilons, fgsmExamples, fgsmColumns, tick));
                }
                if (runTargeted) {
                    results.add(runner.targeted(x, labels, target, steps, stepSize, every, targetExamples, stepColumns,
                            tick));
                }
            }
        } finally {
            progress.finish();
        }

        Map<String, String> settings = new LinkedHashMap<>();
        settings.put("data", data + " (test part, " + n + " inputs" + (limit != null ? ", --limit " + limit : "") + ")");
        settings.put("MC passes T", samples + " (1 for deterministic models)");
        if (runFgsm) {
            settings.put("FGSM ε", epsilons.length + " values from " + AttackReport.number(epsilons[0]) + " to "
                    + AttackReport.number(epsilons[epsilons.length - 1]));
        }
        if (runTargeted) {
            settings.put("targeted", "class " + target + ", " + steps + " steps of η = " + AttackReport.number(stepSize)
                    + " on the " + targetRows.length + " inputs not labelled " + target);
        }
        settings.put("seed", Long.toString(seed));
        settings.put("backend", kernels.name());

        Files.createDirectories(out);
        Map<String, Object> json = json(settings, summaries, results, epsilons, runFgsm, runTargeted, n, targetRows.length);
        Path metricsJson = out.resolve("metrics.json");
        Files.writeString(metricsJson, Json.write(json) + "\n", StandardCharsets.UTF_8);
        List<Path> files = new ArrayList<>();
        files.add(metricsJson);
        files.addAll(AttackReport.write(out, settings, summaries, results, runTargeted ? target : -1));
        double seconds = (System.nanoTime() - start) / 1e9;

        if (common.json) {
            json.put("out", out.toString());
            json.put("files", files.stream().map(p -> p.getFileName().toString()).toList());
            json.put("seconds", seconds);
            System.out.println(Json.write(json));
        } else {
            printSummary(summaries, results);
            common.say("%nreport written to %s (%.1f s)", out.resolve("index.html"), seconds);
        }
        return 0;
    }

    /** The saved model, if it is a classifier of these raw [0, 1] inputs that knows the target class. */
    private ModelFile.Saved attackable(Path path, ModelFile.Saved saved, Dataset test, boolean runTargeted) {
        ModelFile.Saved net = saved;
        if (!net.likelihood().isCategorical()) {
            throw new IllegalArgumentException(path + " is a regression model; attacks need a classifier");
        }
        if (net.inputSize() != test.featureDim()) {
            throw new IllegalArgumentException("the data have " + test.featureDim() + " features but " + path
                    + " expects " + net.inputSize());
        }
        if (test.classes() > net.outputSize()) {
            throw new IllegalArgumentException("the data have " + test.classes() + " classes but " + path + " predicts "
                    + net.outputSize());
        }
        if (saved.scaling() != null) {
            throw new IllegalArgumentException(path + " was trained on standardised inputs; attacks need a model of raw"
                    + " [0, 1] pixels");
        }
        if (runTargeted && target >= net.outputSize()) {
            throw new IllegalArgumentException("--target-class must be a class in [0, " + net.outputSize() + "), got "
                    + target);
        }
        return saved;
    }

    private void printSummary(List<AttackReport.ModelSummary> summaries, List<AttackRunner.Result> results) {
        common.say("%n%-28s %9s %8s", "model", "accuracy", "ECE");
        for (AttackReport.ModelSummary s : summaries) {
            common.say("%-28s %9.4f %8.4f", s.name(), s.cleanAccuracy(), s.calibration().ece());
        }
        for (AttackRunner.Result r : results) {
            boolean targeted = r.method().equals("targeted");
            common.say("%n%s, %s", r.model(), targeted ? "targeted FGSM towards " + target : "FGSM");
            common.say("  %6s %9s %8s %8s %8s %8s%s", targeted ? "step" : "eps", "accuracy", "entropy", "MI", "AUC(H)",
                    "AUC(MI)", targeted ? "   p(target)" : "");
            for (int k : ExampleGrid.spread(r.rows().size(), 6)) {
                AttackRow row = r.rows().get(k);
                common.say("  %6s %9.4f %8.4f %8.4f %8.4f %8.4f%s",
                        targeted ? Integer.toString(row.step()) : AttackReport.number(row.eps()), row.accuracy(),
                        row.entropy(), row.mutualInformation(), row.aucEntropy(), row.aucMi(),
                        targeted ? String.format(Locale.ROOT, "   %9.4f", row.targetProb()) : "");
            }
        }
    }

    private Map<String, Object> json(Map<String, String> settings, List<AttackReport.ModelSummary> summaries,
                                     List<AttackRunner.Result> results, double[] epsilons, boolean runFgsm,
                                     boolean runTargeted, int n, int attackedTargeted) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("data", data.spec);
        json.put("test_inputs", n);
        json.put("method", runFgsm && runTargeted ? "both" : runFgsm ? "fgsm" : "targeted");
        json.put("test_samples", passes.testSamples);
        json.put("seed", seed.seed);
        if (runFgsm) {
            json.put("eps", Arrays.stream(epsilons).boxed().toList());
        }
        if (runTargeted) {
            json.put("target_class", target);
            json.put("steps", steps);
            json.put("step_size", stepSize);
            json.put("targeted_inputs", attackedTargeted);
        }
        List<Object> modelList = new ArrayList<>();
        for (AttackReport.ModelSummary s : summaries) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", s.name());
            m.put("source", s.source());
            m.put("deterministic", s.deterministic());
            m.put("test_samples", s.samples());
            m.put("clean_accuracy", s.cleanAccuracy());
            m.put("ece", s.calibration().ece());
            List<Object> bins = new ArrayList<>();
            for (AttackMetrics.Bin b : s.calibration().bins()) {
                Map<String, Object> bin = new LinkedHashMap<>();
                bin.put("lower", b.lower());
                bin.put("upper", b.upper());
                bin.put("count", b.count());
                bin.put("confidence", b.confidence());
                bin.put("accuracy", b.accuracy());
                bins.add(bin);
            }
            m.put("reliability", bins);
            modelList.add(m);
        }
        json.put("models", modelList);
        List<Object> rows = new ArrayList<>();
        for (AttackRunner.Result r : results) {
            for (AttackRow row : r.rows()) {
                Map<String, Object> m = new LinkedHashMap<>();
                Object[] v = row.values();
                for (int i = 0; i < v.length; i++) {
                    m.put(AttackRow.COLUMNS[i], v[i]);
                }
                rows.add(m);
            }
        }
        json.put("rows", rows);
        return json;
    }

    private static String describe(Path path, TrainingSettings s) {
        if (s == null || Float.isNaN(s.alpha())) {
            return path.toString();
        }
        return String.format(Locale.ROOT, "%s (trained with α = %s, K = %d, %d epochs)", path, s.alpha(), s.samples(),
                s.epochs());
    }

    /**
     * {@code FROM:TO:STEP} (both ends included, values rounded to 1e-9 so 0.02·k prints as written) or a
     * comma-separated list.
     */
    static double[] parseEps(String text) {
        String s = text.strip();
        double[] values;
        try {
            if (s.contains(":")) {
                String[] p = s.split(":");
                if (p.length != 3) {
                    throw new IllegalArgumentException("--eps range must be FROM:TO:STEP, got '" + text + "'");
                }
                double from = Double.parseDouble(p[0].strip());
                double to = Double.parseDouble(p[1].strip());
                double step = Double.parseDouble(p[2].strip());
                if (!(step > 0) || !(to >= from) || !Double.isFinite(from) || !Double.isFinite(to)) {
                    throw new IllegalArgumentException("--eps range needs finite FROM <= TO and STEP > 0, got '" + text + "'");
                }
                long count = (long) Math.floor((to - from) / step + 1e-9) + 1;
                if (count > 10_000) {
                    throw new IllegalArgumentException("--eps range has " + count + " values; at most 10000");
                }
                values = new double[(int) count];
                for (int k = 0; k < count; k++) {
                    values[k] = Math.round((from + k * step) * 1e9) / 1e9;
                }
            } else {
                String[] p = s.split(",");
                values = new double[p.length];
                for (int k = 0; k < p.length; k++) {
                    values[k] = Double.parseDouble(p[k].strip());
                }
            }
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--eps must be FROM:TO:STEP or a comma-separated list of numbers, got '"
                    + text + "'");
        }
        for (double v : values) {
            if (!(v >= 0) || Double.isInfinite(v)) {
                throw new IllegalArgumentException("--eps values must be finite and >= 0, got " + v);
            }
        }
        return values;
    }

}

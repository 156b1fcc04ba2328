package io.github.alphadrop.cli;

import io.github.alphadrop.data.DataSpec;
import io.github.alphadrop.data.TrainTest;
import io.github.alphadrop.data.UciLoader;
import io.github.alphadrop.experiments.PaperResults;
import io.github.alphadrop.experiments.ResultsCsv;
import io.github.alphadrop.experiments.SplitResult;
import io.github.alphadrop.experiments.SplitSelection;
import io.github.alphadrop.experiments.UciBenchmark;
import io.github.alphadrop.experiments.UciSettings;
import io.github.alphadrop.experiments.UciSummary;
import io.github.alphadrop.kernels.Backend;
import io.github.alphadrop.kernels.Kernels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.Charset;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * {@code alphadrop uci}: the UCI regression benchmark of Li &amp; Gal (2017) on one data folder, every
 * requested split and α, printed as the paper's table (mean ± standard error over splits) next to the
 * paper's own numbers.
 */
@Command(name = "uci", mixinStandardHelpOptions = true,
        description = {"Run the UCI regression benchmark of Li & Gal (2017) on one set: for each split and alpha,"
                + " train a 1-hidden-layer ReLU net with dropout (K=10, Adam, learned noise) and report test RMSE and"
                + " NLL in original units, mean +- standard error over splits, next to the paper's Tables 1 and 2."})
final class UciCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Option(names = "--data", required = true, paramLabel = "uci:DIR",
            description = "A UCI folder with data.txt, index_*.txt and n_splits.txt, e.g. uci:../shared/data/uci/bostonHousing.")
    String data;

    @Option(names = "--alpha", split = ",", defaultValue = "0,0.5,1", paramLabel = "A",
            description = "Alpha values (default ${DEFAULT-VALUE}).")
    float[] alphas;

    @Option(names = "--splits", defaultValue = "all", paramLabel = "all|I|I-J",
            description = "Splits to run: all, one index, an inclusive range, or a comma-separated list (default ${DEFAULT-VALUE}).")
    String splits;

    @Option(names = "--epochs", paramLabel = "E", description = "Epochs (default 500; 100 for protein).")
    Integer epochs;

    @Option(names = "--hidden", paramLabel = "H", description = "Hidden ReLU units (default 50; 100 for protein).")
    Integer hidden;

    @Option(names = "--dropout", split = ",", defaultValue = "0.05", paramLabel = "P",
            description = "Drop probability before each dense layer (default ${DEFAULT-VALUE}); several values are a grid chosen on --validate.")
    float[] dropout;

    @Option(names = "--validate", defaultValue = "0.2", paramLabel = "F",
            description = "With several --dropout values: fraction of each training split held out to choose one by validation log-likelihood (default ${DEFAULT-VALUE}).")
    double validate;

    @Option(names = "--samples", defaultValue = "10", paramLabel = "K",
            description = "K, dropout samples per datapoint in training (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--test-samples", defaultValue = "10000", paramLabel = "T",
            description = "T, stochastic passes at test time (default ${DEFAULT-VALUE}).")
    int testSamples;

    @Option(names = "--batch", defaultValue = "32", description = "Minibatch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Adam learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--weight-decay", defaultValue = "auto", paramLabel = "auto|WD",
            description = "wd in wd * sum ||W||^2; auto = (1-p)/(2N), the KL term of a N(0,1) prior (default ${DEFAULT-VALUE}).")
    String weightDecay;

    @Option(names = "--seed", defaultValue = "0", description = "Base seed; each split derives its own (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--out", paramLabel = "FILE.csv",
            description = "Write one row per split and alpha; rewritten atomically after every finished run.")
    Path out;

    @Override
    public Integer call() throws Exception {
        DataSpec spec = DataSpec.parse(data);
        if (spec.scheme() != DataSpec.Scheme.UCI) {
            throw new IllegalArgumentException("--data must be uci:DIR for the uci command, got '" + data + "'");
        }
        Path dir = spec.path().orElseThrow();
        if (out != null) {
            Path parent = out.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                // Checked now rather than after the first hour of training.
                throw new IllegalArgumentException("--out: folder " + parent + " does not exist");
            }
        }
        String set = UciBenchmark.setName(dir);
        UciSettings.Builder b = UciSettings.forSet(set).toBuilder().dropout(dropout).validateFraction(validate)
                .trainSamples(samples).testSamples(testSamples).batchSize(batch).learningRate(lr)
                .weightDecay(parseWeightDecay(weightDecay)).seed(seed);
        if (epochs != null) {
            b.epochs(epochs);
        }
        if (hidden != null) {
            b.hidden(hidden);
        }
        UciSettings settings = b.build();
        int[] selected = SplitSelection.parse(splits, UciLoader.numSplits(dir));
        UciBenchmark bench = UciBenchmark.open(dir, settings, alphas, selected);

        int threads = common.threads == null ? Backend.defaultThreads() : common.threads;
        int workers = UciBenchmark.workers(threads, bench.tasks());
        // Native kernels have one process-wide thread setting: with several concurrent runs each must use
        // one thread (the workers are the parallelism); a single run gets the whole budget.
        int threadsPerRun = workers == 1 ? threads : 1;
        Kernels first = Backend.create(common.backend, threadsPerRun); // resolves "auto" once, says why on fallback
        String backend = first.name();
        Supplier<Kernels> kernels = () -> Backend.create(backend, threadsPerRun);

        TrainTest shape = bench.firstSplit();
        common.say("%s: %d split(s) x %d alpha(s) = %d runs on %d worker(s), %s backend (%d thread(s) per run);"
                        + " %d train / %d test rows, %d features", set, selected.length, alphas.length, bench.tasks(),
                workers, backend, threadsPerRun, shape.train().size(), shape.test().size(), shape.train().featureDim());
        common.say("protocol: %s", settings.describe());

        Tracker tracker = new Tracker(bench, common.json);
        long start = System.nanoTime();
        List<SplitResult> results;
        try {
            results = bench.run(workers, kernels, tracker);
        } finally {
            tracker.progress.finish();
        }
        double wall = (System.nanoTime() - start) / 1e9;
        if (out != null) {
            ResultsCsv.write(out, results); // the final, complete file (also sorted by alpha, then split)
        }
        List<UciSummary> summary = UciSummary.of(results);
        if (common.json) {
            System.out.println(Json.write(json(set, summary, backend, workers, wall)));
        } else {
            printTable(set, summary, results, wall);
        }
        return 0;
    }

    static double parseWeightDecay(String text) {
        if (text.equalsIgnoreCase("auto")) {
            return Double.NaN;
        }
        try {
            double wd = Double.parseDouble(text);
            if (wd >= 0 && Double.isFinite(wd)) {
                return wd;
            }
        } catch (NumberFormatException e) {
            // fall through to the message below
        }
        throw new IllegalArgumentException("--weight-decay must be auto or a finite number >= 0, got '" + text + "'");
    }

    /** Progress bar (split, α, phase of each running task, and ETA) and the CSV checkpoint. */
    private final class Tracker implements UciBenchmark.Listener {
        final Progress progress;
        private final int tasks;
        private final Map<String, String> running = new ConcurrentHashMap<>(); // worker thread -> "s3 a=0.5 train"
        private final List<SplitResult> finished = new ArrayList<>();
        private long done;

        Tracker(UciBenchmark bench, boolean json) {
            this.progress = new Progress(PaperResults.forSet(bench.set()).map(PaperResults.Row::label).orElse(bench.set()),
                    bench.totalWork(), json);
            this.tasks = bench.tasks();
        }

        @Override
        public void phase(int split, float alpha, String phase) {
            // Short: the bar, the ETA and one entry per worker should fit a terminal line.
            running.put(Thread.currentThread().getName(), String.format(Locale.ROOT, "s%d a=%s %s", split, alpha(alpha),
                    phase.replace("validate ", "val ")));
        }

        @Override
        public synchronized void progress(long units) {
            done += units;
            progress.update(done, note());
        }

        @Override
        public synchronized void finished(SplitResult result) {
            running.remove(Thread.currentThread().getName());
            finished.add(result);
            if (out != null) {
                finished.sort(Comparator.comparingDouble(SplitResult::alpha).thenComparingInt(SplitResult::split));
                try {
                    ResultsCsv.write(out, finished);
                } catch (IOException e) {
                    throw new UncheckedIOException("--out " + out + ": " + e.getMessage(), e);
                }
            }
            progress.update(done, note());
        }

        private String note() {
            return finished.size() + "/" + tasks + " done | " + String.join(", ", new TreeMap<>(running).values());
        }
    }

    private static Map<String, Object> json(String set, List<UciSummary> summary, String backend, int workers,
                                            double wall) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (UciSummary s : summary) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("alpha", (double) s.alpha());
            m.put("splits", s.splits());
            m.put("nll_mean", s.nllMean());
            m.put("nll_se", s.nllSe());
            m.put("rmse_mean", s.rmseMean());
            m.put("rmse_se", s.rmseSe());
            m.put("seconds_per_split", s.secondsPerSplit());
            rows.add(m);
        }
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("set", set);
        json.put("results", rows);
        json.put("backend", backend);
        json.put("workers", workers);
        json.put("wall_seconds", wall);
        return json;
    }

    private void printTable(String set, List<UciSummary> summary, List<SplitResult> results, double wall) {
        PaperResults.Row paper = PaperResults.forSet(set).orElse(null);
        common.say("");
        common.say("%-6s %6s  %-15s %-13s  %-15s %-13s %9s  %s", "alpha", "splits", "test NLL", "paper NLL",
                "test RMSE", "paper RMSE", "s/split", paper == null ? "" : "vs paper");
        for (UciSummary s : summary) {
            int col = paper == null ? -1 : PaperResults.Row.column(s.alpha());
            String paperNll = col < 0 ? "" : pm(paper.nll()[col], paper.nllSe()[col]);
            String paperRmse = col < 0 ? "" : pm(paper.rmse()[col], paper.rmseSe()[col]);
            String verdict = "";
            if (col >= 0) {
                // The acceptance: NLL within 0.15 nats of the paper's (or lower), RMSE within 10 %.
                boolean nllOk = s.nllMean() <= paper.nll()[col] + 0.15;
                boolean rmseOk = s.rmseMean() <= paper.rmse()[col] * 1.10;
                verdict = nllOk && rmseOk ? "ok" : "miss" + (nllOk ? "" : " NLL") + (rmseOk ? "" : " RMSE");
            }
            common.say("%-6s %6d  %-15s %-13s  %-15s %-13s %9.1f  %s", alpha(s.alpha()), s.splits(),
                    pm(s.nllMean(), s.nllSe()), paperNll, pm(s.rmseMean(), s.rmseSe()), paperRmse,
                    s.secondsPerSplit(), verdict);
        }
        if (results.stream().anyMatch(r -> r.validationNll().length > 0)) {
            for (UciSummary s : summary) {
                Map<Float, Integer> counts = new TreeMap<>();
                results.stream().filter(r -> r.alpha() == s.alpha()).forEach(r -> counts.merge(r.dropout(), 1, Integer::sum));
                StringBuilder line = new StringBuilder();
                counts.forEach((p, n) -> line.append(line.length() == 0 ? "" : ", ").append("p=").append(p).append(" x").append(n));
                common.say("alpha %s: dropout chosen on validation: %s", alpha(s.alpha()), line);
            }
        }
        common.say("%s: %d runs in %.1f s wall clock%s", set, results.size(), wall,
                paper == null ? "; the paper has no row for this set" : "; paper: Li & Gal (2017), Tables 1 and 2");
    }

    /**
     * {@code 2.42 ± 0.05}, or just the mean when the standard error is unknown (one split; not printed).
     * Two decimals as in the paper, four when the mean is below 0.1 so that naval's RMSE (~0.001-0.01)
     * stays readable; the error gets the mean's precision.
     */
    private static String pm(double mean, double se) {
        String f = Math.abs(mean) < 0.1 && mean != 0 ? "%.4f" : "%.2f";
        String m = String.format(Locale.ROOT, f, mean);
        return Double.isNaN(se) ? m : m + PLUS_MINUS + String.format(Locale.ROOT, f, se);
    }

    /** '±' where stdout can encode it; a C/POSIX-locale terminal would show '?' instead. */
    private static final String PLUS_MINUS = stdoutCharset().newEncoder().canEncode('±') ? " ± " : " +- ";

    private static Charset stdoutCharset() {
        // Java 17 encodes System.out with sun.stdout.encoding on a console, else the default charset.
        String name = System.getProperty("sun.stdout.encoding");
        try {
            return name != null ? Charset.forName(name) : Charset.defaultCharset();
        } catch (RuntimeException e) {
            return Charset.defaultCharset();
        }
    }

    private static String alpha(float a) {
        return a == Math.rint(a) ? Integer.toString((int) a) : Float.toString(a);
    }
}

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
 * {@code alphadrop uci}: the UCI regression benchmark of Li &amp; Gal (2017) on one data folder (or every
 * set in a folder of them), every requested split and α, printed as the paper's table (mean ± standard
 * error over splits) next to the paper's own numbers.
 */
@Command(name = "uci", mixinStandardHelpOptions = true,
        footer = {"", "Examples:", "  ./alphadrop uci --data uci:../shared/data/uci/bostonHousing --splits 0-4", "  ./alphadrop uci --data uci:../shared/data/uci --out uci-results.csv"},
        description = {"Run the UCI regression benchmark of Li & Gal (2017) on one set, or on every set in a folder: for each split and alpha,"
                + " train a 1-hidden-layer ReLU net with dropout (K=10, Adam, learned noise) and report test RMSE and"
                + " NLL in original units, mean +- standard error over splits, next to the paper's Tables 1 and 2."})
final class UciCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    /** uci:DIR: a UCI folder (data.txt, index_*.txt, n_splits.txt) or a folder of them, run one after the other. */
    @Mixin
    DataOptions dataOptions;

    @Mixin
    NetworkOptions network;

    @Option(names = "--splits", defaultValue = "all", paramLabel = "all|I|I-J",
            description = "Splits to run: all, one index, an inclusive range, or a comma-separated list (default ${DEFAULT-VALUE}).")
    String splits;

    @Option(names = "--validate", paramLabel = "F",
            description = "Fraction of each training split held out to choose among several --dropout values (and --dropout-regulariser values)"
                    + " by validation log-likelihood; the chosen one is then trained on the whole split (default 0.2).")
    Double validate;

    @Option(names = "--noise", defaultValue = "bernoulli", paramLabel = "bernoulli|gaussian|dropconnect|concrete",
            description = "Dropout noise (default ${DEFAULT-VALUE}, the paper's); concrete learns each layer's rate, starting"
                    + " from --dropout (default 0.1 on every set, no grid) with its entropy weight chosen on validation data"
                    + " (--dropout-regulariser).")
    TrainingOptions.NoiseName noise;

    @Option(names = "--dropout-regulariser", paramLabel = "C[,C...]", split = ",",
            description = "With --noise concrete: the weight of the rates' entropy term in units of 1/N, N the rows trained on"
                    + " (default 1,10,100, chosen between on validation data (--validate) with the --dropout values;"
                    + " 1 is the prior's KL per datapoint).")
    List<Double> dropoutRegulariser;

    @Mixin
    SampleOptions.Training trainingSamples;

    @Mixin
    SampleOptions.Test passes = new SampleOptions.Test(10000);

    /** The base seed; each split derives its own. */
    @Mixin
    SeedOption seedOption;

    /** Optional: one row per split and alpha, rewritten atomically after every finished run. */
    @Mixin
    OutOption outOption;

    @Mixin
    EpochsOption epochsOption;

    @Override
    public Integer call() throws Exception {
        float[] alphas = alphas();
        String data = dataOptions.spec;
        if (dataOptions.split != null) {
            throw new IllegalArgumentException("--split picks one split of a data set elsewhere; uci takes --splits all|I|I-J");
        }
        DataSpec spec = DataSpec.parse(data);
        if (spec.scheme() != DataSpec.Scheme.UCI) {
            throw new IllegalArgumentException("--data must be uci:DIR for the uci command, got '" + data + "'");
        }
        List<Path> dirs = setFolders(spec.path().orElseThrow());
        if (outOption.out != null) {
            Path parent = outOption.out.toAbsolutePath().getParent();
            if (parent == null || !Files.isDirectory(parent)) {
                // Checked now rather than after the first hour of training.
                throw new IllegalArgumentException("--out: folder " + parent + " does not exist");
            }
        }
        // Everything is opened and checked before the first run, so a bad split or folder fails at once.
        List<UciBenchmark> benches = new ArrayList<>();
        for (Path dir : dirs) {
            UciSettings settings = settingsFor(UciBenchmark.setName(dir));
            int[] selected = SplitSelection.parse(splits, UciLoader.numSplits(dir));
            benches.add(UciBenchmark.open(dir, settings, alphas, selected));
        }
        if (benches.size() > 1) {
            common.say("%d sets in %s: %s", benches.size(), spec.path().orElseThrow(),
                    String.join(", ", benches.stream().map(UciBenchmark::set).toList()));
        }

        List<SetOutcome> outcomes = new ArrayList<>();
        List<SplitResult> earlier = new ArrayList<>(); // finished sets' rows, kept in the --out file
        long start = System.nanoTime();
        for (UciBenchmark bench : benches) {
            SetOutcome o = runSet(bench, earlier);
            outcomes.add(o);
            earlier.addAll(o.results());
            if (!common.json) {
                printTable(o.set(), o.summary(), o.results(), o.wallSeconds(), bench.settings().dropoutRates().length > 1);
            }
        }
        double wall = (System.nanoTime() - start) / 1e9;
        if (outOption.out != null) {
            ResultsCsv.write(outOption.out, earlier); // the final, complete file
        }
        if (common.json) {
            Map<String, Object> json;
            if (outcomes.size() == 1) {
                json = json(outcomes.get(0));
            } else {
                json = new LinkedHashMap<>();
                json.put("sets", outcomes.stream().map(UciCommand::json).toList());
                json.put("wall_seconds", wall);
            }
            System.out.println(Json.write(json));
        } else if (outcomes.size() > 1) {
            printSummary(outcomes, wall);
        }
        return 0;
    }

    /**
     * The set folders under {@code dir}: {@code dir} itself when it holds a set ({@code data.txt}), else
     * its subfolders that do, in name order, so that one command runs the paper's whole table.
     */
    static List<Path> setFolders(Path dir) throws IOException {
        if (!Files.isDirectory(dir)) {
            throw new IllegalArgumentException("--data: " + dir + " is not a folder");
        }
        if (Files.exists(dir.resolve("data.txt"))) {
            return List.of(dir);
        }
        List<Path> sets;
        try (var children = Files.list(dir)) {
            sets = children.filter(c -> Files.isRegularFile(c.resolve("data.txt"))).sorted().toList();
        }
        if (sets.isEmpty()) {
            throw new IllegalArgumentException("--data: " + dir
                    + " has no data.txt, and no subfolder with one (expected a UCI set or a folder of sets)");
        }
        return sets;
    }

    /** The protocol for one set, with the options given on the command line applied over its defaults. */
    private UciSettings settingsFor(String set) {
        UciSettings.Builder b = UciSettings.forSet(set, noise.noise).toBuilder().trainSamples(trainingSamples.samples).testSamples(passes.testSamples)
                .batchSize(network.batch == null ? 32 : network.batch).learningRate(network.lr == null ? 1e-3 : network.lr)
                .weightDecay(network.weightDecayOr(Double.NaN)).seed(seedOption.seed);
        if (network.dropout != null) {
            float[] grid = new float[network.dropout.size()];
            for (int i = 0; i < grid.length; i++) {
                grid[i] = network.dropout.get(i);
            }
            b.dropout(grid);
        }
        if (validate != null) {
            b.validateFraction(validate);
        }
        if (dropoutRegulariser != null) {
            if (noise != TrainingOptions.NoiseName.concrete) {
                throw new IllegalArgumentException("--dropout-regulariser weighs concrete dropout's entropy term; it needs"
                        + " --noise concrete, got --noise " + noise);
            }
            b.dropoutRegularisers(dropoutRegulariser.stream().mapToDouble(Double::doubleValue).toArray());
        }
        if (epochsOption.epochs != null) {
            b.epochs(epochsOption.epochs);
        }
        if (network.hidden != null) {
            if (network.hidden.sizes().length != 1) {
                throw new IllegalArgumentException("--hidden: the UCI protocol has one hidden layer, got "
                        + network.hidden.sizes().length + " sizes");
            }
            b.hidden(network.hidden.sizes()[0]);
        }
        return b.build();
    }

    private record SetOutcome(String set, List<UciSummary> summary, List<SplitResult> results, double wallSeconds,
                              String backend, int workers) {
    }

    private SetOutcome runSet(UciBenchmark bench, List<SplitResult> earlier) throws InterruptedException {
        int threads = common.threads == null ? Backend.defaultThreads() : common.threads;
        if (threads > Backend.defaultThreads()) {
            System.err.printf(java.util.Locale.ROOT, "alphadrop: --threads %d capped at the %d available processors%n",
                    threads, Backend.defaultThreads());
            threads = Backend.defaultThreads();
        }
        int workers = UciBenchmark.workers(threads, bench.tasks());
        // Each run gets its own backend: with several concurrent runs each uses one thread (the workers are
        // the parallelism); a single run gets the whole budget.
        int threadsPerRun = workers == 1 ? threads : 1;
        Kernels first = Backend.create(common.backend, threadsPerRun); // resolves "auto" once, says why on fallback
        String backend = first.name();
        Supplier<Kernels> kernels = () -> Backend.create(backend, threadsPerRun);

        TrainTest shape = bench.firstSplit();
        common.say("%s: %d split(s) x %d alpha(s) = %d runs on %d worker(s), %s backend (%d thread(s) per run);"
                        + " %d train / %d test rows, %d features", bench.set(), bench.splits().length,
                bench.alphas().length, bench.tasks(), workers, backend, threadsPerRun, shape.train().size(),
                shape.test().size(), shape.train().featureDim());
        common.say("protocol: %s", bench.settings().describe());

        Tracker tracker = new Tracker(bench, common.json, earlier);
        long start = System.nanoTime();
        List<SplitResult> results;
        try {
            results = bench.run(workers, kernels, tracker);
        } finally {
            tracker.progress.finish();
        }
        double wall = (System.nanoTime() - start) / 1e9;
        return new SetOutcome(bench.set(), UciSummary.of(results), results, wall, backend, workers);
    }

    private float[] alphas() {
        if (network.alphas == null) {
            return new float[]{0f, 0.5f, 1f};
        }
        float[] a = new float[network.alphas.size()];
        for (int i = 0; i < a.length; i++) {
            a[i] = network.alphas.get(i);
        }
        return a;
    }

    /** Progress bar (split, α, phase of each running task, and ETA) and the CSV checkpoint. */
    private final class Tracker implements UciBenchmark.Listener {
        final Progress progress;
        private final int tasks;
        private final Map<String, String> running = new ConcurrentHashMap<>(); // worker thread -> "s3 a=0.5 train"
        private final List<SplitResult> finished = new ArrayList<>();
        private final List<SplitResult> earlier;
        private long done;

        Tracker(UciBenchmark bench, boolean json, List<SplitResult> earlier) {
            this.earlier = earlier;
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
            if (outOption.out != null) {
                finished.sort(Comparator.comparingDouble(SplitResult::alpha).thenComparingInt(SplitResult::split));
                List<SplitResult> rows = new ArrayList<>(earlier);
                rows.addAll(finished);
                try {
                    ResultsCsv.write(outOption.out, rows);
                } catch (IOException e) {
                    throw new UncheckedIOException("--out " + outOption.out + ": " + e.getMessage(), e);
                }
            }
            progress.update(done, note());
        }

        private String note() {
            return finished.size() + "/" + tasks + " done | " + String.join(", ", new TreeMap<>(running).values());
        }
    }

    private static Map<String, Object> json(SetOutcome o) {
        List<Map<String, Object>> rows = new ArrayList<>();
        for (UciSummary s : o.summary()) {
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
        json.put("set", o.set());
        json.put("results", rows);
        json.put("backend", o.backend());
        json.put("workers", o.workers());
        json.put("wall_seconds", o.wallSeconds());
        return json;
    }

    /** The paper's layout, one line per set: ours (paper) for NLL and RMSE at each α, then time and verdict. */
    private void printSummary(List<SetOutcome> outcomes, double wall) {
        common.say("");
        StringBuilder head = new StringBuilder("| set |");
        StringBuilder rule = new StringBuilder("|---|");
        for (String what : new String[]{"NLL", "RMSE"}) {
            for (float a : alphas()) {
                head.append(' ').append(what).append(" α=").append(alpha(a)).append(" |");
                rule.append("---|");
            }
        }
        common.say("%s wall clock | vs paper |", head);
        common.say("%s---|---|", rule);
        for (SetOutcome o : outcomes) {
            PaperResults.Row paper = PaperResults.forSet(o.set()).orElse(null);
            StringBuilder line = new StringBuilder("| ").append(paper == null ? o.set() : paper.label()).append(" |");
            List<String> misses = new ArrayList<>();
            for (int what = 0; what < 2; what++) {
                for (float a : alphas()) {
                    UciSummary s = o.summary().stream().filter(x -> x.alpha() == a).findFirst().orElseThrow();
                    double ours = what == 0 ? s.nllMean() : s.rmseMean();
                    int col = paper == null ? -1 : PaperResults.Row.column(a);
                    line.append(' ').append(pm(ours, what == 0 ? s.nllSe() : s.rmseSe()));
                    if (col >= 0) {
                        double theirs = what == 0 ? paper.nll()[col] : paper.rmse()[col];
                        line.append(" (").append(String.format(Locale.ROOT, Math.abs(theirs) < 0.1 ? "%.3f" : "%.2f",
                                theirs)).append(')');
                        boolean ok = what == 0 ? paper.nllHolds(col, ours) : paper.rmseHolds(col, ours);
                        if (!ok) {
                            misses.add((what == 0 ? "NLL" : "RMSE") + " α=" + alpha(a));
                        }
                    }
                    line.append(" |");
                }
            }
            line.append(String.format(Locale.ROOT, " %.0f s |", o.wallSeconds()));
            line.append(paper == null ? " |" : misses.isEmpty() ? " ok |" : " miss " + String.join(", ", misses) + " |");
            common.say("%s", line);
        }
        common.say("%d sets in %.1f min wall clock; in brackets: Li & Gal (2017), Tables 1 and 2; ok = NLL within"
                + " 0.15 nats and RMSE within 10 %% of the paper, or better", outcomes.size(), wall / 60);
    }

    /** @param rateGrid whether the dropout rate was chosen on validation (not only concrete dropout's entropy weight) */
    private void printTable(String set, List<UciSummary> summary, List<SplitResult> results, double wall, boolean rateGrid) {
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
                boolean nllOk = paper.nllHolds(col, s.nllMean());
                boolean rmseOk = paper.rmseHolds(col, s.rmseMean());
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
                if (rateGrid) {
                    common.say("alpha %s: dropout chosen on validation: %s", alpha(s.alpha()), line);
                }
                Map<Double, Integer> weights = new TreeMap<>();
                results.stream().filter(r -> r.alpha() == s.alpha() && !Double.isNaN(r.dropoutRegulariser()))
                        .forEach(r -> weights.merge(r.dropoutRegulariser(), 1, Integer::sum));
                if (!weights.isEmpty()) {
                    StringBuilder c = new StringBuilder();
                    weights.forEach((w, n) -> c.append(c.length() == 0 ? "" : ", ").append("C=").append(w).append(" x").append(n));
                    common.say("alpha %s: entropy weight chosen on validation: %s", alpha(s.alpha()), c);
                }
            }
        }
        if (results.stream().anyMatch(r -> r.learnedDropout().length > 0)) {
            for (UciSummary s : summary) {
                List<SplitResult> runs = results.stream().filter(r -> r.alpha() == s.alpha()).toList();
                StringBuilder line = new StringBuilder();
                for (int l = 0; l < runs.get(0).learnedDropout().length; l++) {
                    final int layer = l;
                    double mean = runs.stream().mapToDouble(r -> r.learnedDropout()[layer]).average().orElse(Double.NaN);
                    line.append(l == 0 ? "" : ", ").append(String.format(Locale.ROOT, "layer %d %.4f", l, mean));
                }
                common.say("alpha %s: learned dropout (concrete), mean over splits: %s", alpha(s.alpha()), line);
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

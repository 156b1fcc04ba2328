package io.github.alphadrop.experiments;

import io.github.alphadrop.data.Dataset;
import io.github.alphadrop.data.Normalization;
import io.github.alphadrop.data.TrainTest;
import io.github.alphadrop.data.UciLoader;
import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.model.Likelihood;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.predict.McPredictive;
import io.github.alphadrop.predict.RegressionPredictions;
import io.github.alphadrop.train.AlphaDivergence;
import io.github.alphadrop.train.Optimizer;
import io.github.alphadrop.train.Trainer;
import io.github.alphadrop.train.TrainingDivergedException;
import io.github.alphadrop.train.TrainingListener;
import io.github.alphadrop.train.TrainingResult;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorCompletionService;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;
import java.util.function.Supplier;

/**
 * The UCI regression benchmark of Li &amp; Gal (2017, §5.1): for every requested split of a UCI folder
 * and every α, train a one-hidden-layer ReLU network with dropout before each dense layer on the
 * training split (inputs and targets standardised with its statistics, log τ learned), then score the
 * MC-dropout predictive on the test split in original units. Optionally the dropout rate is chosen
 * from a grid on a validation part of the training split first.
 *
 * <h2>Reproducibility</h2>
 * Every split derives its seeds (weight initialisation, shuffling and training masks, validation
 * hold-out, test masks) from {@link UciSettings#seed()} and its index alone. They are deliberately the
 * same for every α and every dropout candidate: the comparison between α values on one split is then
 * paired (same start, same minibatch order), so the table shows the effect of α rather than of a lucky
 * initialisation. Since nothing depends on which worker runs a task or in which order, the results are
 * identical for any number of workers (given a backend whose results do not depend on its own thread
 * count, which both backends guarantee).
 *
 * <h2>Parallelism</h2>
 * The (split, α) runs are independent, so {@link #run} spreads them over worker threads, each task with
 * its own {@link Kernels} from the supplier (the caller decides its thread count: with several workers,
 * one compute thread each is what keeps the cores busy without oversubscribing them).
 */
public final class UciBenchmark {

    /**
     * Hears about a run. Called from worker threads, concurrently when there are several: implementations
     * must be thread-safe and cheap (progress is reported every minibatch).
     */
    public interface Listener {

        /**
         * Task (split, α) entered a phase: {@code "train"}, {@code "predict"}, or during the dropout search
         * {@code "validate p=0.01 train"} and {@code "validate p=0.01 predict"}.
         */
        default void phase(int split, float alpha, String phase) {
        }

        /** {@code units} more units of {@link #totalWork()} are done. */
        default void progress(long units) {
        }

        /** Task (split, α) is complete. */
        default void finished(SplitResult result) {
        }
    }

    /** A listener that ignores everything. */
    public static final Listener SILENT = new Listener() {
    };

    /**
     * Forward+backward of a training row costs about three forward passes of it (the backward pass does
     * two products per layer); units of work are forward rows, so that test-time passes, which dominate
     * on the large sets with T = 10,000, weigh in the ETA too.
     */
    private static final int TRAIN_ROW_COST = 3;

    private final Path dir;
    private final String set;
    private final UciSettings settings;
    private final float[] alphas;
    private final int[] splits;
    private final TrainTest[] raw; // per entry of splits, original units

    private UciBenchmark(Path dir, String set, UciSettings settings, float[] alphas, int[] splits, TrainTest[] raw) {
        this.dir = dir;
        this.set = set;
        this.settings = settings;
        this.alphas = alphas;
        this.splits = splits;
        this.raw = raw;
    }

    /**
     * Loads the requested splits of a UCI folder (all of them up front, so that a malformed file fails
     * the run before hours of training rather than in the middle).
     *
     * @param alphas α values, each finite and >= 0, no repeats
     * @param splits split indices, e.g. from {@link SplitSelection#parse}
     * @throws IOException              if the folder or a file is missing or malformed
     * @throws IllegalArgumentException for a bad α or split index
     */
    public static UciBenchmark open(Path dir, UciSettings settings, float[] alphas, int[] splits) throws IOException {
        Objects.requireNonNull(dir, "dir");
        Objects.requireNonNull(settings, "settings");
        if (alphas == null || alphas.length == 0) {
            throw new IllegalArgumentException("give at least one alpha");
        }
        if (splits == null || splits.length == 0) {
            throw new IllegalArgumentException("give at least one split");
        }
        for (int i = 0; i < alphas.length; i++) {
            new AlphaDivergence(alphas[i], settings.trainSamples()); // the objective's own check and message
            for (int j = 0; j < i; j++) {
                if (alphas[j] == alphas[i]) {
                    throw new IllegalArgumentException("alpha " + alphas[i] + " is given twice");
                }
            }
        }
        int available = UciLoader.numSplits(dir);
        TrainTest[] raw = new TrainTest[splits.length];
        for (int i = 0; i < splits.length; i++) {
            if (splits[i] < 0 || splits[i] >= available) {
                throw new IllegalArgumentException("split " + splits[i] + " is out of range [0, " + available
                        + ") for " + dir);
            }
            raw[i] = UciLoader.loadRaw(dir, splits[i]);
            if (raw[i].train().targetDims() != 1) {
                throw new IllegalArgumentException(dir + " has " + raw[i].train().targetDims()
                        + " targets; the benchmark expects one");
            }
        }
        return new UciBenchmark(dir, setName(dir), settings, alphas.clone(), splits.clone(), raw);
    }

    /** The set's name: the folder's name, e.g. {@code bostonHousing}. */
    public static String setName(Path dir) {
        Path name = dir.toAbsolutePath().normalize().getFileName();
        return name == null ? dir.toString() : name.toString();
    }

    public String set() {
        return set;
    }

    public Path dir() {
        return dir;
    }

    public UciSettings settings() {
        return settings;
    }

    public float[] alphas() {
        return alphas.clone();
    }

    public int[] splits() {
        return splits.clone();
    }

    /** Number of (split, α) runs. */
    public int tasks() {
        return splits.length * alphas.length;
    }

    /** Size of the first requested split's training and test parts (all splits of a folder are alike). */
    public TrainTest firstSplit() {
        return raw[0];
    }

    /** Units of work of the whole run (forward rows; see {@link Listener#progress}). */
    public long totalWork() {
        long total = 0;
        for (TrainTest tt : raw) {
            total += taskWork(tt, settings) * alphas.length;
        }
        return total;
    }

    private static long taskWork(TrainTest tt, UciSettings s) {
        long work = trainWork(tt.train().size(), s) + (long) tt.test().size() * s.testSamples();
        if (s.selectsDropout()) {
            int validation = validationSize(tt.train().size(), s.validateFraction());
            work += s.candidates().size() * (trainWork(tt.train().size() - validation, s)
                    + (long) validation * validationSamples(s));
        }
        return work;
    }

    private static long trainWork(int rows, UciSettings s) {
        return (long) TRAIN_ROW_COST * s.trainSamples() * rows * s.epochs();
    }

    /** The same rounding as {@link TrainTest#holdOut(Dataset, double, long)}. */
    private static int validationSize(int rows, double fraction) {
        return Math.max(1, Math.min(rows - 1, (int) Math.round(fraction * rows)));
    }

    /** Validation only ranks candidates; more passes than the test uses would be wasted. */
    private static int validationSamples(UciSettings s) {
        return Math.min(s.validationSamples(), s.testSamples());
    }

    /** The number of workers for a thread budget: one per thread, but no more than there are tasks. */
    public static int workers(int threads, int tasks) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        return Math.max(1, Math.min(threads, tasks));
    }

    /**
     * Runs every (split, α) task on {@code workers} threads. Tasks start split by split (all α of split
     * 0 first), so a run stopped early has complete rows for its first splits.
     *
     * <p>If a task fails, the others stop at their next minibatch and the first failure is thrown,
     * naming the split and α; results finished before that were already given to the listener.
     *
     * @param kernels a fresh backend per task, called on the worker thread
     * @return the results, ordered by α, then split
     * @throws IllegalStateException the first task's failure, naming its split and α
     */
    public List<SplitResult> run(int workers, Supplier<Kernels> kernels, Listener listener) throws InterruptedException {
        if (workers < 1) {
            throw new IllegalArgumentException("workers must be >= 1, got " + workers);
        }
        Objects.requireNonNull(kernels, "kernels");
        Listener l = listener == null ? SILENT : listener;
        AtomicBoolean abort = new AtomicBoolean();
        AtomicInteger threadNumber = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(workers, tasks()), r -> {
            Thread t = new Thread(r, "uci-worker-" + threadNumber.incrementAndGet());
            t.setDaemon(true); // a failed run must not keep the JVM alive
            return t;
        });
        ExecutorCompletionService<SplitResult> done = new ExecutorCompletionService<>(pool);
        try {
            for (int i = 0; i < splits.length; i++) {
                for (float alpha : alphas) {
                    int index = i;
                    done.submit(() -> {
                        Kernels k;
                        try {
                            k = kernels.get();
                        } catch (RuntimeException e) {
                            throw new IllegalStateException(set + " split " + splits[index] + ", alpha " + alpha
                                    + ": no backend: " + e.getMessage(), e);
                        }
                        SplitResult r = runOne(set, splits[index], raw[index], alpha, settings, k, l, abort::get);
                        l.finished(r);
                        return r;
                    });
                }
            }
            List<SplitResult> results = new ArrayList<>();
            RuntimeException failure = null;
            for (int t = 0; t < tasks(); t++) {
                try {
                    results.add(done.take().get());
                } catch (ExecutionException e) {
                    abort.set(true);
                    Throwable cause = e.getCause();
                    if (failure == null && !(cause instanceof CancellationException)) {
                        // runOne already names the split and alpha; anything else (an Error) gets the set.
                        failure = cause instanceof RuntimeException re ? re
                                : new IllegalStateException(set + ": " + cause, cause);
                    }
                }
            }
            if (failure != null) {
                throw failure;
            }
            results.sort(Comparator.comparingDouble(SplitResult::alpha).thenComparingInt(SplitResult::split));
            return results;
        } catch (InterruptedException e) {
            abort.set(true);
            throw e;
        } finally {
            pool.shutdownNow();
        }
    }

    /**
     * One (split, α) run on the calling thread: choose the dropout rate on a validation part if the
     * settings give several, then train on the whole training split and score the test split.
     *
     * @param raw       the split in original units (normalisation is fitted here, on the rows trained on)
     * @param cancelled polled every minibatch; when true the run stops with a {@link CancellationException}
     * @throws IllegalStateException if training diverges (or anything else fails), naming the split and α
     */
    public static SplitResult runOne(String set, int split, TrainTest raw, float alpha, UciSettings s, Kernels kernels,
                                     Listener listener, BooleanSupplier cancelled) {
        long start = System.nanoTime();
        Seeds seeds = new Seeds(s.seed(), split);
        List<UciSettings.Candidate> candidates = s.candidates();
        double[] validationNll = new double[0];
        UciSettings.Candidate chosen = candidates.get(0);
        try {
            if (s.selectsDropout()) {
                // The candidates are scored on rows the final model will train on but the candidate did
                // not; the normalisation is fitted on the candidate's own training rows, as at test time.
                TrainTest inner = TrainTest.holdOut(raw.train(), s.validateFraction(), seeds.holdOut()).normalized();
                validationNll = new double[candidates.size()];
                double best = Double.POSITIVE_INFINITY;
                for (int c = 0; c < candidates.size(); c++) {
                    UciSettings.Candidate candidate = candidates.get(c);
                    String label = "validate p=" + candidate.dropout()
                            + (Double.isNaN(candidate.dropoutRegulariser()) ? "" : " C=" + candidate.dropoutRegulariser());
                    try {
                        validationNll[c] = fitAndScore(inner, candidate, validationSamples(s), s, kernels, seeds,
                                new Phase(split, alpha, label, listener, cancelled)).nll();
                    } catch (TrainingDivergedException e) {
                        validationNll[c] = Double.POSITIVE_INFINITY; // a rate that diverges is simply not chosen
                    }
                    // Strictly better only: ties keep the earlier (listed first) rate, independent of timing.
                    if (validationNll[c] < best) {
                        best = validationNll[c];
                        chosen = candidate;
                    }
                }
                if (best == Double.POSITIVE_INFINITY) {
                    throw new IllegalStateException("training diverged for every candidate " + candidates
                            + " on the validation part");
                }
            }
            Scored test = fitAndScore(raw.normalized(), chosen, s.testSamples(), s, kernels, seeds,
                    new Phase(split, alpha, "", listener, cancelled));
            return new SplitResult(set, split, alpha, chosen.dropout(), validationNll, raw.train().size(), raw.test().size(),
                    test.rmse(), test.nll(), test.noiseStd(), test.finalLoss(), test.trainSeconds(),
                    (System.nanoTime() - start) / 1e9, test.learnedDropout(), chosen.dropoutRegulariser());
        } catch (CancellationException e) {
            throw e;
        } catch (RuntimeException e) {
            throw new IllegalStateException(set + " split " + split + ", alpha " + alpha + ": " + e.getMessage(), e);
        }
    }

    /** Test (or validation) metrics of one trained model, in original units. */
    private record Scored(double rmse, double nll, double noiseStd, double finalLoss, double trainSeconds,
                          float[] learnedDropout) {
    }

    /** Where a fit belongs, for progress and cancellation; {@code label} is empty for the final model. */
    private record Phase(int split, float alpha, String label, Listener listener, BooleanSupplier cancelled) {
        void enter(String what) {
            listener.phase(split, alpha, label.isEmpty() ? what : label + " " + what);
        }
    }

    private static Scored fitAndScore(TrainTest sets, UciSettings.Candidate candidate, int samples, UciSettings s,
                                      Kernels kernels, Seeds seeds, Phase phase) {
        float dropout = candidate.dropout();
        Listener listener = phase.listener();
        BooleanSupplier cancelled = phase.cancelled();
        float alpha = phase.alpha();
        Dataset train = sets.train();
        Dataset test = sets.test();
        int n = train.size();
        Mlp model = Mlp.builder(train.featureDim()).hidden(s.hidden()).output(1).activation(Activation.RELU)
                .dropout(dropout).noise(s.noise()).likelihood(Likelihood.gaussian()).seed(seeds.init()).build();
        int k = s.trainSamples();
        int batch = Math.min(s.batchSize(), n);
        phase.enter("train");
        Trainer.Builder builder = Trainer.builder(kernels);
        if (!Double.isNaN(candidate.dropoutRegulariser())) {
            builder.dropoutRegulariser(candidate.dropoutRegulariser() / n);
        }
        TrainingResult trained = builder
                .objective(new AlphaDivergence(alpha, k))
                .batchSize(s.batchSize()).epochs(s.epochs()).seed(seeds.train())
                .weightDecay(s.weightDecayFor(dropout, n))
                .optimizer(() -> Optimizer.adam(s.learningRate()))
                .listener(new TrainingListener() {
                    @Override
                    public void onStep(int epoch, int step, int stepsPerEpoch, double loss) {
                        if (cancelled.getAsBoolean()) {
                            throw new CancellationException("another task failed");
                        }
                        int rows = Math.min(batch, n - step * batch);
                        listener.progress((long) TRAIN_ROW_COST * k * rows);
                    }
                })
                .build()
                .fit(model, train.features(), train.targets());
        phase.enter("predict");
        RegressionPredictions p = new McPredictive(model, kernels, samples, seeds.predict(), false)
                .predictRegression(test.features(), test.targets());
        listener.progress((long) test.size() * samples);
        Normalization norm = test.normalization().orElseThrow(); // fitted on `train`, see TrainTest.normalized
        double rmse = norm.scaleRmse(p.rmse(test.targets()));
        double nll = -norm.scaleLogLikelihood(p.logLikelihood());
        double noiseStd = norm.scaleStd(Math.exp(-0.5 * model.logTau()), 0);
        float[] learned = new float[model.dropLogits().length];
        for (int l = 0; l < learned.length; l++) {
            learned[l] = model.dropout(l);
        }
        return new Scored(rmse, nll, noiseStd, trained.finalLoss(), trained.seconds(), learned);
    }

    /**
     * The seeds of one split, each a different hash of (base seed, split, purpose), so that the streams
     * are unrelated even for neighbouring split indices or base seeds.
     */
    record Seeds(long base, int split) {
        long init() {
            return mix(1);
        }

        long train() {
            return mix(2);
        }

        long predict() {
            return mix(3);
        }

        long holdOut() {
            return mix(4);
        }

        private long mix(int purpose) {
            return fmix64(fmix64(base ^ 0x5DEECE66DL) + 0x9E3779B97F4A7C15L * (split + 1L) + purpose);
        }

        /** MurmurHash3's 64-bit finaliser: every input bit flips each output bit with probability ~1/2. */
        private static long fmix64(long h) {
            h ^= h >>> 33;
            h *= 0xFF51AFD7ED558CCDL;
            h ^= h >>> 33;
            h *= 0xC4CEB9FE1A85EC53L;
            h ^= h >>> 33;
            return h;
        }
    }
}

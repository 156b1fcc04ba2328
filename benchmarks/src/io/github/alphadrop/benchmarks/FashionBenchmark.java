package io.github.alphadrop.benchmarks;

import io.github.alphadrop.data.Dataset;
import io.github.alphadrop.data.IdxLoader;
import io.github.alphadrop.kernels.Backend;
import io.github.alphadrop.kernels.CpuModel;
import io.github.alphadrop.kernels.Isa;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.kernels.NativeKernels;
import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.network.Network;
import io.github.alphadrop.predict.ClassPredictions;
import io.github.alphadrop.predict.McPredictive;
import io.github.alphadrop.train.AlphaDivergence;
import io.github.alphadrop.train.Optimizer;
import io.github.alphadrop.train.Trainer;
import io.github.alphadrop.train.TrainingListener;
import io.github.alphadrop.train.TrainingResult;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Whole-model timings of issue #6 on Fashion-MNIST, through the public API as a user would call it
 * ({@link Mlp}, {@link Trainer}, {@link McPredictive}): MLP 784-100-100-10, ReLU, p = 0.5, K = 10, α = 0.5,
 * batch 128, Adam 1e-3, no weight decay (the PyTorch and DJL peers use none either).
 *
 * <pre>
 *   java -cp benchmarks/target/benchmarks.jar io.github.alphadrop.benchmarks.FashionBenchmark MODE [options]
 *
 *   step    --backend native|java --threads N --steps S [--warmup-steps W]   time S training steps
 *   epoch   --threads N [--epochs E] [--limit ROWS] [--warmup-steps W]      time one (or E) epochs, native
 *   predict --threads N [--test-samples T] [--limit ROWS] [--warmup-rows R] time MC prediction, native
 *   machine [--seconds S]                                                   CPU, ISAs, FMA peak per ISA
 *   sparse  --threads N [--reps R]        first layer (784 -> 100, K = 10, p = 0.5) forward + dW on real
 *                                         images, dense path vs sparse path of the same build
 *   cnn-epoch --threads N [--limit ROWS] [--repeat-input true|false]
 *                                         one epoch of the paper's CNN (conv 32, conv 32, pool, dense 100,
 *                                         dense 10; p = 0.5, K = 10, alpha 0.5); --repeat-input true feeds each
 *                                         image K times with K = 1 instead, as a direct implementation does, so the
 *                                         convolutions run K times (what sharing them saves)
 *
 *   common: --data DIR|idx:DIR (default /usr/share/datasets/fashion-mnist)  --seed S
 *   --limit ROWS uses only the first rows of the training or test set (smoke runs).
 * </pre>
 *
 * Prints one JSON line on stdout (for {@code benchmarks/perf-table}); notes go to stderr. Each measurement is
 * meant to run in its own JVM, so that its peak resident memory and JIT state are its own. Bad options exit
 * with status 2 and one line naming the option and value.
 *
 * <p>Why these choices:
 * <ul>
 *   <li>step: timed with a {@link TrainingListener} between consecutive steps of one {@link Trainer#fit}, so a
 *       "step" is everything the trainer does per minibatch (copy, forward, loss, backward, Adam), and the first
 *       step (buffer allocation) is not counted. The median is reported because the machine is shared.</li>
 *   <li>epoch: a warmup of a few steps on a throwaway model first (JIT, thread pool, page faults), as the
 *       PyTorch peer does; then a fresh model. The weights' SHA-256 and the losses are printed so that runs
 *       with different thread counts can be checked for bit-identical results.</li>
 *   <li>predict: untrained weights (Glorot init, seed 0); a forward pass costs the same whatever the values.</li>
 * </ul>
 */
public final class FashionBenchmark {

    static final String DEFAULT_DATA = "/usr/share/datasets/fashion-mnist";
    static final int[] HIDDEN = {100, 100};
    static final float DROPOUT = 0.5f;
    static final float ALPHA = 0.5f;
    static final int SAMPLES = 10;
    static final int BATCH = 128;
    static final double LEARNING_RATE = 1e-3;

    private FashionBenchmark() {
    }

    public static void main(String[] args) {
        try {
            System.out.println(run(args));
        } catch (UsageException e) {
            System.err.println("FashionBenchmark: " + e.getMessage());
            System.exit(2);
        } catch (IOException e) {
            System.err.println("FashionBenchmark: cannot read the data (--data): " + e.getMessage());
            System.exit(1);
        } catch (IllegalStateException e) {
            System.err.println("FashionBenchmark: " + e.getMessage());
            System.exit(1);
        }
    }

    /** Parses {@code args} and runs one measurement; returns its JSON line. */
    static JsonLine run(String[] args) throws IOException {
        if (args.length == 0 || args[0].startsWith("-")) {
            throw new UsageException("the first argument must be the mode: step, epoch, predict or machine"
                    + (args.length == 0 ? "" : ", got '" + args[0] + "'"));
        }
        String mode = args[0];
        Options o = new Options(Arrays.copyOfRange(args, 1, args.length));
        JsonLine out = new JsonLine().put("peer", "alphadrop").put("mode", mode);
        switch (mode) {
            case "step" -> step(o, out);
            case "epoch" -> epoch(o, out);
            case "predict" -> predict(o, out);
            case "machine" -> machine(o, out);
            case "sparse" -> sparse(o, out);
            case "cnn-epoch" -> cnnEpoch(o, out);
            default -> throw new UsageException("mode must be step, epoch, predict or machine, got '" + mode + "'");
        }
        return out;
    }

    /**
     * The machine every figure of a run belongs to: CPU model, the ISA levels it supports, the one the native
     * backend uses by default, and the single-thread FMA peak of each supported level (the denominator of
     * the kernels' fraction of peak).
     */
    private static void machine(Options o, JsonLine out) {
        double seconds = o.positiveDouble("--seconds", 1.0);
        o.requireAllUsed();
        if (!NativeKernels.isAvailable()) {
            throw new IllegalStateException("native backend unavailable: " + NativeKernels.loadFailure());
        }
        out.put("cpu", CpuModel.describe()).put("cores", Runtime.getRuntime().availableProcessors())
                .put("best_isa", NativeKernels.bestIsa().label()).put("default_isa", NativeKernels.defaultIsa().label())
                .put("isa_report", NativeKernels.isaReport());
        for (Isa isa : Isa.values()) {
            if (isa.compareTo(NativeKernels.bestIsa()) > 0) {
                continue;
            }
            try (NativeKernels k = new NativeKernels(1, isa)) {
                out.put("fma_peak_gflops_" + isa.label(), k.fmaPeakGflops(seconds))
                        .put("gemm_ukernel_" + isa.label(), k.gemmUkernel());
            }
        }
    }

    /**
     * The first layer of the Fashion-MNIST MLP as training runs it (B = 128 images shared by K = 10 samples,
     * p = 0.5, ReLU, dW but no dA), on the dense path and on the sparse path of the same build: the median of
     * {@code --reps} forward + backward pairs each, interleaved, after a warmup.
     */
    private static void sparse(Options o, JsonLine out) throws IOException {
        int threads = o.positive("--threads", 1);
        int reps = o.positive("--reps", 30);
        Path dir = dataDir(o);
        o.requireAllUsed();
        Dataset train = loadTrain(dir, out, BATCH);
        float[] a = Arrays.copyOf(train.features(), BATCH * 784);
        int h = HIDDEN[0];
        float[] w = new float[784 * h], bias = new float[h], z = new float[BATCH * SAMPLES * h];
        float[] dz = new float[z.length], dw = new float[w.length], db = new float[h];
        java.util.SplittableRandom random = new java.util.SplittableRandom(1);
        for (int i = 0; i < w.length; i++) w[i] = (float) (random.nextDouble() - 0.5) * 0.1f;
        for (int i = 0; i < dz.length; i++) dz[i] = (float) (random.nextDouble() - 0.5);
        long nonzero = 0;
        for (float v : a) nonzero += v != 0 ? 1 : 0;
        out.put("input_nonzero_fraction", nonzero / (double) a.length);
        NativeKernels.SparseMode[] modes = {NativeKernels.SparseMode.NEVER, NativeKernels.SparseMode.ALWAYS};
        double[][] times = new double[2][reps], forward = new double[2][reps];
        try (NativeKernels kernels = (NativeKernels) kernels("native", threads, out)) {
            io.github.alphadrop.kernels.Dropout drop = new io.github.alphadrop.kernels.Dropout(3, 0, 0, DROPOUT);
            for (int rep = -5; rep < reps; rep++) {
                for (int m = 0; m < 2; m++) {
                    kernels.setSparseMode(modes[m]);
                    long t0 = System.nanoTime();
                    kernels.dropoutMatmulForward(drop, BATCH, SAMPLES, true, 784, h, a, w, bias,
                            io.github.alphadrop.kernels.Activation.RELU, z);
                    float[] g = dz.clone();
                    long t1 = System.nanoTime();
                    kernels.dropoutMatmulBackward(drop, BATCH, SAMPLES, true, 784, h, a, w, z,
                            io.github.alphadrop.kernels.Activation.RELU, g, dw, db, null);
                    long t2 = System.nanoTime();
                    if (rep >= 0) {
                        times[m][rep] = ((t1 - t0) + (t2 - t1)) / 1e9;
                        forward[m][rep] = (t1 - t0) / 1e9;
                    }
                }
            }
            out.put("path_counts", kernels.pathCounts().toString());
        }
        for (int m = 0; m < 2; m++) {
            Arrays.sort(times[m]);
            Arrays.sort(forward[m]);
        }
        out.put("dense_forward_seconds", forward[0][reps / 2]).put("sparse_forward_seconds", forward[1][reps / 2]);
        out.put("dense_seconds", times[0][reps / 2]).put("sparse_seconds", times[1][reps / 2])
                .put("dense_over_sparse", times[0][reps / 2] / times[1][reps / 2]);
    }

    private static void step(Options o, JsonLine out) throws IOException {
        String backend = o.string("--backend", "native");
        if (!backend.equals("native") && !backend.equals("java")) {
            throw new UsageException("--backend must be native or java, got '" + backend + "'");
        }
        int threads = o.positive("--threads", 1);
        int steps = o.positive("--steps", 20);
        int warmup = o.nonNegative("--warmup-steps", 3);
        long seed = o.integer("--seed", 0);
        Path dir = dataDir(o);
        o.requireAllUsed(); // no --limit here: the step counts decide how many rows are read
        Kernels kernels = kernels(backend, threads, out);
        Dataset train = loadTrain(dir, out, (long) (Math.max(warmup, steps + 1)) * BATCH);

        if (warmup > 0) {
            fit(kernels, model(seed), rows(train, warmup * BATCH), 1, seed, null);
        }
        // steps + 1 steps: the first only sets up (buffers, Adam's moments) and is not timed.
        long[] ends = new long[steps + 1];
        int[] next = {0};
        TrainingListener clock = new TrainingListener() {
            @Override
            public void onStep(int epoch, int s, int stepsPerEpoch, double loss) {
                ends[next[0]++] = System.nanoTime();
            }
        };
        fit(kernels, model(seed), rows(train, (steps + 1) * BATCH), 1, seed, clock);
        double[] seconds = new double[steps];
        for (int i = 0; i < steps; i++) {
            seconds[i] = (ends[i + 1] - ends[i]) / 1e9;
        }
        double[] sorted = seconds.clone();
        Arrays.sort(sorted);
        out.put("steps", steps).put("warmup_steps", warmup)
                .put("step_seconds_median", median(sorted))
                .put("step_seconds_min", sorted[0])
                .put("step_seconds_mean", mean(seconds))
                .put("step_seconds", seconds);
    }

    private static void epoch(Options o, JsonLine out) throws IOException {
        int threads = o.positive("--threads", Backend.defaultThreads());
        int epochs = o.positive("--epochs", 1);
        int warmup = o.nonNegative("--warmup-steps", 5);
        long seed = o.integer("--seed", 0);
        Path dir = dataDir(o);
        long limit = o.limit();
        o.requireAllUsed();
        Kernels kernels = kernels("native", threads, out);
        Dataset train = loadTrain(dir, out, limit);

        if (warmup > 0) {
            fit(kernels, model(seed), rows(train, Math.min(train.size(), warmup * BATCH)), 1, seed, null);
        }
        out.put("warmup_steps", warmup);
        Mlp model = model(seed);
        boolean scoped = PeakMemory.reset();
        double before = PeakMemory.currentMib();
        double[] epochSeconds = new double[epochs];
        TrainingListener clock = new TrainingListener() {
            @Override
            public void onEpoch(int epoch, int total, double meanLoss, double seconds) {
                epochSeconds[epoch] = seconds;
            }
        };
        TrainingResult result = fit(kernels, model, train, epochs, seed, clock);
        double peak = PeakMemory.peakMib();
        out.put("rows", train.size())
                .put("steps_per_epoch", (train.size() + BATCH - 1) / BATCH)
                .put("epochs", epochs)
                .put("seconds_per_epoch", epochSeconds)
                .put("epoch_seconds", mean(epochSeconds))
                .put("mean_loss", result.epochLosses())
                .put("weights_sha256", weightsHash(model));
        memory(out, scoped, before, peak);
    }

    private static Network cnn(long seed) {
        Network net = Network.cnn(28, 28, 1, 10, new int[]{32, 32}, new int[]{100}, DROPOUT, Activation.RELU);
        net.initialize(seed);
        return net;
    }

    private static void cnnEpoch(Options o, JsonLine out) throws IOException {
        int threads = o.positive("--threads", Backend.defaultThreads());
        int warmup = o.nonNegative("--warmup-steps", 3);
        long seed = o.integer("--seed", 0);
        String repeatText = o.string("--repeat-input", "false");
        if (!repeatText.equals("true") && !repeatText.equals("false")) {
            throw new UsageException("--repeat-input must be true or false, got '" + repeatText + "'");
        }
        boolean repeat = repeatText.equals("true");
        Path dir = dataDir(o);
        long limit = o.limit();
        o.requireAllUsed();
        Kernels kernels = kernels("native", threads, out);
        Dataset train = loadTrain(dir, out, limit);
        if (repeat) {
            int[] rows = new int[train.size() * SAMPLES];
            for (int i = 0; i < rows.length; i++) {
                rows[i] = i / SAMPLES;
            }
            train = train.subset(rows);
        }
        int samples = repeat ? 1 : SAMPLES;
        int batch = repeat ? BATCH * SAMPLES : BATCH;
        if (warmup > 0) {
            fitCnn(kernels, cnn(seed), rows(train, Math.min(train.size(), warmup * batch)), samples, batch, seed, null);
        }
        double[] seconds = new double[1];
        TrainingListener clock = new TrainingListener() {
            @Override
            public void onEpoch(int epoch, int total, double meanLoss, double s) {
                seconds[0] = s;
            }
        };
        boolean scoped = PeakMemory.reset();
        double before = PeakMemory.currentMib();
        TrainingResult result = fitCnn(kernels, cnn(seed), train, samples, batch, seed, clock);
        double peak = PeakMemory.peakMib();
        int images = repeat ? train.size() / SAMPLES : train.size();
        out.put("model", "cnn").put("repeat_input", repeat).put("rows", images).put("samples", SAMPLES)
                .put("steps", (train.size() + batch - 1) / batch)
                .put("epoch_seconds", seconds[0])
                .put("epoch_seconds_full", seconds[0] * 60000.0 / images)
                .put("mean_loss", result.epochLosses());
        memory(out, scoped, before, peak);
    }

    private static TrainingResult fitCnn(Kernels kernels, Network net, Dataset data, int samples, int batch, long seed,
                                         TrainingListener listener) {
        Trainer.Builder b = Trainer.builder(kernels).objective(new AlphaDivergence(ALPHA, samples)).batchSize(batch)
                .epochs(1).seed(seed).optimizer(() -> Optimizer.adam(LEARNING_RATE));
        if (listener != null) {
            b.listener(listener);
        }
        return b.build().fit(net, data.features(), data.labels());
    }

    private static void predict(Options o, JsonLine out) throws IOException {
        int threads = o.positive("--threads", Backend.defaultThreads());
        int t = o.positive("--test-samples", 100);
        long seed = o.integer("--seed", 0);
        int warmupRows = o.nonNegative("--warmup-rows", 400);
        Path dir = dataDir(o);
        long limit = o.limit();
        o.requireAllUsed();
        Kernels kernels = kernels("native", threads, out);
        long start = System.nanoTime();
        Dataset test = limit(IdxLoader.load(dir, "t10k"), limit);
        out.put("load_seconds", (System.nanoTime() - start) / 1e9);

        Mlp model = model(seed);
        McPredictive mc = new McPredictive(model, kernels, t, seed, false);
        if (warmupRows > 0) {
            mc.predictClasses(rows(test, Math.min(test.size(), warmupRows)).features());
        }
        boolean scoped = PeakMemory.reset();
        double before = PeakMemory.currentMib();
        start = System.nanoTime();
        ClassPredictions p = mc.predictClasses(test.features());
        double seconds = (System.nanoTime() - start) / 1e9;
        double peak = PeakMemory.peakMib();
        out.put("rows", test.size()).put("test_samples", t).put("predict_seconds", seconds)
                .put("mean_entropy", p.meanEntropy());
        memory(out, scoped, before, peak);
    }

    private static Kernels kernels(String backend, int threads, JsonLine out) {
        if (backend.equals("native") && !NativeKernels.isAvailable()) {
            // No silent fallback to Java: the table would then compare Java with Java.
            throw new IllegalStateException("native backend unavailable: " + NativeKernels.loadFailure()
                    + "; build the library with its C++ kernels (root: mvn install -DskipTests)");
        }
        Kernels kernels = Backend.create(backend, threads);
        out.put("backend", kernels.name());
        if (backend.equals("native")) {
            // Read back (threads above the core count are capped) so a row labelled 2 threads really used two.
            NativeKernels nk = (NativeKernels) kernels;
            if (nk.threads() != threads) {
                throw new IllegalStateException("asked the native backend for " + threads + " threads, it has "
                        + nk.threads());
            }
            out.put("threads", threads).put("isa", nk.isa().label()).put("gemm_ukernel", nk.gemmUkernel());
        } else {
            out.put("threads", 1); // the reference backend is single-threaded
        }
        out.put("java", System.getProperty("java.version"))
                .put("max_heap_mib", Runtime.getRuntime().maxMemory() / (1024.0 * 1024.0));
        return kernels;
    }

    static Mlp model(long seed) {
        return Mlp.builder(784).hidden(HIDDEN).output(10).dropout(DROPOUT).seed(seed).build();
    }

    private static TrainingResult fit(Kernels kernels, Mlp model, Dataset data, int epochs, long seed,
                                      TrainingListener listener) {
        Trainer.Builder b = Trainer.builder(kernels)
                .objective(new AlphaDivergence(ALPHA, SAMPLES))
                .batchSize(BATCH)
                .epochs(epochs)
                .seed(seed)
                .optimizer(() -> Optimizer.adam(LEARNING_RATE));
        if (listener != null) {
            b.listener(listener);
        }
        return b.build().fit(model, data.features(), data.labels());
    }

    private static Dataset loadTrain(Path dir, JsonLine out, long rows) throws IOException {
        long start = System.nanoTime();
        Dataset train = limit(IdxLoader.load(dir, "train"), rows);
        out.put("load_seconds", (System.nanoTime() - start) / 1e9);
        return train;
    }

    private static Path dataDir(Options o) {
        String spec = o.string("--data", DEFAULT_DATA);
        // Accept the command line's data spec form too, so the same string works for both.
        return Path.of(spec.startsWith("idx:") ? spec.substring(4) : spec);
    }

    /** The first {@code rows} rows of {@code data}; all of it when {@code rows} is 0. */
    private static Dataset limit(Dataset data, long rows) {
        if (rows <= 0 || rows == data.size()) {
            return data;
        }
        if (rows > data.size()) {
            throw new UsageException("needs " + rows + " rows but " + data.name() + " has " + data.size()
                    + " (lower --limit or --steps)");
        }
        return rows(data, (int) rows);
    }

    private static Dataset rows(Dataset data, int rows) {
        if (rows == data.size()) {
            return data;
        }
        int d = data.featureDim();
        return Dataset.classification(data.name(), Arrays.copyOf(data.features(), rows * d), d,
                Arrays.copyOf(data.labels(), rows), data.classes());
    }

    /** Peak RSS of the timed section, and the RSS it started from (data, JVM heap and code already resident). */
    private static void memory(JsonLine out, boolean scoped, double before, double peak) {
        out.put("rss_before_mib", before)
                .put("peak_rss_mib", peak)
                .put("peak_rss_scope", scoped ? "timed section" : "process");
    }

    private static double mean(double[] values) {
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    private static double median(double[] sorted) {
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : 0.5 * (sorted[n / 2 - 1] + sorted[n / 2]);
    }

    /** SHA-256 of every weight and bias, as raw float bits: equal only if the trained models are bit-identical. */
    static String weightsHash(Mlp model) {
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (int l = 0; l < model.layers(); l++) {
                for (float[] a : new float[][] {model.weights(l), model.biases(l)}) {
                    ByteBuffer buf = ByteBuffer.allocate(4 * a.length).order(ByteOrder.LITTLE_ENDIAN);
                    buf.asFloatBuffer().put(a);
                    sha.update(buf);
                }
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    /** A bad command line: reported as one line, exit status 2. */
    static final class UsageException extends RuntimeException {
        private static final long serialVersionUID = 1L;

        UsageException(String message) {
            super(message);
        }
    }

    /** {@code --name value} pairs; every option must be used by the mode, so a typo is an error, not a default. */
    private static final class Options {
        private final Map<String, String> values = new LinkedHashMap<>();

        Options(String[] args) {
            for (int i = 0; i < args.length; i++) {
                String name = args[i];
                if (!name.startsWith("--")) {
                    throw new UsageException("expected an option such as --threads, got '" + name + "'");
                }
                if (i + 1 >= args.length) {
                    throw new UsageException(name + " needs a value");
                }
                if (values.put(name, args[++i]) != null) {
                    throw new UsageException(name + " is given twice");
                }
            }
        }

        String string(String name, String fallback) {
            String v = values.remove(name);
            return v == null ? fallback : v;
        }

        long integer(String name, long fallback) {
            String v = values.remove(name);
            if (v == null) {
                return fallback;
            }
            try {
                return Long.parseLong(v.trim());
            } catch (NumberFormatException e) {
                throw new UsageException(name + " must be an integer, got '" + v + "'");
            }
        }

        int positive(String name, int fallback) {
            long v = integer(name, fallback);
            if (v < 1 || v > Integer.MAX_VALUE) {
                throw new UsageException(name + " must be a positive integer, got " + v);
            }
            return (int) v;
        }

        double positiveDouble(String name, double fallback) {
            String v = values.remove(name);
            if (v == null) {
                return fallback;
            }
            try {
                double d = Double.parseDouble(v.trim());
                if (d > 0 && d <= 60) {
                    return d;
                }
            } catch (NumberFormatException e) {
                // reported below
            }
            throw new UsageException(name + " must be a number in (0, 60], got '" + v + "'");
        }

        int nonNegative(String name, int fallback) {
            long v = integer(name, fallback);
            if (v < 0 || v > Integer.MAX_VALUE) {
                throw new UsageException(name + " must be >= 0, got " + v);
            }
            return (int) v;
        }

        /** --limit ROWS, or 0 for all rows. */
        long limit() {
            return values.containsKey("--limit") ? positive("--limit", 1) : 0;
        }

        /** Call once a mode has read its options and before it starts work, so a typo fails at once. */
        void requireAllUsed() {
            if (!values.isEmpty()) {
                throw new UsageException("unknown option(s) for this mode: " + String.join(", ", values.keySet()));
            }
        }
    }
}

package io.github.alphadrop.benchmarks.djl;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.dataset.ArrayDataset;
import ai.djl.training.dataset.Batch;
import ai.djl.training.loss.Loss;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import ai.djl.translate.TranslateException;
import io.github.alphadrop.data.Dataset;
import io.github.alphadrop.data.IdxLoader;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;

/**
 * The DJL peer of issue #6 (built only with {@code -Pdjl}): the Fashion-MNIST model of
 * {@code FashionBenchmark} written in ordinary DJL 0.36 on its PyTorch engine, trained for one epoch.
 *
 * <pre>
 *   java -Dai.djl.offline=true -cp benchmarks/target/benchmarks.jar \
 *        io.github.alphadrop.benchmarks.djl.DjlFashionEpoch --threads N [--limit ROWS] [--data DIR]
 * </pre>
 *
 * MLP 784-100-100-10, ReLU, {@link Dropout} p = 0.5 before every {@link Linear} (inputs included), K = 10
 * samples by tiling the minibatch K times, the alpha-divergence objective ({@link AlphaObjective}), Adam 1e-3,
 * batch 128, shuffled with DJL's own {@link ArrayDataset} sampler. The data is read with AlphaDrop's
 * {@link IdxLoader} (outside the timed section), since DJL's Fashion-MNIST dataset downloads. A short warmup on
 * a throwaway model comes first, as for the other peers. Prints one JSON line: seconds per epoch, the mean batch
 * loss, and the peak resident memory of the epoch (the kernel's high-water mark is reset just before it via
 * {@code /proc/self/clear_refs}, as the other harnesses do).
 */
public final class DjlFashionEpoch {

    private static final int SAMPLES = 10;
    private static final int BATCH = 128;
    private static final float ALPHA = 0.5f;
    private static final float DROPOUT = 0.5f;

    private DjlFashionEpoch() {
    }

    public static void main(String[] args) throws IOException, TranslateException {
        int threads = 0;
        int limit = 0;
        int warmupSteps = 5;
        String dataDir = "/usr/share/datasets/fashion-mnist";
        for (int i = 0; i < args.length; i += 2) {
            if (i + 1 >= args.length) {
                fail(args[i] + " needs a value");
            }
            String value = args[i + 1];
            switch (args[i]) {
                case "--threads" -> threads = count("--threads", value, 1);
                case "--limit" -> limit = count("--limit", value, 1);
                case "--warmup-steps" -> warmupSteps = count("--warmup-steps", value, 0);
                case "--data" -> dataDir = value.startsWith("idx:") ? value.substring(4) : value;
                default -> fail("unknown option '" + args[i] + "' (expected --threads, --limit, --warmup-steps, --data)");
            }
        }
        // Before the engine loads: PyTorch reads its thread counts once, at start-up. One inter-op thread,
        // because this model never runs independent operators concurrently.
        if (threads > 0) {
            System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
            System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
        }
        // The native jars are on the class path; a download at run time would be a set-up mistake, not a peer.
        if (System.getProperty("ai.djl.offline") == null) {
            System.setProperty("ai.djl.offline", "true");
        }

        Engine engine = Engine.getEngine("PyTorch");
        engine.setRandomSeed(0);
        try (NDManager manager = NDManager.newBaseManager()) {
            long start = System.nanoTime();
            NDList data = load(manager, Path.of(dataDir), limit);
            // The float[] copies that load() read the files into are garbage now; a DJL user would not keep
            // them, so give the JVM the chance to drop them before the resident memory is measured.
            System.gc();
            double loadSeconds = (System.nanoTime() - start) / 1e9;
            long n = data.get(0).getShape().get(0);
            int d = (int) data.get(0).getShape().get(1);
            ArrayDataset dataset = new ArrayDataset.Builder().setData(data.get(0)).optLabels(data.get(1))
                    .setSampling(BATCH, true).build();

            if (warmupSteps > 0) {
                try (Model model = newModel(); Trainer trainer = newTrainer(model, d)) {
                    int steps = 0;
                    for (Batch batch : trainer.iterateDataset(dataset)) {
                        step(trainer, batch);
                        if (++steps >= warmupSteps) {
                            break;
                        }
                    }
                }
            }

            try (Model model = newModel(); Trainer trainer = newTrainer(model, d)) {
                boolean scoped = resetPeak();
                double before = statusMib("VmRSS:");
                start = System.nanoTime();
                double lossSum = 0;
                int steps = 0;
                for (Batch batch : trainer.iterateDataset(dataset)) {
                    lossSum += step(trainer, batch);
                    steps++;
                }
                double seconds = (System.nanoTime() - start) / 1e9;
                double peak = statusMib("VmHWM:");
                System.out.println(String.format(Locale.ROOT,
                        "{\"peer\": \"djl\", \"mode\": \"train\", \"djl\": \"%s\", \"engine\": \"%s %s\", "
                                + "\"threads\": %s, \"load_seconds\": %s, \"rows\": %d, \"steps_per_epoch\": %d, "
                                + "\"warmup_steps\": %d, \"epochs\": 1, \"epoch_seconds\": %s, \"mean_loss\": [%s], "
                                + "\"rss_before_mib\": %s, \"peak_rss_mib\": %s, \"peak_rss_scope\": \"%s\"}",
                        Engine.getDjlVersion(), engine.getEngineName(), engine.getVersion(),
                        threads > 0 ? Integer.toString(threads) : "null", loadSeconds, n, steps, warmupSteps,
                        seconds, lossSum / steps, json(before), json(peak),
                        scoped ? "timed section" : "process"));
            }
        }
    }

    /** The training images (n × 784, pixels / 255) and int64 labels as NDArrays; the first {@code limit} if > 0. */
    private static NDList load(NDManager manager, Path dir, int limit) throws IOException {
        Dataset train = IdxLoader.load(dir, "train");
        int n = limit > 0 ? Math.min(limit, train.size()) : train.size();
        int d = train.featureDim();
        float[] x = n == train.size() ? train.features() : Arrays.copyOf(train.features(), n * d);
        long[] y = new long[n];
        for (int i = 0; i < n; i++) {
            y[i] = train.labels()[i];
        }
        return new NDList(manager.create(x, new Shape(n, d)), manager.create(y));
    }

    private static Model newModel() {
        SequentialBlock net = new SequentialBlock();
        int[] widths = {100, 100, 10};
        for (int l = 0; l < widths.length; l++) {
            net.add(Dropout.builder().optRate(DROPOUT).build());
            net.add(Linear.builder().setUnits(widths[l]).build());
            if (l < widths.length - 1) {
                net.add(Activation.reluBlock());
            }
        }
        Model model = Model.newInstance("fashion-mlp", "PyTorch");
        model.setBlock(net);
        return model;
    }

    private static Trainer newTrainer(Model model, int inputs) {
        DefaultTrainingConfig config = new DefaultTrainingConfig(new AlphaObjective(ALPHA, SAMPLES))
                .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(1e-3f)).build());
        Trainer trainer = model.newTrainer(config);
        trainer.initialize(new Shape((long) BATCH * SAMPLES, inputs));
        return trainer;
    }

    /** One minibatch: the inputs tiled K times (sample-major), forward with dropout, loss, backward, Adam. */
    private static double step(Trainer trainer, Batch batch) {
        try (batch) {
            NDArray xb = batch.getData().singletonOrThrow();
            double loss;
            try (GradientCollector gc = trainer.newGradientCollector()) {
                NDList out = trainer.forward(new NDList(xb.tile(new long[] {SAMPLES, 1})));
                NDArray l = trainer.getLoss().evaluate(batch.getLabels(), out);
                gc.backward(l);
                loss = l.getFloat();
            }
            trainer.step();
            return loss;
        }
    }

    /**
     * {@code mean_n -(1/α)(logsumexp_k(α ll[n,k]) - log K)} for logits of K stacked copies of the batch. DJL has
     * no logsumexp, so it is the usual max-shifted form; the shift is a constant for the gradient.
     */
    static final class AlphaObjective extends Loss {
        private final float alpha;
        private final int samples;

        AlphaObjective(float alpha, int samples) {
            super("alpha-divergence");
            this.alpha = alpha;
            this.samples = samples;
        }

        @Override
        public NDArray evaluate(NDList labels, NDList predictions) {
            NDArray logits = predictions.singletonOrThrow();
            NDArray y = labels.singletonOrThrow();
            long b = y.getShape().get(0);
            NDArray index = y.tile(samples).reshape(-1, 1);
            NDArray ll = logits.logSoftmax(1).gather(index, 1).reshape(samples, b);
            NDArray s = ll.mul(alpha);
            NDArray max = s.max(new int[] {0}, true).stopGradient();
            NDArray lse = s.sub(max).exp().sum(new int[] {0}).log().add(max.squeeze(0));
            return lse.sub(Math.log(samples)).mul(-1.0 / alpha).mean();
        }
    }

    private static boolean resetPeak() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    private static double statusMib(String field) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith(field)) {
                    return Long.parseLong(line.substring(field.length()).trim().split("\\s+")[0]) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // reported as null
        }
        return Double.NaN;
    }

    private static String json(double v) {
        return Double.isFinite(v) ? Double.toString(v) : "null";
    }

    private static int count(String name, String value, int min) {
        try {
            int v = Integer.parseInt(value.trim());
            if (v >= min) {
                return v;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        fail(name + " must be an integer >= " + min + ", got '" + value + "'");
        return 0;
    }

    private static void fail(String message) {
        System.err.println("DjlFashionEpoch: " + message);
        System.exit(2);
    }
}

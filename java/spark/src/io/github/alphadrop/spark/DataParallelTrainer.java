package io.github.alphadrop.spark;

import io.github.alphadrop.kernels.AbstractKernels;
import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.model.Likelihood;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.train.AlphaDivergence;
import io.github.alphadrop.train.BatchOrder;
import io.github.alphadrop.train.Optimizer;
import io.github.alphadrop.train.ShardGradient;
import io.github.alphadrop.train.TrainingDivergedException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.api.java.function.Function;
import org.apache.spark.broadcast.Broadcast;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Synchronous data-parallel minibatch training of an {@link Mlp} with the alpha-divergence objective, on a
 * cached RDD of {@link RowBlock}s. It follows the single-JVM {@code Trainer} step for step: the same epoch
 * orders ({@link BatchOrder}), the same masks (each row keyed by its position in the global batch, see
 * {@link ShardGradient}), the same weight decay and Adam updates. One Spark job per step: every partition
 * computes the gradient of its rows of the step's batch, the driver sums them in partition order and applies the
 * optimizer step, and the next step's tasks take the new parameters, so every copy of the model is the same.
 *
 * <p>Exchanged per step: the parameters to each task (4 bytes each, in the task), and back one gradient of the
 * same size plus the loss per partition; once per epoch, the batch position of every row (4 bytes per row) as a
 * broadcast. The result equals the single-JVM trainer's within float summation order, for any partitioning, and
 * is bit-identical from run to run on the same partitioning.
 */
final class DataParallelTrainer {

    private static final Logger LOG = LoggerFactory.getLogger(DataParallelTrainer.class);

    /** What a task needs to rebuild the model's shape; parameters travel separately as one flat array. */
    record Shape(int[] sizes, float dropout, Dropout.Noise noise, boolean categorical) implements Serializable {
        Mlp build(long seed) {
            return Mlp.builder(sizes[0]).hidden(Arrays.copyOfRange(sizes, 1, sizes.length - 1))
                    .output(sizes[sizes.length - 1]).activation(Activation.RELU).dropout(dropout).noise(noise)
                    .likelihood(categorical ? Likelihood.categorical() : Likelihood.gaussian()).seed(seed).build();
        }
    }

    /** Settings of one run. */
    /** Settings of one run; {@code localSteps} 1 is the synchronous trainer, more the averaging one. */
    record Settings(float alpha, int samples, int epochs, int batchSize, double learningRate, double weightDecay,
                    long seed, int localSteps) implements Serializable {
    }

    /** A run's outcome: the trained model, the mean loss and the seconds of every epoch. */
    record Result(Mlp model, double[] epochLosses, double[] epochSeconds) {
    }

    private DataParallelTrainer() {
    }

    /**
     * Trains a model of {@code shape} initialised from {@code settings.seed()} on the {@code n} rows of
     * {@code blocks} (cached by the caller). Regression targets are standardised on the executors with
     * {@code targetMean} and {@code targetStd}, features with {@code featureMean} / {@code featureStd} when given.
     */
    static Result fit(JavaSparkContext sc, JavaRDD<RowBlock> blocks, int n, Shape shape, Settings settings,
                      Standardisation standardisation) {
        Mlp model = shape.build(settings.seed());
        int batch = Math.min(settings.batchSize(), n);
        int stepsPerEpoch = (n + batch - 1) / batch;
        BatchOrder batches = new BatchOrder(n, settings.seed(), true);
        long maskSeed = BatchOrder.maskSeed(settings.seed());
        Optimizer optimizer = Optimizer.adam(settings.learningRate());
        boolean learnTau = !shape.categorical();

        List<float[]> params = new ArrayList<>();
        List<float[]> grads = new ArrayList<>();
        for (int l = 0; l < model.layers(); l++) {
            params.add(model.weights(l));
            grads.add(new float[model.weights(l).length]);
            params.add(model.biases(l));
            grads.add(new float[model.biases(l).length]);
        }
        if (learnTau) {
            params.add(model.logTauHolder());
            grads.add(new float[1]);
        }
        int parameterCount = flatten(params).length;
        AdamState averaged = new AdamState(0, new float[parameterCount], new float[parameterCount]);
        double[] losses = new double[settings.epochs()];
        double[] seconds = new double[settings.epochs()];
        int globalStep = 0;
        for (int epoch = 0; epoch < settings.epochs(); epoch++) {
            long start = System.nanoTime();
            int[] order = batches.nextEpoch();
            int[] positionOf = new int[n];
            for (int i = 0; i < n; i++) {
                positionOf[order[i]] = i;
            }
            Broadcast<int[]> positions = sc.broadcast(positionOf);
            double lossSum = 0;
            try {
                if (settings.localSteps() > 1) {
                    for (int s = 0; s < stepsPerEpoch; s += settings.localSteps()) {
                        int steps = Math.min(settings.localSteps(), stepsPerEpoch - s);
                        lossSum += averagingRound(blocks, model, params, averaged, shape, settings, n, batch, s, steps,
                                globalStep, maskSeed, positions, standardisation, epoch);
                        globalStep += steps;
                    }
                }
                for (int s = 0; settings.localSteps() == 1 && s < stepsPerEpoch; s++) {
                    int from = s * batch;
                    int b = Math.min(batch, n - from);
                    int step = globalStep++;
                    if (learnTau && !(Math.abs(model.logTau()) <= AbstractKernels.MAX_ABS_LOG_TAU)) {
                        throw new TrainingDivergedException(epoch, s, Double.NaN); // the noise precision ran off
                    }
                    StepTask task = new StepTask(shape, flatten(params), settings.alpha(), settings.samples(), batch,
                            from, b, maskSeed, step, positions, standardisation);
                    // Summed on the driver in partition order: the same partitioning gives the same bits.
                    GradientPart sum = new GradientPart(null, 0, 0);
                    for (GradientPart part : blocks.map(task).collect()) {
                        sum = GradientPart.add(sum, part);
                    }
                    if (sum.rows != b) {
                        throw new IllegalStateException("step " + step + " gathered " + sum.rows + " rows of its batch of "
                                + b + ": the cached training rows changed");
                    }
                    scatter(sum.gradient, grads);
                    double loss = sum.loss + addWeightDecay(model, grads, settings.weightDecay());
                    if (!Double.isFinite(loss) || !finite(sum.gradient)) {
                        throw new TrainingDivergedException(epoch, s, loss);
                    }
                    optimizer.step(params, grads);
                    lossSum += loss;
                }
            } finally {
                positions.destroy();
            }
            losses[epoch] = lossSum / stepsPerEpoch;
            seconds[epoch] = (System.nanoTime() - start) / 1e9;
            LOG.info("alphadrop-spark: epoch {}/{}: mean loss {} in {} s", epoch + 1, settings.epochs(),
                    String.format("%.5f", losses[epoch]), String.format("%.2f", seconds[epoch]));
        }
        return new Result(model, losses, seconds);
    }

    /** Adam's state as flat arrays in parameter order: its step count and both moments (zero before any step). */
    static final class AdamState implements Serializable {
        private static final long serialVersionUID = 1L;
        long steps;
        final float[] m;
        final float[] v;

        AdamState(long steps, float[] m, float[] v) {
            this.steps = steps;
            this.m = m;
            this.v = v;
        }

        Optimizer.State unflatten(List<float[]> shapes) {
            float[][] arrays = new float[2 * shapes.size()][];
            int at = 0;
            for (int i = 0; i < shapes.size(); i++) {
                int len = shapes.get(i).length;
                arrays[i] = Arrays.copyOfRange(m, at, at + len);
                arrays[shapes.size() + i] = Arrays.copyOfRange(v, at, at + len);
                at += len;
            }
            return new Optimizer.State(steps, arrays);
        }

        static AdamState of(Optimizer.State state) {
            float[][] a = state.arrays();
            int half = a.length / 2;
            return new AdamState(state.steps(), flatten(Arrays.asList(a).subList(0, half)),
                    flatten(Arrays.asList(a).subList(half, a.length)));
        }
    }

    /**
     * One round of the averaging trainer: each partition takes {@code steps} Adam steps from the same
     * parameters and moments on its own rows of those steps' batches (the mean over its rows, weight decay
     * included), then the driver averages parameters and moments, weighted by the rows each partition saw. With
     * one partition this is the synchronous trainer again; with more it trades exactness for one job per round.
     *
     * @return the sum over the round's steps of the mean loss of their rows, weight decay included
     */
    private static double averagingRound(JavaRDD<RowBlock> blocks, Mlp model, List<float[]> params, AdamState adam,
                                         Shape shape, Settings settings, int n, int batch, int firstStep, int steps,
                                         int globalStep, long maskSeed, Broadcast<int[]> positions,
                                         Standardisation standardisation, int epoch) {
        if (!shape.categorical() && !(Math.abs(model.logTau()) <= AbstractKernels.MAX_ABS_LOG_TAU)) {
            throw new TrainingDivergedException(epoch, firstStep, Double.NaN); // the noise precision ran off
        }
        float[] start = flatten(params);
        RoundTask task = new RoundTask(shape, start, adam, settings, n, batch, firstStep, steps, globalStep, maskSeed,
                positions, standardisation);
        int size = start.length;
        double[] p = new double[size];
        double[] m = new double[size];
        double[] v = new double[size];
        double rows = 0;
        double loss = 0;
        for (RoundPart part : blocks.map(task).collect()) {
            if (part.rows == 0) {
                continue;
            }
            for (int i = 0; i < size; i++) {
                p[i] += (double) part.rows * part.params[i];
                m[i] += (double) part.rows * part.m[i];
                v[i] += (double) part.rows * part.v[i];
            }
            rows += part.rows;
            loss += part.loss;
        }
        float[] mean = new float[size];
        for (int i = 0; i < size; i++) {
            mean[i] = (float) (p[i] / rows);
            adam.m[i] = (float) (m[i] / rows);
            adam.v[i] = (float) (v[i] / rows);
        }
        adam.steps += steps;
        double perRow = loss / rows;
        if (!Double.isFinite(perRow) || !finite(mean)) {
            throw new TrainingDivergedException(epoch, firstStep + steps - 1, perRow);
        }
        scatter(mean, params);
        return perRow * steps;
    }

    /** A partition's round: its parameters and Adam moments after the round, and the rows it trained on. */
    static final class RoundPart implements Serializable {
        private static final long serialVersionUID = 1L;
        final float[] params;
        final float[] m;
        final float[] v;
        final int rows;
        /** Σ over its steps of (its rows' mean loss + weight decay) × its rows in that step. */
        final double loss;

        RoundPart(float[] params, float[] m, float[] v, int rows, double loss) {
            this.params = params;
            this.m = m;
            this.v = v;
            this.rows = rows;
            this.loss = loss;
        }
    }

    /** One averaging round on one partition. */
    static final class RoundTask implements Function<RowBlock, RoundPart> {
        private static final long serialVersionUID = 1L;
        private final Shape shape;
        private final float[] params;
        private final AdamState adam;
        private final Settings settings;
        private final int n;
        private final int batch;
        private final int firstStep;
        private final int steps;
        private final int globalStep;
        private final long maskSeed;
        private final Broadcast<int[]> positions;
        private final Standardisation standardisation;

        RoundTask(Shape shape, float[] params, AdamState adam, Settings settings, int n, int batch, int firstStep,
                  int steps, int globalStep, long maskSeed, Broadcast<int[]> positions, Standardisation standardisation) {
            this.shape = shape;
            this.params = params;
            this.adam = adam;
            this.settings = settings;
            this.n = n;
            this.batch = batch;
            this.firstStep = firstStep;
            this.steps = steps;
            this.globalStep = globalStep;
            this.maskSeed = maskSeed;
            this.positions = positions;
            this.standardisation = standardisation;
        }

        @Override
        public RoundPart call(RowBlock block) {
            int[] positionOf = positions.value();
            // (epoch position, row) of this block's rows in the round's batches, sorted: step by step, in batch order.
            long[] mine = new long[block.rows()];
            int count = 0;
            for (int i = 0; i < block.rows(); i++) {
                int q = positionOf[block.index[i]];
                int j = q / batch - firstStep;
                if (j >= 0 && j < steps) {
                    mine[count++] = ((long) q << 32) | i;
                }
            }
            if (count == 0) {
                return new RoundPart(null, null, null, 0, 0);
            }
            Arrays.sort(mine, 0, count);
            Worker worker = Worker.of(shape, settings.samples(), batch);
            worker.load(params);
            List<float[]> live = worker.parameters();
            List<float[]> grads = worker.gradients();
            Optimizer adam = Optimizer.adam(settings.learningRate());
            if (this.adam.steps > 0) {
                adam.restore(this.adam.unflatten(live));
            }
            AlphaDivergence objective = new AlphaDivergence(settings.alpha(), settings.samples());
            double loss = 0;
            int from = 0;
            while (from < count) {
                int j = (int) (mine[from] >>> 32) / batch - firstStep;
                int to = from;
                while (to < count && (int) (mine[to] >>> 32) / batch - firstStep == j) {
                    to++;
                }
                int rows = to - from;
                int stepRows = Math.min(batch, n - (firstStep + j) * batch);
                worker.gather(block, mine, from, rows, batch, standardisation);
                ShardGradient g = worker.gradient;
                double shardLoss = shape.categorical()
                        ? g.categorical(worker.x, worker.labels, worker.positions, rows, stepRows, objective, maskSeed,
                                globalStep + j)
                        : g.gaussian(worker.x, worker.targets, worker.positions, rows, stepRows, objective, maskSeed,
                                globalStep + j);
                // The shard's contribution to its batch's mean, rescaled to the mean over the shard's own rows.
                float toMean = (float) ((double) stepRows / rows);
                worker.copyGradients(grads, toMean);
                double step = shardLoss * toMean + addWeightDecay(worker.model, grads, settings.weightDecay());
                adam.step(live, grads);
                loss += step * rows;
                from = to;
            }
            AdamState after = AdamState.of(adam.state());
            return new RoundPart(flatten(live), after.m, after.v, count, loss);
        }
    }

    private static float[] flatten(List<float[]> arrays) {
        int size = 0;
        for (float[] a : arrays) {
            size += a.length;
        }
        float[] flat = new float[size];
        int at = 0;
        for (float[] a : arrays) {
            System.arraycopy(a, 0, flat, at, a.length);
            at += a.length;
        }
        return flat;
    }

    private static void scatter(float[] flat, List<float[]> arrays) {
        int at = 0;
        for (float[] a : arrays) {
            System.arraycopy(flat, at, a, 0, a.length);
            at += a.length;
        }
    }

    /** As the single-JVM trainer: {@code 2 wd W} added to the weights' gradients (not biases'); returns wd ΣW². */
    private static double addWeightDecay(Mlp model, List<float[]> grads, double wd) {
        if (wd == 0) {
            return 0;
        }
        double sum = 0;
        float twice = (float) (2 * wd);
        for (int l = 0; l < model.layers(); l++) {
            float[] w = model.weights(l);
            float[] g = grads.get(2 * l);
            for (int i = 0; i < w.length; i++) {
                sum += (double) w[i] * w[i];
                g[i] += twice * w[i];
            }
        }
        return wd * sum;
    }

    private static boolean finite(float[] a) {
        return io.github.alphadrop.model.Finite.allFinite(a);
    }

    /** A partition's share of one step: its gradient (flat, in parameter order) and loss; null gradient if no rows. */
    static final class GradientPart implements Serializable {
        private static final long serialVersionUID = 1L;
        final float[] gradient;
        final double loss;
        final int rows;

        GradientPart(float[] gradient, double loss, int rows) {
            this.gradient = gradient;
            this.loss = loss;
            this.rows = rows;
        }

        static GradientPart add(GradientPart a, GradientPart b) {
            if (a.gradient == null) {
                return new GradientPart(b.gradient, a.loss + b.loss, a.rows + b.rows);
            }
            if (b.gradient != null) {
                for (int i = 0; i < a.gradient.length; i++) {
                    a.gradient[i] += b.gradient[i];
                }
            }
            return new GradientPart(a.gradient, a.loss + b.loss, a.rows + b.rows);
        }
    }

    /** Feature and target standardisation applied on the executors (identity where null). */
    record Standardisation(double[] featureMean, double[] featureStd, double targetMean, double targetStd)
            implements Serializable {
        static Standardisation none() {
            return new Standardisation(null, null, 0, 1);
        }
    }

    /** One step on one partition: finds its rows of the batch, computes their gradient on this JVM's kernels. */
    static final class StepTask implements Function<RowBlock, GradientPart> {
        private static final long serialVersionUID = 1L;
        private final Shape shape;
        private final float[] params;
        private final float alpha;
        private final int samples;
        private final int batch;
        private final int from;
        private final int rows;
        private final long maskSeed;
        private final int step;
        private final Broadcast<int[]> positions;
        private final Standardisation standardisation;

        StepTask(Shape shape, float[] params, float alpha, int samples, int batch, int from, int rows, long maskSeed,
                 int step, Broadcast<int[]> positions, Standardisation standardisation) {
            this.shape = shape;
            this.params = params;
            this.alpha = alpha;
            this.samples = samples;
            this.batch = batch;
            this.from = from;
            this.rows = rows;
            this.maskSeed = maskSeed;
            this.step = step;
            this.positions = positions;
            this.standardisation = standardisation;
        }

        @Override
        public GradientPart call(RowBlock block) {
            int[] positionOf = positions.value();
            long[] mine = new long[Math.min(block.rows(), rows)];
            int count = 0;
            for (int i = 0; i < block.rows(); i++) {
                int q = positionOf[block.index[i]] - from;
                if (q >= 0 && q < rows) {
                    mine[count++] = ((long) (q + from) << 32) | i;
                }
            }
            if (count == 0) {
                return new GradientPart(null, 0, 0);
            }
            Arrays.sort(mine, 0, count); // batch order, so neighbours in the batch share one mask call
            Worker worker = Worker.of(shape, samples, batch);
            worker.load(params);
            worker.gather(block, mine, 0, count, batch, standardisation);
            float[] x = worker.x;
            int[] at = worker.positions;
            AlphaDivergence objective = new AlphaDivergence(alpha, samples);
            ShardGradient g = worker.gradient;
            double loss = shape.categorical()
                    ? g.categorical(x, worker.labels, at, count, rows, objective, maskSeed, step)
                    : g.gaussian(x, worker.targets, at, count, rows, objective, maskSeed, step);
            return new GradientPart(worker.flatGradient(), loss, count);
        }
    }

    /** A task thread's model copy and buffers, kept for the next step of the same shape. */
    private static final class Worker {
        private static final ThreadLocal<Worker> CURRENT = new ThreadLocal<>();
        final Shape shape;
        final int samples;
        final int batch;
        final Mlp model;
        final ShardGradient gradient;
        final float[] x;
        final int[] positions;
        final int[] labels;
        final float[] targets;
        private List<float[]> gradientBuffers;

        private Worker(Shape shape, int samples, int batch) {
            this.shape = shape;
            this.samples = samples;
            this.batch = batch;
            this.model = shape.build(0);
            this.gradient = new ShardGradient(model, ExecutorKernels.get(), batch, samples);
            this.x = new float[batch * model.inputSize()];
            this.positions = new int[batch];
            this.labels = new int[batch];
            this.targets = new float[batch * model.outputSize()];
        }

        static Worker of(Shape shape, int samples, int batch) {
            Worker w = CURRENT.get();
            if (w == null || w.samples != samples || w.batch != batch || !Arrays.equals(w.shape.sizes(), shape.sizes())
                    || w.shape.dropout() != shape.dropout() || w.shape.noise() != shape.noise()
                    || w.shape.categorical() != shape.categorical()) {
                w = new Worker(shape, samples, batch);
                CURRENT.set(w);
            }
            return w;
        }

        /**
         * Copies {@code rows} rows named by {@code keys[from ..]} ((epoch position << 32) | row in block) into the
         * input buffers, standardised, with their positions in their batch.
         */
        void gather(RowBlock block, long[] keys, int from, int rows, int batchSize, Standardisation standardisation) {
            int d = block.width;
            int out = model.outputSize();
            double[] mean = standardisation.featureMean();
            double[] std = standardisation.featureStd();
            for (int j = 0; j < rows; j++) {
                long key = keys[from + j];
                int i = (int) key;
                positions[j] = (int) (key >>> 32) % batchSize;
                System.arraycopy(block.x, i * d, x, j * d, d);
                if (mean != null) {
                    for (int c = 0; c < d; c++) {
                        x[j * d + c] = (float) ((x[j * d + c] - mean[c]) / std[c]);
                    }
                }
                if (shape.categorical()) {
                    labels[j] = (int) block.label[i];
                } else {
                    targets[j * out] = (float) ((block.label[i] - standardisation.targetMean()) / standardisation.targetStd());
                }
            }
        }

        /** The model's parameter arrays, in the trainer's order (log τ last for a regressor). */
        List<float[]> parameters() {
            List<float[]> list = new ArrayList<>();
            for (int l = 0; l < model.layers(); l++) {
                list.add(model.weights(l));
                list.add(model.biases(l));
            }
            if (!shape.categorical()) {
                list.add(model.logTauHolder());
            }
            return list;
        }

        /** Gradient buffers shaped as {@link #parameters()}, kept with this worker. */
        List<float[]> gradients() {
            if (gradientBuffers == null) {
                gradientBuffers = new ArrayList<>();
                for (float[] p : parameters()) {
                    gradientBuffers.add(new float[p.length]);
                }
            }
            return gradientBuffers;
        }

        /** The last shard gradient times {@code scale}, into {@code grads} (shaped as {@link #parameters()}). */
        void copyGradients(List<float[]> grads, float scale) {
            for (int l = 0; l < model.layers(); l++) {
                scaleInto(gradient.weightGradient(l), grads.get(2 * l), scale);
                scaleInto(gradient.biasGradient(l), grads.get(2 * l + 1), scale);
            }
            if (!shape.categorical()) {
                grads.get(2 * model.layers())[0] = gradient.logTauGradient()[0] * scale;
            }
        }

        private static void scaleInto(float[] from, float[] to, float scale) {
            for (int i = 0; i < from.length; i++) {
                to[i] = from[i] * scale;
            }
        }

        void load(float[] flat) {
            int at = 0;
            for (int l = 0; l < model.layers(); l++) {
                float[] w = model.weights(l);
                System.arraycopy(flat, at, w, 0, w.length);
                at += w.length;
                float[] b = model.biases(l);
                System.arraycopy(flat, at, b, 0, b.length);
                at += b.length;
            }
            if (!shape.categorical()) {
                model.logTauHolder()[0] = flat[at];
            }
        }

        float[] flatGradient() {
            int size = 0;
            for (int l = 0; l < model.layers(); l++) {
                size += model.weights(l).length + model.biases(l).length;
            }
            float[] flat = new float[size + (shape.categorical() ? 0 : 1)];
            int at = 0;
            for (int l = 0; l < model.layers(); l++) {
                float[] w = gradient.weightGradient(l);
                System.arraycopy(w, 0, flat, at, w.length);
                at += w.length;
                float[] b = gradient.biasGradient(l);
                System.arraycopy(b, 0, flat, at, b.length);
                at += b.length;
            }
            if (!shape.categorical()) {
                flat[at] = gradient.logTauGradient()[0];
            }
            return flat;
        }
    }
}

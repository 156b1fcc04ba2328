package io.github.alphadrop.train;

import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.model.Finite;
import io.github.alphadrop.model.ConcreteDropout;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.model.MlpPass;
import io.github.alphadrop.network.Layer;
import io.github.alphadrop.network.MaskSpec;
import io.github.alphadrop.network.Network;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

/**
 * Minibatch training of an {@link Mlp} with the {@link AlphaDivergence} objective plus weight decay.
 *
 * <p>Repeatable: the same seed, backend and thread count give bit-identical weights. The seed drives the
 * shuffling and names the dropout masks ({@code (seed, step, layer)}); weight initialisation has its own
 * seed in {@link Mlp.Builder#seed}.
 */
public final class Trainer {

    private final Kernels kernels;
    private final AlphaDivergence objective;
    private final int batchSize;
    private final int epochs;
    private final long seed;
    private final boolean shuffle;
    private final double weightDecay;
    private final double dropoutRegulariser;
    private final Supplier<Optimizer> optimizer;
    private final List<TrainingListener> listeners;
    private final java.nio.file.Path checkpointFile;
    private final int checkpointEvery;
    private final Checkpoint resume;

    private Trainer(Builder b) {
        this.kernels = b.kernels;
        this.objective = b.objective;
        this.batchSize = b.batchSize;
        this.epochs = b.epochs;
        this.seed = b.seed;
        this.shuffle = b.shuffle;
        this.weightDecay = b.weightDecay;
        this.dropoutRegulariser = b.dropoutRegulariser;
        this.optimizer = b.optimizer;
        this.listeners = List.copyOf(b.listeners);
        this.checkpointFile = b.checkpointFile;
        this.checkpointEvery = b.checkpointEvery;
        this.resume = b.resume;
    }

    public static Builder builder(Kernels kernels) {
        return new Builder(kernels);
    }

    /** Trains a classifier on {@code x} (n × inputSize, row-major) with labels in [0, outputSize). */
    public TrainingResult fit(Mlp model, float[] x, int[] labels) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        if (!model.likelihood().isCategorical()) {
            throw new IllegalArgumentException("model has a " + model.likelihood() + " likelihood; pass float targets");
        }
        if (labels == null) {
            throw new IllegalArgumentException("labels must not be null");
        }
        int n = rows(model, x, labels.length);
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= model.outputSize()) {
                throw new IllegalArgumentException("labels[" + i + "] = " + labels[i] + " is outside [0, "
                        + model.outputSize() + ")");
            }
        }
        return run(model, x, n, labels, null);
    }

    /** Trains a regressor on {@code x} (n × inputSize) and targets {@code y} (n × outputSize). */
    public TrainingResult fit(Mlp model, float[] x, float[] y) {
        if (model == null) {
            throw new IllegalArgumentException("model must not be null");
        }
        if (model.likelihood().isCategorical()) {
            throw new IllegalArgumentException("model has a categorical likelihood; pass int labels");
        }
        if (y == null) {
            throw new IllegalArgumentException("targets must not be null");
        }
        if (y.length % model.outputSize() != 0) {
            throw new IllegalArgumentException("targets.length = " + y.length + " is not a multiple of the output size "
                    + model.outputSize());
        }
        int n = rows(model, x, y.length / model.outputSize());
        Finite.requireFinite(y, model.outputSize(), "targets");
        return run(model, x, n, null, y);
    }

    private static int rows(Mlp model, float[] x, int expected) {
        if (x == null) {
            throw new IllegalArgumentException("inputs must not be null");
        }
        if (x.length % model.inputSize() != 0) {
            throw new IllegalArgumentException("inputs.length = " + x.length + " is not a multiple of the model's input size "
                    + model.inputSize() + " (data width does not match the model)");
        }
        int n = x.length / model.inputSize();
        if (n != expected) {
            throw new IllegalArgumentException("inputs have " + n + " rows but the labels/targets have " + expected);
        }
        if (n == 0) {
            throw new IllegalArgumentException("no training data (0 rows)");
        }
        Finite.requireFinite(x, model.inputSize(), "inputs");
        Finite.requireFiniteParameters(model);
        return n;
    }

    private TrainingResult run(Mlp model, float[] x, int n, int[] labels, float[] y) {
        int batch = Math.min(batchSize, n);
        double entropyWeight = Double.isNaN(dropoutRegulariser) ? 1.0 / n : dropoutRegulariser;
        try (Steps steps = new MlpSteps(model, new MlpPass(model, kernels, batch, objective.samples()), entropyWeight)) {
            return run(steps, x, n, labels, y);
        }
    }

    private TrainingResult run(Steps model, float[] x, int n, int[] labels, float[] y) {
        int d = model.inputSize();
        int out = model.outputSize();
        int k = objective.samples();
        int batch = Math.min(batchSize, n);
        int stepsPerEpoch = (n + batch - 1) / batch;
        Optimizer opt = optimizer.get();
        boolean learnTau = model.learnsTau();

        List<float[]> params = new ArrayList<>();
        List<float[]> grads = new ArrayList<>();
        model.collect(params, grads);
        float[] logTauGrad = new float[1];
        if (learnTau) {
            params.add(model.logTauHolder());
            grads.add(logTauGrad);
        }

        float[] xb = new float[batch * d];
        int[] lb = labels != null ? new int[batch] : null;
        float[] yb = y != null ? new float[batch * out] : null;
        BatchOrder batches = new BatchOrder(n, seed, shuffle);
        long maskSeed = BatchOrder.maskSeed(seed);

        double[] epochLosses = new double[epochs];
        int startEpoch = resume == null ? 0 : restore(model, opt, epochLosses);
        long start = System.nanoTime();
        int globalStep = startEpoch * stepsPerEpoch;
        for (int epoch = 0; epoch < epochs; epoch++) {
            long epochStart = System.nanoTime();
            int[] order = batches.nextEpoch();
            if (epoch < startEpoch) {
                continue; // done before the checkpoint: its shuffle is replayed so the batch order continues
            }
            double lossSum = 0;
            for (int s = 0; s < stepsPerEpoch; s++) {
                int from = s * batch;
                int b = Math.min(batch, n - from);
                for (int i = 0; i < b; i++) {
                    int row = order[from + i];
                    System.arraycopy(x, row * d, xb, i * d, d);
                    if (lb != null) {
                        lb[i] = labels[row];
                    } else {
                        System.arraycopy(y, row * out, yb, i * out, out);
                    }
                }
                int step = globalStep++;
                if (lb == null && !(Math.abs(model.logTau()) <= io.github.alphadrop.kernels.AbstractKernels.MAX_ABS_LOG_TAU)) {
                    // A learned noise precision that ran off: the Gaussian loss cannot be evaluated any more.
                    throw new TrainingDivergedException(epoch, s, Double.NaN);
                }
                double loss;
                if (model.fusesStep(b)) {
                    loss = model.fusedStep(xb, b, lb, yb, maskSeed, step, objective.alpha(), logTauGrad);
                } else {
                    float[] f = model.forward(xb, b, maskSeed, step);
                    loss = lb != null
                            ? kernels.alphaLossCategorical(b, k, out, f, lb, objective.alpha(), null, model.outputGradient())
                            : kernels.alphaLossGaussian(b, k, out, f, yb, model.logTau(), objective.alpha(), null,
                                    model.outputGradient(), logTauGrad);
                    model.backward(xb, b, maskSeed, step);
                }
                loss += model.addWeightDecay(weightDecay);
                if (!learnTau) {
                    logTauGrad[0] = 0;
                }
                if (!Double.isFinite(loss) || !finite(grads)) {
                    throw new TrainingDivergedException(epoch, s, loss);
                }
                opt.step(params, grads);
                lossSum += loss;
                for (TrainingListener listener : listeners) {
                    listener.onStep(epoch, s, stepsPerEpoch, loss);
                }
            }
            epochLosses[epoch] = lossSum / stepsPerEpoch;
            if (checkpointFile != null && (epoch + 1) % checkpointEvery == 0) {
                try {
                    new Checkpoint(epoch + 1, java.util.Arrays.copyOf(epochLosses, epoch + 1), model.checkpointModel(),
                            opt.state()).write(checkpointFile);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException("writing checkpoint " + checkpointFile + ": " + e.getMessage(), e);
                }
            }
            double seconds = (System.nanoTime() - epochStart) / 1e9;
            for (TrainingListener listener : listeners) {
                listener.onEpoch(epoch, epochs, epochLosses[epoch], seconds);
            }
        }
        return new TrainingResult(epochs, epochLosses, (System.nanoTime() - start) / 1e9);
    }

    /** What one training step needs from a model: the Mlp through its pass, or a {@link Network}. */
    private interface Steps extends AutoCloseable {
        int inputSize();

        int outputSize();

        boolean learnsTau();

        float logTau();

        float[] logTauHolder();

        /** Outputs of b inputs, K samples each. */
        float[] forward(float[] xb, int b, long maskSeed, int step);

        /** Where the loss writes the output gradient of the last forward. */
        float[] outputGradient();

        void backward(float[] xb, int b, long maskSeed, int step);

        /** Whether {@link #fusedStep} replaces forward, loss and backward for a batch of b. */
        default boolean fusesStep(int b) {
            return false;
        }

        /** Forward, loss and backward in one backend call; returns the loss. Only when {@link #fusesStep}. */
        default double fusedStep(float[] xb, int b, int[] labels, float[] y, long maskSeed, int step, float alpha,
                                 float[] logTauGrad) {
            throw new UnsupportedOperationException("no fused step");
        }

        void collect(List<float[]> params, List<float[]> grads);

        /** Adds wd Σ||W||² to the gradients of the weights (not biases); returns the loss term. */
        double addWeightDecay(double wd);

        /** The model as model-file bytes, for checkpoints. */
        byte[] checkpointModel();

        /** Puts the parameters of a checkpoint's model bytes in place; the model must have this one's shape. */
        void restoreParameters(byte[] modelBytes);

        @Override
        void close();
    }

    private static final class MlpSteps implements Steps {
        private final Mlp model;
        private final MlpPass pass;
        private final double dropoutRegulariser;

        MlpSteps(Mlp model, MlpPass pass, double dropoutRegulariser) {
            this.model = model;
            this.pass = pass;
            this.dropoutRegulariser = dropoutRegulariser;
        }

        @Override
        public int inputSize() {
            return model.inputSize();
        }

        @Override
        public int outputSize() {
            return model.outputSize();
        }

        @Override
        public boolean learnsTau() {
            return !model.likelihood().isCategorical() && model.likelihood().learnsTau();
        }

        @Override
        public float logTau() {
            return model.logTau();
        }

        @Override
        public float[] logTauHolder() {
            return model.logTauHolder();
        }

        @Override
        public float[] forward(float[] xb, int b, long maskSeed, int step) {
            return pass.forward(xb, b, maskSeed, step, true);
        }

        @Override
        public float[] outputGradient() {
            return pass.outputGradient();
        }

        @Override
        public void backward(float[] xb, int b, long maskSeed, int step) {
            pass.backward(xb, b, maskSeed, step, true, null);
        }

        @Override
        public boolean fusesStep(int b) {
            return pass.fusesStep(b);
        }

        @Override
        public double fusedStep(float[] xb, int b, int[] labels, float[] y, long maskSeed, int step, float alpha,
                                float[] logTauGrad) {
            return pass.fusedStep(xb, b, maskSeed, step, labels, y, alpha, logTauGrad);
        }

        @Override
        public void collect(List<float[]> params, List<float[]> grads) {
            for (int l = 0; l < model.layers(); l++) {
                params.add(model.weights(l));
                grads.add(pass.weightGradient(l));
                params.add(model.biases(l));
                grads.add(pass.biasGradient(l));
            }
            if (model.dropLogits().length > 0) {
                params.add(model.dropLogits());
                grads.add(pass.dropLogitGradient());
            }
        }

        @Override
        public double addWeightDecay(double wd) {
            return model.noise() == io.github.alphadrop.kernels.Dropout.Noise.CONCRETE
                    ? Trainer.addConcreteRegulariser(model, pass, wd, dropoutRegulariser)
                    : Trainer.addWeightDecay(model, pass, wd);
        }

        @Override
        public byte[] checkpointModel() {
            return io.github.alphadrop.io.ModelFile.encode(model, null, null);
        }

        @Override
        public void restoreParameters(byte[] modelBytes) {
            Mlp saved = io.github.alphadrop.io.ModelFile.decode(modelBytes).model();
            boolean same = saved != null && saved.layers() == model.layers();
            for (int l = 0; same && l <= model.layers(); l++) {
                same = saved.size(l) == model.size(l);
            }
            if (!same) {
                throw new IllegalArgumentException("the checkpoint's network " + (saved == null ? "(not an MLP)"
                        : saved.describe()) + " is not this model's " + model.describe());
            }
            for (int l = 0; l < model.layers(); l++) {
                System.arraycopy(saved.weights(l), 0, model.weights(l), 0, model.weights(l).length);
                System.arraycopy(saved.biases(l), 0, model.biases(l), 0, model.biases(l).length);
            }
            model.logTauHolder()[0] = saved.logTauHolder()[0];
            System.arraycopy(saved.dropLogits(), 0, model.dropLogits(), 0, model.dropLogits().length);
        }

        @Override
        public void close() {
            pass.close();
        }
    }

    /** A classifier {@link Network}: the last layer's outputs are logits. */
    private final class NetworkSteps implements Steps {
        private final Network net;
        private final float[] outputGradient;
        private final int samples;
        private final double dropoutRegulariser;

        NetworkSteps(Network net, int batch, int samples, double dropoutRegulariser) {
            this.net = net;
            this.samples = samples;
            this.dropoutRegulariser = dropoutRegulariser;
            this.outputGradient = new float[batch * samples * net.outputSize()];
        }

        @Override
        public int inputSize() {
            return net.inputSize();
        }

        @Override
        public int outputSize() {
            return net.outputSize();
        }

        @Override
        public boolean learnsTau() {
            return false;
        }

        @Override
        public float logTau() {
            return 0f;
        }

        @Override
        public float[] logTauHolder() {
            throw new IllegalStateException("a classifier network has no noise precision");
        }

        @Override
        public float[] forward(float[] xb, int b, long maskSeed, int step) {
            return net.forward(kernels, xb, b, samples, new MaskSpec(maskSeed, step), true);
        }

        @Override
        public float[] outputGradient() {
            return outputGradient;
        }

        @Override
        public void backward(float[] xb, int b, long maskSeed, int step) {
            // Network.backward copies what it is given; only the last, shorter batch needs trimming first.
            int size = b * samples * net.outputSize();
            net.backward(kernels, size == outputGradient.length ? outputGradient : java.util.Arrays.copyOf(outputGradient, size),
                    false);
        }

        @Override
        public void collect(List<float[]> params, List<float[]> grads) {
            params.addAll(net.parameters());
            grads.addAll(net.gradients());
        }

        @Override
        public double addWeightDecay(double wd) {
            double concrete = 0;
            for (Layer layer : net.layers()) {
                if (layer instanceof io.github.alphadrop.network.DenseLayer d
                        && d.noise() == io.github.alphadrop.kernels.Dropout.Noise.CONCRETE) {
                    concrete += addConcreteRegulariser(d, wd, dropoutRegulariser);
                }
            }
            if (wd == 0) {
                return concrete;
            }
            double sum = 0;
            float twice = (float) (2 * wd);
            for (Layer layer : net.layers()) {
                List<float[]> p = layer.parameters();
                List<float[]> g = layer.gradients();
                if (p.isEmpty() || layer.noise() == io.github.alphadrop.kernels.Dropout.Noise.CONCRETE) {
                    continue;
                }
                // The first array of a parametrised layer is its weights; biases are not decayed.
                float[] w = p.get(0);
                float[] dw = g.get(0);
                for (int i = 0; i < w.length; i++) {
                    sum += (double) w[i] * w[i];
                    dw[i] += twice * w[i];
                }
            }
            return concrete + wd * sum;
        }

        @Override
        public byte[] checkpointModel() {
            return io.github.alphadrop.io.ModelFile.encode(net, null, null);
        }

        @Override
        public void restoreParameters(byte[] modelBytes) {
            Network saved = io.github.alphadrop.io.ModelFile.decode(modelBytes).network();
            if (saved == null || !saved.toString().equals(net.toString())) {
                throw new IllegalArgumentException("the checkpoint's network " + (saved == null ? "(an MLP)" : saved)
                        + " is not this model's " + net);
            }
            for (int i = 0; i < net.parameters().size(); i++) {
                float[] to = net.parameters().get(i);
                System.arraycopy(saved.parameters().get(i), 0, to, 0, to.length);
            }
        }

        @Override
        public void close() {
        }
    }

    /**
     * Trains a classifier {@link Network} (its last layer gives the logits) on {@code x} (n × inputSize) with
     * labels in [0, outputSize). Its layers below the first dropout run once per input for all K samples.
     * With {@link Builder#checkpoint} and {@link Builder#resumeFrom} as for an {@link Mlp}: a resumed run ends
     * with the uninterrupted run's weights, bit for bit.
     */
    public TrainingResult fit(Network net, float[] x, int[] labels) {
        if (net == null || labels == null || x == null) {
            throw new IllegalArgumentException((net == null ? "network" : x == null ? "inputs" : "labels") + " must not be null");
        }
        if (x.length % net.inputSize() != 0 || x.length / net.inputSize() != labels.length || labels.length == 0) {
            throw new IllegalArgumentException("inputs.length = " + x.length + " is not labels.length = " + labels.length
                    + " rows of the network's " + net.inputSize() + " inputs");
        }
        Finite.requireFinite(x, net.inputSize(), "inputs");
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= net.outputSize()) {
                throw new IllegalArgumentException("labels[" + i + "] = " + labels[i] + " is outside [0, " + net.outputSize() + ")");
            }
        }
        int n = labels.length;
        double entropyWeight = Double.isNaN(dropoutRegulariser) ? 1.0 / n : dropoutRegulariser;
        try (Steps steps = new NetworkSteps(net, Math.min(batchSize, n), objective.samples(), entropyWeight)) {
            return run(steps, x, n, labels, null);
        }
    }

    /** Puts the checkpoint's weights and optimiser state in place; returns the epochs it had done. */
    private int restore(Steps steps, Optimizer opt, double[] epochLosses) {
        if (resume.epochsDone() > epochs) {
            throw new IllegalArgumentException("the checkpoint has " + resume.epochsDone() + " epochs done, more than the "
                    + epochs + " to train");
        }
        steps.restoreParameters(resume.model());
        opt.restore(resume.optimizer());
        System.arraycopy(resume.epochLosses(), 0, epochLosses, 0, resume.epochsDone());
        return resume.epochsDone();
    }

    /** Adds {@code wd Σ||W||²} to the loss and {@code 2 wd W} to the weight gradients; returns the loss term. */
    private static double addWeightDecay(Mlp model, MlpPass pass, double weightDecay) {
        if (weightDecay == 0) {
            return 0;
        }
        double sum = 0;
        float twice = (float) (2 * weightDecay);
        for (int l = 0; l < model.layers(); l++) {
            float[] w = model.weights(l);
            float[] g = pass.weightGradient(l);
            for (int i = 0; i < w.length; i++) {
                sum += (double) w[i] * w[i];
                g[i] += twice * w[i];
            }
        }
        return weightDecay * sum;
    }

    /**
     * Concrete dropout's regulariser ({@link ConcreteDropout}'s weight and entropy terms), with {@code wd} as the
     * weight regulariser: adds its gradients to the weights' and the logits'; returns the loss term.
     */
    /** A concrete dense layer's regulariser, added to its gradients; returns its value. */
    private static double addConcreteRegulariser(io.github.alphadrop.network.DenseLayer layer, double wd,
                                                 double entropyWeight) {
        List<float[]> grads = layer.gradients();
        return addConcreteRegulariser(layer.weights(), grads.get(0), layer.dropLogit(), grads.get(2), 0,
                layer.inputSize(), wd, entropyWeight);
    }

    private static double addConcreteRegulariser(Mlp model, MlpPass pass, double wd, double entropyWeight) {
        double total = 0;
        for (int l = 0; l < model.layers(); l++) {
            total += addConcreteRegulariser(model.weights(l), pass.weightGradient(l), model.dropLogits(),
                    pass.dropLogitGradient(), l, model.size(l), wd, entropyWeight);
        }
        return total;
    }

    /**
     * {@link ConcreteDropout#regulariser} of one layer with weights {@code w} and logit {@code logits[index]}: adds
     * its weight gradient to {@code dw} and its logit gradient to {@code logitGrads[index]}; returns its value.
     */
    private static double addConcreteRegulariser(float[] w, float[] dw, float[] logits, float[] logitGrads, int index,
                                                 int inputWidth, double wd, double entropyWeight) {
        double sum = 0;
        for (float v : w) {
            sum += (double) v * v;
        }
        ConcreteDropout.Penalty penalty = ConcreteDropout.regulariser(sum, logits[index], inputWidth, wd, entropyWeight);
        logitGrads[index] += (float) penalty.dLogit();
        float factor = (float) penalty.weightScale();
        if (factor != 0f) {
            for (int i = 0; i < w.length; i++) {
                dw[i] += factor * w[i];
            }
        }
        return penalty.value();
    }

    private static boolean finite(List<float[]> grads) {
        for (float[] g : grads) {
            if (!Finite.allFinite(g)) {
                return false;
            }
        }
        return true;
    }

    /** Configures a {@link Trainer}. Defaults: α = 0.5, K = 10, batch 128, 20 epochs, seed 0, Adam 1e-3, wd 0. */
    public static final class Builder {
        private final Kernels kernels;
        private AlphaDivergence objective = new AlphaDivergence(0.5f, 10);
        private int batchSize = 128;
        private int epochs = 20;
        private long seed;
        private boolean shuffle = true;
        private double weightDecay;
        private double dropoutRegulariser = Double.NaN;
        private Supplier<Optimizer> optimizer = () -> Optimizer.adam(1e-3);
        private final List<TrainingListener> listeners = new ArrayList<>();
        private java.nio.file.Path checkpointFile;
        private int checkpointEvery;
        private Checkpoint resume;

        /**
         * After every {@code everyEpochs} epochs, writes a {@link Checkpoint} to {@code file} (atomically: a kill
         * leaves the previous one).
         */
        public Builder checkpoint(java.nio.file.Path file, int everyEpochs) {
            if (file == null || everyEpochs < 1) {
                throw new IllegalArgumentException("checkpoint needs a file and everyEpochs >= 1, got " + file + ", "
                        + everyEpochs);
            }
            this.checkpointFile = file;
            this.checkpointEvery = everyEpochs;
            return this;
        }

        /**
         * Continues from {@code checkpoint}: the model's weights and the optimiser's state are replaced by its,
         * and training goes on at the epoch after it, giving the same result as an uninterrupted run with the
         * same settings and data.
         */
        public Builder resumeFrom(Checkpoint checkpoint) {
            if (checkpoint == null) {
                throw new IllegalArgumentException("checkpoint must not be null");
            }
            this.resume = checkpoint;
            return this;
        }

        private Builder(Kernels kernels) {
            if (kernels == null) {
                throw new IllegalArgumentException("kernels must not be null");
            }
            this.kernels = kernels;
        }

        public Builder objective(AlphaDivergence objective) {
            if (objective == null) {
                throw new IllegalArgumentException("objective must not be null");
            }
            this.objective = objective;
            return this;
        }

        public Builder batchSize(int batchSize) {
            if (batchSize < 1) {
                throw new IllegalArgumentException("batch size must be >= 1, got " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        public Builder epochs(int epochs) {
            if (epochs < 0) {
                throw new IllegalArgumentException("epochs must be >= 0, got " + epochs);
            }
            this.epochs = epochs;
            return this;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Builder shuffle(boolean shuffle) {
            this.shuffle = shuffle;
            return this;
        }

        public Builder weightDecay(double weightDecay) {
            if (!(weightDecay >= 0) || Double.isInfinite(weightDecay)) {
                throw new IllegalArgumentException("weight decay must be finite and >= 0, got " + weightDecay);
            }
            this.weightDecay = weightDecay;
            return this;
        }

        /**
         * Concrete dropout's entropy weight λ: the loss gains {@code λ · D_l · (p_l log p_l + (1 − p_l) log(1 − p_l))}
         * per layer (D_l its input width), and its weight decay becomes {@code wd · ||W_l||² / (1 − p_l)}. The
         * default is 1/N, N the training rows: the prior's KL per datapoint, as the paper's. Other noises ignore it.
         */
        public Builder dropoutRegulariser(double lambda) {
            if (!(lambda >= 0) || Double.isInfinite(lambda)) {
                throw new IllegalArgumentException("dropoutRegulariser must be finite and >= 0, got " + lambda);
            }
            this.dropoutRegulariser = lambda;
            return this;
        }

        /** A fresh optimiser is made for each {@link Trainer#fit} call. */
        public Builder optimizer(Supplier<Optimizer> optimizer) {
            if (optimizer == null) {
                throw new IllegalArgumentException("optimizer must not be null");
            }
            this.optimizer = optimizer;
            return this;
        }

        public Builder listener(TrainingListener listener) {
            if (listener == null) {
                throw new IllegalArgumentException("listener must not be null");
            }
            listeners.add(listener);
            return this;
        }

        public Trainer build() {
            return new Trainer(this);
        }
    }
}

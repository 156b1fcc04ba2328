package io.github.alphadrop.train;

import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.kernels.FloatView;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.model.MlpPass;

import java.util.Arrays;

/**
 * The gradient of one shard of a minibatch: some of the batch's rows, wherever they are, each with its
 * position in the batch. Each row's dropout masks are the ones the {@link Trainer} draws for that position
 * (named by mask seed, step, layer and row {@code position·K + k}), so the shards' gradients of a batch add up
 * to the trainer's gradient of the whole batch, however the rows are split: this is what data-parallel
 * training sums.
 *
 * <p>The contributions are scaled to the mean over the whole batch: the loss returned is
 * {@code Σ_shard L_n / B} and the gradients are its gradients, so adding every shard's gives the batch mean and
 * its gradient. They equal the single-JVM step up to float summation order (the tests bound the difference).
 *
 * <p>Rows of a shard are rarely neighbours in the batch, so the masks are drawn into buffers and multiplied in
 * before the kernels run without dropout; the trainer's fused kernels draw them on the fly instead.
 *
 * <p>DropConnect's weight masks are named by (mask seed, step, layer, sample k) only, not by row: every shard
 * sees the batch's K masked weight matrices whatever its rows, so a DropConnect shard runs the model's own
 * pass ({@link MlpPass}) on its rows. Concrete dropout is refused: its learned rates would need their
 * gradients summed too.
 */
public final class ShardGradient {

    private final Mlp model;
    private final Kernels kernels;
    private final int maxRows;
    private final int samples;
    /** Per layer: masked input (rows·K × in), its mask (same shape, null without dropout), the output. */
    private final float[][] masked;
    private final float[][] masks;
    private final float[][] out;
    private final float[][] grad;
    private final float[] inputGradient;
    private final float[][] weightGrad;
    private final float[][] biasGrad;
    private final float[] logTauGrad = new float[1];
    /** DropConnect models run here (their masks do not depend on the rows); null for input noise. */
    private final MlpPass dropConnect;

    /**
     * @param maxRows the most rows a shard will have
     * @param samples K, the dropout samples per row
     */
    public ShardGradient(Mlp model, Kernels kernels, int maxRows, int samples) {
        if (model == null || kernels == null) {
            throw new IllegalArgumentException((model == null ? "model" : "kernels") + " must not be null");
        }
        if (maxRows < 1 || samples < 1) {
            throw new IllegalArgumentException("maxRows and samples must be >= 1, got " + maxRows + ", " + samples);
        }
        if (model.noise() == Dropout.Noise.CONCRETE) {
            throw new IllegalArgumentException("shard gradients take Bernoulli, Gaussian or DropConnect noise; "
                    + model.noise() + " (concrete dropout's learned rates) is not supported here");
        }
        this.model = model;
        this.kernels = kernels;
        this.maxRows = maxRows;
        this.samples = samples;
        this.dropConnect = model.noise() == Dropout.Noise.DROPCONNECT ? new MlpPass(model, kernels, maxRows, samples) : null;
        int layers = model.layers();
        masked = new float[layers][];
        masks = new float[layers][];
        out = new float[layers][];
        grad = new float[layers][];
        weightGrad = new float[layers][];
        biasGrad = new float[layers][];
        int widest = 0;
        for (int l = 0; l < layers; l++) {
            long inSize = (long) maxRows * samples * model.size(l);
            long outSize = (long) maxRows * samples * model.size(l + 1);
            if (inSize > Integer.MAX_VALUE - 8 || outSize > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("rows " + maxRows + " x samples " + samples + " x width "
                        + Math.max(model.size(l), model.size(l + 1)) + " is too large for one buffer");
            }
            if (model.dropout(l) > 0f && dropConnect == null) {
                masked[l] = new float[(int) inSize];
                masks[l] = new float[(int) inSize];
            }
            if (dropConnect == null) {  // a DropConnect shard keeps its activations in its pass
                out[l] = new float[(int) outSize];
                grad[l] = new float[(int) outSize];
            }
            weightGrad[l] = new float[model.weights(l).length];
            biasGrad[l] = new float[model.biases(l).length];
            widest = Math.max(widest, model.size(l));
        }
        inputGradient = dropConnect == null ? new float[maxRows * samples * widest] : null;
    }

    public Mlp model() {
        return model;
    }

    public int maxRows() {
        return maxRows;
    }

    public int samples() {
        return samples;
    }

    /**
     * Gradient of a classifier's shard: {@code rows} inputs (rows × inputSize) with labels, at batch
     * {@code positions} (distinct, each in [0, batchSize)) of a batch of {@code batchSize} rows.
     *
     * @return {@code Σ_shard L_n / batchSize}
     */
    public double categorical(float[] x, int[] labels, int[] positions, int rows, int batchSize,
                              AlphaDivergence objective, long maskSeed, int step) {
        check(x, positions, rows, batchSize, objective, step);
        if (!model.likelihood().isCategorical()) {
            throw new IllegalArgumentException("the model has a " + model.likelihood() + " likelihood; use gaussian()");
        }
        if (labels == null || labels.length < rows) {
            throw new IllegalArgumentException("labels must hold " + rows + " values, got "
                    + (labels == null ? "null" : labels.length));
        }
        for (int i = 0; i < rows; i++) {
            if (labels[i] < 0 || labels[i] >= model.outputSize()) {
                throw new IllegalArgumentException("labels[" + i + "] = " + labels[i] + " is outside [0, "
                        + model.outputSize() + ")");
            }
        }
        int last = model.layers() - 1;
        int size = rows * samples * model.outputSize();
        float[] f = dropConnect != null ? dropConnect.forward(x, rows, maskSeed, step, true) : forward(x, positions, rows, maskSeed, step);
        float[] g = dropConnect != null ? dropConnect.outputGradient() : grad[last];
        double mean = kernels.alphaLossCategorical(rows, samples, model.outputSize(), FloatView.of(f, 0, size),
                rows == labels.length ? labels : Arrays.copyOf(labels, rows), objective.alpha(), null, FloatView.of(g, 0, size));
        logTauGrad[0] = 0f;
        return finish(x, rows, batchSize, mean, maskSeed, step);
    }

    /**
     * Gradient of a regressor's shard: targets y (rows × outputSize), the rest as in {@link #categorical}; the
     * gradient of log τ is in {@link #logTauGradient()} (zero when τ is not learned).
     */
    public double gaussian(float[] x, float[] y, int[] positions, int rows, int batchSize, AlphaDivergence objective,
                           long maskSeed, int step) {
        check(x, positions, rows, batchSize, objective, step);
        if (model.likelihood().isCategorical()) {
            throw new IllegalArgumentException("the model is a classifier; use categorical()");
        }
        int dims = model.outputSize();
        if (y == null || y.length < rows * dims) {
            throw new IllegalArgumentException("targets must hold " + rows + " x " + dims + " values, got "
                    + (y == null ? "null" : y.length));
        }
        int last = model.layers() - 1;
        int size = rows * samples * dims;
        float[] f = dropConnect != null ? dropConnect.forward(x, rows, maskSeed, step, true) : forward(x, positions, rows, maskSeed, step);
        float[] g = dropConnect != null ? dropConnect.outputGradient() : grad[last];
        double mean = kernels.alphaLossGaussian(rows, samples, dims, FloatView.of(f, 0, size), FloatView.of(y, 0, rows * dims),
                model.logTau(), objective.alpha(), null, FloatView.of(g, 0, size), FloatView.of(logTauGrad));
        if (!model.likelihood().learnsTau()) {
            logTauGrad[0] = 0f;
        }
        return finish(x, rows, batchSize, mean, maskSeed, step);
    }

    /** dLoss/dW of layer l from the last call, scaled to the whole batch. */
    public float[] weightGradient(int layer) {
        return weightGrad[layer];
    }

    public float[] biasGradient(int layer) {
        return biasGrad[layer];
    }

    /** dLoss/d log τ of the last {@link #gaussian} call (element 0). */
    public float[] logTauGradient() {
        return logTauGrad;
    }

    private void check(float[] x, int[] positions, int rows, int batchSize, AlphaDivergence objective, int step) {
        if (objective == null) {
            throw new IllegalArgumentException("objective must not be null");
        }
        if (objective.samples() != samples) {
            throw new IllegalArgumentException("the objective has K = " + objective.samples() + " samples but this shard "
                    + "gradient was made for " + samples);
        }
        if (rows < 1 || rows > maxRows) {
            throw new IllegalArgumentException("rows must be in [1, " + maxRows + "], got " + rows);
        }
        if (rows > batchSize) {
            throw new IllegalArgumentException("a shard of " + rows + " rows does not fit a batch of " + batchSize);
        }
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        if ((long) batchSize * samples > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("batchSize " + batchSize + " x samples " + samples + " overflows the mask rows");
        }
        if (x == null || x.length < rows * model.inputSize()) {
            throw new IllegalArgumentException("inputs must hold " + rows + " x " + model.inputSize() + " values, got "
                    + (x == null ? "null" : x.length));
        }
        if (positions == null || positions.length < rows) {
            throw new IllegalArgumentException("positions must hold " + rows + " values, got "
                    + (positions == null ? "null" : positions.length));
        }
        for (int i = 0; i < rows; i++) {
            if (positions[i] < 0 || positions[i] >= batchSize) {
                throw new IllegalArgumentException("positions[" + i + "] = " + positions[i] + " is outside [0, "
                        + batchSize + ")");
            }
        }
    }

    private Dropout dropout(long maskSeed, int step, int layer) {
        return new Dropout(maskSeed, step, layer, model.dropout(layer), model.noise());
    }

    /** The input-noise forward; returns the output layer's buffer. */
    private float[] forward(float[] x, int[] positions, int rows, long maskSeed, int step) {
        int k = samples;
        for (int l = 0; l < model.layers(); l++) {
            int in = model.size(l);
            int width = model.size(l + 1);
            FloatView input;
            boolean shared = false;
            if (masks[l] == null) {
                shared = l == 0;
                input = l == 0 ? FloatView.of(x, 0, rows * in) : FloatView.of(out[l - 1], 0, rows * k * in);
            } else {
                drawMasks(dropout(maskSeed, step, l), positions, rows, in);
                float[] m = masks[l];
                float[] a = masked[l];
                if (l == 0) {
                    for (int n = 0; n < rows; n++) {
                        for (int s = 0; s < k; s++) {
                            int r = (n * k + s) * in;
                            for (int d = 0; d < in; d++) {
                                a[r + d] = x[n * in + d] * m[r + d];
                            }
                        }
                    }
                } else {
                    float[] prev = out[l - 1];
                    for (int i = 0; i < rows * k * in; i++) {
                        a[i] = prev[i] * m[i];
                    }
                }
                input = FloatView.of(a, 0, rows * k * in);
            }
            kernels.dropoutMatmulForward(Dropout.none(), rows, k, shared, in, width, input,
                    FloatView.of(model.weights(l)), FloatView.of(model.biases(l)), model.activation(l),
                    FloatView.of(out[l], 0, rows * k * width));
        }
        return out[model.layers() - 1];
    }

    /** Masks of layer input width {@code in} for each row's K sample rows, drawn run by run of neighbours. */
    private void drawMasks(Dropout dropout, int[] positions, int rows, int in) {
        int k = samples;
        int layer = dropout.layer();
        float[] m = masks[layer];
        int n = 0;
        while (n < rows) {
            int run = 1;
            while (n + run < rows && positions[n + run] == positions[n] + run) {
                run++;
            }
            kernels.dropoutMask(dropout, positions[n] * k, run * k, in, FloatView.of(m, n * k * in, run * k * in));
            n += run;
        }
    }

    private double finish(float[] x, int rows, int batchSize, double shardMean, long maskSeed, int step) {
        int k = samples;
        int last = model.layers() - 1;
        // The loss kernel's gradient is of the shard's mean; the batch mean weighs each row 1/B, not 1/rows.
        float share = (float) ((double) rows / batchSize);
        float[] g = dropConnect != null ? dropConnect.outputGradient() : grad[last];
        for (int i = 0; i < rows * k * model.outputSize(); i++) {
            g[i] *= share;
        }
        logTauGrad[0] *= share;
        if (dropConnect != null) {
            dropConnect.backward(x, rows, maskSeed, step, true, null);
            for (int l = 0; l <= last; l++) {
                System.arraycopy(dropConnect.weightGradient(l), 0, weightGrad[l], 0, weightGrad[l].length);
                System.arraycopy(dropConnect.biasGradient(l), 0, biasGrad[l], 0, biasGrad[l].length);
            }
            return shardMean * share;
        }
        for (int l = last; l >= 0; l--) {
            int in = model.size(l);
            int width = model.size(l + 1);
            boolean dropped = masks[l] != null;
            FloatView input = dropped ? FloatView.of(masked[l], 0, rows * k * in)
                    : l == 0 ? FloatView.of(x, 0, rows * in) : FloatView.of(out[l - 1], 0, rows * k * in);
            FloatView inputGrad = null;
            if (l > 0) {
                inputGrad = FloatView.of(dropped ? inputGradient : grad[l - 1], 0, rows * k * in);
            }
            kernels.dropoutMatmulBackward(Dropout.none(), rows, k, !dropped && l == 0, in, width, input,
                    FloatView.of(model.weights(l)), FloatView.of(out[l], 0, rows * k * width), model.activation(l),
                    FloatView.of(grad[l], 0, rows * k * width), FloatView.of(weightGrad[l]), FloatView.of(biasGrad[l]),
                    inputGrad);
            if (l > 0 && dropped) {
                float[] m = masks[l];
                float[] below = grad[l - 1];
                for (int i = 0; i < rows * k * in; i++) {
                    below[i] = inputGradient[i] * m[i];
                }
            }
        }
        return shardMean * share;
    }
}

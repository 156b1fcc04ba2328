package io.github.alphadrop.network;

import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.FloatView;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.model.ConcreteDropout;

import java.util.List;

/**
 * A dense layer with dropout on its input, bias and activation: the fused kernel of the backends. With
 * DropConnect the noise is on the weights instead: one Bernoulli mask per MC sample k, shared by the batch's
 * datapoints (the granularity and its cost are those of the MLP's DropConnect, docs/regularisers.md), so sample k
 * of every datapoint sees {@code W ⊙ M_k}; the masks are named by (seed, step, mask id) and drawn as rows
 * {@code k·in + d}, which makes a network of DropConnect dense layers the DropConnect MLP to the bit. With
 * concrete dropout (Gal, Hron and Kendall 2017) the layer learns its drop rate {@code p = sigmoid(ρ)}: its input is
 * multiplied by relaxed masks ({@code ConcreteDropout}), ρ is a third parameter array of one float, and a pass keeps
 * the mask and the masked input from forward to backward, as the concrete MLP does.
 */
public final class DenseLayer implements Layer {

    private final int in;
    private final int out;
    private final Activation activation;
    private final float dropout;
    private final int maskId;
    private final Dropout.Noise noise;
    private final float[] weights;
    private final float[] bias;
    private final float[] dw;
    private final float[] db;
    /** DropConnect's per-sample heap buffers, sized on first use and grown as batches need. */
    private WeightNoiseBuffers weightNoise;
    /** Concrete dropout's logit ρ and its gradient (one float each), or null for other noises. */
    private final float[] dropLogit;
    private final float[] dDropLogit;
    /** Concrete dropout's masks and masked inputs of the last stochastic forward, for its backward. */
    private RelaxedMaskBuffers relaxed;

    public DenseLayer(int in, int out, Activation activation, float dropout, int maskId) {
        this(in, out, activation, dropout, maskId, Dropout.Noise.BERNOULLI);
    }

    /**
     * With {@code noise}: Bernoulli or Gaussian dropout of rate {@code dropout} on its input, DropConnect of rate
     * {@code dropout} on its weights, or concrete dropout of its input with a learned rate that starts at
     * {@code dropout} (then in (0, 1)).
     */
    public DenseLayer(int in, int out, Activation activation, float dropout, int maskId, Dropout.Noise noise) {
        this.noise = noise == Dropout.Noise.DROPCONNECT || noise == Dropout.Noise.CONCRETE ? noise
                : Layer.requireInputNoise(noise);
        if (in < 1 || out < 1) {
            throw new IllegalArgumentException("a dense layer needs in, out >= 1, got " + in + ", " + out);
        }
        if (activation == null) {
            throw new IllegalArgumentException("activation must not be null");
        }
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        if ((long) in * out > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("a " + in + " x " + out + " dense layer has too many weights for one array");
        }
        this.in = in;
        this.out = out;
        this.activation = activation;
        this.dropout = dropout;
        this.maskId = maskId;
        this.weights = new float[in * out];
        this.bias = new float[out];
        this.dw = new float[in * out];
        this.db = new float[out];
        if (noise == Dropout.Noise.CONCRETE) {
            if (!(dropout > 0f)) {
                throw new IllegalArgumentException("concrete dropout starts its learned rate from dropout, which must be in"
                        + " (0, 1), got " + dropout);
            }
            dropLogit = new float[]{ConcreteDropout.logit(dropout)};
            dDropLogit = new float[1];
        } else {
            dropLogit = null;
            dDropLogit = null;
        }
    }

    @Override
    public String tag() {
        return "dense";
    }

    @Override
    public int inputSize() {
        return in;
    }

    @Override
    public int outputSize() {
        return out;
    }

    /** The drop probability; with concrete dropout the learned rate {@code sigmoid(ρ)}. */
    @Override
    public float dropout() {
        return dropLogit != null ? (float) ConcreteDropout.rate(dropLogit[0]) : dropout;
    }

    /**
     * Concrete dropout's logit ρ of the learned rate, a one-float array the optimiser updates in place (the third of
     * {@link #parameters()}).
     *
     * @throws IllegalStateException for another noise
     */
    public float[] dropLogit() {
        if (dropLogit == null) {
            throw new IllegalStateException("a " + noise + " layer has no learned drop rate");
        }
        return dropLogit;
    }

    @Override
    public boolean sharesOutput(boolean sharedInput, boolean stochastic) {
        // A learned rate is never off, even where its float rounds to 0.
        return sharedInput && (!stochastic || (dropLogit == null && dropout == 0f));
    }

    @Override
    public int maskId() {
        return maskId;
    }

    @Override
    public Dropout.Noise noise() {
        return noise;
    }

    public Activation activation() {
        return activation;
    }

    public float[] weights() {
        return weights;
    }

    public float[] bias() {
        return bias;
    }

    @Override
    public void initialize(java.util.SplittableRandom random) {
        Layer.glorotUniform(weights, in, out, random);
        java.util.Arrays.fill(bias, 0f);
        if (dropLogit != null) {
            dropLogit[0] = ConcreteDropout.logit(dropout);
        }
    }

    @Override
    public List<float[]> parameters() {
        return dropLogit != null ? List.of(weights, bias, dropLogit) : List.of(weights, bias);
    }

    @Override
    public List<float[]> gradients() {
        return dropLogit != null ? List.of(dw, db, dDropLogit) : List.of(dw, db);
    }

    @Override
    public FloatView forward(Kernels kernels, MaskSpec masks, boolean stochastic, FloatView x, int batch, int samples,
                             boolean shared, Workspace workspace, int slot) {
        boolean keepShared = sharesOutput(shared, stochastic);
        // Still shared: one row per datapoint, as if K were 1.
        int k = keepShared ? 1 : samples;
        FloatView y = workspace.get(slot, batch * k * out);
        if (masksWeights(stochastic)) {
            forwardDropConnect(kernels, masks, x, batch, samples, shared, y);
            return y;
        }
        if (dropLogit != null && stochastic) {
            forwardConcrete(kernels, masks, x, batch, samples, shared, y);
            return y;
        }
        kernels.dropoutMatmulForward(inputDropout(masks, stochastic), batch, k, shared && !keepShared, in,
                out, x, FloatView.of(weights), FloatView.of(bias), activation, y);
        return y;
    }

    @Override
    public FloatView backward(Kernels kernels, MaskSpec masks, boolean stochastic, FloatView x, FloatView y,
                              FloatView dy, int batch, int samples, boolean shared, boolean needInputGradient,
                              Workspace workspace, int slot) {
        boolean keepShared = sharesOutput(shared, stochastic);
        int k = keepShared ? 1 : samples;
        FloatView dx = needInputGradient ? workspace.get(slot, (shared ? batch : batch * samples) * in) : null;
        if (masksWeights(stochastic)) {
            backwardDropConnect(kernels, masks, x, y, dy, batch, samples, shared, dx);
            return dx;
        }
        if (dropLogit != null) {
            dDropLogit[0] = 0f;
            if (stochastic) {
                backwardConcrete(kernels, y, dy, batch, samples, shared, dx);
                return dx;
            }
        }
        kernels.dropoutMatmulBackward(inputDropout(masks, stochastic), batch, k, shared && !keepShared, in,
                out, x, FloatView.of(weights), y, activation, dy, FloatView.of(dw), FloatView.of(db), dx);
        return dx;
    }

    /** True when this pass multiplies the weights by DropConnect masks. */
    private boolean masksWeights(boolean stochastic) {
        return noise == Dropout.Noise.DROPCONNECT && stochastic && dropout > 0f;
    }

    /**
     * The noise the kernels put on the input: none for DropConnect, whose noise is on the weights, and none for
     * concrete dropout, whose masks the layer applies itself.
     */
    private Dropout inputDropout(MaskSpec masks, boolean stochastic) {
        if (noise == Dropout.Noise.DROPCONNECT || noise == Dropout.Noise.CONCRETE) {
            return Dropout.none();
        }
        return masks.dropout(maskId, stochastic ? dropout : 0f, noise);
    }

    /** {@code a}, or a new array when it holds fewer than {@code n} floats (its contents are not kept). */
    private static float[] atLeast(float[] a, long n) {
        if (n > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(n + " floats are too many for one buffer of a dense layer's noise; use a"
                    + " smaller batch");
        }
        return a.length >= n ? a : new float[(int) n];
    }

    /** Heap buffers of the per-sample products: rows of one sample k, a weight mask and the masked weights. */
    private static final class WeightNoiseBuffers {
        final float[] mask;
        final float[] maskedWeights;
        final float[] sampleWeightGrad;
        final float[] sampleBiasGrad;
        float[] input = new float[0];
        float[] output = new float[0];
        float[] outputGrad = new float[0];
        float[] inputGrad = new float[0];
        float[] rowsIn = new float[0];
        float[] rowsOut = new float[0];
        float[] rowsGrad = new float[0];
        float[] rowsInGrad = new float[0];

        WeightNoiseBuffers(int in, int out) {
            mask = new float[in * out];
            maskedWeights = new float[in * out];
            sampleWeightGrad = new float[in * out];
            sampleBiasGrad = new float[out];
        }

        void size(int batch, int samples, int in, int out) {
            long rows = (long) batch * samples;
            input = atLeast(input, rows * in);
            output = atLeast(output, rows * out);
            outputGrad = atLeast(outputGrad, rows * out);
            inputGrad = atLeast(inputGrad, rows * in);
            rowsIn = atLeast(rowsIn, (long) batch * in);
            rowsOut = atLeast(rowsOut, (long) batch * out);
            rowsGrad = atLeast(rowsGrad, (long) batch * out);
            rowsInGrad = atLeast(rowsInGrad, (long) batch * in);
        }
    }

    private WeightNoiseBuffers weightNoiseBuffers(int batch, int samples) {
        if (weightNoise == null) {
            weightNoise = new WeightNoiseBuffers(in, out);
        }
        weightNoise.size(batch, samples, in, out);
        return weightNoise;
    }

    /** {@code W ⊙ M_k} into the buffers' masked weights, and {@code M_k} into their mask. */
    private float[] weightsOfSample(Kernels kernels, MaskSpec masks, int k, WeightNoiseBuffers b) {
        kernels.dropoutMask(new Dropout(masks.seed(), masks.step(), maskId, dropout), k * in, in, out,
                FloatView.of(b.mask, 0, in * out));
        for (int i = 0; i < weights.length; i++) {
            b.maskedWeights[i] = weights[i] * b.mask[i];
        }
        return b.maskedWeights;
    }

    /** Rows {@code n·K + k} of a (batch·K) × width matrix into a batch × width one. */
    private static void gather(float[] from, int batch, int samples, int k, int width, float[] to) {
        for (int n = 0; n < batch; n++) {
            System.arraycopy(from, (n * samples + k) * width, to, n * width, width);
        }
    }

    private static void scatter(float[] from, int batch, int samples, int k, int width, float[] to) {
        for (int n = 0; n < batch; n++) {
            System.arraycopy(from, n * width, to, (n * samples + k) * width, width);
        }
    }

    /** Sample k's input rows: the shared rows themselves, or rows {@code n·K + k} gathered. */
    private float[] inputOfSample(WeightNoiseBuffers b, int batch, int samples, int k, boolean shared) {
        if (shared) {
            return b.input;
        }
        gather(b.input, batch, samples, k, in, b.rowsIn);
        return b.rowsIn;
    }

    private void forwardDropConnect(Kernels kernels, MaskSpec masks, FloatView x, int batch, int samples,
                                    boolean shared, FloatView y) {
        WeightNoiseBuffers b = weightNoiseBuffers(batch, samples);
        x.get(b.input, 0, (shared ? batch : batch * samples) * in);
        for (int k = 0; k < samples; k++) {
            float[] w = weightsOfSample(kernels, masks, k, b);
            float[] a = inputOfSample(b, batch, samples, k, shared);
            kernels.dropoutMatmulForward(Dropout.none(), batch, 1, false, in, out, FloatView.of(a, 0, batch * in),
                    FloatView.of(w), FloatView.of(bias), activation, FloatView.of(b.rowsOut, 0, batch * out));
            scatter(b.rowsOut, batch, samples, k, out, b.output);
        }
        y.put(b.output, 0, batch * samples * out);
    }

    private void backwardDropConnect(Kernels kernels, MaskSpec masks, FloatView x, FloatView y, FloatView dy,
                                     int batch, int samples, boolean shared, FloatView dx) {
        WeightNoiseBuffers b = weightNoiseBuffers(batch, samples);
        int inRows = shared ? batch : batch * samples;
        x.get(b.input, 0, inRows * in);
        y.get(b.output, 0, batch * samples * out);
        dy.get(b.outputGrad, 0, batch * samples * out);
        java.util.Arrays.fill(dw, 0f);
        java.util.Arrays.fill(db, 0f);
        if (dx != null) {
            java.util.Arrays.fill(b.inputGrad, 0, inRows * in, 0f);
        }
        for (int k = 0; k < samples; k++) {
            float[] w = weightsOfSample(kernels, masks, k, b);
            float[] a = inputOfSample(b, batch, samples, k, shared);
            gather(b.output, batch, samples, k, out, b.rowsOut);
            gather(b.outputGrad, batch, samples, k, out, b.rowsGrad);
            kernels.dropoutMatmulBackward(Dropout.none(), batch, 1, false, in, out, FloatView.of(a, 0, batch * in),
                    FloatView.of(w), FloatView.of(b.rowsOut, 0, batch * out), activation,
                    FloatView.of(b.rowsGrad, 0, batch * out), FloatView.of(b.sampleWeightGrad),
                    FloatView.of(b.sampleBiasGrad), dx == null ? null : FloatView.of(b.rowsInGrad, 0, batch * in));
            // d/dW of (W ⊙ M_k) is M_k times the gradient with respect to the masked weights.
            for (int i = 0; i < dw.length; i++) {
                dw[i] += b.sampleWeightGrad[i] * b.mask[i];
            }
            for (int h = 0; h < out; h++) {
                db[h] += b.sampleBiasGrad[h];
            }
            if (dx == null) {
                continue;
            }
            if (shared) {
                for (int i = 0; i < batch * in; i++) {
                    b.inputGrad[i] += b.rowsInGrad[i];
                }
            } else {
                scatter(b.rowsInGrad, batch, samples, k, in, b.inputGrad);
            }
        }
        if (dx != null) {
            dx.put(b.inputGrad, 0, inRows * in);
        }
    }

    /** Concrete dropout's buffers: the layer's input, its relaxed mask, the masked input and its gradient. */
    private static final class RelaxedMaskBuffers {
        float[] input = new float[0];
        float[] mask = new float[0];
        float[] masked = new float[0];
        float[] maskedGrad = new float[0];
        float[] inputGrad = new float[0];
        int inputRows;

        void size(int batch, int samples, int in) {
            long rows = (long) batch * samples;
            input = atLeast(input, rows * in);
            mask = atLeast(mask, rows * in);
            masked = atLeast(masked, rows * in);
            maskedGrad = atLeast(maskedGrad, rows * in);
            inputGrad = atLeast(inputGrad, rows * in);
        }
    }

    private void forwardConcrete(Kernels kernels, MaskSpec masks, FloatView x, int batch, int samples, boolean shared,
                                 FloatView y) {
        if (relaxed == null) {
            relaxed = new RelaxedMaskBuffers();
        }
        RelaxedMaskBuffers b = relaxed;
        b.size(batch, samples, in);
        int rows = batch * samples;
        b.inputRows = shared ? batch : rows;
        x.get(b.input, 0, b.inputRows * in);
        kernels.concreteMask(masks.seed(), masks.step(), maskId, dropLogit[0], 0, rows, in, FloatView.of(b.mask, 0, rows * in));
        for (int r = 0; r < rows; r++) {
            int from = (shared ? r / samples : r) * in;
            for (int d = 0; d < in; d++) {
                b.masked[r * in + d] = b.input[from + d] * b.mask[r * in + d];
            }
        }
        kernels.dropoutMatmulForward(Dropout.none(), rows, 1, false, in, out, FloatView.of(b.masked, 0, rows * in),
                FloatView.of(weights), FloatView.of(bias), activation, y);
    }

    /** Backward of {@link #forwardConcrete}, on the masks and masked inputs it kept; also fills dρ. */
    private void backwardConcrete(Kernels kernels, FloatView y, FloatView dy, int batch, int samples, boolean shared,
                                  FloatView dx) {
        RelaxedMaskBuffers b = relaxed;
        int rows = batch * samples;
        if (b == null || b.inputRows != (shared ? batch : rows)) {
            throw new IllegalStateException("backward of a concrete dropout layer needs the stochastic forward of the same batch");
        }
        kernels.dropoutMatmulBackward(Dropout.none(), rows, 1, false, in, out, FloatView.of(b.masked, 0, rows * in),
                FloatView.of(weights), y, activation, dy, FloatView.of(dw), FloatView.of(db),
                FloatView.of(b.maskedGrad, 0, rows * in));
        double p = ConcreteDropout.rate(dropLogit[0]);
        double sum = 0;
        for (int r = 0; r < rows; r++) {
            int from = (shared ? r / samples : r) * in;
            for (int d = 0; d < in; d++) {
                int i = r * in + d;
                sum += (double) b.maskedGrad[i] * b.input[from + d] * ConcreteDropout.maskDerivative(b.mask[i], p);
            }
        }
        dDropLogit[0] = (float) sum;
        if (dx == null) {
            return;
        }
        if (shared) {
            java.util.Arrays.fill(b.inputGrad, 0, batch * in, 0f);
            for (int r = 0; r < rows; r++) {
                int to = (r / samples) * in;
                for (int d = 0; d < in; d++) {
                    b.inputGrad[to + d] += b.maskedGrad[r * in + d] * b.mask[r * in + d];
                }
            }
            dx.put(b.inputGrad, 0, batch * in);
        } else {
            for (int i = 0; i < rows * in; i++) {
                b.inputGrad[i] = b.maskedGrad[i] * b.mask[i];
            }
            dx.put(b.inputGrad, 0, rows * in);
        }
    }
}

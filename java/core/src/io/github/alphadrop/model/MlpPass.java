package io.github.alphadrop.model;

import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.DenseStack;
import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.kernels.FloatView;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.kernels.NativeKernels;
import org.bytedeco.javacpp.FloatPointer;

/**
 * Forward and backward passes of an {@link Mlp} for a batch of B inputs and K dropout samples each,
 * through a {@link Kernels} backend. Owns the per-layer buffers, sized once for the largest batch and
 * reused every step (no allocation on the hot path).
 *
 * <p>Masks are named by (seed, step, layer): the same triple regenerates the same masks in backward,
 * so they are never stored. The input x (B×D) is shared by the K samples of the first layer, never
 * copied K times.
 *
 * <p>On the native backend the hidden layers' activations and their gradients live in native memory, so
 * they never cross between the JVM heap and the kernels; only the input, the weights, their gradients and
 * the output layer (the buffers callers see) do. {@link #close()} frees that memory at once; a pass that
 * is never closed frees it when it becomes unreachable.
 *
 * <p>A training step of a network the backend {@linkplain Kernels#prefersDenseStep prefers to fuse} (the
 * native backend: small networks, such as the UCI models) runs as one {@link Kernels#denseStep} call through
 * {@link #fusedStep}; it equals forward, loss and backward up to summation order.
 */
public final class MlpPass implements AutoCloseable {

    private final Mlp model;
    private final Kernels kernels;
    private final int maxBatch;
    private final int samples;
    private final float[][] out;
    private final float[][] grad;
    private final FloatView[] outView;
    private final FloatView[] gradView;
    private final FloatPointer[] nativeBuffers;
    private final float[][] weightGrad;
    private final float[][] biasGrad;
    /** DropConnect models run here instead: weight masks per sample need products per sample. */
    private final DropConnectPass dropConnect;
    /** Concrete dropout models run here instead: their masks depend on the learned rates. */
    private final ConcretePass concrete;
    private static final float[] NO_LOGITS = new float[0];
    private final DenseStack stack;
    private final float[] packedParams;
    private final float[] packedGrads;

    /**
     * @param maxBatch the largest batch B this pass will see
     * @param samples  K, the dropout samples per input
     */
    public MlpPass(Mlp model, Kernels kernels, int maxBatch, int samples) {
        if (maxBatch < 1) {
            throw new IllegalArgumentException("maxBatch must be >= 1, got " + maxBatch);
        }
        if (samples < 1) {
            throw new IllegalArgumentException("samples (K) must be >= 1, got " + samples);
        }
        this.model = model;
        this.kernels = kernels;
        this.maxBatch = maxBatch;
        this.samples = samples;
        int layers = model.layers();
        long rows = (long) maxBatch * samples;
        out = new float[layers][];
        grad = new float[layers][];
        outView = new FloatView[layers];
        gradView = new FloatView[layers];
        nativeBuffers = new FloatPointer[2 * layers];
        weightGrad = new float[layers][];
        biasGrad = new float[layers][];
        dropConnect = model.noise() == Dropout.Noise.DROPCONNECT ? new DropConnectPass(model, kernels, maxBatch, samples)
                : null;
        concrete = model.noise() == Dropout.Noise.CONCRETE ? new ConcretePass(model, kernels, maxBatch, samples) : null;
        boolean ownBuffers = dropConnect == null && concrete == null;
        // Concrete dropout's fused step takes the live logits each step (the stack's rates are not read).
        stack = dropConnect == null ? denseStack(model) : null;
        boolean fusable = stack != null && kernels.prefersDenseStep(stack, maxBatch, samples);
        packedParams = fusable ? new float[stack.parameterCount()] : null;
        packedGrads = fusable ? new float[stack.parameterCount()] : null;
        boolean nativeHidden = kernels instanceof NativeKernels && ownBuffers;
        for (int l = 0; l < layers; l++) {
            long size = rows * model.size(l + 1);
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("batch " + maxBatch + " x samples " + samples + " x width "
                        + model.size(l + 1) + " is too large for one buffer; use a smaller batch");
            }
            if (nativeHidden && l < layers - 1) {
                nativeBuffers[2 * l] = new FloatPointer(size);
                nativeBuffers[2 * l + 1] = new FloatPointer(size);
                outView[l] = FloatView.of(nativeBuffers[2 * l]);
                gradView[l] = FloatView.of(nativeBuffers[2 * l + 1]);
            } else if (ownBuffers) {
                out[l] = new float[(int) size];
                grad[l] = new float[(int) size];
                outView[l] = FloatView.of(out[l]);
                gradView[l] = FloatView.of(grad[l]);
            }
            weightGrad[l] = new float[model.weights(l).length];
            biasGrad[l] = new float[model.biases(l).length];
        }
    }

    public Mlp model() {
        return model;
    }

    public Kernels kernels() {
        return kernels;
    }

    public int maxBatch() {
        return maxBatch;
    }

    public int samples() {
        return samples;
    }

    /** The dropout of layer l at this step; {@code stochastic == false} gives the deterministic network. */
    public Dropout dropout(long seed, int step, int layer, boolean stochastic) {
        if (dropConnect != null || concrete != null) {
            throw new IllegalStateException("a " + model.noise() + " model draws its masks itself, not through a Dropout");
        }
        float p = stochastic ? model.dropout(layer) : 0f;
        return p == 0f ? Dropout.none() : new Dropout(seed, step, layer, p, model.noise());
    }

    /**
     * Runs the network on {@code x} (batch × inputSize) with K samples. Returns the output buffer,
     * (batch·K) × outputSize, valid until the next call.
     */
    public float[] forward(float[] x, int batch, long seed, int step, boolean stochastic) {
        checkBatch(batch);
        if (dropConnect != null) {
            return dropConnect.forward(x, batch, seed, step, stochastic);
        }
        if (concrete != null) {
            return concrete.forward(x, batch, seed, step, stochastic);
        }
        FloatView input = FloatView.of(x);
        for (int l = 0; l < model.layers(); l++) {
            kernels.dropoutMatmulForward(dropout(seed, step, l, stochastic), batch, samples, l == 0,
                    model.size(l), model.size(l + 1), input, FloatView.of(model.weights(l)),
                    FloatView.of(model.biases(l)), model.activation(l), outView[l]);
            input = outView[l];
        }
        return out[model.layers() - 1];
    }

    /** The buffer backward reads the output gradient from: fill it (e.g. with the loss kernel) first. */
    public float[] outputGradient() {
        return dropConnect != null ? dropConnect.outputGradient()
                : concrete != null ? concrete.outputGradient() : grad[model.layers() - 1];
    }

    /**
     * Back-propagates {@link #outputGradient()} through the last {@link #forward} (same x, batch, seed,
     * step and stochastic flag), filling {@link #weightGradient(int)} and {@link #biasGradient(int)}.
     *
     * @param inputGradient if non-null, receives dLoss/dx (batch × inputSize), summed over the K samples
     */
    public void backward(float[] x, int batch, long seed, int step, boolean stochastic, float[] inputGradient) {
        checkBatch(batch);
        if (dropConnect != null) {
            dropConnect.backward(x, batch, seed, step, stochastic, inputGradient, weightGrad, biasGrad);
            return;
        }
        if (concrete != null) {
            concrete.backward(x, batch, stochastic, inputGradient, weightGrad, biasGrad);
            return;
        }
        for (int l = model.layers() - 1; l >= 0; l--) {
            FloatView input = l == 0 ? FloatView.of(x) : outView[l - 1];
            FloatView inputGrad = l == 0 ? (inputGradient == null ? null : FloatView.of(inputGradient)) : gradView[l - 1];
            kernels.dropoutMatmulBackward(dropout(seed, step, l, stochastic), batch, samples, l == 0,
                    model.size(l), model.size(l + 1), input, FloatView.of(model.weights(l)), outView[l],
                    model.activation(l), gradView[l], FloatView.of(weightGrad[l]), FloatView.of(biasGrad[l]),
                    inputGrad);
        }
    }

    private static DenseStack denseStack(Mlp model) {
        int layers = model.layers();
        float[] rates = new float[layers];
        Activation[] activations = new Activation[layers];
        for (int l = 0; l < layers; l++) {
            // A learned concrete rate can round to 1 in float; the fused step reads the logits instead.
            rates[l] = model.noise() == Dropout.Noise.CONCRETE ? 0f : model.dropout(l);
            activations[l] = model.activation(l);
        }
        return new DenseStack(model.sizes(), rates, model.noise(), activations);
    }

    /**
     * Whether {@link #fusedStep} serves a training step of {@code batch} inputs: input noise, and the backend
     * prefers the fused step for this shape (it depends on the shape only, never on the thread count).
     */
    public boolean fusesStep(int batch) {
        checkBatch(batch);
        return packedParams != null && kernels.prefersDenseStep(stack, batch, samples);
    }

    /**
     * One training step in one backend call: the stochastic forward, the alpha loss and the backward, filling
     * {@link #weightGradient(int)} and {@link #biasGradient(int)} (the forward outputs are not kept).
     *
     * @param labels     class labels (categorical model), or null
     * @param y          targets batch × outputSize (Gaussian model), or null
     * @param logTauGrad receives d loss / d log τ (Gaussian), or null
     * @return the batch mean of the loss
     * @throws IllegalStateException if {@link #fusesStep} is false for this batch
     */
    public double fusedStep(float[] x, int batch, long seed, int step, int[] labels, float[] y, float alpha,
                            float[] logTauGrad) {
        if (!fusesStep(batch)) {
            throw new IllegalStateException("a " + model.describe() + " step of batch " + batch + " on " + kernels.describe()
                    + " is not fused; call forward and backward");
        }
        for (int l = 0; l < model.layers(); l++) {
            float[] w = model.weights(l);
            float[] b = model.biases(l);
            System.arraycopy(w, 0, packedParams, stack.weightOffset(l), w.length);
            System.arraycopy(b, 0, packedParams, stack.biasOffset(l), b.length);
        }
        double loss = concrete != null
                ? kernels.denseStep(stack, seed, step, packedParams, model.dropLogits(), batch, samples, x, labels, y,
                        model.logTau(), alpha, packedGrads, logTauGrad, concrete.logitGradient())
                : kernels.denseStep(stack, seed, step, packedParams, batch, samples, x, labels, y, model.logTau(),
                        alpha, packedGrads, logTauGrad);
        for (int l = 0; l < model.layers(); l++) {
            System.arraycopy(packedGrads, stack.weightOffset(l), weightGrad[l], 0, weightGrad[l].length);
            System.arraycopy(packedGrads, stack.biasOffset(l), biasGrad[l], 0, biasGrad[l].length);
        }
        return loss;
    }

    /** Frees the native activation buffers now; the pass must not be used afterwards. */
    @Override
    public void close() {
        for (int i = 0; i < nativeBuffers.length; i++) {
            if (nativeBuffers[i] != null) {
                nativeBuffers[i].close();
                nativeBuffers[i] = null;
            }
        }
    }

    public float[] weightGradient(int layer) {
        return weightGrad[layer];
    }

    public float[] biasGradient(int layer) {
        return biasGrad[layer];
    }

    /**
     * With concrete dropout, d/dρ_l of the last backward for each layer's logit ({@link Mlp#dropLogits()});
     * empty for every other noise.
     */
    public float[] dropLogitGradient() {
        return concrete != null ? concrete.logitGradient() : NO_LOGITS;
    }

    private void checkBatch(int batch) {
        if (batch < 1 || batch > maxBatch) {
            throw new IllegalArgumentException("batch must be in [1, " + maxBatch + "], got " + batch);
        }
    }
}

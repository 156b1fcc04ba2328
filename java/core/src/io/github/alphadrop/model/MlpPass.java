package io.github.alphadrop.model;

import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.kernels.Kernels;

/**
 * Forward and backward passes of an {@link Mlp} for a batch of B inputs and K dropout samples each,
 * through a {@link Kernels} backend. Owns the per-layer buffers, sized once for the largest batch and
 * reused every step (no allocation on the hot path).
 *
 * <p>Masks are named by (seed, step, layer): the same triple regenerates the same masks in backward,
 * so they are never stored. The input x (B×D) is shared by the K samples of the first layer, never
 * copied K times.
 */
public final class MlpPass {

    private final Mlp model;
    private final Kernels kernels;
    private final int maxBatch;
    private final int samples;
    private final float[][] out;
    private final float[][] grad;
    private final float[][] weightGrad;
    private final float[][] biasGrad;

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
        weightGrad = new float[layers][];
        biasGrad = new float[layers][];
        for (int l = 0; l < layers; l++) {
            long size = rows * model.size(l + 1);
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("batch " + maxBatch + " x samples " + samples + " x width "
                        + model.size(l + 1) + " is too large for one buffer; use a smaller batch");
            }
            out[l] = new float[(int) size];
            grad[l] = new float[(int) size];
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
        float p = stochastic ? model.dropout(layer) : 0f;
        return p == 0f ? Dropout.none() : new Dropout(seed, step, layer, p);
    }

    /**
     * Runs the network on {@code x} (batch × inputSize) with K samples. Returns the output buffer,
     * (batch·K) × outputSize, valid until the next call.
     */
    public float[] forward(float[] x, int batch, long seed, int step, boolean stochastic) {
        checkBatch(batch);
        float[] input = x;
        for (int l = 0; l < model.layers(); l++) {
            kernels.dropoutMatmulForward(dropout(seed, step, l, stochastic), batch, samples, l == 0,
                    model.size(l), model.size(l + 1), input, model.weights(l), model.biases(l),
                    model.activation(l), out[l]);
            input = out[l];
        }
        return out[model.layers() - 1];
    }

    /** The buffer backward reads the output gradient from: fill it (e.g. with the loss kernel) first. */
    public float[] outputGradient() {
        return grad[model.layers() - 1];
    }

    /**
     * Back-propagates {@link #outputGradient()} through the last {@link #forward} (same x, batch, seed,
     * step and stochastic flag), filling {@link #weightGradient(int)} and {@link #biasGradient(int)}.
     *
     * @param inputGradient if non-null, receives dLoss/dx (batch × inputSize), summed over the K samples
     */
    public void backward(float[] x, int batch, long seed, int step, boolean stochastic, float[] inputGradient) {
        checkBatch(batch);
        for (int l = model.layers() - 1; l >= 0; l--) {
            float[] input = l == 0 ? x : out[l - 1];
            float[] inputGrad = l == 0 ? inputGradient : grad[l - 1];
            kernels.dropoutMatmulBackward(dropout(seed, step, l, stochastic), batch, samples, l == 0,
                    model.size(l), model.size(l + 1), input, model.weights(l), out[l], model.activation(l),
                    grad[l], weightGrad[l], biasGrad[l], inputGrad);
        }
    }

    public float[] weightGradient(int layer) {
        return weightGrad[layer];
    }

    public float[] biasGradient(int layer) {
        return biasGrad[layer];
    }

    private void checkBatch(int batch) {
        if (batch < 1 || batch > maxBatch) {
            throw new IllegalArgumentException("batch must be in [1, " + maxBatch + "], got " + batch);
        }
    }
}

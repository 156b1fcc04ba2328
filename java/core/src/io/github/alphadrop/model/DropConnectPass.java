package io.github.alphadrop.model;

import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.kernels.FloatView;
import io.github.alphadrop.kernels.Kernels;

import java.util.Arrays;

/**
 * Forward and backward of an {@link Mlp} with DropConnect (Wan et al. 2013): each dense layer's weights, not
 * its inputs, are multiplied by a Bernoulli mask with inverted scaling, one D×H mask per MC sample k, shared
 * by the batch's datapoints. Sample k of every datapoint sees the network with weights {@code W ⊙ M_k}.
 *
 * <p>Granularity. A mask per datapoint would be B·K masks of D×H per layer and step (for Fashion-MNIST's first
 * layer 128 · 10 · 78,400 draws instead of 10 · 78,400), and B·K separate products instead of K batched ones;
 * a mask per sample k keeps K products of B rows, the cost of the batch's K samples. The price is correlation:
 * the B datapoints of sample k share one weight noise, so their gradient terms are not independent and the
 * minibatch gradient has more variance than with per-datapoint masks (measured in docs/regularisers.md).
 *
 * <p>Masks are named by (seed, step, layer) and drawn as Bernoulli masks of rows {@code k·D + d}, columns h,
 * regenerated in backward. Buffers are heap arrays sized once.
 */
final class DropConnectPass {

    private final Mlp model;
    private final Kernels kernels;
    private final int maxBatch;
    private final int samples;
    private final float[][] out;
    private final float[][] grad;
    private final float[] mask;
    private final float[] maskedWeights;
    private final float[] rowsIn;
    private final float[] rowsOut;
    private final float[] rowsGrad;
    private final float[] rowsInGrad;
    private final float[] sampleWeightGrad;
    private final float[] sampleBiasGrad;

    DropConnectPass(Mlp model, Kernels kernels, int maxBatch, int samples) {
        this.model = model;
        this.kernels = kernels;
        this.maxBatch = maxBatch;
        this.samples = samples;
        int layers = model.layers();
        out = new float[layers][];
        grad = new float[layers][];
        int widest = 0;
        int largest = 0;
        for (int l = 0; l < layers; l++) {
            long size = (long) maxBatch * samples * model.size(l + 1);
            if (size > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("batch " + maxBatch + " x samples " + samples + " x width "
                        + model.size(l + 1) + " is too large for one buffer; use a smaller batch");
            }
            out[l] = new float[(int) size];
            grad[l] = new float[(int) size];
            widest = Math.max(widest, Math.max(model.size(l), model.size(l + 1)));
            largest = Math.max(largest, model.weights(l).length);
        }
        mask = new float[largest];
        maskedWeights = new float[largest];
        sampleWeightGrad = new float[largest];
        sampleBiasGrad = new float[widest];
        rowsIn = new float[maxBatch * widest];
        rowsOut = new float[maxBatch * widest];
        rowsGrad = new float[maxBatch * widest];
        rowsInGrad = new float[maxBatch * widest];
    }

    float[] output() {
        return out[model.layers() - 1];
    }

    float[] outputGradient() {
        return grad[model.layers() - 1];
    }

    /** W ⊙ M_k of layer l into {@link #maskedWeights}, and M_k into {@link #mask}; W itself without dropout. */
    private float[] weightsOfSample(long seed, int step, int layer, int k, boolean stochastic) {
        float[] w = model.weights(layer);
        float p = model.dropout(layer);
        if (!stochastic || p == 0f) {
            return w;
        }
        int in = model.size(layer);
        int width = model.size(layer + 1);
        kernels.dropoutMask(new Dropout(seed, step, layer, p), k * in, in, width, FloatView.of(mask, 0, in * width));
        for (int i = 0; i < w.length; i++) {
            maskedWeights[i] = w[i] * mask[i];
        }
        return maskedWeights;
    }

    /** Rows n·K + k of a (batch·K) × width matrix into a batch × width one. */
    private void gather(float[] from, int batch, int k, int width, float[] to) {
        for (int n = 0; n < batch; n++) {
            System.arraycopy(from, (n * samples + k) * width, to, n * width, width);
        }
    }

    private void scatter(float[] from, int batch, int k, int width, float[] to) {
        for (int n = 0; n < batch; n++) {
            System.arraycopy(from, n * width, to, (n * samples + k) * width, width);
        }
    }

    float[] forward(float[] x, int batch, long seed, int step, boolean stochastic) {
        for (int l = 0; l < model.layers(); l++) {
            int in = model.size(l);
            int width = model.size(l + 1);
            for (int k = 0; k < samples; k++) {
                float[] w = weightsOfSample(seed, step, l, k, stochastic);
                float[] a = x;
                if (l > 0) {
                    gather(out[l - 1], batch, k, in, rowsIn);
                    a = rowsIn;
                }
                kernels.dropoutMatmulForward(Dropout.none(), batch, 1, false, in, width, FloatView.of(a, 0, batch * in),
                        FloatView.of(w, 0, in * width), FloatView.of(model.biases(l)), model.activation(l),
                        FloatView.of(rowsOut, 0, batch * width));
                scatter(rowsOut, batch, k, width, out[l]);
            }
        }
        return output();
    }

    void backward(float[] x, int batch, long seed, int step, boolean stochastic, float[] inputGradient,
                  float[][] weightGrad, float[][] biasGrad) {
        if (inputGradient != null) {
            Arrays.fill(inputGradient, 0, batch * model.inputSize(), 0f);
        }
        for (int l = model.layers() - 1; l >= 0; l--) {
            int in = model.size(l);
            int width = model.size(l + 1);
            boolean masked = stochastic && model.dropout(l) != 0f;
            Arrays.fill(weightGrad[l], 0f);
            Arrays.fill(biasGrad[l], 0f);
            boolean needInput = l > 0 || inputGradient != null;
            for (int k = 0; k < samples; k++) {
                float[] w = weightsOfSample(seed, step, l, k, stochastic);
                float[] a = x;
                if (l > 0) {
                    gather(out[l - 1], batch, k, in, rowsIn);
                    a = rowsIn;
                }
                gather(out[l], batch, k, width, rowsOut);
                gather(grad[l], batch, k, width, rowsGrad);
                kernels.dropoutMatmulBackward(Dropout.none(), batch, 1, false, in, width, FloatView.of(a, 0, batch * in),
                        FloatView.of(w, 0, in * width), FloatView.of(rowsOut, 0, batch * width), model.activation(l),
                        FloatView.of(rowsGrad, 0, batch * width), FloatView.of(sampleWeightGrad, 0, in * width),
                        FloatView.of(sampleBiasGrad, 0, width),
                        needInput ? FloatView.of(rowsInGrad, 0, batch * in) : null);
                // d/dW of (W ⊙ M_k) is M_k times the gradient with respect to the masked weights.
                float[] dw = weightGrad[l];
                if (masked) {
                    for (int i = 0; i < in * width; i++) {
                        dw[i] += sampleWeightGrad[i] * mask[i];
                    }
                } else {
                    for (int i = 0; i < in * width; i++) {
                        dw[i] += sampleWeightGrad[i];
                    }
                }
                float[] db = biasGrad[l];
                for (int h = 0; h < width; h++) {
                    db[h] += sampleBiasGrad[h];
                }
                if (l > 0) {
                    scatter(rowsInGrad, batch, k, in, grad[l - 1]);
                } else if (inputGradient != null) {
                    for (int i = 0; i < batch * in; i++) {
                        inputGradient[i] += rowsInGrad[i];
                    }
                }
            }
        }
    }

    int maxBatch() {
        return maxBatch;
    }
}

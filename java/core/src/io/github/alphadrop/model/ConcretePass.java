package io.github.alphadrop.model;

import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.kernels.FloatView;
import io.github.alphadrop.kernels.Kernels;

import java.util.Arrays;

/**
 * Forward and backward of an {@link Mlp} with concrete dropout: each dense layer's input, B·K rows (row n·K + k
 * is sample k of datapoint n), is multiplied by its relaxed mask ({@link ConcreteDropout}), then the backend's
 * dropout-free product runs on the masked rows. Backward also gives d/dρ of every layer's logit:
 * {@code Σ dL/d(a ⊙ m) · a · dm/dρ} over the layer's input elements.
 *
 * <p>A step keeps each layer's mask and masked input from forward to backward (the kernels' backward needs the
 * masked input anyway, and the mask's derivative follows from the mask), which is why the masks are not
 * regenerated as the fused kernels do: a relaxed mask costs three divisions per element.
 */
final class ConcretePass {

    private final Mlp model;
    private final Kernels kernels;
    private final int samples;
    private final float[][] mask;
    private final float[][] masked;
    private final float[][] out;
    private final float[][] grad;
    private final float[] maskedGrad;
    private final float[] logitGrad;

    ConcretePass(Mlp model, Kernels kernels, int maxBatch, int samples) {
        this.model = model;
        this.kernels = kernels;
        this.samples = samples;
        int layers = model.layers();
        mask = new float[layers][];
        masked = new float[layers][];
        out = new float[layers][];
        grad = new float[layers][];
        int widestInput = 0;
        for (int l = 0; l < layers; l++) {
            long in = (long) maxBatch * samples * model.size(l);
            long size = (long) maxBatch * samples * model.size(l + 1);
            if (size > Integer.MAX_VALUE - 8 || in > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("batch " + maxBatch + " x samples " + samples + " x width "
                        + Math.max(model.size(l), model.size(l + 1)) + " is too large for one buffer; use a smaller batch");
            }
            mask[l] = new float[(int) in];
            masked[l] = new float[(int) in];
            out[l] = new float[(int) size];
            grad[l] = new float[(int) size];
            widestInput = Math.max(widestInput, model.size(l));
        }
        maskedGrad = new float[maxBatch * samples * widestInput];
        logitGrad = new float[layers];
    }

    float[] outputGradient() {
        return grad[model.layers() - 1];
    }

    /** d/dρ_l of the loss of the last backward, one per layer (0 after a deterministic pass). */
    float[] logitGradient() {
        return logitGrad;
    }

    /** Input element i of layer l's row r: x row r / K for the first layer, the layer below's output otherwise. */
    private float[] input(float[] x, int l) {
        return l == 0 ? x : out[l - 1];
    }

    float[] forward(float[] x, int batch, long seed, int step, boolean stochastic) {
        int rows = batch * samples;
        for (int l = 0; l < model.layers(); l++) {
            int in = model.size(l);
            int width = model.size(l + 1);
            float[] m = mask[l];
            float[] a = masked[l];
            if (stochastic) {
                kernels.concreteMask(seed, step, l, model.dropLogits()[l], 0, rows, in, FloatView.of(m, 0, rows * in));
            } else {
                Arrays.fill(m, 0, rows * in, 1f);
            }
            if (l == 0) {
                for (int r = 0; r < rows; r++) {
                    int from = (r / samples) * in;
                    for (int d = 0; d < in; d++) {
                        a[r * in + d] = x[from + d] * m[r * in + d];
                    }
                }
            } else {
                float[] below = out[l - 1];
                for (int i = 0; i < rows * in; i++) {
                    a[i] = below[i] * m[i];
                }
            }
            kernels.dropoutMatmulForward(Dropout.none(), rows, 1, false, in, width, FloatView.of(a, 0, rows * in),
                    FloatView.of(model.weights(l)), FloatView.of(model.biases(l)), model.activation(l),
                    FloatView.of(out[l], 0, rows * width));
        }
        return out[model.layers() - 1];
    }

    void backward(float[] x, int batch, boolean stochastic, float[] inputGradient, float[][] weightGrad,
                  float[][] biasGrad) {
        int rows = batch * samples;
        Arrays.fill(logitGrad, 0f);
        for (int l = model.layers() - 1; l >= 0; l--) {
            int in = model.size(l);
            int width = model.size(l + 1);
            boolean needInput = l > 0 || stochastic || inputGradient != null;
            kernels.dropoutMatmulBackward(Dropout.none(), rows, 1, false, in, width, FloatView.of(masked[l], 0, rows * in),
                    FloatView.of(model.weights(l)), FloatView.of(out[l], 0, rows * width), model.activation(l),
                    FloatView.of(grad[l], 0, rows * width), FloatView.of(weightGrad[l]), FloatView.of(biasGrad[l]),
                    needInput ? FloatView.of(maskedGrad, 0, rows * in) : null);
            if (!needInput) {
                continue;
            }
            float[] m = mask[l];
            float[] a = input(x, l);
            if (stochastic) {
                double p = ConcreteDropout.rate(model.dropLogits()[l]);
                double sum = 0;
                for (int r = 0; r < rows; r++) {
                    int from = l == 0 ? (r / samples) * in : r * in;
                    for (int d = 0; d < in; d++) {
                        int i = r * in + d;
                        sum += (double) maskedGrad[i] * a[from + d] * ConcreteDropout.maskDerivative(m[i], p);
                    }
                }
                logitGrad[l] = (float) sum;
            }
            if (l > 0) {
                float[] below = grad[l - 1];
                for (int i = 0; i < rows * in; i++) {
                    below[i] = maskedGrad[i] * m[i];
                }
            } else if (inputGradient != null) {
                Arrays.fill(inputGradient, 0, batch * in, 0f);
                for (int r = 0; r < rows; r++) {
                    int to = (r / samples) * in;
                    for (int d = 0; d < in; d++) {
                        inputGradient[to + d] += maskedGrad[r * in + d] * m[r * in + d];
                    }
                }
            }
        }
    }
}

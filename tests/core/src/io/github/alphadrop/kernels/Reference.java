package io.github.alphadrop.kernels;

import java.util.Random;

/**
 * A second, independent statement of the contract in double precision, for tests only: masks element by
 * element from {@link Philox#draw} (never from a backend), the dense layer as an explicit masked copy
 * followed by a matrix product, and the losses from their textbook formulas. Deliberately naive: it is
 * what the backends are checked against, so it must be obviously right rather than fast or stable.
 */
final class Reference {

    private Reference() {
    }

    /** The dropout multiplier of element (row, col) straight from the spec in {@link Kernels}. */
    static float multiplier(Dropout dropout, int row, int col) {
        if (dropout.p() == 0f) {
            return 1f;
        }
        if (dropout.noise() == Dropout.Noise.GAUSSIAN) {
            // The spec: 1 + sigma z, sigma^2 = p / (1 - p), z the sum of the eight 16-bit fields of the Philox
            // output at counter (col, row, layer, step), centred (8 x 32767.5) and divided by its sd
            // sqrt(8 (2^32 - 1) / 12).
            int[] out = new int[4];
            Philox.philox4x32(col, row, dropout.layer(), dropout.step(), (int) dropout.seed(),
                    (int) (dropout.seed() >>> 32), out);
            long sum = 0;
            for (int word : out) {
                sum += (word & 0xFFFFL) + ((word >>> 16) & 0xFFFFL);
            }
            double p = dropout.p();
            double sigma = Math.sqrt(p / (1 - p));
            double sd = Math.sqrt(8.0 * (4294967296.0 - 1.0) / 12.0);
            return (float) (1.0 + sigma / sd * (double) (sum - 262140L));
        }
        int draw = Philox.draw(dropout.seed(), dropout.step(), dropout.layer(), row, col, dropout.bits());
        return draw >= dropout.threshold() ? dropout.scale() : 0f;
    }

    /** The rows×cols mask starting at mask row {@code rowOffset}. */
    static float[] mask(Dropout dropout, int rowOffset, int rows, int cols) {
        float[] m = new float[rows * cols];
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < cols; c++) {
                m[i * cols + c] = multiplier(dropout, rowOffset + i, c);
            }
        }
        return m;
    }

    /**
     * The layer's masked input, (B·K)×D, as an explicit copy: row r = n*K + k holds a[n] (shared) or a[r]
     * times mask row r.
     */
    static double[] maskedInput(float[] mask, int batch, int samples, boolean sharedInput, int in, double[] a) {
        int rows = batch * samples;
        double[] x = new double[rows * in];
        for (int r = 0; r < rows; r++) {
            int aRow = sharedInput ? r / samples : r;
            for (int d = 0; d < in; d++) {
                // All double, so that finite differences in a are not rounded away.
                x[r * in + d] = mask[r * in + d] * a[aRow * in + d];
            }
        }
        return x;
    }

    /** x w + bias, (B·K)×H, in double. */
    static double[] preActivation(double[] x, int rows, int in, int out, double[] w, double[] bias) {
        double[] pre = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < out; h++) {
                double s = bias == null ? 0.0 : bias[h];
                for (int d = 0; d < in; d++) {
                    s += x[r * in + d] * w[d * out + h];
                }
                pre[r * out + h] = s;
            }
        }
        return pre;
    }

    /** Σ_d |x w| + |bias|: the scale against which float accumulation error is measured. */
    static double[] absScale(double[] x, int rows, int in, int out, double[] w, double[] bias) {
        double[] scale = new double[rows * out];
        for (int r = 0; r < rows; r++) {
            for (int h = 0; h < out; h++) {
                double s = bias == null ? 0.0 : Math.abs(bias[h]);
                for (int d = 0; d < in; d++) {
                    s += Math.abs(x[r * in + d] * w[d * out + h]);
                }
                scale[r * out + h] = s;
            }
        }
        return scale;
    }

    static double activate(Activation activation, double pre) {
        switch (activation) {
            case IDENTITY:
                return pre;
            case RELU:
                return Math.max(pre, 0.0);
            case TANH:
                return Math.tanh(pre);
            default:
                throw new AssertionError(activation);
        }
    }

    static double activationDerivative(Activation activation, double pre) {
        switch (activation) {
            case IDENTITY:
                return 1.0;
            case RELU:
                return pre > 0.0 ? 1.0 : 0.0;
            case TANH:
                double t = Math.tanh(pre);
                return 1.0 - t * t;
            default:
                throw new AssertionError(activation);
        }
    }

    /** The whole forward pass in double. {@code mask} is (B·K)×D from {@link #mask}. */
    static double[] forward(float[] mask, int batch, int samples, boolean sharedInput, int in, int out,
                            double[] a, double[] w, double[] bias, Activation activation) {
        int rows = batch * samples;
        double[] z = preActivation(maskedInput(mask, batch, samples, sharedInput, in, a), rows, in, out, w, bias);
        for (int i = 0; i < z.length; i++) {
            z[i] = activate(activation, z[i]);
        }
        return z;
    }

    /** log softmax(logits row)[label], computed as plainly as is safe for moderate logits. */
    static double logSoftmax(float[] logits, int base, int classes, int label) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < classes; c++) {
            max = Math.max(max, logits[base + c]);
        }
        double sum = 0.0;
        for (int c = 0; c < classes; c++) {
            sum += Math.exp(logits[base + c] - max);
        }
        return logits[base + label] - max - Math.log(sum);
    }

    /** ll[n][k] for the categorical likelihood. */
    static double[][] categoricalLogLik(int batch, int samples, int classes, float[] logits, int[] labels) {
        double[][] ll = new double[batch][samples];
        for (int n = 0; n < batch; n++) {
            for (int k = 0; k < samples; k++) {
                ll[n][k] = logSoftmax(logits, (n * samples + k) * classes, classes, labels[n]);
            }
        }
        return ll;
    }

    /** ll[n][k] for the Gaussian likelihood, straight from the formula in {@link Kernels}. */
    static double[][] gaussianLogLik(int batch, int samples, int dims, float[] f, float[] y, double logTau) {
        double tau = Math.exp(logTau);
        double[][] ll = new double[batch][samples];
        for (int n = 0; n < batch; n++) {
            for (int k = 0; k < samples; k++) {
                double se = 0.0;
                for (int d = 0; d < dims; d++) {
                    double e = (double) y[n * dims + d] - f[(n * samples + k) * dims + d];
                    se += e * e;
                }
                ll[n][k] = -0.5 * tau * se + 0.5 * dims * (logTau - Math.log(2.0 * Math.PI));
            }
        }
        return ll;
    }

    /**
     * L_n = -(1/α) log(mean_k exp(α ll_k)) as written (α > 0), or -mean_k ll_k for α = 0. No shifting: only
     * for test inputs whose ll are moderate.
     */
    static double alphaLoss(double[] ll, double alpha) {
        double mean = 0.0;
        if (alpha == 0.0) {
            for (double v : ll) {
                mean += v;
            }
            return -mean / ll.length;
        }
        for (double v : ll) {
            mean += Math.exp(alpha * v);
        }
        mean /= ll.length;
        return -Math.log(mean) / alpha;
    }

    static double meanAlphaLoss(double[][] ll, double alpha) {
        double s = 0.0;
        for (double[] row : ll) {
            s += alphaLoss(row, alpha);
        }
        return s / ll.length;
    }

    static float[] uniform(Random random, int n, float lo, float hi) {
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = lo + (hi - lo) * random.nextFloat();
        }
        return x;
    }

    static double[] toDouble(float[] x) {
        if (x == null) {
            return null;
        }
        double[] d = new double[x.length];
        for (int i = 0; i < x.length; i++) {
            d[i] = x[i];
        }
        return d;
    }
}

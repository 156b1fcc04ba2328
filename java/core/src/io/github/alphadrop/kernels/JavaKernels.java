package io.github.alphadrop.kernels;

import java.util.Arrays;

/**
 * The pure-Java reference backend: plain loops, written to be read and to be checked against, not to be
 * fast. Storage and matrix products are float with float accumulation (as BLAS does, so the native backend
 * is expected to agree to float rounding); the loss math (log-sum-exp, softmax, the α-weighting) is done in
 * double because that is where cancellation and overflow live. Dropout masks are bit-identical to every
 * other backend's because they come from the {@link Philox} spec in {@link Kernels}.
 *
 * <p>Stateless and thread-safe.
 */
public final class JavaKernels extends AbstractKernels {

    private static final double LOG_2PI = Math.log(2.0 * Math.PI);

    @Override
    public String name() {
        return "java";
    }

    // ---------------------------------------------------------------- views
    // The reference works on arrays from index 0: a view that is not one is copied in (inputs) or out
    // (outputs), which costs nothing that matters for a backend meant to be read and checked against.

    private static float[] in(FloatView v, int n) {
        return v == null ? null : v.readable(n);
    }

    private static float[] out(FloatView v, int n) {
        return v == null ? null : v.writable(n);
    }

    private static void commit(FloatView v, float[] data, int n) {
        if (v != null) {
            v.commit(data, n);
        }
    }

    @Override
    protected void dropoutMaskK(Dropout dropout, int rowOffset, int rows, int cols, FloatView mask) {
        int n = rows * cols;
        float[] m = out(mask, n);
        dropoutMaskArrays(dropout, rowOffset, rows, cols, m);
        commit(mask, m, n);
    }

    @Override
    protected void concreteMaskK(long seed, int step, int layer, float logit, int rowOffset, int rows, int cols,
                                 FloatView mask) {
        int n = rows * cols;
        float[] m = out(mask, n);
        ConcreteMask.fill(seed, step, layer, logit, rowOffset, rows, cols, m, 0);
        commit(mask, m, n);
    }

    @Override
    protected void dropoutMatmulForwardK(Dropout dropout, int batch, int samples, boolean sharedInput, int in,
                                         int out, FloatView a, FloatView w, FloatView bias, Activation activation,
                                         FloatView z) {
        int rows = batch * samples;
        float[] zs = out(z, rows * out);
        dropoutMatmulForwardArrays(dropout, batch, samples, sharedInput, in, out, in(a, (sharedInput ? batch : rows) * in),
                in(w, in * out), in(bias, out), activation, zs);
        commit(z, zs, rows * out);
    }

    @Override
    protected void dropoutMatmulBackwardK(Dropout dropout, int batch, int samples, boolean sharedInput, int in,
                                          int out, FloatView a, FloatView w, FloatView z, Activation activation,
                                          FloatView dz, FloatView dw, FloatView db, FloatView da) {
        int rows = batch * samples;
        int inputSize = (sharedInput ? batch : rows) * in;
        float[] dzs = in(dz, rows * out);
        float[] dws = out(dw, in * out);
        float[] dbs = out(db, out);
        float[] das = out(da, inputSize);
        dropoutMatmulBackwardArrays(dropout, batch, samples, sharedInput, in, out, in(a, inputSize), in(w, in * out),
                in(z, rows * out), activation, dzs, dws, dbs, das);
        if (activation != Activation.IDENTITY) {
            commit(dz, dzs, rows * out);
        }
        commit(dw, dws, in * out);
        commit(db, dbs, out);
        commit(da, das, inputSize);
    }

    @Override
    protected void conv2dForwardK(ConvShape shape, int images, FloatView x, FloatView w, FloatView bias,
                                  Activation activation, FloatView z) {
        int zSize = images * shape.outputSize();
        float[] zs = out(z, zSize);
        conv2dForwardArrays(shape, images, in(x, images * shape.inputSize()), in(w, shape.taps() * shape.filters()),
                in(bias, shape.filters()), activation, zs);
        commit(z, zs, zSize);
    }

    @Override
    protected void conv2dBackwardK(ConvShape shape, int images, FloatView x, FloatView w, FloatView z,
                                   Activation activation, FloatView dz, FloatView dw, FloatView db, FloatView dx) {
        int zSize = images * shape.outputSize(), xSize = images * shape.inputSize(), wSize = shape.taps() * shape.filters();
        float[] dzs = in(dz, zSize);
        float[] dws = out(dw, wSize);
        float[] dbs = out(db, shape.filters());
        float[] dxs = out(dx, xSize);
        conv2dBackwardArrays(shape, images, in(x, xSize), in(w, wSize), in(z, zSize), activation, dzs, dws, dbs, dxs);
        if (activation != Activation.IDENTITY) {
            commit(dz, dzs, zSize);
        }
        commit(dw, dws, wSize);
        commit(db, dbs, shape.filters());
        commit(dx, dxs, xSize);
    }

    @Override
    protected void maxPool2dForwardK(int images, int height, int width, int channels, int size, FloatView x,
                                     FloatView y) {
        int in = images * height * width * channels, out = images * (height / size) * (width / size) * channels;
        float[] ys = out(y, out);
        float[] xs = in(x, in);
        int oh = height / size, ow = width / size;
        for (int n = 0; n < images; n++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int c = 0; c < channels; c++) {
                        ys[((n * oh + oy) * ow + ox) * channels + c] = xs[poolWinner(xs, n, oy, ox, c, height, width,
                                channels, size)];
                    }
                }
            }
        }
        commit(y, ys, out);
    }

    @Override
    protected void maxPool2dBackwardK(int images, int height, int width, int channels, int size, FloatView x,
                                      FloatView dy, FloatView dx) {
        int in = images * height * width * channels, out = images * (height / size) * (width / size) * channels;
        float[] xs = in(x, in);
        float[] dys = in(dy, out);
        float[] dxs = out(dx, in);
        Arrays.fill(dxs, 0, in, 0f);
        int oh = height / size, ow = width / size;
        for (int n = 0; n < images; n++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int c = 0; c < channels; c++) {
                        dxs[poolWinner(xs, n, oy, ox, c, height, width, channels, size)] +=
                                dys[((n * oh + oy) * ow + ox) * channels + c];
                    }
                }
            }
        }
        commit(dx, dxs, in);
    }

    /** The index in x of the first maximum of a window (a NaN beats any number). */
    private static int poolWinner(float[] x, int n, int oy, int ox, int c, int height, int width, int channels,
                                  int size) {
        int best = -1;
        for (int dy = 0; dy < size; dy++) {
            for (int dx = 0; dx < size; dx++) {
                int i = ((n * height + oy * size + dy) * width + ox * size + dx) * channels + c;
                if (best < 0 || x[i] > x[best] || (Float.isNaN(x[i]) && !Float.isNaN(x[best]))) {
                    best = i;
                }
            }
        }
        return best;
    }

    @Override
    protected double alphaLossCategoricalK(int batch, int samples, int classes, FloatView logits, int[] labels,
                                           float alpha, FloatView lossPerPoint, FloatView dlogits) {
        int size = batch * samples * classes;
        float[] loss = out(lossPerPoint, batch);
        float[] grad = out(dlogits, size);
        double mean = alphaLossCategoricalArrays(batch, samples, classes, in(logits, size), labels, alpha, loss, grad);
        commit(lossPerPoint, loss, batch);
        commit(dlogits, grad, size);
        return mean;
    }

    @Override
    protected double alphaLossGaussianK(int batch, int samples, int dims, FloatView f, FloatView y, float logTau,
                                        float alpha, FloatView lossPerPoint, FloatView df, FloatView dLogTau) {
        int size = batch * samples * dims;
        float[] loss = out(lossPerPoint, batch);
        float[] grad = out(df, size);
        float[] gradTau = out(dLogTau, 1);
        double mean = alphaLossGaussianArrays(batch, samples, dims, in(f, size), in(y, batch * dims), logTau, alpha,
                loss, grad, gradTau);
        commit(lossPerPoint, loss, batch);
        commit(df, grad, size);
        commit(dLogTau, gradTau, 1);
        return mean;
    }

    // ---------------------------------------------------------------- dropout masks

    private static void dropoutMaskArrays(Dropout dropout, int rowOffset, int rows, int cols, float[] mask) {
        for (int i = 0; i < rows; i++) {
            maskRow(dropout, rowOffset + i, cols, mask, i * cols);
        }
    }

    /**
     * Writes the multipliers of mask row {@code row}, columns [0, cols), to {@code dst[offset..]}. One Philox
     * block serves 128 / bits consecutive columns, so it is computed once per that many columns.
     */
    private static void maskRow(Dropout dropout, int row, int cols, float[] dst, int offset) {
        if (dropout.p() == 0f) {
            // p == 0 means no dropout at all, not "threshold 0": no random numbers, multiplier exactly 1.
            Arrays.fill(dst, offset, offset + cols, 1f);
            return;
        }
        if (dropout.noise() == Dropout.Noise.GAUSSIAN) {
            gaussianRow(dropout, row, cols, dst, offset);
            return;
        }
        int bits = dropout.bits();
        int perCounter = 128 / bits;
        int threshold = dropout.threshold();
        float scale = dropout.scale();
        int k0 = (int) dropout.seed();
        int k1 = (int) (dropout.seed() >>> 32);
        int[] block = new int[4];
        for (int group = 0; group * perCounter < cols; group++) {
            Philox.philox4x32(group, row, dropout.layer(), dropout.step(), k0, k1, block);
            int end = Math.min(perCounter, cols - group * perCounter);
            for (int j = 0; j < end; j++) {
                dst[offset + group * perCounter + j] = Philox.field(block, j, bits) >= threshold ? scale : 0f;
            }
        }
    }

    /** Gaussian multipliers of one row: element d from its own Philox output, counter (d, row, layer, step). */
    private static void gaussianRow(Dropout dropout, int row, int cols, float[] dst, int offset) {
        double coef = dropout.gaussianCoefficient();
        int k0 = (int) dropout.seed();
        int k1 = (int) (dropout.seed() >>> 32);
        int[] block = new int[4];
        for (int d = 0; d < cols; d++) {
            Philox.philox4x32(d, row, dropout.layer(), dropout.step(), k0, k1, block);
            long sum = 0;
            for (int w = 0; w < 4; w++) {
                sum += (block[w] & 0xFFFF) + (block[w] >>> 16);
            }
            dst[offset + d] = (float) (1.0 + coef * (double) (sum - 262140));
        }
    }

    // ---------------------------------------------------------------- dense layer

    private static void dropoutMatmulForwardArrays(Dropout dropout, int batch, int samples, boolean sharedInput, int in,
                                         int out, float[] a, float[] w, float[] bias, Activation activation,
                                         float[] z) {
        int rows = batch * samples;
        float[] mask = new float[in];
        float[] x = new float[in];
        float[] acc = new float[out];
        for (int r = 0; r < rows; r++) {
            int aRow = sharedInput ? r / samples : r;
            // The mask row is the output row r even when the input row is shared: each sample has its own mask.
            maskRow(dropout, r, in, mask, 0);
            for (int d = 0; d < in; d++) {
                x[d] = mask[d] * a[aRow * in + d];
            }
            // d-outer order walks w row by row; each acc[h] still sums its products in order d = 0..in-1.
            Arrays.fill(acc, 0f);
            for (int d = 0; d < in; d++) {
                float xd = x[d];
                int wRow = d * out;
                for (int h = 0; h < out; h++) {
                    acc[h] += xd * w[wRow + h];
                }
            }
            for (int h = 0; h < out; h++) {
                float pre = bias == null ? acc[h] : acc[h] + bias[h];
                z[r * out + h] = activate(activation, pre);
            }
        }
    }

    private static float activate(Activation activation, float pre) {
        switch (activation) {
            case IDENTITY:
                return pre;
            case RELU:
                // NaN propagates (as the native max does): a NaN must never turn into a plausible 0.
                return pre > 0f || Float.isNaN(pre) ? pre : 0f;
            case TANH:
                return (float) Math.tanh(pre);
            default:
                throw new AssertionError(activation);
        }
    }

    // ---------------------------------------------------------------- convolution
    // Direct loops over output positions and window taps (no patch matrix): a different computation from
    // the native im2col + sgemm, which is what makes it a reference for it.

    private static void conv2dForwardArrays(ConvShape s, int images, float[] x, float[] w, float[] bias,
                                            Activation activation, float[] z) {
        int f = s.filters(), c = s.channels();
        float[] acc = new float[f];
        for (int n = 0; n < images; n++) {
            for (int oy = 0; oy < s.outHeight(); oy++) {
                for (int ox = 0; ox < s.outWidth(); ox++) {
                    for (int j = 0; j < f; j++) {
                        acc[j] = bias == null ? 0f : bias[j];
                    }
                    for (int dy = 0; dy < s.kernelH(); dy++) {
                        int iy = oy + dy - s.padTop();
                        for (int dx = 0; dx < s.kernelW(); dx++) {
                            int ix = ox + dx - s.padLeft();
                            if (iy < 0 || iy >= s.height() || ix < 0 || ix >= s.width()) {
                                continue;
                            }
                            int xBase = ((n * s.height() + iy) * s.width() + ix) * c;
                            int tap = (dy * s.kernelW() + dx) * c;
                            for (int ch = 0; ch < c; ch++) {
                                float v = x[xBase + ch];
                                int wBase = (tap + ch) * f;
                                for (int j = 0; j < f; j++) {
                                    acc[j] += v * w[wBase + j];
                                }
                            }
                        }
                    }
                    int zBase = ((n * s.outHeight() + oy) * s.outWidth() + ox) * f;
                    for (int j = 0; j < f; j++) {
                        z[zBase + j] = activate(activation, acc[j]);
                    }
                }
            }
        }
    }

    private static void conv2dBackwardArrays(ConvShape s, int images, float[] x, float[] w, float[] z,
                                             Activation activation, float[] dz, float[] dw, float[] db, float[] dx) {
        int f = s.filters(), c = s.channels();
        int outSize = images * s.outputSize();
        if (activation != Activation.IDENTITY) {
            for (int i = 0; i < outSize; i++) {
                dz[i] = activation == Activation.RELU ? (z[i] > 0f ? dz[i] : 0f) : dz[i] * (1f - z[i] * z[i]);
            }
        }
        Arrays.fill(dw, 0, s.taps() * f, 0f);
        if (db != null) {
            Arrays.fill(db, 0, f, 0f);
        }
        if (dx != null) {
            Arrays.fill(dx, 0, images * s.inputSize(), 0f);
        }
        for (int n = 0; n < images; n++) {
            for (int oy = 0; oy < s.outHeight(); oy++) {
                for (int ox = 0; ox < s.outWidth(); ox++) {
                    int zBase = ((n * s.outHeight() + oy) * s.outWidth() + ox) * f;
                    if (db != null) {
                        for (int j = 0; j < f; j++) {
                            db[j] += dz[zBase + j];
                        }
                    }
                    for (int dy = 0; dy < s.kernelH(); dy++) {
                        int iy = oy + dy - s.padTop();
                        for (int dxk = 0; dxk < s.kernelW(); dxk++) {
                            int ix = ox + dxk - s.padLeft();
                            if (iy < 0 || iy >= s.height() || ix < 0 || ix >= s.width()) {
                                continue;
                            }
                            int xBase = ((n * s.height() + iy) * s.width() + ix) * c;
                            int tap = (dy * s.kernelW() + dxk) * c;
                            for (int ch = 0; ch < c; ch++) {
                                float v = x[xBase + ch];
                                int wBase = (tap + ch) * f;
                                float g = 0f;
                                for (int j = 0; j < f; j++) {
                                    float d = dz[zBase + j];
                                    dw[wBase + j] += v * d;
                                    g += w[wBase + j] * d;
                                }
                                if (dx != null) {
                                    dx[xBase + ch] += g;
                                }
                            }
                        }
                    }
                }
            }
        }
    }

    private static void dropoutMatmulBackwardArrays(Dropout dropout, int batch, int samples, boolean sharedInput, int in,
                                          int out, float[] a, float[] w, float[] z, Activation activation,
                                          float[] dz, float[] dw, float[] db, float[] da) {
        int rows = batch * samples;

        // dz -> dzPre, in place, using the derivative expressed through the saved output z.
        if (activation != Activation.IDENTITY) {
            for (int i = 0; i < rows * out; i++) {
                switch (activation) {
                    case RELU:
                        // z > 0 exactly when the pre-activation was > 0; the kink itself gets gradient 0.
                        dz[i] = z[i] > 0f ? dz[i] : 0f;
                        break;
                    case TANH:
                        dz[i] = dz[i] * (1f - z[i] * z[i]);
                        break;
                    default:
                        throw new AssertionError(activation);
                }
            }
        }

        Arrays.fill(dw, 0, in * out, 0f);
        if (db != null) {
            Arrays.fill(db, 0, out, 0f);
        }
        if (da != null) {
            Arrays.fill(da, 0, (sharedInput ? batch : rows) * in, 0f);
        }

        float[] mask = new float[in];
        for (int r = 0; r < rows; r++) {
            int aRow = sharedInput ? r / samples : r;
            maskRow(dropout, r, in, mask, 0);
            int dzRow = r * out;

            // dw += (m ⊙ a[aRow])ᵀ dzPre[r]: the same masked input the forward pass multiplied by w.
            for (int d = 0; d < in; d++) {
                float xd = mask[d] * a[aRow * in + d];
                int wRow = d * out;
                for (int h = 0; h < out; h++) {
                    dw[wRow + h] += xd * dz[dzRow + h];
                }
            }

            if (db != null) {
                for (int h = 0; h < out; h++) {
                    db[h] += dz[dzRow + h];
                }
            }

            // da[aRow] += (dzPre[r] wᵀ) ⊙ m[r]; with a shared input the K samples of a datapoint add up.
            if (da != null) {
                for (int d = 0; d < in; d++) {
                    float dot = 0f;
                    int wRow = d * out;
                    for (int h = 0; h < out; h++) {
                        dot += dz[dzRow + h] * w[wRow + h];
                    }
                    da[aRow * in + d] += dot * mask[d];
                }
            }
        }
    }

    // ---------------------------------------------------------------- alpha-divergence losses

    private static double alphaLossCategoricalArrays(int batch, int samples, int classes, float[] logits, int[] labels,
                                           float alpha, float[] lossPerPoint, float[] dlogits) {
        double[] ll = new double[samples];
        double[] weight = new double[samples];
        double[] logSumExp = new double[samples];
        double total = 0.0;
        for (int n = 0; n < batch; n++) {
            for (int k = 0; k < samples; k++) {
                int base = (n * samples + k) * classes;
                logSumExp[k] = logSumExp(logits, base, classes);
                ll[k] = logits[base + labels[n]] - logSumExp[k];
            }
            double loss = alphaCombine(ll, samples, alpha, weight);
            total += loss;
            if (lossPerPoint != null) {
                lossPerPoint[n] = (float) loss;
            }
            if (dlogits != null) {
                // dL_n/dll_k = -weight_k and dll_k/dlogit_c = onehot_c - softmax_c; 1/B for the batch mean.
                for (int k = 0; k < samples; k++) {
                    int base = (n * samples + k) * classes;
                    double wk = weight[k] / batch;
                    for (int c = 0; c < classes; c++) {
                        double softmax = Math.exp(logits[base + c] - logSumExp[k]);
                        double onehot = c == labels[n] ? 1.0 : 0.0;
                        dlogits[base + c] = (float) (wk * (softmax - onehot));
                    }
                }
            }
        }
        return total / batch;
    }

    /** log Σ_c exp(x[base + c]), shifted by the maximum so that no exp overflows. */
    private static double logSumExp(float[] x, int base, int length) {
        double max = Double.NEGATIVE_INFINITY;
        for (int c = 0; c < length; c++) {
            max = Math.max(max, x[base + c]);
        }
        double sum = 0.0;
        for (int c = 0; c < length; c++) {
            sum += Math.exp(x[base + c] - max);
        }
        return max + Math.log(sum);
    }

    private static double alphaLossGaussianArrays(int batch, int samples, int dims, float[] f, float[] y, float logTau,
                                        float alpha, float[] lossPerPoint, float[] df, float[] dLogTau) {
        double tau = Math.exp(logTau);
        double llConstant = 0.5 * dims * (logTau - LOG_2PI);
        double[] ll = new double[samples];
        double[] squaredError = new double[samples];
        double[] weight = new double[samples];
        double total = 0.0;
        double gradLogTau = 0.0;
        for (int n = 0; n < batch; n++) {
            for (int k = 0; k < samples; k++) {
                int base = (n * samples + k) * dims;
                double se = 0.0;
                for (int d = 0; d < dims; d++) {
                    double e = (double) y[n * dims + d] - f[base + d];
                    se += e * e;
                }
                squaredError[k] = se;
                ll[k] = -0.5 * tau * se + llConstant;
            }
            double loss = alphaCombine(ll, samples, alpha, weight);
            total += loss;
            if (lossPerPoint != null) {
                lossPerPoint[n] = (float) loss;
            }
            for (int k = 0; k < samples; k++) {
                // dL_n/dll_k = -weight_k; dll_k/dlogTau = -τ/2 ||y - f||² + D/2.
                gradLogTau -= weight[k] * (-0.5 * tau * squaredError[k] + 0.5 * dims);
                if (df != null) {
                    // dll_k/df = τ (y - f), so dL_n/df = weight_k τ (f - y).
                    int base = (n * samples + k) * dims;
                    double scale = weight[k] * tau / batch;
                    for (int d = 0; d < dims; d++) {
                        df[base + d] = (float) (scale * ((double) f[base + d] - y[n * dims + d]));
                    }
                }
            }
        }
        if (dLogTau != null) {
            dLogTau[0] = (float) (gradLogTau / batch);
        }
        return total / batch;
    }

    /**
     * L_n = -(1/α)(logsumexp_k(α ll_k) - log K) for one datapoint, and writes the weights
     * weight_k = softmax_k(α ll) = -dL_n/dll_k. With m = max_k ll_k and δ_k = ll_k - m ≤ 0 this is the same as
     * {@code -m - (1/α) log(mean_k exp(α δ_k))}, evaluated as {@code log1p(mean_k expm1(α δ_k))}: the direct
     * form subtracts log K from a nearly equal number and loses all precision as α → 0, this one stays
     * accurate for every α > 0, and α = 0 is the exact limit -mean_k ll_k with uniform weights.
     */
    private static double alphaCombine(double[] ll, int samples, float alpha, double[] weight) {
        if (alpha == 0f) {
            double sum = 0.0;
            for (int k = 0; k < samples; k++) {
                sum += ll[k];
                weight[k] = 1.0 / samples;
            }
            return -sum / samples;
        }
        double max = Double.NEGATIVE_INFINITY;
        for (int k = 0; k < samples; k++) {
            max = Math.max(max, ll[k]);
        }
        double meanExpm1 = 0.0;
        double weightSum = 0.0;
        for (int k = 0; k < samples; k++) {
            double s = alpha * (ll[k] - max);
            meanExpm1 += Math.expm1(s);
            weight[k] = Math.exp(s);
            weightSum += weight[k];
        }
        meanExpm1 /= samples;
        for (int k = 0; k < samples; k++) {
            weight[k] /= weightSum;
        }
        return -max - Math.log1p(meanExpm1) / alpha;
    }
}

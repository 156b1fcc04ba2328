package io.github.alphadrop.network;

import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.kernels.FloatView;
import io.github.alphadrop.kernels.Kernels;


/**
 * Element-wise inverted dropout on its input, e.g. after a convolution: {@code y = m ⊙ x} with the
 * multipliers of {@link Kernels#dropoutMask} (0 or 1/(1-p), mask row = sample row n·K + k), regenerated in
 * backward, never stored. On a shared input it is where the K samples part: each datapoint's row becomes
 * K differently masked rows. Without dropout (deterministic, or p = 0) it passes its input through.
 */
public final class DropoutLayer implements Layer {

    private final int size;
    private final float dropout;
    private final int maskId;
    private final Dropout.Noise noise;

    public DropoutLayer(int size, float dropout, int maskId) {
        this(size, dropout, maskId, Dropout.Noise.BERNOULLI);
    }

    /** With {@code noise}: Bernoulli or Gaussian multipliers of rate {@code dropout}. */
    public DropoutLayer(int size, float dropout, int maskId, Dropout.Noise noise) {
        this.noise = Layer.requireInputNoise(noise);
        if (size < 1) {
            throw new IllegalArgumentException("a dropout layer needs size >= 1, got " + size);
        }
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        if (maskId < 0 || maskId >= 65536) {
            throw new IllegalArgumentException("maskId must be in [0, 65536), got " + maskId);
        }
        this.size = size;
        this.dropout = dropout;
        this.maskId = maskId;
    }

    @Override
    public String tag() {
        return "dropout";
    }

    @Override
    public int inputSize() {
        return size;
    }

    @Override
    public int outputSize() {
        return size;
    }

    @Override
    public float dropout() {
        return dropout;
    }

    @Override
    public int maskId() {
        return maskId;
    }

    @Override
    public Dropout.Noise noise() {
        return noise;
    }

    private float[] mask(Kernels kernels, MaskSpec masks, int rows) {
        float[] m = new float[Math.multiplyExact(rows, size)];
        kernels.dropoutMask(masks.dropout(maskId, dropout, noise), 0, rows, size, FloatView.of(m));
        return m;
    }

    private boolean passes(boolean shared, boolean stochastic) {
        return sharesOutput(shared, stochastic) || !stochastic || dropout == 0f;
    }

    // The element-wise products run in Java on heap copies: this layer moves rows·size floats where its
    // neighbours multiply matrices.
    @Override
    public FloatView forward(Kernels kernels, MaskSpec masks, boolean stochastic, FloatView x, int batch, int samples,
                             boolean shared, Workspace workspace, int slot) {
        if (passes(shared, stochastic)) {
            return x;
        }
        int rows = batch * samples;
        float[] in = new float[(shared ? batch : rows) * size];
        x.get(in, 0, in.length);
        float[] m = mask(kernels, masks, rows);
        for (int r = 0; r < rows; r++) {
            int from = (shared ? r / samples : r) * size, to = r * size;
            for (int j = 0; j < size; j++) {
                m[to + j] *= in[from + j];
            }
        }
        FloatView y = workspace.get(slot, m.length);
        y.put(m, 0, m.length);
        return y;
    }

    @Override
    public FloatView backward(Kernels kernels, MaskSpec masks, boolean stochastic, FloatView x, FloatView y,
                              FloatView dy, int batch, int samples, boolean shared, boolean needInputGradient,
                              Workspace workspace, int slot) {
        if (!needInputGradient) {
            return null;
        }
        if (passes(shared, stochastic)) {
            return dy;
        }
        int rows = batch * samples;
        float[] m = mask(kernels, masks, rows);
        float[] g = new float[rows * size];
        dy.get(g, 0, g.length);
        float[] dx = new float[(shared ? batch : rows) * size];
        for (int r = 0; r < rows; r++) {
            int to = (shared ? r / samples : r) * size, from = r * size;
            for (int j = 0; j < size; j++) {
                dx[to + j] += m[from + j] * g[from + j];
            }
        }
        FloatView out = workspace.get(slot, dx.length);
        out.put(dx, 0, dx.length);
        return out;
    }
}

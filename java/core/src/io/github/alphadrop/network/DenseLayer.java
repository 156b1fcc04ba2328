package io.github.alphadrop.network;

import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.FloatView;
import io.github.alphadrop.kernels.Kernels;

import java.util.List;

/** A dense layer with dropout on its input, bias and activation: the fused kernel of the backends. */
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

    public DenseLayer(int in, int out, Activation activation, float dropout, int maskId) {
        this(in, out, activation, dropout, maskId, Dropout.Noise.BERNOULLI);
    }

    /** With {@code noise} on its input: Bernoulli or Gaussian dropout of rate {@code dropout}. */
    public DenseLayer(int in, int out, Activation activation, float dropout, int maskId, Dropout.Noise noise) {
        this.noise = Layer.requireInputNoise(noise);
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
    }

    @Override
    public List<float[]> parameters() {
        return List.of(weights, bias);
    }

    @Override
    public List<float[]> gradients() {
        return List.of(dw, db);
    }

    @Override
    public FloatView forward(Kernels kernels, MaskSpec masks, boolean stochastic, FloatView x, int batch, int samples,
                             boolean shared, Workspace workspace, int slot) {
        boolean keepShared = sharesOutput(shared, stochastic);
        // Still shared: one row per datapoint, as if K were 1.
        int k = keepShared ? 1 : samples;
        FloatView y = workspace.get(slot, batch * k * out);
        kernels.dropoutMatmulForward(masks.dropout(maskId, stochastic ? dropout : 0f, noise), batch, k, shared && !keepShared, in,
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
        kernels.dropoutMatmulBackward(masks.dropout(maskId, stochastic ? dropout : 0f, noise), batch, k, shared && !keepShared, in,
                out, x, FloatView.of(weights), y, activation, dy, FloatView.of(dw), FloatView.of(db), dx);
        return dx;
    }
}

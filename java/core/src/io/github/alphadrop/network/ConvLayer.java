package io.github.alphadrop.network;

import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.FloatView;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.layers.Conv2D;

import java.util.List;

/** {@link Conv2D} as a network layer, without dropout on its input: it runs once per datapoint while shared. */
public final class ConvLayer implements Layer {

    private final Conv2D conv;
    private final float[] weights;
    private final float[] bias;
    private final float[] dw;
    private final float[] db;

    public ConvLayer(int height, int width, int channels, int kernel, int filters, Conv2D.Padding padding,
                     Activation activation) {
        this.conv = new Conv2D(height, width, channels, kernel, kernel, filters, padding, activation);
        this.weights = new float[conv.taps() * filters];
        this.bias = new float[filters];
        this.dw = new float[weights.length];
        this.db = new float[filters];
    }

    public Conv2D conv() {
        return conv;
    }

    public float[] weights() {
        return weights;
    }

    public float[] bias() {
        return bias;
    }

    @Override
    public String tag() {
        return "conv2d";
    }

    @Override
    public int inputSize() {
        return conv.inputSize();
    }

    @Override
    public int outputSize() {
        return conv.outputSize();
    }

    /** Glorot-uniform with Keras's fans for a convolution: kh·kw·C in, kh·kw·F out. */
    @Override
    public void initialize(java.util.SplittableRandom random) {
        Layer.glorotUniform(weights, conv.window() * conv.channels(), conv.window() * conv.filters(), random);
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
        int rows = shared ? batch : batch * samples;
        FloatView z = workspace.get(slot, rows * conv.outputSize());
        kernels.conv2dForward(conv.shape(), rows, x, FloatView.of(weights), FloatView.of(bias), conv.activation(), z);
        return z;
    }

    @Override
    public FloatView backward(Kernels kernels, MaskSpec masks, boolean stochastic, FloatView x, FloatView y,
                              FloatView dy, int batch, int samples, boolean shared, boolean needInputGradient,
                              Workspace workspace, int slot) {
        int rows = shared ? batch : batch * samples;
        FloatView dx = needInputGradient ? workspace.get(slot, rows * conv.inputSize()) : null;
        kernels.conv2dBackward(conv.shape(), rows, x, FloatView.of(weights), y, conv.activation(), dy, FloatView.of(dw),
                FloatView.of(db), dx);
        return dx;
    }
}

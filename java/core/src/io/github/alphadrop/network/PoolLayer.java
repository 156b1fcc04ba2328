package io.github.alphadrop.network;

import io.github.alphadrop.kernels.FloatView;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.layers.MaxPool2D;


/** {@link MaxPool2D} as a network layer: no parameters, no dropout, no state between forward and backward. */
public final class PoolLayer implements Layer {

    private final MaxPool2D pool;

    public PoolLayer(int height, int width, int channels, int size) {
        this.pool = new MaxPool2D(height, width, channels, size);
    }

    public MaxPool2D pool() {
        return pool;
    }

    @Override
    public String tag() {
        return "maxpool2d";
    }

    @Override
    public int inputSize() {
        return pool.inputSize();
    }

    @Override
    public int outputSize() {
        return pool.outputSize();
    }

    @Override
    public FloatView forward(Kernels kernels, MaskSpec masks, boolean stochastic, FloatView x, int batch, int samples,
                             boolean shared, Workspace workspace, int slot) {
        int rows = shared ? batch : batch * samples;
        FloatView y = workspace.get(slot, rows * pool.outputSize());
        kernels.maxPool2dForward(rows, pool.height(), pool.width(), pool.channels(), pool.size(), x, y);
        return y;
    }

    @Override
    public FloatView backward(Kernels kernels, MaskSpec masks, boolean stochastic, FloatView x, FloatView y,
                              FloatView dy, int batch, int samples, boolean shared, boolean needInputGradient,
                              Workspace workspace, int slot) {
        if (!needInputGradient) {
            return null;
        }
        int rows = shared ? batch : batch * samples;
        FloatView dx = workspace.get(slot, rows * pool.inputSize());
        kernels.maxPool2dBackward(rows, pool.height(), pool.width(), pool.channels(), pool.size(), x, dy, dx);
        return dx;
    }
}

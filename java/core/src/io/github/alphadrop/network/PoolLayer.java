package io.github.alphadrop.network;

import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.layers.MaxPool2D;

import java.util.List;

/** {@link MaxPool2D} as a network layer: no parameters, no dropout. Not thread-safe (it keeps the last argmax). */
public final class PoolLayer implements Layer {

    private final MaxPool2D pool;
    private MaxPool2D.Pooled last;

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
    public float dropout() {
        return 0f;
    }

    @Override
    public int maskId() {
        return -1;
    }

    @Override
    public List<float[]> parameters() {
        return List.of();
    }

    @Override
    public List<float[]> gradients() {
        return List.of();
    }

    @Override
    public float[] forward(Kernels kernels, MaskSpec masks, boolean stochastic, float[] x, int batch, int samples,
                           boolean shared) {
        last = pool.forward(x, shared ? batch : batch * samples);
        return last.out();
    }

    @Override
    public float[] backward(Kernels kernels, MaskSpec masks, boolean stochastic, float[] x, float[] y, float[] dy,
                            int batch, int samples, boolean shared, boolean needInputGradient) {
        int rows = shared ? batch : batch * samples;
        MaxPool2D.Pooled pooled = last != null && last.out() == y ? last : pool.forward(x, rows);
        return needInputGradient ? pool.backward(pooled, dy, rows) : null;
    }
}

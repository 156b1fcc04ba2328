package io.github.alphadrop.layers;

import io.github.alphadrop.kernels.FloatView;
import io.github.alphadrop.kernels.Kernels;

/**
 * k×k max pooling with stride k on NHWC images ({@code rows × height × width × channels}); a trailing
 * row or column that does not fill a window is dropped, as in Keras. Runs on the backend's pooling kernels;
 * backward finds each window's winner (the first of equal maxima) again from x and routes the output
 * gradient to it, so nothing is kept between the two. A NaN in a window wins it, so NaN propagates.
 */
public final class MaxPool2D {

    private final int height;
    private final int width;
    private final int channels;
    private final int size;

    public MaxPool2D(int height, int width, int channels, int size) {
        if (height < 1 || width < 1 || channels < 1 || size < 1) {
            throw new IllegalArgumentException("height, width, channels and size must be >= 1, got " + height + ", "
                    + width + ", " + channels + ", " + size);
        }
        if (size > height || size > width) {
            throw new IllegalArgumentException("a " + size + "x" + size + " window does not fit a " + height + "x" + width
                    + " input");
        }
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.size = size;
    }

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int channels() {
        return channels;
    }

    /** The window side, which is also the stride. */
    public int size() {
        return size;
    }

    public int outHeight() {
        return height / size;
    }

    public int outWidth() {
        return width / size;
    }

    public int inputSize() {
        return height * width * channels;
    }

    public int outputSize() {
        return outHeight() * outWidth() * channels;
    }

    /** The pooled images: rows × outH × outW × channels. */
    public float[] forward(Kernels kernels, float[] x, int rows) {
        requireRows(x, rows);
        float[] out = new float[rows * outputSize()];
        kernels.maxPool2dForward(rows, height, width, channels, size, FloatView.of(x), FloatView.of(out));
        return out;
    }

    /** The input gradient: each output's gradient lands on the input that won its window in x. */
    public float[] backward(Kernels kernels, float[] x, float[] dout, int rows) {
        requireRows(x, rows);
        if (dout == null || (long) dout.length < (long) rows * outputSize()) {
            throw new IllegalArgumentException("dout must hold rows * " + outputSize() + " = " + (long) rows * outputSize()
                    + " values, got " + (dout == null ? "null" : dout.length));
        }
        float[] dx = new float[rows * inputSize()];
        kernels.maxPool2dBackward(rows, height, width, channels, size, FloatView.of(x), FloatView.of(dout),
                FloatView.of(dx));
        return dx;
    }

    private void requireRows(float[] x, int rows) {
        if (x == null || rows < 1 || (long) x.length < (long) rows * inputSize()) {
            throw new IllegalArgumentException("x must hold rows * " + inputSize() + " = " + (long) rows * inputSize()
                    + " values for rows = " + rows + ", got " + (x == null ? "null" : x.length));
        }
        if ((long) rows * inputSize() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(rows + " images are too many for one call; use fewer rows per call");
        }
    }
}

package io.github.alphadrop.layers;

/**
 * k×k max pooling with stride k on NHWC images ({@code rows × height × width × channels}); a trailing
 * row or column that does not fill a window is dropped, as in Keras. Forward remembers which input won
 * each window (the first of equal maxima), and backward routes each output gradient to it. A NaN in a
 * window wins it, so NaN propagates.
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

    /** The pooled images and, per output, the index of the input element that won its window. */
    public record Pooled(float[] out, int[] argmax) {
    }

    public Pooled forward(float[] x, int rows) {
        if (x == null || (long) x.length < (long) rows * inputSize() || rows < 1) {
            throw new IllegalArgumentException("x must hold rows * " + inputSize() + " = " + (long) rows * inputSize()
                    + " values for rows = " + rows + ", got " + (x == null ? "null" : x.length));
        }
        int oh = outHeight(), ow = outWidth();
        float[] out = new float[rows * outputSize()];
        int[] argmax = new int[out.length];
        // Window positions outermost and channels innermost, so every inner loop runs over contiguous floats.
        for (int n = 0; n < rows; n++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int o = ((n * oh + oy) * ow + ox) * channels;
                    for (int dy = 0; dy < size; dy++) {
                        for (int dx = 0; dx < size; dx++) {
                            int i = ((n * height + oy * size + dy) * width + ox * size + dx) * channels;
                            boolean first = dy == 0 && dx == 0;
                            for (int c = 0; c < channels; c++) {
                                float v = x[i + c];
                                float max = out[o + c];
                                if (first || v > max || (v != v && max == max)) {
                                    out[o + c] = v;
                                    argmax[o + c] = i + c;
                                }
                            }
                        }
                    }
                }
            }
        }
        return new Pooled(out, argmax);
    }

    private static int maxIndex(int[] argmax) {
        int m = -1;
        for (int i : argmax) {
            m = Math.max(m, i);
        }
        return m;
    }

    /** The input gradient: each output's gradient lands on the input that won its window. */
    public float[] backward(Pooled forward, float[] dout, int rows) {
        if (forward == null || rows < 1 || (long) rows * inputSize() <= maxIndex(forward.argmax())) {
            throw new IllegalArgumentException("rows = " + rows + " does not match the forward pass it is given");
        }
        if (forward == null || dout == null || dout.length < forward.out().length) {
            throw new IllegalArgumentException("dout must hold " + (forward == null ? "?" : forward.out().length)
                    + " values, got " + (dout == null ? "null" : dout.length));
        }
        float[] dx = new float[rows * inputSize()];
        int[] argmax = forward.argmax();
        for (int o = 0; o < argmax.length; o++) {
            dx[argmax[o]] += dout[o];
        }
        return dx;
    }
}

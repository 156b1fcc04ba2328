package io.github.alphadrop.layers;

import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.kernels.Kernels;

/**
 * A 2-D convolution, stride 1, valid or same padding, bias and activation fused, on images stored
 * row-major as {@code rows × height × width × channels} (NHWC). Computed as im2col followed by the
 * backend's dense kernel: the patch matrix ({@code rows·outH·outW × kh·kw·C}) times the weights
 * ({@code kh·kw·C × filters}), so the native backend runs it on its own micro-kernels and the pure-Java
 * backend on its reference loops; backward is the dense backward followed by col2im (a scatter-add).
 *
 * <p>Weights are laid out {@code (dy, dx, c) × filter}: row {@code (dy·kw + dx)·C + c} holds the taps of
 * input channel c at kernel offset (dy, dx). Same padding puts {@code (k-1)/2} zeros before and the rest after.
 */
public final class Conv2D {

    /** How the output size follows from the input size. */
    public enum Padding {
        /** No padding: {@code out = in - k + 1}. */
        VALID,
        /** Zero padding so that {@code out = in}. */
        SAME
    }

    private final int height;
    private final int width;
    private final int channels;
    private final int kernelH;
    private final int kernelW;
    private final int filters;
    private final Padding padding;
    private final Activation activation;

    /**
     * @throws IllegalArgumentException naming the argument, for non-positive sizes, a kernel larger than a
     *                                  valid-padded input, or a null padding or activation
     */
    public Conv2D(int height, int width, int channels, int kernelH, int kernelW, int filters, Padding padding,
                  Activation activation) {
        positive(height, "height");
        positive(width, "width");
        positive(channels, "channels");
        positive(kernelH, "kernelH");
        positive(kernelW, "kernelW");
        positive(filters, "filters");
        if (padding == null || activation == null) {
            throw new IllegalArgumentException((padding == null ? "padding" : "activation") + " must not be null");
        }
        if (padding == Padding.VALID && (kernelH > height || kernelW > width)) {
            throw new IllegalArgumentException("a " + kernelH + "x" + kernelW + " kernel does not fit a " + height + "x"
                    + width + " input without padding");
        }
        long taps = (long) kernelH * kernelW * channels;
        if (taps * filters > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("kernel " + kernelH + "x" + kernelW + "x" + channels + " x " + filters
                    + " filters has too many weights for one array");
        }
        this.height = height;
        this.width = width;
        this.channels = channels;
        this.kernelH = kernelH;
        this.kernelW = kernelW;
        this.filters = filters;
        this.padding = padding;
        this.activation = activation;
    }

    private static void positive(int v, String name) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + v);
        }
    }

    public int outHeight() {
        return padding == Padding.SAME ? height : height - kernelH + 1;
    }

    public int outWidth() {
        return padding == Padding.SAME ? width : width - kernelW + 1;
    }

    public int filters() {
        return filters;
    }

    public int channels() {
        return channels;
    }

    /** Kernel positions, kh·kw. */
    public int window() {
        return kernelH * kernelW;
    }

    /** Rows of the weight matrix: kh·kw·C. */
    public int taps() {
        return kernelH * kernelW * channels;
    }

    public int inputSize() {
        return height * width * channels;
    }

    public int outputSize() {
        return outHeight() * outWidth() * filters;
    }

    private int padTop() {
        return padding == Padding.SAME ? (kernelH - 1) / 2 : 0;
    }

    private int padLeft() {
        return padding == Padding.SAME ? (kernelW - 1) / 2 : 0;
    }

    private int patchRows(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        }
        long r = (long) rows * outHeight() * outWidth();
        if (r * taps() > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(rows + " images make a patch matrix of " + r + " x " + taps()
                    + ", too large for one array; use fewer rows per call");
        }
        return (int) r;
    }

    /** The patch matrix of {@code rows} images: (rows·outH·outW) × (kh·kw·C). */
    public float[] im2col(float[] x, int rows) {
        patchRows(rows);
        requireLength(x, "x", (long) rows * inputSize());
        int oh = outHeight(), ow = outWidth(), taps = taps();
        float[] cols = new float[patchRows(rows) * taps];
        int pt = padTop(), pl = padLeft();
        for (int n = 0; n < rows; n++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int dst = ((n * oh + oy) * ow + ox) * taps;
                    for (int dy = 0; dy < kernelH; dy++) {
                        int iy = oy + dy - pt;
                        for (int dx = 0; dx < kernelW; dx++) {
                            int ix = ox + dx - pl;
                            int to = dst + (dy * kernelW + dx) * channels;
                            if (iy >= 0 && iy < height && ix >= 0 && ix < width) {
                                System.arraycopy(x, ((n * height + iy) * width + ix) * channels, cols, to, channels);
                            }
                        }
                    }
                }
            }
        }
        return cols;
    }

    /** The adjoint of {@link #im2col}: adds every patch gradient back onto the pixels it came from. */
    public float[] col2im(float[] dcols, int rows) {
        int oh = outHeight(), ow = outWidth(), taps = taps();
        requireLength(dcols, "dcols", (long) patchRows(rows) * taps);
        float[] dx = new float[rows * inputSize()];
        int pt = padTop(), pl = padLeft();
        for (int n = 0; n < rows; n++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    int src = ((n * oh + oy) * ow + ox) * taps;
                    for (int dy = 0; dy < kernelH; dy++) {
                        int iy = oy + dy - pt;
                        if (iy < 0 || iy >= height) {
                            continue;
                        }
                        for (int dxk = 0; dxk < kernelW; dxk++) {
                            int ix = ox + dxk - pl;
                            if (ix < 0 || ix >= width) {
                                continue;
                            }
                            int from = src + (dy * kernelW + dxk) * channels;
                            int to = ((n * height + iy) * width + ix) * channels;
                            for (int c = 0; c < channels; c++) {
                                dx[to + c] += dcols[from + c];
                            }
                        }
                    }
                }
            }
        }
        return dx;
    }

    /**
     * {@code z = act(conv(x, w) + bias)} for {@code rows} images.
     *
     * @param w    taps × filters
     * @param bias filters, or null
     * @return rows × outH × outW × filters
     */
    public float[] forward(Kernels kernels, float[] x, int rows, float[] w, float[] bias) {
        requireWeights(w, bias);
        float[] cols = im2col(x, rows);
        float[] z = new float[patchRows(rows) * filters];
        kernels.dropoutMatmulForward(Dropout.none(), patchRows(rows), 1, false, taps(), filters, cols, w, bias, activation, z);
        return z;
    }

    /** The gradients of {@link #forward}. */
    public record Gradients(float[] dx, float[] dw, float[] db) {
    }

    /**
     * Back-propagates {@code dz} (the gradient with respect to the forward output {@code z}; overwritten
     * with the pre-activation gradient unless the activation is the identity).
     */
    public Gradients backward(Kernels kernels, float[] x, int rows, float[] w, float[] z, float[] dz) {
        requireWeights(w, null);
        int patches = patchRows(rows);
        requireLength(z, "z", (long) patches * filters);
        requireLength(dz, "dz", (long) patches * filters);
        float[] cols = im2col(x, rows);
        float[] dw = new float[taps() * filters];
        float[] db = new float[filters];
        float[] dcols = new float[patches * taps()];
        kernels.dropoutMatmulBackward(Dropout.none(), patches, 1, false, taps(), filters, cols, w, z, activation, dz, dw,
                db, dcols);
        return new Gradients(col2im(dcols, rows), dw, db);
    }

    private void requireWeights(float[] w, float[] bias) {
        requireLength(w, "w", (long) taps() * filters);
        if (bias != null) {
            requireLength(bias, "bias", filters);
        }
    }

    private static void requireLength(float[] a, String name, long required) {
        if (a == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        if (a.length < required) {
            throw new IllegalArgumentException(name + ".length = " + a.length + " but " + required + " required");
        }
    }
}

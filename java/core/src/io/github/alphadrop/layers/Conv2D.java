package io.github.alphadrop.layers;

import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.ConvShape;
import io.github.alphadrop.kernels.FloatView;
import io.github.alphadrop.kernels.Kernels;

/**
 * A 2-D convolution, stride 1, valid or same padding, bias and activation fused, on images stored
 * row-major as {@code rows × height × width × channels} (NHWC), on the backend's convolution kernels
 * ({@link Kernels#conv2dForward}): the native one multiplies a few images' patch matrices at a time by the
 * weights, the pure-Java one loops over the window directly.
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
    private final ConvShape shape;

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
        this.shape = padding == Padding.SAME ? ConvShape.same(height, width, channels, kernelH, kernelW, filters)
                : ConvShape.valid(height, width, channels, kernelH, kernelW, filters);
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

    public int height() {
        return height;
    }

    public int width() {
        return width;
    }

    public int kernelH() {
        return kernelH;
    }

    public int kernelW() {
        return kernelW;
    }

    public Padding padding() {
        return padding;
    }

    public Activation activation() {
        return activation;
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

    /** The kernels' view of this convolution's geometry. */
    public ConvShape shape() {
        return shape;
    }

    /**
     * {@code z = act(conv(x, w) + bias)} for {@code rows} images.
     *
     * @param w    taps × filters
     * @param bias filters, or null
     * @return rows × outH × outW × filters
     */
    public float[] forward(Kernels kernels, float[] x, int rows, float[] w, float[] bias) {
        requireRows(rows);
        requireWeights(w, bias);
        requireLength(x, "x", (long) rows * inputSize());
        float[] z = new float[outputs(rows)];
        kernels.conv2dForward(shape, rows, FloatView.of(x), FloatView.of(w), bias == null ? null : FloatView.of(bias),
                activation, FloatView.of(z));
        return z;
    }

    /** The gradients of {@link #forward}. */
    public record Gradients(float[] dx, float[] dw, float[] db) {
    }

    /**
     * Back-propagates {@code dz} (the gradient with respect to the forward output {@code z}; overwritten
     * with the pre-activation gradient unless the activation is the identity). With {@code needInputGradient}
     * false the returned dx is null.
     */
    public Gradients backward(Kernels kernels, float[] x, int rows, float[] w, float[] z, float[] dz,
                              boolean needInputGradient) {
        requireRows(rows);
        requireWeights(w, null);
        requireLength(x, "x", (long) rows * inputSize());
        requireLength(z, "z", outputs(rows));
        requireLength(dz, "dz", outputs(rows));
        float[] dw = new float[taps() * filters];
        float[] db = new float[filters];
        float[] dx = needInputGradient ? new float[rows * inputSize()] : null;
        kernels.conv2dBackward(shape, rows, FloatView.of(x), FloatView.of(w), FloatView.of(z), activation,
                FloatView.of(dz), FloatView.of(dw), FloatView.of(db), dx == null ? null : FloatView.of(dx));
        return new Gradients(dx, dw, db);
    }

    /** {@link #backward(Kernels, float[], int, float[], float[], float[], boolean)} with the input gradient. */
    public Gradients backward(Kernels kernels, float[] x, int rows, float[] w, float[] z, float[] dz) {
        return backward(kernels, x, rows, w, z, dz, true);
    }

    private void requireRows(int rows) {
        if (rows < 1) {
            throw new IllegalArgumentException("rows must be >= 1, got " + rows);
        }
        if ((long) rows * Math.max(inputSize(), outputSize()) > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException(rows + " images are too many for one call of this convolution"
                    + " (int-indexed arrays); use fewer rows per call");
        }
    }

    private int outputs(int rows) {
        return rows * outputSize();
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

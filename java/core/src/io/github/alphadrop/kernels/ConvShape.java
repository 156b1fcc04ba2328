package io.github.alphadrop.kernels;

/**
 * The geometry of a 2-D convolution with stride 1 on NHWC images: input {@code height × width × channels},
 * a {@code kernelH × kernelW} window, {@code filters} outputs per position, {@code padTop} / {@code padLeft}
 * zeros before the first row / column, and an {@code outHeight × outWidth} output (the bottom and right
 * padding is what that leaves). Weights are {@code taps() × filters}, row {@code (dy·kernelW + dx)·channels + c}.
 *
 * @throws IllegalArgumentException naming the argument, for non-positive sizes, padding outside
 *                                  {@code [0, kernel)}, an output the window cannot produce, or sizes whose
 *                                  per-image products overflow an int
 */
public record ConvShape(int height, int width, int channels, int kernelH, int kernelW, int filters, int padTop,
                        int padLeft, int outHeight, int outWidth) {

    public ConvShape {
        positive(height, "height");
        positive(width, "width");
        positive(channels, "channels");
        positive(kernelH, "kernelH");
        positive(kernelW, "kernelW");
        positive(filters, "filters");
        positive(outHeight, "outHeight");
        positive(outWidth, "outWidth");
        if (padTop < 0 || padTop >= kernelH) {
            throw new IllegalArgumentException("padTop must be in [0, kernelH = " + kernelH + "), got " + padTop);
        }
        if (padLeft < 0 || padLeft >= kernelW) {
            throw new IllegalArgumentException("padLeft must be in [0, kernelW = " + kernelW + "), got " + padLeft);
        }
        // Every output window overlaps the input, and the output covers every input row and column.
        if (outHeight - 1 - padTop >= height || outHeight + kernelH - 1 - padTop < height) {
            throw new IllegalArgumentException("outHeight = " + outHeight + " does not fit height " + height
                    + ", kernelH " + kernelH + " and padTop " + padTop);
        }
        if (outWidth - 1 - padLeft >= width || outWidth + kernelW - 1 - padLeft < width) {
            throw new IllegalArgumentException("outWidth = " + outWidth + " does not fit width " + width
                    + ", kernelW " + kernelW + " and padLeft " + padLeft);
        }
        long taps = (long) kernelH * kernelW * channels;
        if (taps * filters > Integer.MAX_VALUE - 8 || (long) height * width * channels > Integer.MAX_VALUE - 8
                || (long) outHeight * outWidth * filters > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("convolution " + height + "x" + width + "x" + channels + ", kernel "
                    + kernelH + "x" + kernelW + ", " + filters + " filters is too large for int-indexed arrays");
        }
    }

    /** Valid padding: {@code out = in - k + 1}. */
    public static ConvShape valid(int height, int width, int channels, int kernelH, int kernelW, int filters) {
        return new ConvShape(height, width, channels, kernelH, kernelW, filters, 0, 0, height - kernelH + 1,
                width - kernelW + 1);
    }

    /** Same padding: {@code out = in}, with {@code (k-1)/2} zeros before and the rest after. */
    public static ConvShape same(int height, int width, int channels, int kernelH, int kernelW, int filters) {
        return new ConvShape(height, width, channels, kernelH, kernelW, filters, (kernelH - 1) / 2, (kernelW - 1) / 2,
                height, width);
    }

    private static void positive(int v, String name) {
        if (v < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + v);
        }
    }

    /** Rows of the weight matrix: kh·kw·C. */
    public int taps() {
        return kernelH * kernelW * channels;
    }

    /** Floats per input image. */
    public int inputSize() {
        return height * width * channels;
    }

    /** Floats per output image. */
    public int outputSize() {
        return outHeight * outWidth * filters;
    }
}

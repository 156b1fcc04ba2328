package io.github.alphadrop.kernels;

/**
 * Concrete dropout's relaxed Bernoulli mask (Gal, Hron and Kendall, "Concrete Dropout", 2017), the specification
 * every backend's {@link Kernels#concreteMask} follows. A layer's drop rate is {@code p = sigmoid(ρ)}, ρ a trained
 * logit; element (row, column) of its input is multiplied by
 * <pre>
 *   m = (1 − z) / (1 − p),   z = sigmoid((ρ + log u − log(1 − u)) / t),   t = {@value #TEMPERATURE}
 * </pre>
 * The uniform u of element (row, column) is word {@code column % 4} of the Philox4x32-10 output at counter
 * (column / 4, row, layer, step) under the run's key, as {@code (word + 0.5) / 2³²}: never 0 or 1.
 *
 * <p>With t = 1/10, {@code 1 − z = 1 / (1 + 1/q)}, {@code q = e^(−10ρ) ((1 − u)/u)^10}: the one {@code exp} is
 * per layer ({@link #logitFactor}, computed in Java and handed to native code), and per element there are only
 * correctly rounded sums, products and quotients in a fixed order, so every backend gives the same float.
 */
public final class ConcreteMask {

    /** The relaxation's temperature, the paper's 0.1; the mask relies on 1/t being the integer 10. */
    public static final double TEMPERATURE = 0.1;

    private ConcreteMask() {
    }

    /** The drop rate of a logit, {@code 1 / (1 + e^-ρ)}. */
    public static double rate(float logit) {
        return 1.0 / (1.0 + Math.exp(-(double) logit));
    }

    /** {@code e^(−ρ/t)}, the per-layer factor of q. */
    static double logitFactor(float logit) {
        return Math.exp(-(double) logit / TEMPERATURE);
    }

    /** {@code 1/(1 − p)}, the inverted-dropout scale. */
    static double scale(float logit) {
        return 1.0 / (1.0 - rate(logit));
    }

    /** Why {@code logit} cannot make a mask, or null: it must be finite with a drop rate below 1 in double. */
    static String invalidLogit(float logit) {
        if (!Float.isFinite(logit) || !Double.isFinite(scale(logit))) {
            return "the concrete dropout logit must be finite with a drop rate below 1 (logit below about 36), got "
                    + logit;
        }
        return null;
    }

    /**
     * Mask rows [rowOffset, rowOffset + rows) × columns [0, cols) of layer {@code layer} with logit ρ into
     * {@code mask[offset .. offset + rows·cols)}, row-major: the Java reference.
     */
    static void fill(long seed, int step, int layer, float logit, int rowOffset, int rows, int cols, float[] mask,
                     int offset) {
        double scale = scale(logit);
        double c = logitFactor(logit);
        int[] block = new int[4];
        for (int r = 0; r < rows; r++) {
            for (int col = 0; col < cols; col += 4) {
                Philox.philox4x32(col >>> 2, rowOffset + r, layer, step, (int) seed, (int) (seed >>> 32), block);
                int end = Math.min(4, cols - col);
                for (int j = 0; j < end; j++) {
                    mask[offset + r * cols + col + j] = element(block[j], c, scale);
                }
            }
        }
    }

    /** One multiplier from its Philox word; the native kernels evaluate the same operations in the same order. */
    static float element(int word, double c, double scale) {
        double w = (word & 0xFFFF_FFFFL) + 0.5;
        double ratio = (0x1p32 - w) / w;
        double r2 = ratio * ratio;
        double r5 = r2 * r2 * ratio;
        double q = c * (r5 * r5);
        // q = 0 gives 1/q = ∞ and keep 0; q = ∞ gives keep 1: no NaN at either end.
        double keep = 1.0 / (1.0 + 1.0 / q);
        return (float) (keep * scale);
    }
}

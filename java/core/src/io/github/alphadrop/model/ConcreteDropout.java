package io.github.alphadrop.model;

import io.github.alphadrop.kernels.Philox;

/**
 * Concrete dropout's relaxed Bernoulli masks (Gal, Hron and Kendall, "Concrete Dropout", 2017). A layer's drop
 * rate is {@code p = sigmoid(ρ)} with ρ a trained logit. Element (row, column) of its input is multiplied by
 * <pre>
 *   m = (1 − z) / (1 − p),   z = sigmoid((ρ + log u − log(1 − u)) / t),   t = {@value #TEMPERATURE}
 * </pre>
 * z is the relaxed "drop" indicator: as t → 0 it becomes a Bernoulli(p) draw and m inverted dropout. The
 * mask is differentiable in ρ, {@code dm/dρ = m (p − z/t)}, with z = 1 − m (1 − p), so the mask alone carries
 * what backward needs.
 *
 * <p>The uniform u of element (row, column) is word {@code column % 4} of the Philox4x32-10 output at counter
 * (column / 4, row, layer, step) under the run's key, as {@code (word + 0.5) / 2³²}: never 0 or 1. The masks
 * are computed in Java for every backend (they need {@code log} and {@code exp}, whose last bits differ between
 * Java and C), so Java and native training see identical masks.
 */
public final class ConcreteDropout {

    /** The relaxation's temperature, the paper's 0.1. */
    public static final double TEMPERATURE = 0.1;

    private ConcreteDropout() {
    }

    /** The drop rate of a logit, {@code 1 / (1 + e^-ρ)}. */
    public static double rate(float logit) {
        return 1.0 / (1.0 + Math.exp(-(double) logit));
    }

    /** The logit of a drop rate in (0, 1). */
    public static float logit(double rate) {
        if (!(rate > 0 && rate < 1)) {
            throw new IllegalArgumentException("a concrete dropout rate must be in (0, 1), got " + rate);
        }
        return (float) Math.log(rate / (1 - rate));
    }

    /**
     * Mask rows [rowOffset, rowOffset + rows) × columns [0, cols) of layer {@code layer} with logit ρ into
     * {@code mask[0 .. rows·cols)}, row-major.
     */
    public static void fill(long seed, int step, int layer, float logit, int rowOffset, int rows, int cols, float[] mask) {
        double p = rate(logit);
        double scale = 1.0 / (1.0 - p);
        int[] block = new int[4];
        for (int r = 0; r < rows; r++) {
            for (int c = 0; c < cols; c += 4) {
                Philox.philox4x32(c >>> 2, rowOffset + r, layer, step, (int) seed, (int) (seed >>> 32), block);
                int end = Math.min(4, cols - c);
                for (int j = 0; j < end; j++) {
                    double u = ((block[j] & 0xFFFF_FFFFL) + 0.5) * 0x1p-32;
                    double s = (logit + Math.log(u / (1 - u))) / TEMPERATURE;
                    // 1 − sigmoid(s) = sigmoid(−s), computed without cancellation.
                    double keep = 1.0 / (1.0 + Math.exp(s));
                    mask[r * cols + c + j] = (float) (keep * scale);
                }
            }
        }
    }

    /** dm/dρ of a mask value m of a layer with drop rate p. */
    static double maskDerivative(float m, double p) {
        double z = 1.0 - m * (1.0 - p);
        return m * (p - z / TEMPERATURE);
    }

    /**
     * The regulariser of one layer (its share of the KL to the prior, per datapoint):
     * {@code weightRegulariser · ||W||² / (1 − p) + dropoutRegulariser · D · (p log p + (1 − p) log(1 − p))},
     * D the layer's input width. The first term is the weight decay of a layer whose inputs are scaled by
     * 1/(1 − p); the second is −D times the entropy of the rate, which keeps p from collapsing to 0.
     *
     * @param sumSquares ||W||² of the layer's weights
     * @param gradient   {@code gradient[0]} receives d/dρ of the regulariser (added to); {@code gradient[1]} the
     *                   factor {@code 2 weightRegulariser / (1 − p)} by which the weights' gradient grows per weight
     */
    public static double regulariser(double sumSquares, float logit, int inputWidth, double weightRegulariser,
                              double dropoutRegulariser, double[] gradient) {
        double p = rate(logit);
        double q = 1 - p;
        double entropyTerm = p * Math.log(p) + q * Math.log(q);
        double value = weightRegulariser * sumSquares / q + dropoutRegulariser * inputWidth * entropyTerm;
        // d/dρ (1/q) = p/q; d/dρ (p log p + q log q) = p q log(p/q) = p q ρ.
        gradient[0] += weightRegulariser * sumSquares * p / q + dropoutRegulariser * inputWidth * p * q * Math.log(p / q);
        gradient[1] = 2 * weightRegulariser / q;
        return value;
    }
}

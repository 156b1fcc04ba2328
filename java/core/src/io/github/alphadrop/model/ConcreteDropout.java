package io.github.alphadrop.model;

import io.github.alphadrop.kernels.ConcreteMask;
import io.github.alphadrop.kernels.FloatView;
import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.Kernels;

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
 * <p>The masks themselves come from the backend ({@link Kernels#concreteMask}, specified in {@link ConcreteMask}):
 * they need one {@code exp} per layer, computed in Java, and only correctly rounded arithmetic per element, so Java
 * and native training see identical masks.
 */
public final class ConcreteDropout {

    /** The relaxation's temperature, the paper's 0.1 ({@link ConcreteMask#TEMPERATURE}). */
    public static final double TEMPERATURE = ConcreteMask.TEMPERATURE;

    private static final Kernels JAVA = new JavaKernels();

    private ConcreteDropout() {
    }

    /** The drop rate of a logit, {@code 1 / (1 + e^-ρ)}. */
    public static double rate(float logit) {
        return ConcreteMask.rate(logit);
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
     * {@code mask[0 .. rows·cols)}, row-major, in Java: {@link Kernels#concreteMask} of {@link JavaKernels}.
     */
    public static void fill(long seed, int step, int layer, float logit, int rowOffset, int rows, int cols, float[] mask) {
        JAVA.concreteMask(seed, step, layer, logit, rowOffset, rows, cols, FloatView.of(mask, 0, rows * cols));
    }

    /** dm/dρ of a mask value m of a layer with drop rate p. */
    public static double maskDerivative(float m, double p) {
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
     */
    public static Penalty regulariser(double sumSquares, float logit, int inputWidth, double weightRegulariser,
                                      double dropoutRegulariser) {
        double p = rate(logit);
        double q = 1 - p;
        double entropyTerm = p * Math.log(p) + q * Math.log(q);
        double value = weightRegulariser * sumSquares / q + dropoutRegulariser * inputWidth * entropyTerm;
        // d/dρ (1/q) = p/q; d/dρ (p log p + q log q) = p q log(p/q) = p q ρ.
        double dLogit = weightRegulariser * sumSquares * p / q + dropoutRegulariser * inputWidth * p * q * Math.log(p / q);
        return new Penalty(value, dLogit, 2 * weightRegulariser / q);
    }

    /**
     * One layer's regulariser: its value, its derivative in the logit ρ, and the factor by which its gradient in
     * each weight w is {@code weightScale · w}.
     */
    public record Penalty(double value, double dLogit, double weightScale) {
    }
}

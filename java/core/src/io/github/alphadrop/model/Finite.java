package io.github.alphadrop.model;

/**
 * Non-finite numbers are refused, not answered: a NaN pixel or weight would otherwise flow through the
 * network into a confident-looking prediction (a NaN logit makes one class win on one backend and
 * another class on the other). One pass over the data before the work; the error names the place.
 */
public final class Finite {

    private Finite() {
    }

    /**
     * Throws if any of {@code values} (rows of {@code width}) is NaN or infinite.
     *
     * @param what names the matrix in the message, e.g. {@code "inputs"}
     */
    public static void requireFinite(float[] values, int width, String what) {
        if (allFinite(values)) {
            return;
        }
        for (int i = 0; i < values.length; i++) {
            if (!Float.isFinite(values[i])) {
                throw new IllegalArgumentException(what + "[row " + i / width + ", column " + i % width + "] = "
                        + values[i] + ": " + what + " must be finite numbers");
            }
        }
    }

    private static final int EXPONENT_BITS = 0x7f800000;
    private static final int EXPONENT_ONE = 0x00800000;

    /**
     * Whether no value is NaN or infinite: those, and only those, have every exponent bit set, so adding one
     * to their exponent field carries into the sign bit. An integer OR over the array, which the JIT
     * vectorises (a float sum of v * 0 is one dependent add per element; an int max did not vectorise).
     */
    public static boolean allFinite(float[] values) {
        int carry = 0;
        for (float v : values) {
            carry |= (Float.floatToRawIntBits(v) & EXPONENT_BITS) + EXPONENT_ONE;
        }
        return carry >= 0;
    }

    /** Throws if any weight, bias or log τ of {@code model} is NaN or infinite, naming the layer. */
    public static void requireFiniteParameters(Mlp model) {
        for (int l = 0; l < model.layers(); l++) {
            requireFinite(model.weights(l), model.size(l + 1), "the model's layer " + l + " weights");
            requireFinite(model.biases(l), model.size(l + 1), "the model's layer " + l + " biases");
        }
        if (!Double.isFinite(model.logTau())) {
            throw new IllegalArgumentException("the model's log tau = " + model.logTau() + " is not finite");
        }
    }
}

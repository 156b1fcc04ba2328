package io.github.alphadrop.benchmarks;

import io.github.alphadrop.kernels.Dropout;

import java.util.Locale;

/**
 * One dense layer of a training step as the benchmarks see it, named by a JMH {@code @Param} string.
 *
 * <p>Only layers that occur in an MNIST-sized MLP of constant hidden width (784 → H → H → … → 10) are
 * benchmarked: a first layer {@code 784xH-first} and a hidden layer {@code HxH}, for H = 100 and 1000. Mixed
 * widths such as 100→1000 never occur in such a network, so measuring them would only make the run longer.
 *
 * <p>Issue #6's fusion target is stated for a layer with a (B·K)×784 input and an input gradient (backward
 * against both sgemm calls it replaces): {@code 784x1000} and {@code 784x100} without {@code -first}. They are
 * not in the default {@code @Param} lists, to keep {@code benchmarks/run} short, and are selected with
 * {@code -p shape=784x1000,784x100} (as {@code benchmarks/perf-table} does); any DxH string works that way.
 *
 * <p>A {@code -first} layer is what {@code MlpPass} does for layer 0: its B×D input is shared by the K samples
 * (each sample still has its own mask), and training asks for no input gradient (the trainer passes
 * {@code da = null}), so its backward produces dW and db only. Hidden layers read a (B·K)×D input and also
 * produce dA.
 *
 * @param in    D, the layer's input width
 * @param out   H, the layer's output width
 * @param first true for the first layer: shared input, no input gradient
 */
record LayerShape(int in, int out, boolean first) {

    /** B: the minibatch size used in the paper's experiments. */
    static final int BATCH = 128;
    /** K: MC dropout samples per datapoint. */
    static final int SAMPLES = 10;
    /** The drop probability of every benchmarked layer. */
    static final float P = 0.5f;

    // Constants, not a String[], because annotation values must be compile-time constants and both the
    // fused benchmarks and the sgemm baseline have to list exactly the same shapes for the ratio table.
    static final String FIRST_100 = "784x100-first";
    static final String FIRST_1000 = "784x1000-first";
    static final String HIDDEN_100 = "100x100";
    static final String HIDDEN_1000 = "1000x1000";

    private static final String FIRST_SUFFIX = "-first";

    static LayerShape parse(String name) {
        String s = name.trim().toLowerCase(Locale.ROOT);
        boolean first = s.endsWith(FIRST_SUFFIX);
        if (first) {
            s = s.substring(0, s.length() - FIRST_SUFFIX.length());
        }
        int x = s.indexOf('x');
        try {
            if (x > 0) {
                int in = Integer.parseInt(s.substring(0, x));
                int out = Integer.parseInt(s.substring(x + 1));
                if (in > 0 && out > 0) {
                    return new LayerShape(in, out, first);
                }
            }
        } catch (NumberFormatException e) {
            // reported below with the expected format
        }
        throw new IllegalArgumentException("shape must look like DxH or DxH-first (e.g. 784x100-first), got '"
                + name + "'");
    }

    /** B·K: the rows of the layer's output, and of its masked input. */
    int rows() {
        return BATCH * SAMPLES;
    }

    /** Rows of the layer's input as the fused kernel receives it: B when shared, else B·K. */
    int inputRows() {
        return first ? BATCH : rows();
    }

    /**
     * The layer's dropout: layer index 0 for a first layer and 1 for a hidden one, as MlpPass numbers them.
     * The seed and step are fixed because the mask generator's cost does not depend on the counter values.
     */
    Dropout dropout() {
        return new Dropout(0x5EED_A1FA_D0D0L, 0, first ? 0 : 1, P);
    }

    /** Whether the backward pass computes the input gradient dA. */
    boolean inputGradient() {
        return !first;
    }
}

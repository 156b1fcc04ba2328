package io.github.alphadrop.djl;

import ai.djl.ndarray.NDArray;

/**
 * The MC-dropout predictive of a regressor for N inputs, from T stochastic passes. All arrays live in the
 * input's manager; {@link #close()} frees them early.
 *
 * @param mean     mean over passes of the network output, the output's shape (e.g. {@code [N, D]})
 * @param variance variance over passes (divided by T), same shape: the model's (epistemic) part only
 * @param passes   T
 */
public record McRegression(NDArray mean, NDArray variance, int passes) implements AutoCloseable {

    /**
     * The predictive variance of a Gaussian model, {@link #variance()} plus the noise variance 1/τ.
     *
     * @param logTau log τ as one value, e.g. {@code LearnedPrecisionBlock.logTau().getArray()}
     */
    public NDArray predictiveVariance(NDArray logTau) {
        if (logTau == null || logTau.size() != 1) {
            throw new IllegalArgumentException("logTau must hold one value, got "
                    + (logTau == null ? "null" : "shape " + logTau.getShape()));
        }
        return variance.add(logTau.neg().exp().reshape(1));
    }

    @Override
    public void close() {
        mean.close();
        variance.close();
    }
}

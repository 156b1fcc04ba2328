package io.github.alphadrop.train;

/**
 * The training objective of Li and Gal (2017): with K dropout samples per datapoint,
 * {@code L_n = -(1/α)(logsumexp_k(α ll[n,k]) - log K)}. α = 0 is plain MC-dropout variational inference
 * ({@code -mean_k ll}); α = 1 maximises the MC estimate of the predictive likelihood.
 *
 * @param alpha   α ≥ 0, finite
 * @param samples K ≥ 1, dropout samples per datapoint during training
 */
public record AlphaDivergence(float alpha, int samples) {

    public AlphaDivergence {
        if (!(alpha >= 0f) || Float.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha must be finite and >= 0, got " + alpha);
        }
        if (samples < 1) {
            throw new IllegalArgumentException("samples (K) must be >= 1, got " + samples);
        }
    }

    /** Plain MC-dropout VI with one sample per datapoint (also the objective of a deterministic baseline). */
    public static AlphaDivergence mcDropout() {
        return new AlphaDivergence(0f, 1);
    }
}

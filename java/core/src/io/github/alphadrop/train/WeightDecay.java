package io.github.alphadrop.train;

/** Weight decay {@code wd · Σ ||W||²} on weights (not biases), added to the batch-mean loss. */
public final class WeightDecay {

    private WeightDecay() {
    }

    /**
     * The weight decay implied by a Gaussian prior of length-scale {@code l} on dropout weights
     * (Gal and Ghahramani): {@code wd = l² (1-p) / (2 N τ)}; use τ = 1 for classification.
     */
    public static double fromLengthScale(double lengthScale, double dropout, int trainingSize, double tau) {
        if (!(lengthScale > 0) || Double.isInfinite(lengthScale)) {
            throw new IllegalArgumentException("lengthScale must be positive and finite, got " + lengthScale);
        }
        if (!(dropout >= 0 && dropout < 1)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        if (trainingSize < 1) {
            throw new IllegalArgumentException("trainingSize must be >= 1, got " + trainingSize);
        }
        if (!(tau > 0) || Double.isInfinite(tau)) {
            throw new IllegalArgumentException("tau must be positive and finite, got " + tau);
        }
        return lengthScale * lengthScale * (1 - dropout) / (2.0 * trainingSize * tau);
    }
}

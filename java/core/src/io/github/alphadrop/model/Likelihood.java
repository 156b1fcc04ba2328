package io.github.alphadrop.model;

/**
 * The observation model p(y | f): categorical over softmax(f) for classification, or Gaussian with
 * homoscedastic precision τ = exp(logTau) for regression (τ learned with the network, or fixed).
 */
public final class Likelihood {

    /** Which likelihood. */
    public enum Kind { CATEGORICAL, GAUSSIAN }

    private final Kind kind;
    private final float initialLogTau;
    private final boolean learnTau;

    private Likelihood(Kind kind, float initialLogTau, boolean learnTau) {
        this.kind = kind;
        this.initialLogTau = initialLogTau;
        this.learnTau = learnTau;
    }

    /** Softmax cross-entropy. */
    public static Likelihood categorical() {
        return new Likelihood(Kind.CATEGORICAL, 0f, false);
    }

    /**
     * Gaussian with precision {@code tau}; if {@code learnTau}, log τ is trained with the weights starting
     * from log(tau).
     */
    public static Likelihood gaussian(double tau, boolean learnTau) {
        if (!(tau > 0) || Double.isInfinite(tau)) {
            throw new IllegalArgumentException("tau must be positive and finite, got " + tau);
        }
        return new Likelihood(Kind.GAUSSIAN, (float) Math.log(tau), learnTau);
    }

    /** Gaussian with learned precision starting from τ = 1 (the UCI protocol). */
    public static Likelihood gaussian() {
        return gaussian(1.0, true);
    }

    public Kind kind() {
        return kind;
    }

    public boolean isCategorical() {
        return kind == Kind.CATEGORICAL;
    }

    public float initialLogTau() {
        return initialLogTau;
    }

    public boolean learnsTau() {
        return learnTau;
    }

    @Override
    public String toString() {
        return isCategorical() ? "categorical" : "gaussian(tau=" + Math.exp(initialLogTau) + (learnTau ? ", learned)" : ", fixed)");
    }
}

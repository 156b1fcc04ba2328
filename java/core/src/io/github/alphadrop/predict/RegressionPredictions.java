package io.github.alphadrop.predict;

/**
 * MC predictive of a regressor for n inputs, in the model's (normalised) units.
 *
 * @param mean           n × D, mean over T passes
 * @param variance       n × D, sample variance over the passes plus 1/τ
 * @param logLikelihoods per input, {@code logsumexp_t(ll_t) - log T} of the Gaussian likelihood of the
 *                       targets under each pass; null when no targets were given
 */
public record RegressionPredictions(int n, int dims, int samples, float[] mean, float[] variance,
                                    double[] logLikelihoods) {

    /** Root mean squared error of the predictive mean against targets y (n × D). */
    public double rmse(float[] y) {
        if (y == null || y.length != n * dims) {
            throw new IllegalArgumentException("targets must have length " + (n * dims) + ", got "
                    + (y == null ? "null" : y.length));
        }
        double s = 0;
        for (int i = 0; i < y.length; i++) {
            double e = y[i] - mean[i];
            s += e * e;
        }
        return Math.sqrt(s / y.length);
    }

    /** Mean test log-likelihood per point. */
    public double logLikelihood() {
        if (logLikelihoods == null) {
            throw new IllegalStateException("no targets were given to the prediction");
        }
        return ClassPredictions.mean(logLikelihoods);
    }

    public double meanVariance() {
        return ClassPredictions.mean(variance);
    }
}

package io.github.alphadrop.predict;

/**
 * MC predictive of a classifier for n inputs: the mean over T dropout passes of softmax(f), with the
 * per-input uncertainty measures.
 *
 * @param meanProbs         n × C, the predictive p̄(y|x)
 * @param logMeanProbs      n × C, log p̄ computed stably (log-mean-exp of log-softmax)
 * @param entropy           per input, H[p̄] (nats)
 * @param expectedEntropy   per input, mean over passes of H[p_t]
 * @param mutualInformation per input, entropy − expected entropy (epistemic part)
 */
public record ClassPredictions(int n, int classes, int samples, float[] meanProbs, float[] logMeanProbs,
                               float[] entropy, float[] expectedEntropy, float[] mutualInformation) {

    /** The class with the largest mean probability for input i (lowest index on ties). */
    public int predictedClass(int i) {
        int best = 0;
        for (int c = 1; c < classes; c++) {
            if (meanProbs[i * classes + c] > meanProbs[i * classes + best]) {
                best = c;
            }
        }
        return best;
    }

    public double accuracy(int[] labels) {
        checkLabels(labels);
        int correct = 0;
        for (int i = 0; i < n; i++) {
            if (predictedClass(i) == labels[i]) {
                correct++;
            }
        }
        return (double) correct / n;
    }

    /** Per-input test log-likelihood: log p̄(y_i | x_i). */
    public double[] logLikelihoods(int[] labels) {
        checkLabels(labels);
        double[] ll = new double[n];
        for (int i = 0; i < n; i++) {
            ll[i] = logMeanProbs[i * classes + labels[i]];
        }
        return ll;
    }

    /** Mean test log-likelihood per point (nats). */
    public double logLikelihood(int[] labels) {
        return mean(logLikelihoods(labels));
    }

    public double meanEntropy() {
        return mean(entropy);
    }

    public double meanMutualInformation() {
        return mean(mutualInformation);
    }

    private void checkLabels(int[] labels) {
        if (labels == null || labels.length != n) {
            throw new IllegalArgumentException("labels must have length " + n + ", got "
                    + (labels == null ? "null" : labels.length));
        }
        for (int i = 0; i < n; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException("labels[" + i + "] = " + labels[i] + " is outside [0, " + classes + ")");
            }
        }
    }

    static double mean(float[] v) {
        double s = 0;
        for (float x : v) {
            s += x;
        }
        return v.length == 0 ? Double.NaN : s / v.length;
    }

    static double mean(double[] v) {
        double s = 0;
        for (double x : v) {
            s += x;
        }
        return v.length == 0 ? Double.NaN : s / v.length;
    }
}

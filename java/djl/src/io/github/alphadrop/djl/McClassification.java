package io.github.alphadrop.djl;

import ai.djl.ndarray.NDArray;

/**
 * The MC-dropout predictive of a classifier for N inputs, from T stochastic passes. All arrays live in the
 * input's manager; {@link #close()} frees them early.
 *
 * @param meanProbabilities    {@code [N, C]}, p̄ = mean over passes of softmax(logits)
 * @param logMeanProbabilities {@code [N, C]}, log p̄ computed as a log-mean-exp of log-softmax (finite even
 *                             where p̄ underflows), for test log-likelihoods
 * @param entropy              {@code [N]}, predictive entropy H[p̄] in nats
 * @param expectedEntropy      {@code [N]}, mean over passes of H[p_t] (the aleatoric part)
 * @param mutualInformation    {@code [N]}, H[p̄] - E_t H[p_t] ≥ 0 (the epistemic part), rounding noise
 *                             clamped at 0
 * @param passes               T
 */
public record McClassification(NDArray meanProbabilities, NDArray logMeanProbabilities, NDArray entropy,
                               NDArray expectedEntropy, NDArray mutualInformation, int passes)
        implements AutoCloseable {

    /** Index of the largest mean probability per input, {@code [N]}. */
    public NDArray predictedClasses() {
        return meanProbabilities.argMax(1);
    }

    @Override
    public void close() {
        meanProbabilities.close();
        logMeanProbabilities.close();
        entropy.close();
        expectedEntropy.close();
        mutualInformation.close();
    }
}

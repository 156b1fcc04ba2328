package io.github.alphadrop.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDScope;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.util.Pair;

/**
 * Monte Carlo dropout prediction for any initialised DJL {@link Block}: T forward passes in training mode,
 * so that its dropout layers draw fresh masks each pass, and the predictive summaries of
 * {@link McClassification} or {@link McRegression}.
 *
 * <ul>
 *   <li>No gradients are recorded as long as it is called outside any
 *       {@link ai.djl.training.GradientCollector}: engines record only inside one. DJL has no engine-neutral
 *       way to pause a collector (and on PyTorch {@code NDArray.hasGradient()} does not reveal recording),
 *       so this is the caller's part; inside one, each pass's graph would be built and freed with the
 *       pass.</li>
 *   <li>Training mode switches every layer that has one: a block with batch normalisation would use batch
 *       statistics and update its running averages. Meant for dropout networks.</li>
 *   <li>The masks come from the engine's generator: {@code Engine.getInstance().setRandomSeed(seed)} first
 *       for repeatable predictions.</li>
 *   <li>Memory stays at one pass's worth: each pass's arrays are freed before the next.</li>
 * </ul>
 * Results live in the manager of the input's operations (normally the input's manager).
 */
public final class McDropout {

    private McDropout() {
    }

    /**
     * Classifies {@code inputs} ({@code [N, ...]}); the block must return logits {@code [N, C]}.
     *
     * @param passes T ≥ 1
     */
    @SuppressWarnings("try") // the NDScope is used for its close(), which frees the pass's arrays
    public static McClassification classify(Block block, NDArray inputs, int passes) {
        ParameterStore store = prepare(block, inputs, passes);
        long n = inputs.getShape().get(0);
        NDArray lse = null;
        NDArray entropySum = null;
        for (int t = 0; t < passes; t++) {
            try (NDScope scope = new NDScope()) {
                NDArray logits = pass(block, store, inputs);
                if (logits.getShape().dimension() != 2 || logits.getShape().get(0) != n) {
                    throw new IllegalArgumentException("block must return logits [N, C] = [" + n + ", C], got "
                            + logits.getShape());
                }
                NDArray logp = logits.logSoftmax(1);
                NDArray entropy = logp.exp().mul(logp).sum(new int[] {1}).neg();
                // Running log-sum-exp of log p_t: log p̄ stays finite where p̄ itself would underflow.
                NDArray nextLse = lse == null ? logp : logAddExp(lse, logp);
                NDArray nextEntropySum = entropySum == null ? entropy : entropySum.add(entropy);
                NDScope.unregister(nextLse, nextEntropySum);
                closeAll(lse, entropySum);
                lse = nextLse;
                entropySum = nextEntropySum;
            }
        }
        NDArray logMean;
        NDArray mean;
        NDArray entropy;
        NDArray expectedEntropy;
        NDArray mi;
        try (NDScope scope = new NDScope()) {
            logMean = lse.sub(Math.log(passes));
            mean = logMean.exp();
            entropy = mean.mul(logMean).sum(new int[] {1}).neg();
            expectedEntropy = entropySum.div(passes);
            // MI >= 0 by Jensen; a negative value is float rounding.
            mi = entropy.sub(expectedEntropy).maximum(0f);
            NDScope.unregister(logMean, mean, entropy, expectedEntropy, mi);
        }
        closeAll(lse, entropySum);
        registerAll(logMean, mean, entropy, expectedEntropy, mi);
        return new McClassification(mean, logMean, entropy, expectedEntropy, mi, passes);
    }

    /**
     * Regression: mean and variance over T passes of the block's first output (any shape, e.g.
     * {@code [N, D]}); a second output, such as {@link LearnedPrecisionBlock}'s log τ, is ignored.
     *
     * @param passes T ≥ 1
     */
    @SuppressWarnings("try")
    public static McRegression regress(Block block, NDArray inputs, int passes) {
        ParameterStore store = prepare(block, inputs, passes);
        NDArray mean = null;
        NDArray m2 = null;
        for (int t = 1; t <= passes; t++) {
            try (NDScope scope = new NDScope()) {
                NDArray f = pass(block, store, inputs);
                NDArray nextMean;
                NDArray nextM2;
                if (mean == null) {
                    // A copy: the output may be an array the caller owns (an identity block returns the input).
                    nextMean = f.duplicate();
                    nextM2 = f.zerosLike();
                } else {
                    // Welford's update: no sum-of-squares cancellation when the variance is small.
                    NDArray delta = f.sub(mean);
                    nextMean = mean.add(delta.div(t));
                    nextM2 = m2.add(delta.mul(f.sub(nextMean)));
                }
                NDScope.unregister(nextMean, nextM2);
                closeAll(mean, m2);
                mean = nextMean;
                m2 = nextM2;
            }
        }
        NDArray variance = m2.div(passes);
        m2.close();
        registerAll(mean, variance);
        return new McRegression(mean, variance, passes);
    }

    private static ParameterStore prepare(Block block, NDArray inputs, int passes) {
        if (block == null) {
            throw new IllegalArgumentException("block must not be null");
        }
        if (inputs == null) {
            throw new IllegalArgumentException("inputs must not be null");
        }
        if (passes < 1) {
            throw new IllegalArgumentException("passes (T) must be >= 1, got " + passes);
        }
        if (!block.isInitialized()) {
            throw new IllegalArgumentException("block must be initialised (block.initialize or a trained model)");
        }
        if (inputs.getShape().dimension() < 1 || inputs.getShape().get(0) < 1) {
            throw new IllegalArgumentException("inputs must have a non-empty batch axis, got shape " + inputs.getShape());
        }
        ParameterStore store = new ParameterStore(inputs.getManager(), false);
        // Fetch every parameter once outside the per-pass scopes: a copy made for another device is cached
        // by the store and must not be freed with a pass.
        for (Pair<String, Parameter> p : block.getParameters()) {
            store.getValue(p.getValue(), inputs.getDevice(), true);
        }
        return store;
    }

    private static NDArray pass(Block block, ParameterStore store, NDArray inputs) {
        return block.forward(store, new NDList(inputs), true).head();
    }

    /** log(exp(a) + exp(b)) elementwise, shifted by the maximum so that nothing overflows. */
    private static NDArray logAddExp(NDArray a, NDArray b) {
        NDArray max = a.maximum(b);
        return max.add(a.sub(max).exp().add(b.sub(max).exp()).log());
    }

    private static void closeAll(NDArray... arrays) {
        for (NDArray a : arrays) {
            if (a != null) {
                a.close();
            }
        }
    }

    /** Hands results to the caller's NDScope, if one is open, as if the caller had made them. */
    private static void registerAll(NDArray... arrays) {
        for (NDArray a : arrays) {
            NDScope.register(a);
        }
    }
}

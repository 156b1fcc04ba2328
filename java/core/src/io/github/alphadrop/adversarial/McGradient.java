package io.github.alphadrop.adversarial;

import io.github.alphadrop.predict.McPredictive;

import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.model.MlpPass;
import io.github.alphadrop.network.MaskSpec;
import io.github.alphadrop.network.Network;

/**
 * The gradient, with respect to the input, of the log MC predictive {@code log p̄(y|x)}, where
 * {@code p̄(y|x) = (1/T) Σ_t softmax(f_t(x))_y} over T dropout passes (one pass with dropout off in
 * deterministic mode). This is what an attacker of the Bayesian model differentiates: the averaged
 * prediction, not a single network.
 *
 * <p>With {@code p_t = softmax(f_t)}, {@code ∂ log p̄(y) / ∂ f_t = w_t (onehot(y) − p_t)} where
 * {@code w_t = p_t(y) / (T p̄(y))}. The weights {@code w_t} are a softmax over t of {@code log p_t(y)},
 * computed that way so that they stay finite when p̄(y) underflows (a confident model asked about an
 * unlikely class). The logit gradients of all T passes are then back-propagated in one backward call, which
 * sums their input gradients.
 *
 * <p>Masks are named by (seed, call step, chunk): for a fixed {@code step} the function x ↦ log p̄(y|x) is
 * deterministic, which is what makes finite-difference checks possible; successive attack iterations
 * pass successive steps so each sees fresh masks.
 *
 * <p>Not thread-safe: it owns one {@link MlpPass} (or drives one network) and its buffers. Parallelism comes
 * from the kernels.
 */
public final class McGradient {

    /** Rows (inputs × passes) per forward call, as in the predictive: bounds memory at rows × widest layer. */
    static final int MAX_ROWS = 4096;

    /** Activation floats a network's chunk may occupy (128 MB), as in the predictive. */
    static final long NETWORK_CHUNK_FLOATS = 32L << 20;

    private final Mlp model;
    private final Network network;
    private final int samples;
    private final long seed;
    private final boolean deterministic;
    private final int chunkInputs;
    private final Pass pass;

    /** One chunk's forward and the backward of the logit gradients written into {@link #outputGradient()}. */
    private interface Pass {
        float[] forward(float[] xb, int b, int maskStep, boolean stochastic);

        float[] outputGradient();

        void backward(float[] xb, int b, int maskStep, boolean stochastic, float[] gradient);
    }

    /**
     * @param samples       T ≥ 1 dropout passes (ignored, 1, in deterministic mode); at most {@value #MAX_ROWS}
     * @param seed          names the masks
     * @param deterministic dropout off and T = 1: the standard network
     */
    public McGradient(Mlp model, Kernels kernels, int samples, long seed, boolean deterministic) {
        if (model == null || kernels == null) {
            throw new IllegalArgumentException((model == null ? "model" : "kernels") + " must not be null");
        }
        if (!model.likelihood().isCategorical()) {
            throw new IllegalArgumentException("attacks need a classifier, this model is " + model.likelihood());
        }
        if (samples < 1 || samples > MAX_ROWS) {
            throw new IllegalArgumentException("samples (T) must be in [1, " + MAX_ROWS + "], got " + samples);
        }
        this.model = model;
        this.network = null;
        this.samples = deterministic ? 1 : samples;
        this.seed = seed;
        this.deterministic = deterministic;
        this.chunkInputs = Math.max(1, MAX_ROWS / this.samples);
        MlpPass mlpPass = new MlpPass(model, kernels, chunkInputs, this.samples);
        this.pass = new Pass() {
            @Override
            public float[] forward(float[] xb, int b, int maskStep, boolean stochastic) {
                return mlpPass.forward(xb, b, seed, maskStep, stochastic);
            }

            @Override
            public float[] outputGradient() {
                return mlpPass.outputGradient();
            }

            @Override
            public void backward(float[] xb, int b, int maskStep, boolean stochastic, float[] gradient) {
                mlpPass.backward(xb, b, seed, maskStep, stochastic, gradient);
            }
        };
    }

    /**
     * The same for a classifier {@link Network} (its last layer gives the logits): its layers below the first
     * dropout run once per input for all T passes, forward and backward.
     */
    public McGradient(Network network, Kernels kernels, int samples, long seed, boolean deterministic) {
        if (network == null || kernels == null) {
            throw new IllegalArgumentException((network == null ? "network" : "kernels") + " must not be null");
        }
        if (samples < 1 || samples > MAX_ROWS) {
            throw new IllegalArgumentException("samples (T) must be in [1, " + MAX_ROWS + "], got " + samples);
        }
        this.model = null;
        this.network = network;
        this.samples = deterministic ? 1 : samples;
        this.seed = seed;
        this.deterministic = deterministic;
        this.chunkInputs = Math.max(1, Math.min(MAX_ROWS / this.samples, network.maxBatch(this.samples,
                NETWORK_CHUNK_FLOATS)));
        this.pass = new Pass() {
            private float[] dlogits;

            @Override
            public float[] forward(float[] xb, int b, int maskStep, boolean stochastic) {
                float[] logits = network.forward(kernels, xb, b, McGradient.this.samples, new MaskSpec(seed, maskStep),
                        stochastic);
                dlogits = new float[logits.length];
                return logits;
            }

            @Override
            public float[] outputGradient() {
                return dlogits;
            }

            @Override
            public void backward(float[] xb, int b, int maskStep, boolean stochastic, float[] gradient) {
                float[] dx = network.backward(kernels, dlogits, true);
                System.arraycopy(dx, 0, gradient, 0, b * network.inputSize());
            }
        };
    }

    /** The MLP attacked, or null for a network. */
    public Mlp model() {
        return model;
    }

    /** The network attacked, or null for an MLP. */
    public Network network() {
        return network;
    }

    /** The model's input width. */
    public int inputSize() {
        return model != null ? model.inputSize() : network.inputSize();
    }

    /** The model's number of classes. */
    public int outputSize() {
        return model != null ? model.outputSize() : network.outputSize();
    }

    /** T actually used: 1 in deterministic mode. */
    public int samples() {
        return samples;
    }

    public boolean deterministic() {
        return deterministic;
    }

    /**
     * Writes {@code ∂ log p̄(y_i|x_i) / ∂ x_i} into {@code gradient} and returns {@code log p̄(y_i|x_i)}.
     *
     * @param x        n × inputSize, not modified
     * @param classes  n class indices y_i (the prediction to push down, or the target to pull up)
     * @param step     names the masks of this call; ≥ 0
     * @param gradient n × inputSize, overwritten; null to compute only the value
     */
    public double[] logProbGradient(float[] x, int[] classes, int step, float[] gradient) {
        int d = inputSize();
        int c = outputSize();
        int n = rows(x);
        if (classes == null || classes.length != n) {
            throw new IllegalArgumentException("classes must have one entry per input (" + n + "), got "
                    + (classes == null ? "null" : classes.length));
        }
        for (int i = 0; i < n; i++) {
            if (classes[i] < 0 || classes[i] >= c) {
                throw new IllegalArgumentException("classes[" + i + "] = " + classes[i] + " is outside [0, " + c + ")");
            }
        }
        if (gradient != null && gradient.length != x.length) {
            throw new IllegalArgumentException("gradient must have length " + x.length + ", got " + gradient.length);
        }
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        int chunks = (n + chunkInputs - 1) / chunkInputs;
        double[] logProb = new double[n];
        double[] logp = new double[c];
        double[] logpy = new double[samples];
        float[] xb = new float[Math.min(n, chunkInputs) * d];
        float[] gb = gradient == null ? null : new float[xb.length];
        for (int chunk = 0; chunk < chunks; chunk++) {
            int from = chunk * chunkInputs;
            int b = Math.min(chunkInputs, n - from);
            System.arraycopy(x, from * d, xb, 0, b * d);
            int maskStep = maskStep(step, chunks, chunk);
            float[] logits = pass.forward(xb, b, maskStep, !deterministic);
            float[] dlogits = pass.outputGradient();
            for (int i = 0; i < b; i++) {
                int y = classes[from + i];
                // First pass over the T samples: log p_t(y), and their log-sum-exp for log p̄(y).
                double max = Double.NEGATIVE_INFINITY;
                for (int t = 0; t < samples; t++) {
                    McPredictive.logSoftmax(logits, (i * samples + t) * c, c, logp);
                    logpy[t] = logp[y];
                    max = Math.max(max, logp[y]);
                }
                double sum = 0;
                for (int t = 0; t < samples; t++) {
                    sum += Math.exp(logpy[t] - max);
                }
                double lse = max + Math.log(sum);
                logProb[from + i] = lse - Math.log(samples);
                if (gb == null) {
                    continue;
                }
                // Second pass: dlogits[t] = w_t (onehot(y) − p_t), w_t = exp(log p_t(y) − lse).
                for (int t = 0; t < samples; t++) {
                    int row = (i * samples + t) * c;
                    McPredictive.logSoftmax(logits, row, c, logp);
                    double w = Math.exp(logpy[t] - lse);
                    for (int j = 0; j < c; j++) {
                        double p = Math.exp(logp[j]);
                        dlogits[row + j] = (float) (w * ((j == y ? 1 : 0) - p));
                    }
                }
            }
            if (gb != null) {
                pass.backward(xb, b, maskStep, !deterministic, gb);
                System.arraycopy(gb, 0, gradient, from * d, b * d);
            }
        }
        return logProb;
    }

    /** {@code log p̄(y_i|x_i)} under the masks of {@code step}, without the gradient. */
    public double[] logProb(float[] x, int[] classes, int step) {
        return logProbGradient(x, classes, step, null);
    }

    private int rows(float[] x) {
        int d = inputSize();
        if (x == null || x.length == 0 || x.length % d != 0) {
            throw new IllegalArgumentException("inputs must be a positive multiple of the model's input size " + d
                    + ", got " + (x == null ? "null" : x.length));
        }
        return x.length / d;
    }

    /** Distinct mask steps for every (call step, chunk), failing loudly instead of wrapping around. */
    static int maskStep(int step, int chunks, int chunk) {
        long s = (long) step * chunks + chunk;
        if (s > Integer.MAX_VALUE) {
            throw new IllegalArgumentException("too many attack steps × input chunks for distinct masks: " + s);
        }
        return (int) s;
    }
}

package io.github.alphadrop.predict;

import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.model.Finite;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.model.MlpPass;
import io.github.alphadrop.network.MaskSpec;
import io.github.alphadrop.network.Network;

/**
 * Monte Carlo dropout prediction: T stochastic forward passes per input, averaged. In deterministic mode
 * dropout is off and T = 1: the standard (non-Bayesian) network.
 *
 * <p>Inputs are processed in chunks so that chunk × T rows fit a bounded buffer; when T itself is large
 * the passes are split into sample chunks. Every (input chunk, sample chunk) gets its own mask step, so
 * masks stay independent across inputs and passes.
 */
public final class McPredictive {

    /** Rows (inputs × passes) per forward call: bounds memory at rows × widest layer floats. */
    static final int MAX_ROWS = 4096;
    /** Activation floats a network's chunk may occupy (128 MB). */
    static final long NETWORK_CHUNK_FLOATS = 32L << 20;

    private final Mlp model;
    private final Network network;
    private final Kernels kernels;
    private final int samples;
    private final long seed;
    private final boolean deterministic;

    /**
     * @param samples T ≥ 1, stochastic passes (ignored in deterministic mode)
     * @param seed    names the prediction masks; the same seed gives the same predictions
     */
    public McPredictive(Mlp model, Kernels kernels, int samples, long seed, boolean deterministic) {
        if (model == null || kernels == null) {
            throw new IllegalArgumentException((model == null ? "model" : "kernels") + " must not be null");
        }
        if (samples < 1) {
            throw new IllegalArgumentException("samples (T) must be >= 1, got " + samples);
        }
        this.model = model;
        this.network = null;
        this.kernels = kernels;
        this.samples = deterministic ? 1 : samples;
        this.seed = seed;
        this.deterministic = deterministic;
    }

    /**
     * The MC predictive of a classifier {@link Network} (its last layer gives the logits). Its layers below
     * the first dropout run once per input for all T passes. Regression networks are not supported yet.
     */
    public McPredictive(Network network, Kernels kernels, int samples, long seed, boolean deterministic) {
        if (network == null || kernels == null) {
            throw new IllegalArgumentException((network == null ? "network" : "kernels") + " must not be null");
        }
        if (samples < 1) {
            throw new IllegalArgumentException("samples (T) must be >= 1, got " + samples);
        }
        this.model = null;
        this.network = network;
        this.kernels = kernels;
        this.samples = deterministic ? 1 : samples;
        this.seed = seed;
        this.deterministic = deterministic;
    }

    /** One chunk's forward: (b · passes) × outputs for b inputs. */
    private interface Forward extends AutoCloseable {
        float[] run(float[] xb, int b, int step);

        @Override
        void close();
    }

    private Forward forward(Chunking ch) {
        if (network != null) {
            return new Forward() {
                @Override
                public float[] run(float[] xb, int b, int step) {
                    return network.forward(kernels, xb, b, ch.passes, new MaskSpec(seed, step), !deterministic);
                }

                @Override
                public void close() {
                }
            };
        }
        MlpPass pass = new MlpPass(model, kernels, ch.inputs, ch.passes);
        return new Forward() {
            @Override
            public float[] run(float[] xb, int b, int step) {
                return pass.forward(xb, b, seed, step, !deterministic);
            }

            @Override
            public void close() {
                pass.close();
            }
        };
    }

    private int inputSize() {
        return network != null ? network.inputSize() : model.inputSize();
    }

    private int outputSize() {
        return network != null ? network.outputSize() : model.outputSize();
    }

    public int samples() {
        return samples;
    }

    public boolean deterministic() {
        return deterministic;
    }

    /** Predicts classes for x (n × inputSize). */
    public ClassPredictions predictClasses(float[] x) {
        if (model != null && !model.likelihood().isCategorical()) {
            throw new IllegalStateException("predictClasses needs a categorical model, this one is " + model.likelihood());
        }
        int n = rows(x);
        int c = outputSize();
        float[] meanProbs = new float[n * c];
        float[] logMean = new float[n * c];
        float[] entropy = new float[n];
        float[] expectedEntropy = new float[n];
        float[] mi = new float[n];
        Chunking ch = new Chunking(n, samples, network);
        Forward pass = forward(ch);
        try {
            // Per input and class: the sum of p_t, and for the log of the mean when that sum underflows, the
            // largest log p_t and the sum of p_t e^LOW_SHIFT over the passes with log p_t < LOW_LOG_P + 1.
            double[] probSum = new double[ch.inputs * c];
            double[] lowSum = new double[ch.inputs * c];
            double[] maxLogP = new double[ch.inputs * c];
            double[] entSum = new double[ch.inputs];
            double[] expShifted = new double[c];
            int step = 0;
            for (int from = 0; from < n; from += ch.inputs) {
                int b = Math.min(ch.inputs, n - from);
                float[] xb = slice(x, from, b);
                java.util.Arrays.fill(probSum, 0);
                java.util.Arrays.fill(lowSum, 0);
                java.util.Arrays.fill(maxLogP, Double.NEGATIVE_INFINITY);
                java.util.Arrays.fill(entSum, 0);
                for (int t0 = 0; t0 < samples; t0 += ch.passes) {
                    int passes = Math.min(ch.passes, samples - t0);
                    float[] logits = pass.run(xb, b, step++);
                    for (int i = 0; i < b; i++) {
                        for (int t = 0; t < passes; t++) {
                            int row = (i * ch.passes + t) * c;
                            // One exp per class: p_j = e_j / s and log p_j = (l_j - max) - log s.
                            double max = Double.NEGATIVE_INFINITY;
                            for (int j = 0; j < c; j++) {
                                max = Math.max(max, logits[row + j]);
                            }
                            double sum = 0;
                            for (int j = 0; j < c; j++) {
                                expShifted[j] = Math.exp(logits[row + j] - max);
                                sum += expShifted[j];
                            }
                            double logSum = Math.log(sum);
                            double h = 0;
                            for (int j = 0; j < c; j++) {
                                int idx = i * c + j;
                                double logp = (logits[row + j] - max) - logSum;
                                double p = expShifted[j] / sum;
                                h -= p * logp;
                                probSum[idx] += p;
                                if (logp > maxLogP[idx]) {
                                    maxLogP[idx] = logp;
                                }
                                if (logp < LOW_LOG_P + 1) {
                                    lowSum[idx] += Math.exp(logp + LOW_SHIFT);
                                }
                            }
                            entSum[i] += h;
                        }
                    }
                }
                double logT = Math.log(samples);
                for (int i = 0; i < b; i++) {
                    double h = 0;
                    for (int j = 0; j < c; j++) {
                        int idx = i * c + j;
                        double lm = logOfSum(probSum[idx], lowSum[idx], maxLogP[idx]) - logT;
                        double pm = probSum[idx] / samples;
                        meanProbs[(from + i) * c + j] = (float) pm;
                        logMean[(from + i) * c + j] = (float) lm;
                        if (pm > 0) {
                            h -= pm * lm;
                        }
                    }
                    double eh = entSum[i] / samples;
                    entropy[from + i] = (float) h;
                    expectedEntropy[from + i] = (float) eh;
                    // Clamp the rounding noise: MI = H[p̄] − E[H[p_t]] ≥ 0 by Jensen.
                    mi[from + i] = (float) Math.max(0, h - eh);
                }
            }
            return new ClassPredictions(n, c, samples, meanProbs, logMean, entropy, expectedEntropy, mi);
        } finally {
            pass.close();
        }
    }

    /**
     * Predicts a regressor's mean and variance for x; if {@code y} (n × D, model units) is given, also the
     * per-point test log-likelihood {@code logsumexp_t(-τ/2 ||y - f_t||²) - log T - D/2 log 2π + D/2 log τ}.
     */
    public RegressionPredictions predictRegression(float[] x, float[] y) {
        if (network != null) {
            throw new IllegalStateException("regression networks are not supported yet; use an Mlp");
        }
        if (model.likelihood().isCategorical()) {
            throw new IllegalStateException("predictRegression needs a Gaussian model, this one is categorical");
        }
        int n = rows(x);
        int d = model.outputSize();
        if (y != null && y.length != n * d) {
            throw new IllegalArgumentException("targets must have length n * outputs = " + (n * d) + ", got " + y.length);
        }
        if (y != null) {
            Finite.requireFinite(y, d, "targets");
        }
        double tau = Math.exp(model.logTau());
        float[] mean = new float[n * d];
        float[] var = new float[n * d];
        double[] ll = y == null ? null : new double[n];
        Chunking ch = new Chunking(n, samples, network);
        MlpPass pass = new MlpPass(model, kernels, ch.inputs, ch.passes);
        try {
            double[] sum = new double[ch.inputs * d];
            double[] sumSq = new double[ch.inputs * d];
            double[] lseMax = new double[ch.inputs];
            double[] lseSum = new double[ch.inputs];
            int step = 0;
            for (int from = 0; from < n; from += ch.inputs) {
                int b = Math.min(ch.inputs, n - from);
                float[] xb = slice(x, from, b);
                java.util.Arrays.fill(sum, 0);
                java.util.Arrays.fill(sumSq, 0);
                java.util.Arrays.fill(lseMax, Double.NEGATIVE_INFINITY);
                java.util.Arrays.fill(lseSum, 0);
                for (int t0 = 0; t0 < samples; t0 += ch.passes) {
                    int passes = Math.min(ch.passes, samples - t0);
                    float[] f = pass.forward(xb, b, seed, step++, !deterministic);
                    for (int i = 0; i < b; i++) {
                        for (int t = 0; t < passes; t++) {
                            int row = (i * ch.passes + t) * d;
                            double sq = 0;
                            for (int j = 0; j < d; j++) {
                                double v = f[row + j];
                                sum[i * d + j] += v;
                                sumSq[i * d + j] += v * v;
                                if (y != null) {
                                    double e = y[(from + i) * d + j] - v;
                                    sq += e * e;
                                }
                            }
                            if (y != null) {
                                double term = -0.5 * tau * sq;
                                if (term > lseMax[i]) {
                                    lseSum[i] = lseSum[i] * Math.exp(lseMax[i] - term) + 1;
                                    lseMax[i] = term;
                                } else {
                                    lseSum[i] += Math.exp(term - lseMax[i]);
                                }
                            }
                        }
                    }
                }
                for (int i = 0; i < b; i++) {
                    for (int j = 0; j < d; j++) {
                        double m = sum[i * d + j] / samples;
                        double v = Math.max(0, sumSq[i * d + j] / samples - m * m);
                        mean[(from + i) * d + j] = (float) m;
                        var[(from + i) * d + j] = (float) (v + 1 / tau);
                    }
                    if (ll != null) {
                        ll[from + i] = lseMax[i] + Math.log(lseSum[i]) - Math.log(samples)
                                - 0.5 * d * Math.log(2 * Math.PI) + 0.5 * d * model.logTau();
                    }
                }
            }
            return new RegressionPredictions(n, d, samples, mean, var, ll);
        } finally {
            pass.close();
        }
    }

    private int rows(float[] x) {
        if (x == null) {
            throw new IllegalArgumentException("inputs must not be null");
        }
        if (x.length == 0 || x.length % inputSize() != 0) {
            throw new IllegalArgumentException("inputs.length = " + x.length + " is not a positive multiple of the model's input size "
                    + inputSize() + " (data width does not match the model)");
        }
        Finite.requireFinite(x, inputSize(), "inputs");
        if (network != null) {
            for (float[] p : network.parameters()) {
                Finite.requireFinite(p, p.length, "the network's parameters");
            }
        } else {
            Finite.requireFiniteParameters(model);
        }
        return x.length / inputSize();
    }

    private float[] slice(float[] x, int from, int count) {
        int d = inputSize();
        if (from == 0 && count * d == x.length) {
            return x;
        }
        float[] out = new float[count * d];
        System.arraycopy(x, from * d, out, 0, count * d);
        return out;
    }

    /** Writes log softmax of {@code logits[offset .. offset+c)} into {@code out[0 .. c)}, stably (max subtracted). */
    /**
     * A probability of a pass below e^(LOW_LOG_P + 1) is also summed scaled by e^LOW_SHIFT, so that the log of
     * the mean stays exact when every pass's probability is below e^LOW_LOG_P (a sum of doubles underflows
     * below e^-745; a confidently wrong model gives log p = -800). The margin of 1 keeps a pass whose p and
     * log p round to opposite sides of the threshold in the scaled sum.
     */
    private static final double LOW_LOG_P = -500;
    private static final double LOW_SHIFT = 600;
    private static final double LOW_SUM = Math.exp(LOW_LOG_P);

    /**
     * log Σ_t p_t from the plain sum, or, when it is below e^LOW_LOG_P (every p_t is then below it too, so all
     * of them are in lowSum), from the scaled sum; maxLogP bounds it from below when even that underflows
     * (log p_t below about -1300).
     */
    static double logOfSum(double sum, double lowSum, double maxLogP) {
        if (sum >= LOW_SUM) {
            return Math.log(sum);
        }
        return lowSum > 0 ? Math.log(lowSum) - LOW_SHIFT : maxLogP;
    }

    public static void logSoftmax(float[] logits, int offset, int c, double[] out) {
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j < c; j++) {
            max = Math.max(max, logits[offset + j]);
        }
        double s = 0;
        for (int j = 0; j < c; j++) {
            s += Math.exp(logits[offset + j] - max);
        }
        double lse = max + Math.log(s);
        for (int j = 0; j < c; j++) {
            out[j] = logits[offset + j] - lse;
        }
    }

    /** How many inputs and passes go into one forward call. */
    private static final class Chunking {
        final int inputs;
        final int passes;

        Chunking(int n, int samples, Network network) {
            this.passes = Math.min(samples, MAX_ROWS);
            int inputs = Math.max(1, Math.min(n, MAX_ROWS / passes));
            // A convolution stack keeps tens of thousands of floats per input: bound the chunk by memory too.
            this.inputs = network == null ? inputs : Math.min(inputs, network.maxBatch(passes, NETWORK_CHUNK_FLOATS));
        }
    }
}

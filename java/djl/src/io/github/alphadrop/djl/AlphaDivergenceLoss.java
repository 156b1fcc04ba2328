package io.github.alphadrop.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.loss.Loss;

import java.util.Locale;

/**
 * The black-box alpha-divergence objective of Li and Gal (2017) for dropout networks, as a DJL {@link Loss}.
 *
 * <p>Each of the B datapoints of a batch is run through the network K times with independent dropout
 * masks, giving log-likelihoods {@code ll[n,k]}; the loss of datapoint n is
 * <pre>  L_n = -(1/α) (logsumexp_k(α ll[n,k]) - log K)</pre>
 * and {@link #evaluate} returns the batch mean. α = 0 is computed exactly as {@code -mean_k ll[n,k]} (plain
 * MC-dropout variational inference, not a limit); α = 1 maximises the MC estimate of the predictive
 * likelihood. Only NDArray operations are used, so DJL's autograd gives the gradient.
 *
 * <h2>Inputs</h2>
 * Predictions hold the K samples of each datapoint either as {@code [B*K, C]} with rows ordered
 * {@code r = n*K + k} (what a network produces from inputs repeated by {@link #repeatSamples}) or as
 * {@code [B, K, C]}.
 * <ul>
 *   <li>{@link #categorical}: predictions are logits; labels are class indices of shape {@code [B]} or
 *       {@code [B, 1]} (any numeric type holding whole numbers in {@code [0, C)}).
 *       {@code ll = log softmax(logits)[label]}.</li>
 *   <li>{@link #gaussian}: predictions are {@code (f, logTau)}: the means f as above with D outputs, and
 *       the log precision as a one-element array, normally the trainable parameter of a
 *       {@link LearnedPrecisionBlock}, so that the optimiser updates it with the weights. Labels are the
 *       targets, {@code [B, D]} (or {@code [B]} when D = 1).
 *       {@code ll = -τ/2 ||y - f||² + D/2 (log τ - log 2π)}, τ = exp(logTau).</li>
 * </ul>
 *
 * <h2>Numerics</h2>
 * With {@code m = max_k ll} and {@code s_k = α (ll_k - m) ≤ 0},
 * {@code L_n = -m - (1/α) log1p(mean_k expm1(s_k))}. The direct {@code logsumexp - log K} subtracts two
 * nearly equal numbers and loses all float precision as α → 0; this form stays accurate for every α &gt; 0.
 * NDArray has neither expm1 nor log1p (nor, on PyTorch, atanh), so expm1 uses the identity
 * {@code expm1(s) = 2t/(1-t)} with {@code t = tanh(s/2)}, and log1p Goldberg's {@code u log(w) / (w - 1)}
 * with {@code w = 1 + u} rounded; both keep full relative precision near 0. m is detached: the loss does not
 * depend on it, and the gradient that then flows, {@code dL_n/dll_k = -softmax_k(α ll)}, is the exact one.
 * Everything is computed in the predictions' own type, because DJL's PyTorch engine does not differentiate
 * through a type cast (so a float64 detour would cut the graph).
 */
public final class AlphaDivergenceLoss extends Loss {

    /** The observation model behind {@code ll}. */
    public enum Likelihood { CATEGORICAL, GAUSSIAN }

    private static final double LOG_2PI = Math.log(2.0 * Math.PI);

    private final Likelihood likelihood;
    private final float alpha;
    private final int samples;

    /**
     * @param name       the loss name DJL shows in training logs and metrics
     * @param likelihood categorical (logits, class labels) or Gaussian (means and log τ, real targets)
     * @param alpha      α, finite and ≥ 0
     * @param samples    K ≥ 1, the dropout samples per datapoint in the predictions
     * @throws IllegalArgumentException for a null name or likelihood, or α or K out of range
     */
    public AlphaDivergenceLoss(String name, Likelihood likelihood, float alpha, int samples) {
        super(requireNonNull(name, "name"));
        this.likelihood = requireNonNull(likelihood, "likelihood");
        if (!(alpha >= 0f) || Float.isInfinite(alpha)) {
            throw new IllegalArgumentException("alpha must be finite and >= 0, got " + alpha);
        }
        if (samples < 1) {
            throw new IllegalArgumentException("samples (K) must be >= 1, got " + samples);
        }
        this.alpha = alpha;
        this.samples = samples;
    }

    /** Classification: predictions are logits, labels class indices. Named e.g. {@code AlphaDivergence(0.5,K=10)}. */
    public static AlphaDivergenceLoss categorical(float alpha, int samples) {
        return new AlphaDivergenceLoss(defaultName(alpha, samples), Likelihood.CATEGORICAL, alpha, samples);
    }

    /** Regression: predictions are {@code (f, logTau)}, labels real targets. See {@link LearnedPrecisionBlock}. */
    public static AlphaDivergenceLoss gaussian(float alpha, int samples) {
        return new AlphaDivergenceLoss(defaultName(alpha, samples) + "Gaussian", Likelihood.GAUSSIAN, alpha, samples);
    }

    private static String defaultName(float alpha, int samples) {
        return String.format(Locale.ROOT, "AlphaDivergence(%s,K=%d)", alpha, samples);
    }

    public Likelihood likelihood() {
        return likelihood;
    }

    public float alpha() {
        return alpha;
    }

    public int samples() {
        return samples;
    }

    /**
     * The inputs of a batch repeated for the K samples: {@code [B, ...]} becomes {@code [B*K, ...]} with
     * row {@code n*K + k} a copy of row n, the order this loss expects. In training mode each copy then
     * gets its own dropout mask.
     */
    public static NDArray repeatSamples(NDArray inputs, int samples) {
        requireNonNull(inputs, "inputs");
        if (samples < 1) {
            throw new IllegalArgumentException("samples (K) must be >= 1, got " + samples);
        }
        if (inputs.getShape().dimension() < 1) {
            throw new IllegalArgumentException("inputs must have a batch axis, got shape " + inputs.getShape());
        }
        return samples == 1 ? inputs : inputs.repeat(0, samples);
    }

    /** The batch mean of {@code L_n}, a scalar; differentiable with respect to the predictions. */
    @Override
    public NDArray evaluate(NDList labels, NDList predictions) {
        return perPoint(labels, predictions).mean();
    }

    /** {@code L_n} for each datapoint, shape {@code [B]}. */
    public NDArray perPoint(NDList labels, NDList predictions) {
        return combine(logLikelihoods(labels, predictions), alpha);
    }

    /** {@code ll[n,k]}, shape {@code [B, K]}: the per-sample log-likelihoods the loss combines. */
    public NDArray logLikelihoods(NDList labels, NDList predictions) {
        if (labels == null || labels.isEmpty()) {
            throw new IllegalArgumentException("labels must hold one array, got " + (labels == null ? "null" : "an empty NDList"));
        }
        if (predictions == null || predictions.isEmpty()) {
            throw new IllegalArgumentException("predictions must not be " + (predictions == null ? "null" : "empty"));
        }
        return likelihood == Likelihood.CATEGORICAL
                ? categoricalLogLikelihoods(labels.head(), predictions.head())
                : gaussianLogLikelihoods(labels.head(), predictions);
    }

    private NDArray categoricalLogLikelihoods(NDArray labels, NDArray logits) {
        Shape ls = labels.getShape();
        if (!(ls.dimension() == 1 || (ls.dimension() == 2 && ls.get(1) == 1))) {
            throw new IllegalArgumentException("labels must have shape [B] or [B, 1] (class indices), got " + ls);
        }
        long batch = ls.get(0);
        NDArray grouped = groupSamples(logits, batch, "logits");
        long classes = grouped.getShape().get(2);
        NDArray index = classIndices(labels, classes);
        // gather needs an index with the input's rank: [B] -> [B, K, 1], the label repeated for each sample.
        NDArray perSample = index.reshape(batch, 1, 1).repeat(1, samples);
        return grouped.logSoftmax(2).gather(perSample, 2).reshape(batch, samples);
    }

    /** Labels as int64 indices, after checking that they are whole numbers in {@code [0, classes)}. */
    private static NDArray classIndices(NDArray labels, long classes) {
        NDArray index = labels.flatten().toType(DataType.INT64, false);
        if (labels.getDataType().isFloating()
                && !index.toType(labels.getDataType(), false).contentEquals(labels.flatten())) {
            throw new IllegalArgumentException("labels must be whole class indices, got " + labels.getDataType()
                    + " values with a fractional part");
        }
        long min = index.min().getLong();
        long max = index.max().getLong();
        if (min < 0 || max >= classes) {
            throw new IllegalArgumentException("labels must be in [0, " + classes + "), got values in [" + min + ", "
                    + max + "]");
        }
        return index;
    }

    private NDArray gaussianLogLikelihoods(NDArray targets, NDList predictions) {
        if (predictions.size() < 2) {
            throw new IllegalArgumentException("Gaussian predictions must be (f, logTau), got " + predictions.size()
                    + " array(s); wrap the network in a LearnedPrecisionBlock");
        }
        NDArray logTau = predictions.get(1);
        if (logTau.size() != 1) {
            throw new IllegalArgumentException("logTau must hold one value, got shape " + logTau.getShape());
        }
        Shape ts = targets.getShape();
        if (ts.dimension() != 1 && ts.dimension() != 2) {
            throw new IllegalArgumentException("targets must have shape [B, D] or [B], got " + ts);
        }
        long batch = ts.get(0);
        long dims = ts.dimension() == 2 ? ts.get(1) : 1;
        NDArray f = groupSamples(predictions.head(), batch, "f");
        if (f.getShape().get(2) != dims) {
            throw new IllegalArgumentException("f has " + f.getShape().get(2) + " outputs per sample but the targets have "
                    + dims + " (targets " + ts + ", f " + predictions.head().getShape() + ")");
        }
        NDArray squaredError = f.sub(targets.reshape(batch, 1, dims)).square().sum(new int[] {2});
        NDArray lt = logTau.reshape(1);
        NDArray constant = lt.sub(LOG_2PI).mul(0.5 * dims);
        return squaredError.mul(lt.exp()).mul(-0.5).add(constant);
    }

    /** Predictions as {@code [B, K, C]}, from either accepted layout; shapes are checked against B and K. */
    private NDArray groupSamples(NDArray predictions, long batch, String what) {
        Shape ps = predictions.getShape();
        if (batch < 1) {
            throw new IllegalArgumentException("the batch is empty (labels have 0 rows)");
        }
        if (ps.dimension() == 2) {
            if (ps.get(0) != batch * samples) {
                throw new IllegalArgumentException(what + " have " + ps.get(0) + " rows but labels B = " + batch
                        + " times samples K = " + samples + " is " + batch * samples + " (" + what + " " + ps + ")");
            }
            return predictions.reshape(batch, samples, ps.get(1));
        }
        if (ps.dimension() == 3) {
            if (ps.get(0) != batch || ps.get(1) != samples) {
                throw new IllegalArgumentException(what + " " + ps + " must be [B, K, ...] = [" + batch + ", " + samples
                        + ", ...]");
            }
            return predictions;
        }
        throw new IllegalArgumentException(what + " must have shape [B*K, C] or [B, K, C], got " + ps);
    }

    /** {@code L_n} from {@code ll} of shape {@code [B, K]}; see the class comment for the numerics. */
    static NDArray combine(NDArray ll, float alpha) {
        if (alpha == 0f) {
            return ll.mean(new int[] {1}).neg();
        }
        NDArray max = ll.max(new int[] {1}, true).stopGradient();
        NDArray s = ll.sub(max).mul(alpha);
        NDArray t = s.mul(0.5).tanh();
        NDArray expm1 = t.mul(2).div(t.neg().add(1));
        NDArray u = expm1.mean(new int[] {1});
        return max.reshape(-1).neg().sub(log1p(u).div(alpha));
    }

    /**
     * log(1 + u) to full relative precision (Goldberg): {@code u log(w) / (w - 1)} with {@code w = 1 + u}, as
     * the rounding of w cancels between numerator and denominator; {@code u} itself where w rounds to 1.
     * Here u ≥ -(K-1)/K, so w ≥ 1/K &gt; 0. The denominator is made safe on both sides of the where so that
     * no NaN reaches the gradient of the branch not taken.
     */
    private static NDArray log1p(NDArray u) {
        NDArray w = u.add(1);
        NDArray d = w.sub(1);
        NDArray roundsToOne = d.eq(0);
        NDArray one = d.onesLike();
        NDArray ratio = NDArrays.where(roundsToOne, one, w.log().div(NDArrays.where(roundsToOne, one, d)));
        return u.mul(ratio);
    }

    private static <T> T requireNonNull(T value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
        return value;
    }
}

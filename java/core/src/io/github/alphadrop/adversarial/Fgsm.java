package io.github.alphadrop.adversarial;

/**
 * The fast gradient sign method through the MC predictive (Goodfellow et al. 2015; the Bayesian variant
 * of Li &amp; Gal 2017, section 5.3): one step of size ε against the sign of {@code ∇_x log p̄(ŷ|x)}, ŷ the
 * model's own prediction on the clean input, then a clip back into the valid pixel range.
 *
 * <p>The gradient is taken once, at the clean input; every ε of a sweep reuses it, so a sweep costs one
 * backward pass plus the predictions. Pixels whose gradient is exactly zero do not move (sign 0).
 */
public final class Fgsm {

    private final McGradient gradient;
    private final float lower;
    private final float upper;

    /** @param lower, upper the valid input range the perturbed inputs are clipped to, e.g. [0, 1] */
    public Fgsm(McGradient gradient, float lower, float upper) {
        if (gradient == null) {
            throw new IllegalArgumentException("gradient must not be null");
        }
        checkRange(lower, upper);
        this.gradient = gradient;
        this.lower = lower;
        this.upper = upper;
    }

    /**
     * The direction of the attack: {@code ∇_x log p̄(ŷ_i|x_i)} for every input (n × inputSize). The step
     * goes against it.
     *
     * @param predicted ŷ_i, the model's prediction on each clean input
     * @param step      names the dropout masks of the gradient
     */
    public float[] gradient(float[] x, int[] predicted, int step) {
        float[] g = new float[x.length];
        gradient.logProbGradient(x, predicted, step, g);
        return g;
    }

    /** {@code clip(x − ε · sign(g), lower, upper)}: a new array. */
    public float[] perturb(float[] x, float[] g, double eps) {
        return step(x, g, -eps, lower, upper);
    }

    /**
     * {@code clip(x + delta · sign(g), lower, upper)} into a new array; the shared step of the untargeted
     * (delta = −ε) and the targeted (delta = +η) attack.
     */
    static float[] step(float[] x, float[] g, double delta, float lower, float upper) {
        if (x.length != g.length) {
            throw new IllegalArgumentException("input and gradient lengths differ: " + x.length + " vs " + g.length);
        }
        if (!Double.isFinite(delta)) {
            throw new IllegalArgumentException("step size must be finite, got " + delta);
        }
        float[] out = new float[x.length];
        for (int i = 0; i < x.length; i++) {
            // Math.signum keeps 0 for a zero gradient: such a pixel has no preferred direction.
            double v = x[i] + delta * Math.signum(g[i]);
            out[i] = (float) Math.min(upper, Math.max(lower, v));
        }
        return out;
    }

    static void checkRange(float lower, float upper) {
        if (!(Float.isFinite(lower) && Float.isFinite(upper) && lower < upper)) {
            throw new IllegalArgumentException("input range must be finite with lower < upper, got [" + lower + ", "
                    + upper + "]");
        }
    }
}

package io.github.alphadrop.adversarial;

import java.util.Arrays;

/**
 * Iterative targeted FGSM (Kurakin et al. 2017, as used in Li &amp; Gal 2017, section 5.3): repeated small
 * steps up the sign of {@code ∇_x log p̄(target|x)}, each clipped back into the valid range,
 * {@code x_t = clip(x_{t−1} + η · sign(∇_x log p̄(target|x_{t−1})))}.
 *
 * <p>Every iteration draws fresh dropout masks (its own mask step), so the attacker follows the MC
 * predictive rather than one frozen sub-network.
 */
public final class TargetedFgsm {

    private final McGradient gradient;
    private final int target;
    private final double stepSize;
    private final float lower;
    private final float upper;

    /**
     * @param target   the class the inputs are pushed towards
     * @param stepSize η &gt; 0
     */
    public TargetedFgsm(McGradient gradient, int target, double stepSize, float lower, float upper) {
        if (gradient == null) {
            throw new IllegalArgumentException("gradient must not be null");
        }
        if (target < 0 || target >= gradient.outputSize()) {
            throw new IllegalArgumentException("target must be a class in [0, " + gradient.outputSize()
                    + "), got " + target);
        }
        if (!(stepSize > 0) || Double.isInfinite(stepSize)) {
            throw new IllegalArgumentException("step size must be positive and finite, got " + stepSize);
        }
        Fgsm.checkRange(lower, upper);
        this.gradient = gradient;
        this.target = target;
        this.stepSize = stepSize;
        this.lower = lower;
        this.upper = upper;
    }

    public int target() {
        return target;
    }

    public double stepSize() {
        return stepSize;
    }

    /**
     * One iteration from {@code x} (n × inputSize): a new array.
     *
     * @param iteration names the masks of this iteration's gradient (use 0, 1, 2, ...)
     */
    public float[] step(float[] x, int iteration) {
        int n = x.length / gradient.inputSize();
        int[] targets = new int[n];
        Arrays.fill(targets, target);
        float[] g = new float[x.length];
        gradient.logProbGradient(x, targets, iteration, g);
        return Fgsm.step(x, g, stepSize, lower, upper);
    }

    /** Called after every iteration with the current inputs (do not keep the array: copy what you need). */
    @FunctionalInterface
    public interface Listener {
        void onStep(int step, float[] x);
    }

    /**
     * Runs {@code steps} iterations from {@code x} (not modified), calling {@code listener} after each
     * (step = 1..steps), and returns the final inputs.
     */
    public float[] run(float[] x, int steps, Listener listener) {
        if (steps < 0) {
            throw new IllegalArgumentException("steps must be >= 0, got " + steps);
        }
        float[] current = x.clone();
        for (int s = 1; s <= steps; s++) {
            current = step(current, s - 1);
            if (listener != null) {
                listener.onStep(s, current);
            }
        }
        return current;
    }
}

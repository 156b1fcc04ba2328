package io.github.alphadrop.train;

import java.util.List;

/**
 * Updates parameters in place from their gradients. State (moments, velocities) is created on the first
 * step for the given list of parameter arrays, whose order and sizes must stay the same afterwards.
 */
public interface Optimizer {

    void step(List<float[]> parameters, List<float[]> gradients);

    /** The optimiser's name and settings, for logs and saved models. */
    String describe();

    /**
     * What a checkpoint needs to continue bit-identically: the step count and the state arrays (Adam's two
     * moments, SGD's velocity), copied. Empty before the first step.
     */
    State state();

    /** Continues from {@code state} (from {@link #state()} of the same kind of optimiser on the same parameters). */
    void restore(State state);

    /** An optimiser's state: its step count and arrays, in the parameters' order. */
    record State(long steps, float[][] arrays) {
        public State {
            if (steps < 0 || arrays == null) {
                throw new IllegalArgumentException("optimizer state needs steps >= 0 and arrays, got " + steps);
            }
        }

        static float[][] copy(float[][] a) {
            if (a == null) {
                return new float[0][];
            }
            float[][] c = new float[a.length][];
            for (int i = 0; i < a.length; i++) {
                c[i] = a[i].clone();
            }
            return c;
        }
    }

    /** Adam with the usual defaults (β1 = 0.9, β2 = 0.999, ε = 1e-8). */
    static Optimizer adam(double learningRate) {
        return new Adam(learningRate, 0.9, 0.999, 1e-8);
    }

    /** SGD with (heavy-ball) momentum. */
    static Optimizer sgd(double learningRate, double momentum) {
        return new SgdMomentum(learningRate, momentum);
    }
}

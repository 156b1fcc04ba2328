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

    /** Adam with the usual defaults (β1 = 0.9, β2 = 0.999, ε = 1e-8). */
    static Optimizer adam(double learningRate) {
        return new Adam(learningRate, 0.9, 0.999, 1e-8);
    }

    /** SGD with (heavy-ball) momentum. */
    static Optimizer sgd(double learningRate, double momentum) {
        return new SgdMomentum(learningRate, momentum);
    }
}

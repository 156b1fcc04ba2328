package io.github.alphadrop.train;

import java.util.List;

/** Stochastic gradient descent with heavy-ball momentum: {@code v = μ v - lr g; p += v}. */
public final class SgdMomentum implements Optimizer {

    private final double learningRate;
    private final double momentum;
    private float[][] velocity;

    public SgdMomentum(double learningRate, double momentum) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be positive and finite, got " + learningRate);
        }
        if (!(momentum >= 0 && momentum < 1)) {
            throw new IllegalArgumentException("momentum must be in [0, 1), got " + momentum);
        }
        this.learningRate = learningRate;
        this.momentum = momentum;
    }

    @Override
    public void step(List<float[]> parameters, List<float[]> gradients) {
        if (velocity == null) {
            velocity = new float[parameters.size()][];
            for (int i = 0; i < velocity.length; i++) {
                velocity[i] = new float[parameters.get(i).length];
            }
        }
        float mu = (float) momentum;
        float lr = (float) learningRate;
        for (int i = 0; i < velocity.length; i++) {
            float[] p = parameters.get(i);
            float[] g = gradients.get(i);
            float[] v = velocity[i];
            for (int j = 0; j < p.length; j++) {
                v[j] = mu * v[j] - lr * g[j];
                p[j] += v[j];
            }
        }
    }

    @Override
    public String describe() {
        return "sgd(lr=" + learningRate + ", momentum=" + momentum + ")";
    }

    @Override
    public State state() {
        return new State(0, velocity == null ? new float[0][] : State.copy(velocity));
    }

    @Override
    public void restore(State state) {
        velocity = state.arrays().length == 0 ? null : State.copy(state.arrays());
    }
}

package io.github.alphadrop.train;

import java.util.List;

/** Adam (Kingma and Ba) with bias correction. */
public final class Adam implements Optimizer {

    private final double learningRate;
    private final double beta1;
    private final double beta2;
    private final double epsilon;
    private float[][] m;
    private float[][] v;
    private long t;

    public Adam(double learningRate, double beta1, double beta2, double epsilon) {
        if (!(learningRate > 0) || Double.isInfinite(learningRate)) {
            throw new IllegalArgumentException("learning rate must be positive and finite, got " + learningRate);
        }
        if (!(beta1 >= 0 && beta1 < 1)) {
            throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
        }
        if (!(beta2 >= 0 && beta2 < 1)) {
            throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
        }
        if (!(epsilon > 0)) {
            throw new IllegalArgumentException("epsilon must be positive, got " + epsilon);
        }
        this.learningRate = learningRate;
        this.beta1 = beta1;
        this.beta2 = beta2;
        this.epsilon = epsilon;
    }

    @Override
    public void step(List<float[]> parameters, List<float[]> gradients) {
        if (m == null) {
            m = new float[parameters.size()][];
            v = new float[parameters.size()][];
            for (int i = 0; i < m.length; i++) {
                m[i] = new float[parameters.get(i).length];
                v[i] = new float[parameters.get(i).length];
            }
        }
        t++;
        // Fold both bias corrections into one step size, as in the paper's efficient form.
        double stepSize = learningRate * Math.sqrt(1 - Math.pow(beta2, t)) / (1 - Math.pow(beta1, t));
        float b1 = (float) beta1;
        float b2 = (float) beta2;
        float lr = (float) stepSize;
        float eps = (float) (epsilon * Math.sqrt(1 - Math.pow(beta2, t)));
        for (int i = 0; i < m.length; i++) {
            float[] p = parameters.get(i);
            float[] g = gradients.get(i);
            float[] mi = m[i];
            float[] vi = v[i];
            for (int j = 0; j < p.length; j++) {
                float gj = g[j];
                mi[j] = b1 * mi[j] + (1 - b1) * gj;
                vi[j] = b2 * vi[j] + (1 - b2) * gj * gj;
                p[j] -= lr * mi[j] / ((float) Math.sqrt(vi[j]) + eps);
            }
        }
    }

    @Override
    public String describe() {
        return "adam(lr=" + learningRate + ")";
    }

    @Override
    public State state() {
        if (m == null) {
            return new State(t, new float[0][]);
        }
        float[][] both = new float[2 * m.length][];
        float[][] cm = State.copy(m);
        float[][] cv = State.copy(v);
        System.arraycopy(cm, 0, both, 0, m.length);
        System.arraycopy(cv, 0, both, m.length, v.length);
        return new State(t, both);
    }

    @Override
    public void restore(State state) {
        float[][] a = state.arrays();
        if (a.length % 2 != 0) {
            throw new IllegalArgumentException("an Adam state has an even number of arrays (moments m and v), got " + a.length);
        }
        if (a.length == 0) {
            m = null;
            v = null;
        } else {
            m = State.copy(java.util.Arrays.copyOfRange(a, 0, a.length / 2));
            v = State.copy(java.util.Arrays.copyOfRange(a, a.length / 2, a.length));
        }
        t = state.steps();
    }
}

package io.github.alphadrop.train;

import java.util.SplittableRandom;

/** Small synthetic data sets for end-to-end tests (seconds, not minutes). */
public final class TinyProblems {

    private TinyProblems() {
    }

    /** Three Gaussian blobs in 4-D, n points: x (n×4), labels in {0,1,2}. */
    public static Classification blobs(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * 4];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            y[i] = i % 3;
            for (int j = 0; j < 4; j++) {
                double centre = (j == y[i]) ? 2.0 : 0.0;
                x[i * 4 + j] = (float) (centre + 0.5 * gaussian(r));
            }
        }
        return new Classification(x, y, 4, 3);
    }

    /** y = sin(3 x0) + 0.5 x1 + noise, x ~ U(-1,1)², n points. */
    public static Regression sine(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * 2];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            x[2 * i] = (float) (2 * r.nextDouble() - 1);
            x[2 * i + 1] = (float) (2 * r.nextDouble() - 1);
            y[i] = (float) (Math.sin(3 * x[2 * i]) + 0.5 * x[2 * i + 1] + 0.1 * gaussian(r));
        }
        return new Regression(x, y, 2);
    }

    static double gaussian(SplittableRandom r) {
        return Math.sqrt(-2 * Math.log(1 - r.nextDouble())) * Math.cos(2 * Math.PI * r.nextDouble());
    }

    public record Classification(float[] x, int[] labels, int inputs, int classes) {
    }

    public record Regression(float[] x, float[] y, int inputs) {
    }
}

package io.github.alphadrop.model;

import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.kernels.NativeKernels;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;

/**
 * What the tests of the model-level noises share: inputs, the two backends, and central differences of
 * {@code L = Σ r · f(x)} through an {@link MlpPass} with fixed masks (seed, step).
 */
final class PassChecks {

    private final int batch;
    private final int samples;
    private final long seed;
    private final int step;

    PassChecks(int batch, int samples, long seed, int step) {
        this.batch = batch;
        this.samples = samples;
        this.seed = seed;
        this.step = step;
    }

    static float[] random(int n, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (2 * r.nextDouble() - 1);
        }
        return a;
    }

    /** Three separable blobs in 4 dimensions, n points; their labels into {@code labels}. */
    static float[] blobs(int n, long seed, int[] labels) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[n * 4];
        for (int i = 0; i < n; i++) {
            labels[i] = i % 3;
            for (int j = 0; j < 4; j++) {
                x[i * 4 + j] = (float) ((j == labels[i] ? 2 : 0) + 0.5 * (random.nextDouble() - 0.5));
            }
        }
        return x;
    }
    static List<Kernels> backends() {
        return List.of(new JavaKernels(), new NativeKernels(2));
    }

    /** Checks {@code analytic} against central differences of L with respect to every element of {@code param}. */
    void check(Kernels kernels, Mlp m, float[] x, float[] r, float[] param, float[] analytic, float h, double tolerance,
               String what) {
        for (int i = 0; i < param.length; i++) {
            float keep = param[i];
            param[i] = keep + h;
            double plus = objective(kernels, m, x, r);
            param[i] = keep - h;
            double minus = objective(kernels, m, x, r);
            param[i] = keep;
            double numeric = (plus - minus) / (2.0 * (double) h);
            assertEquals(numeric, analytic[i], tolerance * (1 + Math.abs(numeric)), kernels.name() + " " + what + "[" + i + "]");
        }
    }

    private double objective(Kernels kernels, Mlp m, float[] x, float[] r) {
        float[] f = new MlpPass(m, kernels, batch, samples).forward(x, batch, seed, step, true);
        double s = 0;
        for (int i = 0; i < r.length; i++) {
            s += (double) r[i] * f[i];
        }
        return s;
    }
}

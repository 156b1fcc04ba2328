package io.github.alphadrop.layers;

import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.kernels.TestBackends;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Max pooling on the Java and every native backend: values, ties, NaN, finite differences, native = Java. */
class MaxPool2DTest {

    static Stream<Kernels> backends() {
        return TestBackends.all();
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void poolsTwoByTwoWindowsPerChannelAndDropsTheRemainder(Kernels k) {
        // One 3x5 image with 2 channels; channel 1 is channel 0 negated.
        MaxPool2D pool = new MaxPool2D(3, 5, 2, 2);
        float[] x = new float[3 * 5 * 2];
        for (int y = 0; y < 3; y++) {
            for (int xx = 0; xx < 5; xx++) {
                float v = y * 10 + xx;
                x[(y * 5 + xx) * 2] = v;
                x[(y * 5 + xx) * 2 + 1] = -v;
            }
        }
        float[] p = pool.forward(k, x, 1);
        assertEquals(1, pool.outHeight());
        assertEquals(2, pool.outWidth());
        // Windows rows 0-1, columns 0-1 and 2-3: maxima 11 and 13; negated channel: the smallest magnitudes 0 and -2.
        assertArrayEquals(new float[]{11, -0f, 13, -2}, p);
        // Equal maxima: the first in the window (row-major) gets the gradient.
        MaxPool2D two = new MaxPool2D(2, 2, 1, 2);
        assertArrayEquals(new float[]{0, 5, 0, 0}, two.backward(k, new float[]{1, 3, 3, 2}, new float[]{5}, 1));
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void backwardMatchesFiniteDifferencesAndJava(Kernels k) {
        Random r = new Random(3);
        MaxPool2D pool = new MaxPool2D(6, 7, 3, 2);
        int rows = 2;
        float[] x = new float[rows * pool.inputSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextGaussian();
        }
        float[] g = new float[rows * pool.outputSize()];
        for (int i = 0; i < g.length; i++) {
            g[i] = (float) r.nextGaussian();
        }
        float[] dx = pool.backward(k, x, g, rows);
        assertArrayEquals(pool.backward(new JavaKernels(), x, g, rows), dx, k + " dx against Java");
        assertArrayEquals(pool.forward(new JavaKernels(), x, rows), pool.forward(k, x, rows), k + " y against Java");
        double h = 1e-3;
        for (int i = 0; i < x.length; i++) {
            float[] xp = x.clone(), xm = x.clone();
            xp[i] += h;
            xm[i] -= h;
            double numeric = (dot(pool.forward(k, xp, rows), g) - dot(pool.forward(k, xm, rows), g)) / (2 * h);
            assertEquals(numeric, dx[i], 1e-3, "dx[" + i + "]");
        }
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void nanWinsItsWindowAndBadShapesAreNamed(Kernels k) {
        MaxPool2D pool = new MaxPool2D(2, 2, 1, 2);
        assertTrue(Float.isNaN(pool.forward(k, new float[]{1, Float.NaN, 3, 2}, 1)[0]));
        assertArrayEquals(new float[]{0, 7, 0, 0}, pool.backward(k, new float[]{1, Float.NaN, Float.NaN, 2},
                new float[]{7}, 1), "the first NaN wins");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new MaxPool2D(2, 2, 1, 3));
        assertTrue(e.getMessage().contains("3x3 window does not fit a 2x2 input"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> pool.forward(k, new float[3], 1));
        assertTrue(e.getMessage().contains("got 3"), e.getMessage());
    }
}

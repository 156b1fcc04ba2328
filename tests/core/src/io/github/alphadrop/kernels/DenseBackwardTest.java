package io.github.alphadrop.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Backward is checked against central finite differences of S = Σ z ⊙ R (R random, so dS/dz = R) taken on
 * the double-precision {@link Reference} forward, which {@link DenseForwardTest} ties to every backend. In
 * double, a step of 1e-6 has truncation and rounding errors near 1e-10, so the only slack needed is for the
 * backend's float arithmetic; a wrong index, mask or transpose shows up as an O(1) error.
 */
class DenseBackwardTest {

    private static final double STEP = 1e-6;

    /** (batch, samples, in, out); in = 136 splits dW into 40-column panels that start inside a 128-column mask block. */
    private static final int[][] SHAPES = {{1, 1, 1, 1}, {3, 2, 5, 4}, {2, 10, 17, 3}, {3, 3, 7, 9}, {2, 2, 136, 3},
        {5, 3, 37, 1}, {2, 2, 300, 1}};

    static Stream<Arguments> cases() {
        return Backends.all().flatMap(kernels -> Arrays.stream(SHAPES).flatMap(s ->
                Stream.of(true, false).flatMap(shared -> Arrays.stream(Activation.values()).map(act ->
                        Arguments.of(kernels, s[0], s[1], s[2], s[3], shared, act)))));
    }

    static Stream<Kernels> backends() {
        return Backends.all();
    }

    @ParameterizedTest(autoCloseArguments = false, name = "{0} B={1} K={2} D={3} H={4} shared={5} {6}")
    @MethodSource("cases")
    void gradientsMatchFiniteDifferences(Kernels kernels, int batch, int samples, int in, int out,
                                         boolean shared, Activation activation) {
        Random random = new Random(1000L * batch + 100L * samples + 10L * in + out + (shared ? 1 : 0));
        int rows = batch * samples;
        int aRows = shared ? batch : rows;
        // No dropout, Bernoulli dropout and Gaussian noise at p = 0.4.
        for (int c = 0; c < 3; c++) {
            float p = c == 0 ? 0f : 0.4f;
            Dropout dropout = new Dropout(random.nextLong(), 4, 1, p,
                    c == 2 ? Dropout.Noise.GAUSSIAN : Dropout.Noise.BERNOULLI);
            float[] a = Reference.uniform(random, aRows * in, -1f, 1f);
            float[] w = Reference.uniform(random, in * out, -1f, 1f);
            float[] bias = Reference.uniform(random, out, -0.5f, 0.5f);
            float[] r = Reference.uniform(random, rows * out, -1f, 1f);

            float[] z = new float[rows * out];
            kernels.dropoutMatmulForward(dropout, batch, samples, shared, in, out, a, w, bias, activation, z);
            float[] dz = r.clone();
            float[] dw = filled(in * out, Float.NaN);     // NaN: "overwritten" must not mean "accumulated into"
            float[] db = filled(out, Float.NaN);
            float[] da = filled(aRows * in, Float.NaN);
            kernels.dropoutMatmulBackward(dropout, batch, samples, shared, in, out, a, w, z, activation, dz, dw, db,
                    da);

            Fd fd = new Fd(Reference.mask(dropout, 0, rows, in), batch, samples, shared, in, out, activation,
                    Reference.toDouble(a), Reference.toDouble(w), Reference.toDouble(bias), Reference.toDouble(r));
            String what = kernels.name() + " p=" + p;
            assertClose(fd.gradient(fd.w), dw, what + " dw");
            assertClose(fd.gradient(fd.bias), db, what + " db");
            assertClose(fd.gradient(fd.a), da, what + " da");

            // dz now holds dS/dpre = R ⊙ act'(pre).
            double[] pre = Reference.preActivation(
                    Reference.maskedInput(fd.mask, batch, samples, shared, in, fd.a), rows, in, out, fd.w, fd.bias);
            double[] dzPre = new double[rows * out];
            for (int i = 0; i < dzPre.length; i++) {
                dzPre[i] = fd.r[i] * Reference.activationDerivative(activation, pre[i]);
            }
            assertClose(dzPre, dz, what + " dz (pre-activation gradient, in place)");
        }
    }

    /** Optional outputs are optional: leaving out db and da must not change dw. */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void nullOptionalOutputsGiveTheSameDw(Kernels kernels) {
        Random random = new Random(5);
        int batch = 4;
        int samples = 3;
        int in = 6;
        int out = 5;
        int rows = batch * samples;
        Dropout dropout = new Dropout(77L, 1, 0, 0.5f);
        float[] a = Reference.uniform(random, batch * in, -1f, 1f);
        float[] w = Reference.uniform(random, in * out, -1f, 1f);
        float[] r = Reference.uniform(random, rows * out, -1f, 1f);
        float[] z = new float[rows * out];
        kernels.dropoutMatmulForward(dropout, batch, samples, true, in, out, a, w, null, Activation.IDENTITY, z);

        float[] dwAll = new float[in * out];
        kernels.dropoutMatmulBackward(dropout, batch, samples, true, in, out, a, w, z, Activation.IDENTITY,
                r.clone(), dwAll, new float[out], new float[batch * in]);
        float[] dwOnly = new float[in * out];
        float[] dz = r.clone();
        // z may be null for IDENTITY, and dz is then left as it was.
        kernels.dropoutMatmulBackward(dropout, batch, samples, true, in, out, a, w, null, Activation.IDENTITY, dz,
                dwOnly, null, null);
        assertArrayEquals(dwAll, dwOnly, kernels.name());
        assertArrayEquals(r, dz, kernels.name() + ": IDENTITY must leave dz untouched");
    }

    /** Shared-input da is the per-sample da of the repeated input, summed over each datapoint's K rows. */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void sharedDaSumsPerSampleDa(Kernels kernels) {
        Random random = new Random(6);
        int batch = 3;
        int samples = 4;
        int in = 9;
        int out = 2;
        int rows = batch * samples;
        Dropout dropout = new Dropout(-3L, 2, 5, 0.25f);
        float[] a = Reference.uniform(random, batch * in, -1f, 1f);
        float[] repeated = new float[rows * in];
        for (int row = 0; row < rows; row++) {
            System.arraycopy(a, (row / samples) * in, repeated, row * in, in);
        }
        float[] w = Reference.uniform(random, in * out, -1f, 1f);
        float[] r = Reference.uniform(random, rows * out, -1f, 1f);

        float[] daShared = new float[batch * in];
        float[] daRepeated = new float[rows * in];
        float[] dwShared = new float[in * out];
        float[] dwRepeated = new float[in * out];
        kernels.dropoutMatmulBackward(dropout, batch, samples, true, in, out, a, w, null, Activation.IDENTITY,
                r.clone(), dwShared, null, daShared);
        kernels.dropoutMatmulBackward(dropout, batch, samples, false, in, out, repeated, w, null, Activation.IDENTITY,
                r.clone(), dwRepeated, null, daRepeated);
        for (int n = 0; n < batch; n++) {
            for (int d = 0; d < in; d++) {
                float sum = 0f;
                for (int k = 0; k < samples; k++) {
                    sum += daRepeated[(n * samples + k) * in + d];
                }
                assertEquals(sum, daShared[n * in + d], 1e-5f, kernels.name() + " da[" + n + "][" + d + "]");
            }
        }
        for (int i = 0; i < dwShared.length; i++) {
            assertEquals(dwRepeated[i], dwShared[i], 1e-5f, kernels.name() + " dw[" + i + "]");
        }
    }

    private static float[] filled(int n, float value) {
        float[] x = new float[n];
        Arrays.fill(x, value);
        return x;
    }

    /** Float results vs double expectations: relative to the largest expected magnitude of the array. */
    private static void assertClose(double[] expected, float[] actual, String what) {
        double max = 0.0;
        for (double e : expected) {
            max = Math.max(max, Math.abs(e));
        }
        double tolerance = 1e-4 * Math.max(max, 1.0);
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(actual[i] - expected[i]) <= tolerance)) {
                fail(what + "[" + i + "] = " + actual[i] + ", finite differences give " + expected[i] + " ± "
                        + tolerance);
            }
        }
    }

    /** S(a, w, bias) = Σ z ⊙ R on the double reference, and its gradients by central differences. */
    private static final class Fd {
        final float[] mask;
        final int batch;
        final int samples;
        final boolean shared;
        final int in;
        final int out;
        final Activation activation;
        final double[] a;
        final double[] w;
        final double[] bias;
        final double[] r;

        Fd(float[] mask, int batch, int samples, boolean shared, int in, int out, Activation activation,
           double[] a, double[] w, double[] bias, double[] r) {
            this.mask = mask;
            this.batch = batch;
            this.samples = samples;
            this.shared = shared;
            this.in = in;
            this.out = out;
            this.activation = activation;
            this.a = a;
            this.w = w;
            this.bias = bias;
            this.r = r;
        }

        double s() {
            double[] z = Reference.forward(mask, batch, samples, shared, in, out, a, w, bias, activation);
            double s = 0.0;
            for (int i = 0; i < z.length; i++) {
                s += z[i] * r[i];
            }
            return s;
        }

        /** dS/dθ for every element of θ, one of this object's own arrays a, w or bias. */
        double[] gradient(double[] theta) {
            double[] g = new double[theta.length];
            for (int i = 0; i < theta.length; i++) {
                double saved = theta[i];
                theta[i] = saved + STEP;
                double plus = s();
                theta[i] = saved - STEP;
                double minus = s();
                theta[i] = saved;
                g[i] = (plus - minus) / (2 * STEP);
            }
            return g;
        }
    }
}

package io.github.alphadrop.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class DenseForwardTest {

    /** (batch, in, out): every odd size 1, 3, 17, 129 appears in every position, at a bounded cost. */
    private static final int[][] SHAPES = {
        {1, 1, 1}, {3, 17, 1}, {17, 3, 129}, {1, 129, 3}, {3, 129, 17}, {129, 3, 17}, {17, 17, 17}, {129, 1, 1},
    };

    static Stream<Arguments> cases() {
        return Backends.all().flatMap(kernels -> Arrays.stream(SHAPES).flatMap(s ->
                Stream.of(1, 2, 10).map(k -> Arguments.of(kernels, s[0], k, s[1], s[2]))));
    }

    static Stream<Kernels> backends() {
        return Backends.all();
    }

    @ParameterizedTest(autoCloseArguments = false, name = "{0} B={1} K={2} D={3} H={4}")
    @MethodSource("cases")
    void matchesMaskedCopyInDouble(Kernels kernels, int batch, int samples, int in, int out) {
        Random random = new Random(31L * batch + 7L * samples + 3L * in + out);
        int rows = batch * samples;
        for (boolean shared : new boolean[] {true, false}) {
            float[] a = Reference.uniform(random, (shared ? batch : rows) * in, -1f, 1f);
            float[] w = Reference.uniform(random, in * out, -1f, 1f);
            float[] b = Reference.uniform(random, out, -1f, 1f);
            // No dropout, Bernoulli dropout and Gaussian noise at p = 0.5.
            for (int c = 0; c < 3; c++) {
                float p = c == 0 ? 0f : 0.5f;
                Dropout.Noise noise = c == 2 ? Dropout.Noise.GAUSSIAN : Dropout.Noise.BERNOULLI;
                Dropout dropout = new Dropout(random.nextLong(), 11, 2, p, noise);
                float[] mask = Reference.mask(dropout, 0, rows, in);
                double[] x = Reference.maskedInput(mask, batch, samples, shared, in, Reference.toDouble(a));
                for (float[] bias : new float[][] {null, b}) {
                    double[] pre = Reference.preActivation(x, rows, in, out, Reference.toDouble(w),
                            Reference.toDouble(bias));
                    double[] scale = Reference.absScale(x, rows, in, out, Reference.toDouble(w),
                            Reference.toDouble(bias));
                    for (Activation activation : Activation.values()) {
                        // Three sentinels past the end: the kernel must write exactly (B·K)×H elements.
                        float[] z = new float[rows * out + 3];
                        Arrays.fill(z, Float.NaN);
                        kernels.dropoutMatmulForward(dropout, batch, samples, shared, in, out, a, w, bias,
                                activation, z);
                        String what = kernels.name() + " shared=" + shared + " p=" + p + " " + noise + " bias="
                                + (bias != null) + " " + activation;
                        for (int i = 0; i < rows * out; i++) {
                            double expected = Reference.activate(activation, pre[i]);
                            // Float accumulation: error bounded by a small multiple of eps·Σ|x w|.
                            double tolerance = 1e-5 * scale[i] + 1e-7;
                            if (!(Math.abs(z[i] - expected) <= tolerance)) {
                                fail(what + ": z[" + i / out + "][" + i % out + "] = " + z[i] + ", expected "
                                        + expected + " ± " + tolerance);
                            }
                        }
                        for (int i = rows * out; i < z.length; i++) {
                            assertEquals(Float.NaN, z[i], what + ": z[" + i + "] past the output was written");
                        }
                    }
                }
            }
        }
    }

    /** A shared input must behave exactly like the input copied K times, mask row r included. */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void sharedInputEqualsExplicitRepeat(Kernels kernels) {
        Random random = new Random(99);
        int batch = 5;
        int in = 13;
        int out = 7;
        for (int samples : new int[] {1, 2, 10}) {
            int rows = batch * samples;
            float[] a = Reference.uniform(random, batch * in, -2f, 2f);
            float[] repeated = new float[rows * in];
            for (int r = 0; r < rows; r++) {
                System.arraycopy(a, (r / samples) * in, repeated, r * in, in);
            }
            float[] w = Reference.uniform(random, in * out, -1f, 1f);
            float[] bias = Reference.uniform(random, out, -1f, 1f);
            Dropout dropout = new Dropout(2024L, 5, 0, 0.3f);
            for (Activation activation : Activation.values()) {
                float[] zShared = new float[rows * out];
                float[] zRepeated = new float[rows * out];
                kernels.dropoutMatmulForward(dropout, batch, samples, true, in, out, a, w, bias, activation,
                        zShared);
                kernels.dropoutMatmulForward(dropout, batch, samples, false, in, out, repeated, w, bias, activation,
                        zRepeated);
                for (int i = 0; i < zShared.length; i++) {
                    assertEquals(zRepeated[i], zShared[i], 1e-6f * (1f + Math.abs(zRepeated[i])),
                            kernels.name() + " K=" + samples + " " + activation + " z[" + i + "]");
                }
            }
        }
    }

    /**
     * Edge values agree across backends exactly: NaN propagates through ReLU (never a plausible 0), tanh
     * saturates to exactly +-1 at large |x| and maps +-inf to +-1, ReLU keeps +inf.
     */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("io.github.alphadrop.kernels.Backends#all")
    void edgeValuesThroughTheActivations(Kernels k) {
        float[] inputs = {Float.NaN, 100f, -100f, 10f, -10f, 1e30f, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY};
        float[] w = {1f};
        for (int i = 0; i < inputs.length; i++) {
            float x = inputs[i];
            float[] relu = new float[1];
            float[] tanh = new float[1];
            k.dropoutMatmulForward(Dropout.none(), 1, 1, false, 1, 1, new float[]{x}, w, null, Activation.RELU, relu);
            k.dropoutMatmulForward(Dropout.none(), 1, 1, false, 1, 1, new float[]{x}, w, null, Activation.TANH, tanh);
            float wantRelu = Float.isNaN(x) ? Float.NaN : Math.max(0f, x);
            float wantTanh = Float.isNaN(x) ? Float.NaN : Math.abs(x) >= 10f ? Math.signum(x) : (float) Math.tanh(x);
            assertEquals(wantRelu, relu[0], 0f, k + " relu(" + x + ")");
            assertEquals(wantTanh, tanh[0], 0f, k + " tanh(" + x + ")");
        }
    }
}

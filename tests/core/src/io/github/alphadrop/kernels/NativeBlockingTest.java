package io.github.alphadrop.kernels;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Arrays;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The native kernels against the pure-Java reference at shapes that reach every blocking path of the
 * native code, which the small finite-difference shapes do not: more than one k block of the micro-kernel
 * (D and B·K above 256), dw split by column panels (D >= 512) and by row blocks with partial sums
 * (D < 512), row counts that are not a multiple of the 6-row sliver and widths that are not a multiple
 * of the 16-column panel.
 */
class NativeBlockingTest {

    /** (batch, samples, in, out). */
    private static final int[][] SHAPES = {{29, 10, 600, 37}, {31, 9, 100, 100}, {7, 3, 530, 17}, {13, 10, 300, 10}};

    static Stream<Arguments> cases() {
        return Arrays.stream(SHAPES).flatMap(s -> Stream.of(true, false).flatMap(shared ->
                Stream.of(Activation.RELU, Activation.TANH).map(act -> Arguments.of(s[0], s[1], s[2], s[3], shared,
                        act))));
    }

    @ParameterizedTest(name = "B={0} K={1} D={2} H={3} shared={4} {5}")
    @MethodSource("cases")
    void nativeMatchesJava(int batch, int samples, int in, int out, boolean shared, Activation activation) {
        Kernels java = new JavaKernels();
        Kernels nat = new NativeKernels(2);
        Random random = new Random(17L * batch + 5L * in + out + (shared ? 1 : 0));
        int rows = batch * samples;
        int aRows = shared ? batch : rows;
        float[] a = Reference.uniform(random, aRows * in, -1f, 1f);
        float[] w = Reference.uniform(random, in * out, -0.2f, 0.2f);
        float[] bias = Reference.uniform(random, out, -0.5f, 0.5f);
        float[] r = Reference.uniform(random, rows * out, -1f, 1f);
        for (float p : new float[] {0f, 0.5f, 0.3f}) {
            Dropout dropout = new Dropout(random.nextLong(), 9, 3, p);
            String what = "p=" + p;

            float[] zJava = new float[rows * out];
            float[] zNative = new float[rows * out];
            java.dropoutMatmulForward(dropout, batch, samples, shared, in, out, a, w, bias, activation, zJava);
            nat.dropoutMatmulForward(dropout, batch, samples, shared, in, out, a, w, bias, activation, zNative);
            // Float sums of `in` products of size <= 1 * 0.2 * 2 (the dropout scale): both sides round.
            assertClose(zJava, zNative, 1e-6 * in + 1e-6, what + " z");

            float[] dzJava = r.clone();
            float[] dzNative = r.clone();
            float[] dwJava = new float[in * out];
            float[] dwNative = new float[in * out];
            float[] dbJava = new float[out];
            float[] dbNative = new float[out];
            float[] daJava = new float[aRows * in];
            float[] daNative = new float[aRows * in];
            java.dropoutMatmulBackward(dropout, batch, samples, shared, in, out, a, w, zJava, activation, dzJava,
                    dwJava, dbJava, daJava);
            nat.dropoutMatmulBackward(dropout, batch, samples, shared, in, out, a, w, zJava, activation, dzNative,
                    dwNative, dbNative, daNative);
            assertClose(dzJava, dzNative, 1e-6, what + " dz");
            assertClose(dwJava, dwNative, 4e-6 * rows + 1e-6, what + " dw");
            assertClose(dbJava, dbNative, 2e-6 * rows + 1e-6, what + " db");
            assertClose(daJava, daNative, 1e-6 * out * (shared ? samples : 1) + 1e-6, what + " da");
        }
    }

    private static void assertClose(float[] expected, float[] actual, double tolerance, String what) {
        for (int i = 0; i < expected.length; i++) {
            if (!(Math.abs(expected[i] - actual[i]) <= tolerance)) {
                fail(what + "[" + i + "]: native " + actual[i] + ", java " + expected[i] + " (tolerance "
                        + tolerance + ")");
            }
        }
    }
}

package io.github.alphadrop.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every bad argument is an IllegalArgumentException naming the argument and its value, raised before the
 * backend runs. Shapes used below: B = 2, K = 3, D = 4, H = 5, C = 3.
 */
class ArgumentCheckTest {

    private static final int B = 2;
    private static final int K = 3;
    private static final int D = 4;
    private static final int H = 5;
    private static final int C = 3;
    private static final Dropout DROP = new Dropout(1L, 0, 0, 0.5f);

    static Stream<Kernels> backends() {
        return Backends.all();
    }

    /** Asserts an IllegalArgumentException whose message contains every fragment. */
    private static void assertBad(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call,
                "expected a complaint about " + Arrays.toString(fragments));
        for (String fragment : fragments) {
            assertTrue(e.getMessage().contains(fragment),
                    "message \"" + e.getMessage() + "\" should mention \"" + fragment + "\"");
        }
    }

    @Test
    void dropoutProbabilityOutsideUnitInterval() {
        assertBad(() -> new Dropout(0L, 0, 0, 1f), "p", "1.0");
        assertBad(() -> new Dropout(0L, 0, 0, -0.1f), "p", "-0.1");
        assertBad(() -> new Dropout(0L, 0, 0, Float.NaN), "p", "NaN");
        assertBad(() -> new Dropout(0L, -1, 0, 0.5f), "step", "-1");
        assertBad(() -> new Dropout(0L, 0, 65536, 0.5f), "layer", "65536");
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void dropoutMask(Kernels k) {
        assertBad(() -> k.dropoutMask(null, 0, 2, 2, new float[4]), "dropout must not be null");
        assertBad(() -> k.dropoutMask(DROP, -1, 2, 2, new float[4]), "rowOffset", "-1");
        assertBad(() -> k.dropoutMask(DROP, 0, 0, 2, new float[4]), "rows", "0");
        assertBad(() -> k.dropoutMask(DROP, 0, 2, -3, new float[4]), "cols", "-3");
        assertBad(() -> k.dropoutMask(DROP, 0, 2, 3, new float[5]), "mask.length = 5", "rows*cols = 6");
        assertBad(() -> k.dropoutMask(DROP, 0, 2, 2, (float[]) null), "mask must not be null");
        assertBad(() -> k.dropoutMask(DROP, Integer.MAX_VALUE, 2, 2, new float[4]), "rowOffset+rows",
                String.valueOf(Integer.MAX_VALUE));
        assertBad(() -> k.dropoutMask(DROP, 0, 65536, 65536, new float[4]), "rows*cols", "65536");
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void forward(Kernels k) {
        float[] aShared = new float[B * D];
        float[] aPerSample = new float[B * K * D];
        float[] w = new float[D * H];
        float[] z = new float[B * K * H];
        Activation id = Activation.IDENTITY;
        assertBad(() -> k.dropoutMatmulForward(null, B, K, true, D, H, aShared, w, null, id, z), "dropout must not be null");
        assertBad(() -> k.dropoutMatmulForward(DROP, 0, K, true, D, H, aShared, w, null, id, z), "batch", "0");
        assertBad(() -> k.dropoutMatmulForward(DROP, B, 0, true, D, H, aShared, w, null, id, z), "samples (K)", "0");
        assertBad(() -> k.dropoutMatmulForward(DROP, B, -2, true, D, H, aShared, w, null, id, z), "samples (K)", "-2");
        assertBad(() -> k.dropoutMatmulForward(DROP, B, K, true, 0, H, aShared, w, null, id, z), "in", "0");
        assertBad(() -> k.dropoutMatmulForward(DROP, B, K, true, D, -1, aShared, w, null, id, z), "out", "-1");
        assertBad(() -> k.dropoutMatmulForward(DROP, B, K, true, D, H, null, w, null, id, z), "a must not be null");
        assertBad(() -> k.dropoutMatmulForward(DROP, B, K, true, D, H, new float[7], w, null, id, z),
                "a.length = 7", "batch*in = 8");
        // Per-sample input needs all B·K rows; the shared-size array is too short.
        assertBad(() -> k.dropoutMatmulForward(DROP, B, K, false, D, H, aShared, w, null, id, z),
                "a.length = 8", "batch*samples*in = 24");
        assertBad(() -> k.dropoutMatmulForward(DROP, B, K, false, D, H, aPerSample, new float[19], null, id, z),
                "w.length = 19", "in*out = 20");
        assertBad(() -> k.dropoutMatmulForward(DROP, B, K, true, D, H, aShared, null, null, id, z), "w must not be null");
        assertBad(() -> k.dropoutMatmulForward(DROP, B, K, true, D, H, aShared, w, new float[4], id, z),
                "bias.length = 4", "out = 5");
        assertBad(() -> k.dropoutMatmulForward(DROP, B, K, true, D, H, aShared, w, null, null, z),
                "activation must not be null");
        assertBad(() -> k.dropoutMatmulForward(DROP, B, K, true, D, H, aShared, w, null, id, new float[29]),
                "z.length = 29", "batch*samples*out = 30");
        assertBad(() -> k.dropoutMatmulForward(DROP, B, K, true, D, H, aShared, w, null, id, null), "z must not be null");
        // Products that overflow int are rejected, not wrapped into a small "valid" length.
        assertBad(() -> k.dropoutMatmulForward(DROP, 50000, 50000, true, 1, 1, aShared, w, null, id, z),
                "batch*samples", "50000", "overflows");
        assertBad(() -> k.dropoutMatmulForward(DROP, 1000, 1000, true, 3000, 1, aShared, w, null, id, z),
                "batch*samples*in", "3000", "overflows");
        assertBad(() -> k.dropoutMatmulForward(DROP, 1, 1, true, 70000, 70000, aShared, w, null, id, z),
                "in*out", "70000", "overflows");
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void backward(Kernels k) {
        float[] a = new float[B * D];
        float[] w = new float[D * H];
        float[] z = new float[B * K * H];
        float[] dz = new float[B * K * H];
        float[] dw = new float[D * H];
        Activation id = Activation.IDENTITY;
        assertBad(() -> k.dropoutMatmulBackward(DROP, B, 0, true, D, H, a, w, z, id, dz, dw, null, null),
                "samples (K)", "0");
        assertBad(() -> k.dropoutMatmulBackward(DROP, B, K, true, D, H, a, w, null, Activation.RELU, dz, dw, null, null),
                "z must not be null", "RELU");
        assertBad(() -> k.dropoutMatmulBackward(DROP, B, K, true, D, H, a, w, null, Activation.TANH, dz, dw, null, null),
                "z must not be null", "TANH");
        assertBad(() -> k.dropoutMatmulBackward(DROP, B, K, true, D, H, a, w, new float[3], id, dz, dw, null, null),
                "z.length = 3", "batch*samples*out = 30");
        assertBad(() -> k.dropoutMatmulBackward(DROP, B, K, true, D, H, a, w, z, id, null, dw, null, null),
                "dz must not be null");
        assertBad(() -> k.dropoutMatmulBackward(DROP, B, K, true, D, H, a, w, z, id, new float[10], dw, null, null),
                "dz.length = 10", "30");
        assertBad(() -> k.dropoutMatmulBackward(DROP, B, K, true, D, H, a, w, z, id, dz, null, null, null),
                "dw must not be null");
        assertBad(() -> k.dropoutMatmulBackward(DROP, B, K, true, D, H, a, w, z, id, dz, new float[2], null, null),
                "dw.length = 2", "in*out = 20");
        assertBad(() -> k.dropoutMatmulBackward(DROP, B, K, true, D, H, a, w, z, id, dz, dw, new float[1], null),
                "db.length = 1", "out = 5");
        assertBad(() -> k.dropoutMatmulBackward(DROP, B, K, true, D, H, a, w, z, id, dz, dw, null, new float[7]),
                "da.length = 7", "batch*in = 8");
        assertBad(() -> k.dropoutMatmulBackward(DROP, B, K, false, D, H, new float[B * K * D], w, z, id, dz, dw, null,
                        new float[B * D]), "da.length = 8", "batch*samples*in = 24");
        assertBad(() -> k.dropoutMatmulBackward(DROP, B, K, true, D, H, a, w, z, null, dz, dw, null, null),
                "activation must not be null");
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void categoricalLoss(Kernels k) {
        float[] logits = new float[B * K * C];
        int[] labels = {0, 2};
        assertBad(() -> k.alphaLossCategorical(B, 0, C, logits, labels, 1f, null, null), "samples (K)", "0");
        assertBad(() -> k.alphaLossCategorical(0, K, C, logits, labels, 1f, null, null), "batch", "0");
        assertBad(() -> k.alphaLossCategorical(B, K, 0, logits, labels, 1f, null, null), "classes", "0");
        assertBad(() -> k.alphaLossCategorical(B, K, C, (float[]) null, labels, 1f, null, null), "logits must not be null");
        assertBad(() -> k.alphaLossCategorical(B, K, C, new float[17], labels, 1f, null, null),
                "logits.length = 17", "batch*samples*classes = 18");
        assertBad(() -> k.alphaLossCategorical(B, K, C, logits, null, 1f, null, null), "labels must not be null");
        assertBad(() -> k.alphaLossCategorical(B, K, C, logits, new int[] {0}, 1f, null, null),
                "labels.length = 1", "batch = 2");
        assertBad(() -> k.alphaLossCategorical(B, K, C, logits, new int[] {0, 3}, 1f, null, null), "labels[1] = 3");
        assertBad(() -> k.alphaLossCategorical(B, K, C, logits, new int[] {-1, 0}, 1f, null, null), "labels[0] = -1");
        assertBad(() -> k.alphaLossCategorical(B, K, C, logits, labels, Float.NaN, null, null), "alpha", "NaN");
        assertBad(() -> k.alphaLossCategorical(B, K, C, logits, labels, -0.5f, null, null), "alpha", "-0.5");
        assertBad(() -> k.alphaLossCategorical(B, K, C, logits, labels, Float.POSITIVE_INFINITY, null, null),
                "alpha", "Infinity");
        assertBad(() -> k.alphaLossCategorical(B, K, C, logits, labels, 1f, new float[1], null),
                "lossPerPoint.length = 1", "batch = 2");
        assertBad(() -> k.alphaLossCategorical(B, K, C, logits, labels, 1f, null, new float[5]),
                "dlogits.length = 5", "18");
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void gaussianLoss(Kernels k) {
        float[] f = new float[B * K * D];
        float[] y = new float[B * D];
        assertBad(() -> k.alphaLossGaussian(B, 0, D, f, y, 0f, 1f, null, null, null), "samples (K)", "0");
        assertBad(() -> k.alphaLossGaussian(B, K, 0, f, y, 0f, 1f, null, null, null), "dims", "0");
        assertBad(() -> k.alphaLossGaussian(B, K, D, null, y, 0f, 1f, null, null, null), "f must not be null");
        assertBad(() -> k.alphaLossGaussian(B, K, D, new float[20], y, 0f, 1f, null, null, null),
                "f.length = 20", "batch*samples*dims = 24");
        assertBad(() -> k.alphaLossGaussian(B, K, D, f, null, 0f, 1f, null, null, null), "y must not be null");
        assertBad(() -> k.alphaLossGaussian(B, K, D, f, new float[3], 0f, 1f, null, null, null),
                "y.length = 3", "batch*dims = 8");
        assertBad(() -> k.alphaLossGaussian(B, K, D, f, y, Float.NaN, 1f, null, null, null), "logTau", "NaN");
        // A finite but absurd precision: exp(100) overflows the gradient in float, so it is refused too.
        assertBad(() -> k.alphaLossGaussian(B, K, D, f, y, 100f, 1f, null, null, null), "logTau", "100.0");
        assertBad(() -> k.alphaLossGaussian(B, K, D, f, y, Float.NEGATIVE_INFINITY, 1f, null, null, null),
                "logTau", "-Infinity");
        assertBad(() -> k.alphaLossGaussian(B, K, D, f, y, 0f, Float.NaN, null, null, null), "alpha", "NaN");
        assertBad(() -> k.alphaLossGaussian(B, K, D, f, y, 0f, 1f, null, new float[1], null), "df.length = 1", "24");
        assertBad(() -> k.alphaLossGaussian(B, K, D, f, y, 0f, 1f, null, null, new float[0]), "dLogTau.length = 0");
        assertBad(() -> k.alphaLossGaussian(B, K, D, f, y, 0f, 1f, new float[0], null, null),
                "lossPerPoint.length = 0", "batch = 2");
    }

    /** All checks come first: a late bad argument must not leave outputs half-written. */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void nothingIsWrittenBeforeTheChecksPass(Kernels k) {
        float[] logits = new float[B * K * C];
        float[] lossPerPoint = {7f, 7f};
        float[] dlogits = new float[B * K * C];
        Arrays.fill(dlogits, 7f);
        assertBad(() -> k.alphaLossCategorical(B, K, C, logits, new int[] {0, 9}, 1f, lossPerPoint, dlogits),
                "labels[1] = 9");
        assertArrayEquals(new float[] {7f, 7f}, lossPerPoint);
        for (float v : dlogits) {
            assertTrue(v == 7f, "dlogits written before the label check");
        }

        float[] dz = new float[B * K * H];
        Arrays.fill(dz, 3f);
        float[] dw = new float[D * H];
        Arrays.fill(dw, 3f);
        assertBad(() -> k.dropoutMatmulBackward(DROP, B, K, true, D, H, new float[B * D], new float[D * H],
                new float[B * K * H], Activation.RELU, dz, dw, null, new float[1]), "da.length = 1");
        for (int i = 0; i < dz.length; i++) {
            assertTrue(dz[i] == 3f, "dz written before the da check");
        }
        for (float v : dw) {
            assertTrue(v == 3f, "dw written before the da check");
        }
    }
}

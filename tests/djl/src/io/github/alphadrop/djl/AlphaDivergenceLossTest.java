package io.github.alphadrop.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.Kernels;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * The DJL loss and its autograd gradient against AlphaDrop's reference kernels (JavaKernels, loss math in
 * double) on random numbers: value, per-point losses, dlogits / df and dLogTau.
 */
class AlphaDivergenceLossTest {

    private static final int BATCH = 7;
    private static final int CLASSES = 5;
    private static final int DIMS = 3;
    private static final Kernels KERNELS = new JavaKernels();

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    /** α including exactly 0, a tiny one (where the naive formula loses float precision), 0.5, 1 and 2. */
    static Stream<Arguments> cases() {
        Stream.Builder<Arguments> b = Stream.builder();
        for (float alpha : new float[] {0f, 1e-4f, 0.5f, 1f, 2f}) {
            for (int k : new int[] {1, 5}) {
                for (boolean grouped : new boolean[] {false, true}) {
                    b.add(Arguments.of(alpha, k, grouped));
                }
            }
        }
        return b.build();
    }

    @ParameterizedTest(name = "alpha={0} K={1} [B,K,C]={2}")
    @MethodSource("cases")
    void categoricalMatchesKernels(float alpha, int k, boolean grouped) {
        Random random = new Random(31L * k + Float.floatToIntBits(alpha));
        float[] logits = randomArray(random, BATCH * k * CLASSES, 3f);
        int[] labels = new int[BATCH];
        for (int n = 0; n < BATCH; n++) {
            labels[n] = random.nextInt(CLASSES);
        }
        float[] refPerPoint = new float[BATCH];
        float[] refGrad = new float[logits.length];
        double ref = KERNELS.alphaLossCategorical(BATCH, k, CLASSES, logits, labels, alpha, refPerPoint, refGrad);

        AlphaDivergenceLoss loss = AlphaDivergenceLoss.categorical(alpha, k);
        Shape shape = grouped ? new Shape(BATCH, k, CLASSES) : new Shape((long) BATCH * k, CLASSES);
        NDArray x = manager.create(logits, shape);
        x.setRequiresGradient(true);
        NDList labelList = new NDList(manager.create(labels));
        float value;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray l = loss.evaluate(labelList, new NDList(x));
            assertEquals(0, l.getShape().dimension(), "the loss is a scalar");
            value = l.getFloat();
            gc.backward(l);
        }
        assertClose(ref, value, 2e-6, "loss");
        assertArrayClose(refPerPoint, loss.perPoint(labelList, new NDList(x)).toFloatArray(), 2e-6, "per-point loss");
        assertArrayClose(refGrad, x.getGradient().toFloatArray(), 1e-6, "dlogits");
    }

    @ParameterizedTest(name = "alpha={0} K={1} [B,K,D]={2}")
    @MethodSource("cases")
    void gaussianMatchesKernels(float alpha, int k, boolean grouped) {
        Random random = new Random(97L * k + Float.floatToIntBits(alpha));
        float[] f = randomArray(random, BATCH * k * DIMS, 1.5f);
        float[] y = randomArray(random, BATCH * DIMS, 1.5f);
        float logTau = (float) (random.nextDouble() * 2 - 0.5);
        float[] refPerPoint = new float[BATCH];
        float[] refDf = new float[f.length];
        float[] refDLogTau = new float[1];
        double ref = KERNELS.alphaLossGaussian(BATCH, k, DIMS, f, y, logTau, alpha, refPerPoint, refDf, refDLogTau);

        AlphaDivergenceLoss loss = AlphaDivergenceLoss.gaussian(alpha, k);
        Shape shape = grouped ? new Shape(BATCH, k, DIMS) : new Shape((long) BATCH * k, DIMS);
        NDArray fa = manager.create(f, shape);
        NDArray lt = manager.create(new float[] {logTau});
        fa.setRequiresGradient(true);
        lt.setRequiresGradient(true);
        NDList targets = new NDList(manager.create(y, new Shape(BATCH, DIMS)));
        float value;
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            NDArray l = loss.evaluate(targets, new NDList(fa, lt));
            value = l.getFloat();
            gc.backward(l);
        }
        // Log-likelihoods reach tens of nats here, so the tolerance is relative.
        assertClose(ref, value, 2e-6 * Math.max(1, Math.abs(ref)), "loss");
        float[] perPoint = loss.perPoint(targets, new NDList(fa, lt)).toFloatArray();
        for (int n = 0; n < BATCH; n++) {
            assertClose(refPerPoint[n], perPoint[n], 2e-6 * Math.max(1, Math.abs(refPerPoint[n])), "L_" + n);
        }
        assertArrayClose(refDf, fa.getGradient().toFloatArray(), 2e-6, "df");
        assertClose(refDLogTau[0], lt.getGradient().toFloatArray()[0], 2e-6 * Math.max(1, Math.abs(refDLogTau[0])),
                "dLogTau");
    }

    @Test
    void alphaZeroIsExactlyTheMeanLogLikelihood() {
        float[] logits = randomArray(new Random(5), 2 * 4 * 3, 2f);
        NDArray x = manager.create(logits, new Shape(8, 3));
        NDList labels = new NDList(manager.create(new int[] {2, 0}));
        AlphaDivergenceLoss loss = AlphaDivergenceLoss.categorical(0f, 4);
        NDArray ll = loss.logLikelihoods(labels, new NDList(x));
        float[] expected = ll.mean(new int[] {1}).neg().toFloatArray();
        float[] got = loss.perPoint(labels, new NDList(x)).toFloatArray();
        for (int n = 0; n < 2; n++) {
            assertEquals(expected[n], got[n], 0f, "alpha = 0 is -mean_k ll, bit for bit");
        }
    }

    @Test
    void stableForHugeLogitsAndLogLikelihoodGaps() {
        // Logits of +-1000 overflow a naive softmax; alpha * ll gaps of thousands overflow a naive logsumexp.
        int k = 3;
        float[] logits = {1000f, -1000f, 0f, -1000f, 1000f, 0f, 0f, 0f, 1000f};
        int[] labels = {0};
        for (float alpha : new float[] {0.5f, 1f}) {
            float[] refGrad = new float[logits.length];
            double ref = KERNELS.alphaLossCategorical(1, k, 3, logits, labels, alpha, null, refGrad);
            NDArray x = manager.create(logits, new Shape(k, 3));
            x.setRequiresGradient(true);
            float value;
            try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
                NDArray l = AlphaDivergenceLoss.categorical(alpha, k).evaluate(new NDList(manager.create(labels)), new NDList(x));
                value = l.getFloat();
                gc.backward(l);
            }
            assertTrue(Float.isFinite(value), "finite loss for alpha " + alpha);
            assertClose(ref, value, 1e-6 * Math.abs(ref), "loss, alpha " + alpha);
            assertArrayClose(refGrad, x.getGradient().toFloatArray(), 1e-6, "dlogits, alpha " + alpha);
        }
    }

    @Test
    void labelsMayBeAColumnOfAnyNumericType() {
        float[] logits = randomArray(new Random(9), 3 * 2 * 4, 2f);
        NDArray x = manager.create(logits, new Shape(6, 4));
        AlphaDivergenceLoss loss = AlphaDivergenceLoss.categorical(0.5f, 2);
        float base = loss.evaluate(new NDList(manager.create(new int[] {3, 0, 1})), new NDList(x)).getFloat();
        NDArray column = manager.create(new long[] {3, 0, 1}, new Shape(3, 1));
        NDArray floats = manager.create(new float[] {3, 0, 1});
        assertEquals(base, loss.evaluate(new NDList(column), new NDList(x)).getFloat(), 0f, "[B, 1] int64 labels");
        assertEquals(base, loss.evaluate(new NDList(floats), new NDList(x)).getFloat(), 0f, "float labels");
    }

    @Test
    void gaussianAcceptsOneDimensionalTargetsAndScalarLogTau() {
        float[] f = randomArray(new Random(11), 4 * 3, 1f);
        float[] y = randomArray(new Random(12), 4, 1f);
        double ref = KERNELS.alphaLossGaussian(4, 3, 1, f, y, 0.25f, 0.5f, null, null, null);
        NDArray value = AlphaDivergenceLoss.gaussian(0.5f, 3).evaluate(new NDList(manager.create(y)),
                new NDList(manager.create(f, new Shape(12, 1)), manager.create(0.25f)));
        assertClose(ref, value.getFloat(), 1e-6 * Math.max(1, Math.abs(ref)), "loss");
    }

    @Test
    void repeatSamplesOrdersRowsByDatapointThenSample() {
        NDArray x = manager.create(new float[] {1, 2, 3, 4}, new Shape(2, 2));
        float[] got = AlphaDivergenceLoss.repeatSamples(x, 3).toFloatArray();
        assertArrayClose(new float[] {1, 2, 1, 2, 1, 2, 3, 4, 3, 4, 3, 4}, got, 0, "rows n*K + k");
        assertSame(x, AlphaDivergenceLoss.repeatSamples(x, 1), "K = 1 needs no copy");
    }

    static float[] randomArray(Random random, int size, float scale) {
        float[] a = new float[size];
        for (int i = 0; i < size; i++) {
            a[i] = (float) (random.nextGaussian() * scale);
        }
        return a;
    }

    static void assertClose(double expected, double actual, double tolerance, String what) {
        if (!(Math.abs(expected - actual) <= tolerance)) {
            fail(what + ": expected " + expected + " but got " + actual + " (|diff| " + Math.abs(expected - actual)
                    + " > " + tolerance + ")");
        }
    }

    static void assertArrayClose(float[] expected, float[] actual, double tolerance, String what) {
        assertEquals(expected.length, actual.length, what + " length");
        for (int i = 0; i < expected.length; i++) {
            assertClose(expected[i], actual[i], tolerance, what + "[" + i + "]");
        }
    }
}

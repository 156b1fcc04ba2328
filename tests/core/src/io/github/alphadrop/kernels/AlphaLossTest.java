package io.github.alphadrop.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Losses against their textbook formulas ({@link Reference}) and gradients against central finite
 * differences of the backend's own returned loss. The loss is double precision of float inputs, so with a
 * float step of 1e-3 (the exact step actually taken is used) the difference quotient is good to ~1e-6.
 */
class AlphaLossTest {

    private static final float[] ALPHAS = {0f, 0.5f, 1f, 2.5f};

    static Stream<Kernels> backends() {
        return Backends.all();
    }

    static Stream<Arguments> cases() {
        return Backends.all().flatMap(kernels -> Stream.of(1, 3).flatMap(k ->
                Stream.of(0f, 0.5f, 1f, 2.5f).map(alpha -> Arguments.of(kernels, k, alpha))));
    }

    // ------------------------------------------------------------------ categorical

    @ParameterizedTest(autoCloseArguments = false, name = "{0} K={1} alpha={2}")
    @MethodSource("cases")
    void categoricalMatchesFormulaAndFiniteDifferences(Kernels kernels, int samples, float alpha) {
        Random random = new Random(17L * samples + Float.floatToIntBits(alpha));
        int batch = 3;
        int classes = 4;
        float[] logits = Reference.uniform(random, batch * samples * classes, -3f, 3f);
        int[] labels = {2, 0, 3};
        float[] perPoint = new float[batch];
        float[] dlogits = new float[logits.length];
        double loss = kernels.alphaLossCategorical(batch, samples, classes, logits, labels, alpha, perPoint, dlogits);

        double[][] ll = Reference.categoricalLogLik(batch, samples, classes, logits, labels);
        assertEquals(Reference.meanAlphaLoss(ll, alpha), loss, 1e-9 * Math.abs(loss), kernels.name() + " loss");
        for (int n = 0; n < batch; n++) {
            double expected = Reference.alphaLoss(ll[n], alpha);
            assertEquals(expected, perPoint[n], 1e-6 * Math.abs(expected), kernels.name() + " L_" + n);
        }

        for (int i = 0; i < logits.length; i++) {
            float saved = logits[i];
            float plus = saved + 1e-3f;
            float minus = saved - 1e-3f;
            logits[i] = plus;
            double lossPlus = kernels.alphaLossCategorical(batch, samples, classes, logits, labels, alpha, null, null);
            logits[i] = minus;
            double lossMinus = kernels.alphaLossCategorical(batch, samples, classes, logits, labels, alpha, null, null);
            logits[i] = saved;
            double fd = (lossPlus - lossMinus) / ((double) plus - minus);
            assertGradient(fd, dlogits[i], kernels.name() + " dlogits[" + i + "]");
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void tinyAlphaIsMeanCrossEntropy(Kernels kernels) {
        Random random = new Random(3);
        int batch = 4;
        int samples = 5;
        int classes = 3;
        float[] logits = Reference.uniform(random, batch * samples * classes, -4f, 4f);
        int[] labels = {0, 1, 2, 1};
        double[][] ll = Reference.categoricalLogLik(batch, samples, classes, logits, labels);
        double crossEntropy = 0.0;
        for (double[] row : ll) {
            for (double v : row) {
                crossEntropy -= v;
            }
        }
        crossEntropy /= batch * samples;

        float[] gradZero = new float[logits.length];
        float[] gradTiny = new float[logits.length];
        double lossZero = kernels.alphaLossCategorical(batch, samples, classes, logits, labels, 0f, null, gradZero);
        double lossTiny = kernels.alphaLossCategorical(batch, samples, classes, logits, labels, 1e-6f, null, gradTiny);
        assertEquals(crossEntropy, lossZero, 1e-12 * crossEntropy, kernels.name() + " alpha = 0");
        assertEquals(crossEntropy, lossTiny, 1e-4 * crossEntropy, kernels.name() + " alpha = 1e-6");
        for (int i = 0; i < logits.length; i++) {
            assertEquals(gradZero[i], gradTiny[i], 1e-5, kernels.name() + " dlogits[" + i + "]");
        }
    }

    /** With one sample, every α gives -ll: the α-weighting has nothing to weigh. */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void singleSampleLossDoesNotDependOnAlpha(Kernels kernels) {
        Random random = new Random(4);
        int batch = 3;
        int classes = 5;
        float[] logits = Reference.uniform(random, batch * classes, -3f, 3f);
        int[] labels = {4, 0, 2};
        float[] grad0 = new float[logits.length];
        double loss0 = kernels.alphaLossCategorical(batch, 1, classes, logits, labels, 0f, null, grad0);
        for (float alpha : new float[] {0.5f, 1f, 2f}) {
            float[] grad = new float[logits.length];
            double loss = kernels.alphaLossCategorical(batch, 1, classes, logits, labels, alpha, null, grad);
            assertEquals(loss0, loss, 1e-12 * Math.abs(loss0), kernels.name() + " alpha=" + alpha);
            for (int i = 0; i < grad.length; i++) {
                assertEquals(grad0[i], grad[i], 1e-7, kernels.name() + " alpha=" + alpha + " dlogits[" + i + "]");
            }
        }
    }

    /** α = 1 is the log of the MC-averaged predictive probability: L_n = -log mean_k p_k(y_n). */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void alphaOneIsNegativeLogMeanProbability(Kernels kernels) {
        Random random = new Random(8);
        int batch = 3;
        int samples = 6;
        int classes = 4;
        float[] logits = Reference.uniform(random, batch * samples * classes, -2f, 2f);
        int[] labels = {1, 3, 0};
        float[] perPoint = new float[batch];
        double loss = kernels.alphaLossCategorical(batch, samples, classes, logits, labels, 1f, perPoint, null);
        double mean = 0.0;
        for (int n = 0; n < batch; n++) {
            double meanP = 0.0;
            for (int k = 0; k < samples; k++) {
                int base = (n * samples + k) * classes;
                double z = 0.0;
                for (int c = 0; c < classes; c++) {
                    z += Math.exp(logits[base + c]);
                }
                meanP += Math.exp(logits[base + labels[n]]) / z;
            }
            meanP /= samples;
            double expected = -Math.log(meanP);
            assertEquals(expected, perPoint[n], 1e-6 * expected, kernels.name() + " L_" + n);
            mean += expected / batch;
        }
        assertEquals(mean, loss, 1e-10 * mean, kernels.name() + " batch mean");
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void categoricalSurvivesHugeLogits(Kernels kernels) {
        // Sample 0 is confidently right (ll = 0), sample 1 confidently wrong (ll = -2e4): L = log(2)/α for
        // α > 0 because the wrong sample's weight exp(-2e4 α) vanishes; α = 0 gives the plain mean 1e4.
        float[] logits = {1e4f, -1e4f, -1e4f, 1e4f};
        int[] labels = {0};
        for (float alpha : new float[] {0f, 0.5f, 1f, 2f}) {
            float[] dlogits = new float[4];
            float[] perPoint = new float[1];
            double loss = kernels.alphaLossCategorical(1, 2, 2, logits, labels, alpha, perPoint, dlogits);
            double expected = alpha == 0f ? 1e4 : Math.log(2.0) / alpha;
            assertEquals(expected, loss, 1e-9 * expected, kernels.name() + " alpha=" + alpha);
            assertEquals(expected, perPoint[0], 1e-6 * expected, kernels.name() + " alpha=" + alpha + " L_0");
            // Sample 0 has softmax = onehot; sample 1 has weight 1/2 at α = 0, else 0.
            float wrongWeight = alpha == 0f ? 0.5f : 0f;
            float[] expectedGrad = {0f, 0f, -wrongWeight, wrongWeight};
            for (int i = 0; i < 4; i++) {
                assertEquals(expectedGrad[i], dlogits[i], 1e-7, kernels.name() + " alpha=" + alpha + " dlogits[" + i + "]");
            }
        }
        // And random ±1e4 logits across more classes stay finite.
        Random random = new Random(12);
        float[] big = new float[2 * 3 * 6];
        for (int i = 0; i < big.length; i++) {
            big[i] = random.nextBoolean() ? 1e4f : -1e4f;
        }
        for (float alpha : ALPHAS) {
            float[] grad = new float[big.length];
            double loss = kernels.alphaLossCategorical(2, 3, 6, big, new int[] {1, 5}, alpha, null, grad);
            assertTrue(Double.isFinite(loss), "alpha=" + alpha + " loss " + loss);
            assertAllFinite(grad, kernels.name() + " alpha=" + alpha + " dlogits");
        }
    }

    // ------------------------------------------------------------------ Gaussian

    @ParameterizedTest(autoCloseArguments = false, name = "{0} K={1} alpha={2}")
    @MethodSource("cases")
    void gaussianMatchesFormulaAndFiniteDifferences(Kernels kernels, int samples, float alpha) {
        Random random = new Random(23L * samples + Float.floatToIntBits(alpha));
        int batch = 3;
        int dims = 2;
        float[] f = Reference.uniform(random, batch * samples * dims, -1.5f, 1.5f);
        float[] y = Reference.uniform(random, batch * dims, -1f, 1f);
        float logTau = 0.3f;
        float[] perPoint = new float[batch];
        float[] df = new float[f.length];
        float[] dLogTau = {Float.NaN};
        double loss = kernels.alphaLossGaussian(batch, samples, dims, f, y, logTau, alpha, perPoint, df, dLogTau);

        double[][] ll = Reference.gaussianLogLik(batch, samples, dims, f, y, logTau);
        assertEquals(Reference.meanAlphaLoss(ll, alpha), loss, 1e-9 * Math.abs(loss) + 1e-12, kernels.name() + " loss");
        for (int n = 0; n < batch; n++) {
            double expected = Reference.alphaLoss(ll[n], alpha);
            assertEquals(expected, perPoint[n], 1e-6 * Math.abs(expected) + 1e-7, kernels.name() + " L_" + n);
        }

        for (int i = 0; i < f.length; i++) {
            float saved = f[i];
            float plus = saved + 1e-3f;
            float minus = saved - 1e-3f;
            f[i] = plus;
            double lossPlus = kernels.alphaLossGaussian(batch, samples, dims, f, y, logTau, alpha, null, null, null);
            f[i] = minus;
            double lossMinus = kernels.alphaLossGaussian(batch, samples, dims, f, y, logTau, alpha, null, null, null);
            f[i] = saved;
            assertGradient((lossPlus - lossMinus) / ((double) plus - minus), df[i], kernels.name() + " df[" + i + "]");
        }
        float plus = logTau + 1e-3f;
        float minus = logTau - 1e-3f;
        double lossPlus = kernels.alphaLossGaussian(batch, samples, dims, f, y, plus, alpha, null, null, null);
        double lossMinus = kernels.alphaLossGaussian(batch, samples, dims, f, y, minus, alpha, null, null, null);
        assertGradient((lossPlus - lossMinus) / ((double) plus - minus), dLogTau[0], kernels.name() + " dLogTau");
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void gaussianSurvivesVeryNegativeLogLikelihoods(Kernels kernels) {
        // τ = 1, D = 1: a residual of sqrt(2e4) makes ll ≈ -1e4. Sample 0 fits exactly, sample 1 is far off.
        float far = (float) Math.sqrt(2e4);
        float[] f = {0f, far};
        float[] y = {0f};
        double llNear = -0.5 * Math.log(2 * Math.PI);
        for (float alpha : new float[] {0.5f, 1f, 2f}) {
            float[] df = new float[2];
            float[] dLogTau = new float[1];
            double loss = kernels.alphaLossGaussian(1, 2, 1, f, y, 0f, alpha, null, df, dLogTau);
            // The far sample's weight underflows to 0: L = -ll_near + log(2)/α.
            double expected = -llNear + Math.log(2.0) / alpha;
            assertEquals(expected, loss, 1e-9 * expected, kernels.name() + " alpha=" + alpha);
            assertAllFinite(df, kernels.name() + " alpha=" + alpha + " df");
            assertEquals(0f, df[1], 1e-30f, kernels.name() + " alpha=" + alpha + ": far sample has no weight");
            // dL/dlogTau = -(-τ/2 · 0 + 1/2) from the near sample alone.
            assertEquals(-0.5f, dLogTau[0], 1e-6f, kernels.name() + " alpha=" + alpha + " dLogTau");
        }
        // Every sample far off: ll ≈ -1e4 everywhere, still finite for every α.
        float[] fFar = {far, -far, 0.9f * far};
        for (float alpha : ALPHAS) {
            float[] df = new float[3];
            float[] dLogTau = new float[1];
            double loss = kernels.alphaLossGaussian(1, 3, 1, fFar, y, 0f, alpha, null, df, dLogTau);
            assertTrue(Double.isFinite(loss) && loss > 8e3, kernels.name() + " alpha=" + alpha + " loss " + loss);
            assertAllFinite(df, kernels.name() + " alpha=" + alpha + " df");
            assertAllFinite(dLogTau, kernels.name() + " alpha=" + alpha + " dLogTau");
        }
    }

    // ------------------------------------------------------------------ helpers

    private static void assertGradient(double fd, float analytic, String what) {
        double tolerance = 2e-5 + 1e-3 * Math.abs(fd);
        if (!(Math.abs(analytic - fd) <= tolerance)) {
            fail(what + " = " + analytic + ", finite differences give " + fd + " ± " + tolerance);
        }
    }

    private static void assertAllFinite(float[] x, String what) {
        for (int i = 0; i < x.length; i++) {
            assertTrue(Float.isFinite(x[i]), what + "[" + i + "] = " + x[i]);
        }
    }
}

package io.github.alphadrop.predict;

import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.kernels.TestBackends;
import io.github.alphadrop.model.Likelihood;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.train.TinyProblems;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class McPredictiveTest {

    static Stream<Kernels> backends() {
        return TestBackends.all();
    }

    /**
     * One input x = 1, no hidden layer, W = [20, -20], p = 0.5 on the input: a kept input gives logits
     * (40, -40), i.e. p ≈ (1, 0); a dropped one gives (0, 0), p = (½, ½). With f the kept fraction of the T
     * passes, p̄ = (f + (1-f)/2, (1-f)/2), E[H] = (1-f) log 2, and MI = H[p̄] - E[H].
     */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void uncertaintyMatchesTheHandComputedCase(Kernels kernels) {
        Mlp model = Mlp.builder(1).output(2).dropout(0.5f).build();
        model.weights(0)[0] = 20f;
        model.weights(0)[1] = -20f;
        int t = 40;
        long seed = 99;
        float[] mask = new float[t];
        kernels.dropoutMask(new Dropout(seed, 0, 0, 0.5f), 0, t, 1, mask);
        int kept = 0;
        for (float m : mask) {
            kept += m != 0 ? 1 : 0;
        }
        assertTrue(kept > 0 && kept < t, "the case needs both outcomes, kept " + kept);
        double f = (double) kept / t;
        double p0 = f + (1 - f) / 2;
        double p1 = (1 - f) / 2;
        double h = -(p0 * Math.log(p0) + p1 * Math.log(p1));
        double eh = (1 - f) * Math.log(2);

        ClassPredictions p = new McPredictive(model, kernels, t, seed, false).predictClasses(new float[]{1f});
        assertEquals(p0, p.meanProbs()[0], 1e-6);
        assertEquals(p1, p.meanProbs()[1], 1e-6);
        assertEquals(h, p.entropy()[0], 1e-5);
        assertEquals(eh, p.expectedEntropy()[0], 1e-5);
        assertEquals(h - eh, p.mutualInformation()[0], 1e-5);
        assertEquals(Math.log(p1), p.logLikelihoods(new int[]{1})[0], 1e-5);
        assertEquals(0, p.predictedClass(0));
    }

    /**
     * A confidently wrong model: W = [400, -400] on x = 1 without dropout gives log p = (0, -800) in every
     * pass; p_1 = e^-800 underflows to 0 in double, yet the log of the MC mean must be -800, not -∞. With
     * x = 0.5 for a second input, log p_1 = -400: the ordinary sum.
     */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void logOfTheMeanSurvivesUnderflow(Kernels kernels) {
        Mlp model = Mlp.builder(1).output(2).dropout(0f).build();
        model.weights(0)[0] = 400f;
        model.weights(0)[1] = -400f;
        ClassPredictions p = new McPredictive(model, kernels, 30, 5, false).predictClasses(new float[]{1f, 0.5f});
        double[] ll = p.logLikelihoods(new int[]{1, 1});
        assertEquals(-800, ll[0], 1e-3);
        assertEquals(-400, ll[1], 1e-3);
        assertEquals(0, p.meanProbs()[1], 0.0);
        assertEquals(0, p.predictedClass(0));
    }

    /** The log of a sum of probabilities on either side of the underflow threshold, against closed forms. */
    @Test
    void logOfSumUsesTheScaledSumOnlyWhenThePlainOneIsTooSmall() {
        // Two passes at log p = -3 and -4: the plain sum.
        double plain = Math.exp(-3) + Math.exp(-4);
        assertEquals(Math.log(plain), McPredictive.logOfSum(plain, 0, -3), 1e-12);
        // Two passes at log p = -700 and -900: the plain sum is subnormal or zero, the scaled one exact.
        double low = Math.exp(-700 + 600) + Math.exp(-900 + 600);
        double expected = -700 + Math.log1p(Math.exp(-200));
        assertEquals(expected, McPredictive.logOfSum(Math.exp(-700) + Math.exp(-900), low, -700), 1e-9);
        // Below even the scaled sum's range: the largest log p.
        assertEquals(-2000, McPredictive.logOfSum(0, 0, -2000), 0.0);
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void deterministicModeIsTheDropoutFreeNetwork(Kernels kernels) {
        Mlp model = Mlp.builder(4).hidden(7, 5).output(3).dropout(0.5f).seed(4).build();
        SplittableRandom r = new SplittableRandom(1);
        for (int l = 0; l < model.layers(); l++) {
            for (int i = 0; i < model.biases(l).length; i++) {
                model.biases(l)[i] = (float) (r.nextDouble() - 0.5);
            }
        }
        TinyProblems.Classification data = TinyProblems.blobs(9, 5);
        ClassPredictions p = new McPredictive(model, kernels, 100, 0, true).predictClasses(data.x());
        assertEquals(1, p.samples());
        for (int i = 0; i < 9; i++) {
            double[] logits = plainForward(model, data.x(), i);
            double max = Math.max(logits[0], Math.max(logits[1], logits[2]));
            double z = 0;
            for (double v : logits) {
                z += Math.exp(v - max);
            }
            for (int c = 0; c < 3; c++) {
                assertEquals(Math.exp(logits[c] - max) / z, p.meanProbs()[i * 3 + c], 1e-5);
            }
            assertEquals(0, p.mutualInformation()[i], 1e-6, "one deterministic pass has no epistemic part");
        }
    }

    @Test
    void regressionVarianceIncludesTheNoiseAndLogLikelihoodMatchesTheFormula() {
        // No hidden layer, no dropout: every pass gives f = w x + b, so variance = 1/τ and
        // ll = -τ/2 (y - f)² - ½ log 2π + ½ log τ exactly.
        Mlp model = Mlp.builder(1).output(1).dropout(0f).likelihood(Likelihood.gaussian(4.0, false)).build();
        model.weights(0)[0] = 2f;
        model.biases(0)[0] = 0.5f;
        RegressionPredictions p = new McPredictive(model, new JavaKernels(), 10, 0, false)
                .predictRegression(new float[]{1f, -1f}, new float[]{3f, -1.5f});
        assertEquals(2.5, p.mean()[0], 1e-6);
        assertEquals(-1.5, p.mean()[1], 1e-6);
        assertEquals(0.25, p.variance()[0], 1e-6);
        double ll0 = -2.0 * 0.25 - 0.5 * Math.log(2 * Math.PI) + 0.5 * Math.log(4);
        double ll1 = -0.5 * Math.log(2 * Math.PI) + 0.5 * Math.log(4);
        assertEquals(ll0, p.logLikelihoods()[0], 1e-6);
        assertEquals(ll1, p.logLikelihoods()[1], 1e-6);
        assertEquals(Math.sqrt(0.25 / 2), p.rmse(new float[]{3f, -1.5f}), 1e-6);
    }

    @Test
    void manyPassesAreSplitIntoChunksWithIndependentMasks() {
        // T larger than one forward call holds: the chunked result must still be a proper average.
        Mlp model = Mlp.builder(1).output(2).dropout(0.5f).build();
        model.weights(0)[0] = 20f;
        model.weights(0)[1] = -20f;
        ClassPredictions p = new McPredictive(model, new JavaKernels(), 3 * McPredictive.MAX_ROWS + 7, 3, false)
                .predictClasses(new float[]{1f, 1f});
        // p0 = f + (1-f)/2 with f ≈ ½ kept: ≈ 0.75 within binomial noise; both inputs see different masks.
        assertEquals(0.75, p.meanProbs()[0], 0.02);
        assertNotEquals(p.meanProbs()[0], p.meanProbs()[2]);
    }

    @Test
    void rejectsInputsOfTheWrongWidth() {
        Mlp model = Mlp.builder(4).output(3).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new McPredictive(model, new JavaKernels(), 5, 0, false).predictClasses(new float[6]));
        assertTrue(e.getMessage().contains("input size 4"), e.getMessage());
        assertThrows(IllegalArgumentException.class, () -> new McPredictive(model, new JavaKernels(), 0, 0, false));
    }

    /** The network without dropout, in double, written out independently of the kernels. */
    static double[] plainForward(Mlp model, float[] x, int row) {
        double[] a = new double[model.inputSize()];
        for (int d = 0; d < a.length; d++) {
            a[d] = x[row * a.length + d];
        }
        for (int l = 0; l < model.layers(); l++) {
            int in = model.size(l);
            int out = model.size(l + 1);
            double[] z = new double[out];
            for (int h = 0; h < out; h++) {
                double s = model.biases(l)[h];
                for (int d = 0; d < in; d++) {
                    s += a[d] * model.weights(l)[d * out + h];
                }
                z[h] = l == model.layers() - 1 ? s : Math.max(0, s);
            }
            a = z;
        }
        return a;
    }
}

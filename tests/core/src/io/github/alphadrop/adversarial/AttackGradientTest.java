package io.github.alphadrop.adversarial;

import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.kernels.TestBackends;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.predict.ClassPredictions;
import io.github.alphadrop.train.AlphaDivergence;
import io.github.alphadrop.train.Optimizer;
import io.github.alphadrop.train.Trainer;
import io.github.alphadrop.train.TinyProblems;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

/** The attacks on tiny models: gradient against finite differences, ε = 0, clipping, targeted progress. */
class AttackGradientTest {

    static Stream<Kernels> backends() {
        return TestBackends.all();
    }

    /** A tanh net (smooth, so central differences are accurate) with random biases so nothing is symmetric. */
    private static Mlp smoothModel() {
        Mlp model = Mlp.builder(6).hidden(9, 7).output(4).activation(Activation.TANH).dropout(0.3f).seed(3).build();
        SplittableRandom r = new SplittableRandom(8);
        for (int l = 0; l < model.layers(); l++) {
            for (int i = 0; i < model.biases(l).length; i++) {
                model.biases(l)[i] = (float) (r.nextDouble() - 0.5);
            }
        }
        return model;
    }

    private static float[] uniformInputs(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.1 + 0.8 * r.nextDouble());
        }
        return x;
    }

    /**
     * With (seed, step) fixed the masks are fixed, so x ↦ log p̄(y|x) is an ordinary function whose central
     * differences must match the analytic gradient in sign (and, loosely, in size) wherever it is not tiny.
     */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void gradientMatchesCentralDifferencesOfLogMeanProbability(Kernels kernels) {
        Mlp model = smoothModel();
        int n = 3;
        int d = model.inputSize();
        float[] x = uniformInputs(n, d, 1);
        int[] classes = {0, 2, 3};
        for (boolean deterministic : new boolean[]{false, true}) {
            McGradient mc = new McGradient(model, kernels, 5, 42, deterministic);
            int step = 7;
            float[] g = new float[x.length];
            double[] value = mc.logProbGradient(x, classes, step, g);
            assertArrayEquals(value, mc.logProb(x, classes, step), 0, "value with and without the gradient");
            int checked = 0;
            double h = 1e-2;
            for (int i = 0; i < x.length; i++) {
                float[] plus = x.clone();
                float[] minus = x.clone();
                plus[i] += (float) h;
                minus[i] -= (float) h;
                int row = i / d;
                double fd = (mc.logProb(plus, classes, step)[row] - mc.logProb(minus, classes, step)[row]) / (2 * h);
                // Other inputs' values do not depend on this coordinate.
                if (Math.abs(fd) > 1e-3) {
                    assertEquals(Math.signum(fd), Math.signum(g[i]),
                            "sign of d log p̄ / dx[" + i + "] (deterministic " + deterministic + "): fd " + fd + " vs " + g[i]);
                    assertEquals(fd, g[i], 0.02 * Math.abs(fd) + 2e-3, "size at " + i);
                    checked++;
                } else {
                    assertTrue(Math.abs(g[i]) < 5e-3, "gradient " + g[i] + " where the difference is " + fd);
                }
            }
            assertTrue(checked >= x.length / 2, "too few coordinates with a clear slope: " + checked);
        }
    }

    /**
     * A model so sure of class 0 that p̄(1) = e^-800 underflows: the naive weights p_t(y) / (T p̄(y)) would be
     * 0/0, the log-space ones are 1/T each, and d log p̄(1)/dx0 = -400 - (p0·400 - p1·400) = -800.
     */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void gradientStaysFiniteForAnUnlikelyClass(Kernels kernels) {
        Mlp model = Mlp.builder(2).output(2).dropout(0f).build();
        model.weights(0)[0] = 400f;
        model.weights(0)[1] = -400f;
        model.weights(0)[2] = 0f; // x1 plays no part
        model.weights(0)[3] = 0f;
        float[] x = {1f, 0.5f};
        for (boolean deterministic : new boolean[]{false, true}) {
            float[] g = new float[2];
            double[] lp = new McGradient(model, kernels, 3, 3, deterministic).logProbGradient(x, new int[]{1}, 0, g);
            assertEquals(-800, lp[0], 1e-3);
            assertEquals(-800f, g[0], 1e-3f);
            assertEquals(0f, g[1], 0f);
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void zeroEpsilonLeavesInputsUnchangedAndMeasuresMatchTheCleanOnes(Kernels kernels) {
        Mlp model = smoothModel();
        float[] x = uniformInputs(20, model.inputSize(), 2);
        x[0] = 0f;
        x[1] = 1f;
        Fgsm fgsm = new Fgsm(new McGradient(model, kernels, 4, 5, false), 0f, 1f);
        int[] predicted = new int[20];
        float[] g = fgsm.gradient(x, predicted, 0);
        assertArrayEquals(x, fgsm.perturb(x, g, 0.0), 0f);

        int[] labels = new int[20];
        for (int i = 0; i < labels.length; i++) {
            labels[i] = i % 4;
        }
        AttackRunner runner = new AttackRunner("m", model, kernels, 4, false, 5, 0f, 1f);
        AttackRunner.Result r = runner.fgsm(x, labels, new double[]{0, 0.1}, new int[]{0}, new int[]{0, 1}, null);
        AttackRow zero = r.rows().get(0);
        ClassPredictions clean = runner.predict(x);
        assertEquals(clean.accuracy(labels), zero.accuracy(), 0);
        assertEquals(clean.meanEntropy(), zero.entropy(), 1e-9);
        assertEquals(0.5, zero.aucEntropy(), 0, "identical inputs, identical masks: every pair ties");
        assertEquals(0.5, zero.aucMi(), 0);
        assertTrue(Double.isNaN(zero.targetRate()) && zero.step() == -1);
        assertArrayEquals(Arrays.copyOf(x, model.inputSize()), r.examples().get(0).frames().get(0).pixels(), 0f);
        assertEquals(2, r.examples().get(0).frames().size());
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void perturbedInputsStayInTheValidRange(Kernels kernels) {
        Mlp model = smoothModel();
        int d = model.inputSize();
        float[] x = uniformInputs(10, d, 3);
        x[0] = 0f;
        x[d - 1] = 1f;
        McGradient mc = new McGradient(model, kernels, 3, 1, false);
        Fgsm fgsm = new Fgsm(mc, 0f, 1f);
        float[] g = fgsm.gradient(x, new int[10], 0);
        for (double eps : new double[]{0.05, 0.3, 2.0}) {
            float[] adv = fgsm.perturb(x, g, eps);
            for (int i = 0; i < x.length; i++) {
                assertTrue(adv[i] >= 0f && adv[i] <= 1f, "ε " + eps + ": " + adv[i]);
                assertTrue(Math.abs(adv[i] - x[i]) <= eps + 1e-6, "moved more than ε");
                if (g[i] != 0) {
                    // The step goes against the gradient of log p̄(ŷ), unless the clip already stops it.
                    assertTrue(g[i] > 0 ? adv[i] <= x[i] : adv[i] >= x[i]);
                }
                if (eps >= 1 && g[i] != 0) {
                    assertEquals(g[i] > 0 ? 0f : 1f, adv[i], 0f, "ε ≥ 1 drives every moving pixel to a bound");
                }
            }
        }
        TargetedFgsm targeted = new TargetedFgsm(mc, 2, 0.07, 0f, 1f);
        float[] last = targeted.run(x, 25, (step, current) -> {
            for (int i = 0; i < current.length; i++) {
                assertTrue(current[i] >= 0f && current[i] <= 1f, "step " + step + ": " + current[i]);
                assertTrue(Math.abs(current[i] - x[i]) <= step * 0.07 + 1e-5, "moved further than step · η");
            }
        });
        assertEquals(x.length, last.length);
    }

    /** On a small trained classifier, iterative targeted steps make the target steadily more probable. */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void targetedStepsRaiseTheTargetProbability(Kernels kernels) {
        TinyProblems.Classification blobs = TinyProblems.blobs(240, 4);
        float[] x = blobs.x().clone();
        for (int i = 0; i < x.length; i++) {
            // Into [0, 1]: blob centres 0 and 2 with sd 0.5 map to about 0.25 and 0.75.
            x[i] = (float) Math.min(1, Math.max(0, (x[i] + 1) / 4));
        }
        Mlp model = Mlp.builder(4).hidden(16).output(3).dropout(0.1f).seed(2).build();
        Trainer.builder(kernels).objective(new AlphaDivergence(0.5f, 4)).batchSize(32).epochs(40).seed(1)
                .optimizer(() -> Optimizer.adam(1e-2)).build().fit(model, x, blobs.labels());
        AttackRunner runner = new AttackRunner("tiny", model, kernels, 10, false, 9, 0f, 1f);
        assertTrue(runner.predict(x).accuracy(blobs.labels()) > 0.85, "the tiny model should have learnt the blobs");

        int target = 0;
        AttackRunner.Result r = runner.targeted(x, blobs.labels(), target, 30, 0.02, 5, new int[]{1, 2},
                new int[]{0, 30}, null);
        double[] prob = r.rows().stream().mapToDouble(AttackRow::targetProb).toArray();
        double[] rate = r.rows().stream().mapToDouble(AttackRow::targetRate).toArray();
        assertEquals(7, prob.length, "steps 0, 5, ..., 30");
        assertTrue(prob[0] < 0.2 && rate[0] < 0.1, "clean inputs of other classes are rarely the target: " + prob[0]);
        for (int i = 1; i < prob.length; i++) {
            assertTrue(prob[i] > prob[i - 1], "target probability fell between rows " + (i - 1) + " and " + i + ": "
                    + Arrays.toString(prob));
        }
        assertTrue(prob[prob.length - 1] > 0.5 && rate[rate.length - 1] > 0.5,
                "30 steps of 0.02 should carry most inputs to the target: " + Arrays.toString(prob));
        assertEquals(0.6, r.rows().get(r.rows().size() - 1).eps(), 1e-12, "eps column is step · η");
        assertEquals(2, r.examples().size(), "both examples (labels 1 and 2) are attacked");
        for (AttackRunner.Example e : r.examples()) {
            assertNotEquals(target, e.label());
            assertEquals(2, e.frames().size());
        }
    }
}

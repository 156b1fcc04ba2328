package io.github.alphadrop.model;

import io.github.alphadrop.io.ModelFile;
import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.kernels.Philox;
import io.github.alphadrop.predict.ClassPredictions;
import io.github.alphadrop.predict.McPredictive;
import io.github.alphadrop.train.AlphaDivergence;
import io.github.alphadrop.train.Optimizer;
import io.github.alphadrop.train.ShardGradient;
import io.github.alphadrop.train.Trainer;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Concrete dropout: masks against the spec, forward in double, gradients (the rates' too) by FD, training. */
class ConcreteDropoutTest {

    private static final long SEED = 0x5EED_C0C0L;
    private static final int STEP = 5;
    private static final int BATCH = 3;
    private static final int K = 4;
    private static final PassChecks CHECKS = new PassChecks(BATCH, K, SEED, STEP);

    private static Mlp model(float p) {
        Mlp m = Mlp.builder(5).hidden(6).output(3).activation(Activation.TANH).dropout(p).noise(Dropout.Noise.CONCRETE)
                .seed(4).build();
        SplittableRandom r = new SplittableRandom(8);
        for (int l = 0; l < m.layers(); l++) {
            for (int i = 0; i < m.biases(l).length; i++) {
                m.biases(l)[i] = (float) (0.2 * (r.nextDouble() - 0.5));
            }
        }
        m.dropLogits()[1] += 0.7f; // the two layers at different rates
        return m;
    }



    /** The paper's mask, written out: keep = 1 − sigmoid((logit(p) + logit(u)) / t), scaled by 1/(1 − p). */
    private static double specMask(long seed, int step, int layer, double rho, int row, int col) {
        int[] block = new int[4];
        Philox.philox4x32(col / 4, row, layer, step, (int) seed, (int) (seed >>> 32), block);
        double u = (Integer.toUnsignedLong(block[col % 4]) + 0.5) / 4294967296.0;
        double p = 1 / (1 + Math.exp(-rho));
        double z = 1 / (1 + Math.exp(-(Math.log(p / (1 - p)) + Math.log(u / (1 - u))) / 0.1));
        return (1 - z) / (1 - p);
    }

    @Test
    void masksAreThePapersRelaxedBernoulli() {
        float logit = ConcreteDropout.logit(0.3);
        float[] m = new float[7 * 9];
        ConcreteDropout.fill(SEED, STEP, 2, logit, 11, 7, 9, m);
        for (int r = 0; r < 7; r++) {
            for (int c = 0; c < 9; c++) {
                double want = specMask(SEED, STEP, 2, logit, 11 + r, c);
                assertEquals(want, m[r * 9 + c], 1e-6 * (1 + want), "row " + r + " column " + c);
            }
        }
    }

    @Test
    void extremeRatesGiveFiniteMasks() {
        for (float logit : new float[]{-40f, -12f, 12f, 16f}) {
            float[] m = new float[64 * 64];
            ConcreteDropout.fill(SEED, STEP, 0, logit, 0, 64, 64, m);
            double scale = 1 / (1 - ConcreteDropout.rate(logit));
            for (float v : m) {
                assertTrue(v >= 0 && v <= scale * (1 + 1e-6), "logit " + logit + ": mask " + v);
            }
        }
    }

    @Test
    void aRelaxedMaskDropsWithTheRateItsLogitSays() {
        // z > 1/2 exactly when logit(u) > -ρ, which has probability sigmoid(ρ) = p: the relaxation keeps the rate.
        for (double p : new double[]{0.05, 0.3, 0.6}) {
            int rows = 250;
            int cols = 400;
            float[] m = new float[rows * cols];
            ConcreteDropout.fill(SEED, 1, 0, ConcreteDropout.logit(p), 0, rows, cols, m);
            double half = 0.5 / (1 - p);
            int dropped = 0;
            double sum = 0;
            for (float v : m) {
                dropped += v < half ? 1 : 0;
                sum += v;
            }
            int n = rows * cols;
            double sd = Math.sqrt(p * (1 - p) / n);
            assertEquals(p, (double) dropped / n, 4 * sd, "drop fraction at p = " + p);
            // At t = 0.1 the mean multiplier is within a few percent of inverted dropout's 1.
            assertEquals(1.0, sum / n, 0.05, "mean multiplier at p = " + p);
        }
    }

    /** The spec in double: row n·K + k of layer l's input times its relaxed mask, then the dense layer. */
    private static double[] reference(Mlp m, float[] x) {
        double[][] act = new double[BATCH * K][];
        for (int r = 0; r < BATCH * K; r++) {
            act[r] = new double[m.inputSize()];
            for (int d = 0; d < m.inputSize(); d++) {
                act[r][d] = x[(r / K) * m.inputSize() + d];
            }
        }
        for (int l = 0; l < m.layers(); l++) {
            int in = m.size(l);
            int width = m.size(l + 1);
            double[][] next = new double[BATCH * K][width];
            for (int r = 0; r < BATCH * K; r++) {
                for (int h = 0; h < width; h++) {
                    double z = m.biases(l)[h];
                    for (int d = 0; d < in; d++) {
                        z += act[r][d] * specMask(SEED, STEP, l, m.dropLogits()[l], r, d) * m.weights(l)[d * width + h];
                    }
                    next[r][h] = l + 1 < m.layers() ? Math.tanh(z) : z;
                }
            }
            act = next;
        }
        double[] out = new double[BATCH * K * m.outputSize()];
        for (int r = 0; r < BATCH * K; r++) {
            System.arraycopy(act[r], 0, out, r * m.outputSize(), m.outputSize());
        }
        return out;
    }

    @Test
    void forwardIsTheSpecOnEveryBackend() {
        float[] x = PassChecks.random(BATCH * 5, 1);
        for (Kernels kernels : PassChecks.backends()) {
            Mlp m = model(0.4f);
            float[] f = new MlpPass(m, kernels, BATCH, K).forward(x, BATCH, SEED, STEP, true);
            double[] want = reference(m, x);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], f[i], 2e-5 * (1 + Math.abs(want[i])), kernels.name() + " output " + i);
            }
        }
    }

    @Test
    void gradientsOfWeightsInputsAndRatesMatchFiniteDifferences() {
        float[] x = PassChecks.random(BATCH * 5, 3);
        float[] r = PassChecks.random(BATCH * K * 3, 4);
        for (Kernels kernels : PassChecks.backends()) {
            Mlp m = model(0.3f);
            MlpPass pass = new MlpPass(m, kernels, BATCH, K);
            pass.forward(x, BATCH, SEED, STEP, true);
            System.arraycopy(r, 0, pass.outputGradient(), 0, r.length);
            float[] dx = new float[x.length];
            pass.backward(x, BATCH, SEED, STEP, true, dx);
            float[] dLogits = pass.dropLogitGradient().clone();
            for (int l = 0; l < m.layers(); l++) {
                CHECKS.check(kernels, m, x, r, m.weights(l), pass.weightGradient(l).clone(), 1e-2f, 3e-3, "dW" + l);
                CHECKS.check(kernels, m, x, r, m.biases(l), pass.biasGradient(l).clone(), 1e-2f, 3e-3, "db" + l);
            }
            CHECKS.check(kernels, m, x, r, x, dx, 1e-2f, 3e-3, "dx");
            CHECKS.check(kernels, m, x, r, m.dropLogits(), dLogits, 1e-3f, 3e-3, "d rho");
            assertTrue(Math.abs(dLogits[0]) > 1e-3 && Math.abs(dLogits[1]) > 1e-3, "the rates carry a gradient");
        }
    }

    @Test
    void theRegulariserAndItsGradientMatchTheClosedForm() {
        float rho = -0.8f;
        double sumSquares = 3.5;
        double wr = 0.01;
        double dr = 0.002;
        ConcreteDropout.Penalty penalty = ConcreteDropout.regulariser(sumSquares, rho, 7, wr, dr);
        double p = 1 / (1 + Math.exp(-(double) rho));
        double want = wr * sumSquares / (1 - p) + dr * 7 * (p * Math.log(p) + (1 - p) * Math.log(1 - p));
        assertEquals(want, penalty.value(), 1e-6 * Math.abs(want));
        double h = 1e-4;
        double plus = ConcreteDropout.regulariser(sumSquares, (float) (rho + h), 7, wr, dr).value();
        double minus = ConcreteDropout.regulariser(sumSquares, (float) (rho - h), 7, wr, dr).value();
        double hf = ((float) (rho + h) - (float) (rho - h)) / 2.0;
        assertEquals((plus - minus) / (2 * hf), penalty.dLogit(), 1e-4 * (1 + Math.abs(penalty.dLogit())), "d/d rho");
        double ds = 1e-3;
        double numericWeight = (ConcreteDropout.regulariser(sumSquares + ds, rho, 7, wr, dr).value()
                - ConcreteDropout.regulariser(sumSquares - ds, rho, 7, wr, dr).value()) / (2 * ds);
        // d/dw of wr w²/(1 - p) is 2 w · d/d(w²): the scale is twice the derivative in ||W||².
        assertEquals(2 * numericWeight, penalty.weightScale(), 1e-9, "d/dW per weight");
    }


    @Test
    void trainsTheSameOnJavaAndNativeLearnsItsRatesAndPredicts() {
        int n = 150;
        int[] y = new int[n];
        float[] x = PassChecks.blobs(n, 1, y);
        Mlp[] trained = new Mlp[2];
        for (int b = 0; b < 2; b++) {
            Kernels kernels = PassChecks.backends().get(b);
            Mlp m = Mlp.builder(4).hidden(16).output(3).dropout(0.2f).noise(Dropout.Noise.CONCRETE).seed(3).build();
            Trainer.builder(kernels).objective(new AlphaDivergence(0.5f, 4)).batchSize(16).epochs(20).seed(5)
                    .optimizer(() -> Optimizer.adam(1e-2)).build().fit(m, x, y);
            trained[b] = m;
            ClassPredictions p = new McPredictive(m, kernels, 20, 1, false).predictClasses(x);
            assertTrue(p.accuracy(y) > 0.9, kernels.name() + " accuracy " + p.accuracy(y));
            assertTrue(p.meanMutualInformation() > 0, "the masks' noise is in the predictive");
            assertTrue(m.dropout(0) != 0.2f && m.dropout(1) != 0.2f, "the rates were trained: " + m.describe());
        }
        for (int l = 0; l < 2; l++) {
            for (int i = 0; i < trained[0].weights(l).length; i++) {
                assertEquals(trained[0].weights(l)[i], trained[1].weights(l)[i], 1e-4, "layer " + l + " weight " + i);
            }
            assertEquals(trained[0].dropLogits()[l], trained[1].dropLogits()[l], 1e-4, "logit " + l + ", java vs native");
        }
    }

    @Test
    void theEntropyTermPullsTheRatesUpAndTheLikelihoodPullsThemDown() {
        int n = 150;
        int[] y = new int[n];
        float[] x = PassChecks.blobs(n, 2, y);
        float[] rates = new float[2];
        double[] lambdas = {0, 1.0};
        for (int i = 0; i < 2; i++) {
            Mlp m = Mlp.builder(4).hidden(16).output(3).dropout(0.2f).noise(Dropout.Noise.CONCRETE).seed(3).build();
            Trainer.builder(new JavaKernels()).objective(new AlphaDivergence(0.5f, 4)).batchSize(16).epochs(15).seed(5)
                    .dropoutRegulariser(lambdas[i]).optimizer(() -> Optimizer.adam(1e-2)).build().fit(m, x, y);
            rates[i] = m.dropout(0);
        }
        assertTrue(rates[0] < 0.2f, "without the entropy term the rate falls: " + rates[0]);
        assertTrue(rates[1] > 0.35f, "a heavy entropy term pulls it towards 1/2: " + rates[1]);
    }

    @Test
    void modelFilesKeepTheLearnedRatesBitForBit() {
        Mlp m = model(0.25f);
        m.dropLogits()[0] = -1.234567f;
        Mlp back = ModelFile.decode(ModelFile.encode(m, null, null)).model();
        assertEquals(Dropout.Noise.CONCRETE, back.noise());
        assertArrayEquals(m.dropLogits(), back.dropLogits(), 0f);
        float[] x = PassChecks.random(BATCH * 5, 6);
        Kernels kernels = new JavaKernels();
        assertArrayEquals(new MlpPass(m, kernels, BATCH, K).forward(x, BATCH, SEED, STEP, true),
                new MlpPass(back, kernels, BATCH, K).forward(x, BATCH, SEED, STEP, true), 0f);
    }

    @Test
    void misuseIsNamed() {
        IllegalArgumentException zero = assertThrows(IllegalArgumentException.class,
                () -> Mlp.builder(3).output(2).dropout(0f).noise(Dropout.Noise.CONCRETE).build());
        assertTrue(zero.getMessage().contains("dropout[0] = 0.0"), zero.getMessage());
        IllegalArgumentException kernel = assertThrows(IllegalArgumentException.class, () -> new JavaKernels().dropoutMask(
                new Dropout(1, 0, 0, 0.5f, Dropout.Noise.CONCRETE), 0, 1, 4, new float[4]));
        assertTrue(kernel.getMessage().contains("concrete"), kernel.getMessage());
        IllegalArgumentException shard = assertThrows(IllegalArgumentException.class,
                () -> new ShardGradient(model(0.3f), new JavaKernels(), 4, 2));
        assertTrue(shard.getMessage().contains("CONCRETE"), shard.getMessage());
        IllegalStateException dropout = assertThrows(IllegalStateException.class,
                () -> new MlpPass(model(0.3f), new JavaKernels(), 2, 2).dropout(1, 0, 0, true));
        assertTrue(dropout.getMessage().contains("CONCRETE"), dropout.getMessage());
    }
}

package io.github.alphadrop.model;

import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.kernels.Philox;
import io.github.alphadrop.predict.ClassPredictions;
import io.github.alphadrop.predict.McPredictive;
import io.github.alphadrop.train.AlphaDivergence;
import io.github.alphadrop.train.Optimizer;
import io.github.alphadrop.train.Trainer;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** DropConnect: weight masks per MC sample, shared by the batch; forward against the spec, backward by FD. */
class DropConnectTest {

    private static final long SEED = 0x5EED_D0C0L;
    private static final int STEP = 3;
    private static final int BATCH = 3;
    private static final int K = 4;
    private static final PassChecks CHECKS = new PassChecks(BATCH, K, SEED, STEP);

    private static Mlp model(float p, Activation activation) {
        Mlp m = Mlp.builder(5).hidden(6).output(3).activation(activation).dropout(p).noise(Dropout.Noise.DROPCONNECT)
                .seed(4).build();
        SplittableRandom r = new SplittableRandom(8);
        for (int l = 0; l < m.layers(); l++) {
            for (int i = 0; i < m.biases(l).length; i++) {
                m.biases(l)[i] = (float) (0.2 * (r.nextDouble() - 0.5));
            }
        }
        return m;
    }



    /** The spec in double: sample k uses W ⊙ M_k, M_k[d][h] the Bernoulli draw of mask row k·D + d, column h. */
    private static double[] reference(Mlp m, float[] x) {
        double[] out = null;
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
            Dropout spec = new Dropout(SEED, STEP, l, m.dropout(l));
            double[][] next = new double[BATCH * K][width];
            for (int r = 0; r < BATCH * K; r++) {
                int k = r % K;
                for (int h = 0; h < width; h++) {
                    double z = m.biases(l)[h];
                    for (int d = 0; d < in; d++) {
                        int draw = Philox.draw(SEED, STEP, l, k * in + d, h, spec.bits());
                        double mask = draw >= spec.threshold() ? spec.scale() : 0;
                        z += act[r][d] * m.weights(l)[d * width + h] * mask;
                    }
                    next[r][h] = l + 1 < m.layers() ? Math.tanh(z) : z;
                }
            }
            act = next;
        }
        out = new double[BATCH * K * m.outputSize()];
        for (int r = 0; r < BATCH * K; r++) {
            System.arraycopy(act[r], 0, out, r * m.outputSize(), m.outputSize());
        }
        return out;
    }

    @Test
    void forwardIsTheSpecOnEveryBackend() {
        float[] x = PassChecks.random(BATCH * 5, 1);
        for (Kernels kernels : PassChecks.backends()) {
            Mlp m = model(0.5f, Activation.TANH);
            float[] f = new MlpPass(m, kernels, BATCH, K).forward(x, BATCH, SEED, STEP, true);
            double[] want = reference(m, x);
            for (int i = 0; i < want.length; i++) {
                assertEquals(want[i], f[i], 2e-5 * (1 + Math.abs(want[i])), kernels.name() + " output " + i);
            }
        }
    }

    @Test
    void samplesShareTheirWeightMaskAcrossTheBatch() {
        // Two datapoints with the same input: DropConnect's sample k gives both the same output, input dropout not.
        float[] one = PassChecks.random(5, 2);
        float[] x = new float[2 * 5];
        System.arraycopy(one, 0, x, 0, 5);
        System.arraycopy(one, 0, x, 5, 5);
        Kernels kernels = new JavaKernels();
        Mlp m = Mlp.builder(5).hidden(6).output(3).dropout(0.5f).noise(Dropout.Noise.DROPCONNECT).seed(4).build();
        float[] f = new MlpPass(m, kernels, 2, K).forward(x, 2, SEED, STEP, true);
        for (int i = 0; i < K * 3; i++) {
            assertEquals(f[i], f[K * 3 + i], 0f, "datapoint 0 vs 1, output " + i);
        }
        boolean differ = false;
        for (int k = 1; k < K; k++) {
            differ |= f[k * 3] != f[0];
        }
        assertTrue(differ, "the K samples must differ");
        Mlp bernoulli = Mlp.builder(5).hidden(6).output(3).dropout(0.5f).seed(4).build();
        float[] g = new MlpPass(bernoulli, kernels, 2, K).forward(x, 2, SEED, STEP, true);
        assertNotEquals(g[0], g[K * 3], "input dropout draws per datapoint");
    }

    @Test
    void gradientsMatchFiniteDifferences() {
        float[] x = PassChecks.random(BATCH * 5, 3);
        float[] r = PassChecks.random(BATCH * K * 3, 4);
        for (Kernels kernels : PassChecks.backends()) {
            Mlp m = model(0.4f, Activation.TANH);
            MlpPass pass = new MlpPass(m, kernels, BATCH, K);
            pass.forward(x, BATCH, SEED, STEP, true);
            System.arraycopy(r, 0, pass.outputGradient(), 0, r.length);
            float[] dx = new float[x.length];
            pass.backward(x, BATCH, SEED, STEP, true, dx);
            for (int l = 0; l < m.layers(); l++) {
                CHECKS.check(kernels, m, x, r, m.weights(l), pass.weightGradient(l).clone(), 1e-2f, 2e-3, "dW" + l);
                CHECKS.check(kernels, m, x, r, m.biases(l), pass.biasGradient(l).clone(), 1e-2f, 2e-3, "db" + l);
            }
            CHECKS.check(kernels, m, x, r, x, dx, 1e-2f, 2e-3, "dx");
        }
    }

    @Test
    void trainsTheSameOnJavaAndNativeAndPredicts() {
        int n = 150;
        int[] y = new int[n];
        float[] x = PassChecks.blobs(n, 1, y);
        float[][] first = new float[2][];
        for (int b = 0; b < 2; b++) {
            Kernels kernels = PassChecks.backends().get(b);
            Mlp m = Mlp.builder(4).hidden(16).output(3).dropout(0.2f).noise(Dropout.Noise.DROPCONNECT).seed(3).build();
            Trainer.builder(kernels).objective(new AlphaDivergence(0.5f, 4)).batchSize(16).epochs(20).seed(5)
                    .optimizer(() -> Optimizer.adam(1e-2)).build().fit(m, x, y);
            first[b] = m.weights(0);
            ClassPredictions p = new McPredictive(m, kernels, 20, 1, false).predictClasses(x);
            assertTrue(p.accuracy(y) > 0.9, kernels.name() + " accuracy " + p.accuracy(y));
            assertTrue(p.meanMutualInformation() > 0, "the weight noise is in the predictive");
        }
        for (int i = 0; i < first[0].length; i++) {
            assertEquals(first[0][i], first[1][i], 1e-4, "weight " + i + ", java vs native");
        }
    }

    @Test
    void kernelsRefuseDropConnectAsInputNoise() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new JavaKernels().dropoutMask(
                new Dropout(1, 0, 0, 0.5f, Dropout.Noise.DROPCONNECT), 0, 1, 4, new float[4]));
        assertTrue(e.getMessage().contains("DropConnect"), e.getMessage());
    }
}

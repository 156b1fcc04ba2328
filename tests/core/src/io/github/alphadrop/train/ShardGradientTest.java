package io.github.alphadrop.train;

import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.kernels.NativeKernels;
import io.github.alphadrop.model.Likelihood;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.model.MlpPass;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Shards of a minibatch, each row at its batch position, add up to the trainer's fused gradient of the whole
 * batch: the property data-parallel training rests on.
 */
class ShardGradientTest {

    private static final int BATCH = 11;
    private static final int K = 4;
    private static final long MASK_SEED = BatchOrder.maskSeed(42);
    private static final int STEP = 7;
    /** Three shards of the 11 positions, neither in order nor contiguous, and one of a single row. */
    private static final int[][] SHARDS = {{0, 3, 4, 5, 10}, {2, 1}, {6, 8, 7}, {9}};

    private static List<Kernels> backends() {
        return List.of(new JavaKernels(), new NativeKernels(2));
    }

    private static Mlp model(int in, int out, Likelihood likelihood, float... dropout) {
        return Mlp.builder(in).hidden(16, 12).output(out).activation(Activation.RELU).dropoutPerLayer(dropout)
                .likelihood(likelihood).seed(3).build();
    }

    private static float[] random(int n, SplittableRandom r) {
        float[] a = new float[n];
        for (int i = 0; i < n; i++) {
            a[i] = (float) (r.nextDouble() * 2 - 1);
        }
        return a;
    }

    @Test
    void classifierShardsSumToTheFusedBatchGradient() {
        SplittableRandom r = new SplittableRandom(1);
        float[] x = random(BATCH * 6, r);
        int[] labels = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
            labels[i] = r.nextInt(3);
        }
        AlphaDivergence objective = new AlphaDivergence(0.5f, K);
        // Dropout on the inputs and on the second hidden layer, none on the first: both paths are used.
        for (float[] p : new float[][]{{0.5f, 0f, 0.25f}, {0f, 0.3f, 0.5f}}) {
            for (Kernels kernels : backends()) {
                Mlp model = model(6, 3, Likelihood.categorical(), p);
                MlpPass pass = new MlpPass(model, kernels, BATCH, K);
                float[] f = pass.forward(x, BATCH, MASK_SEED, STEP, true);
                double loss = kernels.alphaLossCategorical(BATCH, K, 3, f, labels, objective.alpha(), null,
                        pass.outputGradient());
                pass.backward(x, BATCH, MASK_SEED, STEP, true, null);

                ShardGradient shards = new ShardGradient(model, kernels, BATCH, K);
                double lossSum = 0;
                float[][] sum = zeros(model);
                for (int[] shard : SHARDS) {
                    float[] xs = new float[shard.length * 6];
                    int[] ls = new int[shard.length];
                    for (int i = 0; i < shard.length; i++) {
                        System.arraycopy(x, shard[i] * 6, xs, i * 6, 6);
                        ls[i] = labels[shard[i]];
                    }
                    lossSum += shards.categorical(xs, ls, shard, shard.length, BATCH, objective, MASK_SEED, STEP);
                    add(shards, sum);
                }
                String what = kernels.name() + " p " + java.util.Arrays.toString(p);
                assertEquals(loss, lossSum, 1e-5 * Math.abs(loss), what + " loss");
                assertGradients(pass, model, sum, what);
            }
        }
    }

    @Test
    void regressorShardsSumToTheFusedBatchGradientIncludingLogTau() {
        SplittableRandom r = new SplittableRandom(2);
        float[] x = random(BATCH * 5, r);
        float[] y = random(BATCH * 2, r);
        AlphaDivergence objective = new AlphaDivergence(1f, K);
        for (Kernels kernels : backends()) {
            Mlp model = model(5, 2, Likelihood.gaussian(2.0, true), 0.1f, 0.2f, 0.5f);
            MlpPass pass = new MlpPass(model, kernels, BATCH, K);
            float[] f = pass.forward(x, BATCH, MASK_SEED, STEP, true);
            float[] logTauGrad = new float[1];
            double loss = kernels.alphaLossGaussian(BATCH, K, 2, f, y, model.logTau(), objective.alpha(), null,
                    pass.outputGradient(), logTauGrad);
            pass.backward(x, BATCH, MASK_SEED, STEP, true, null);

            ShardGradient shards = new ShardGradient(model, kernels, BATCH, K);
            double lossSum = 0;
            double logTauSum = 0;
            float[][] sum = zeros(model);
            for (int[] shard : SHARDS) {
                float[] xs = new float[shard.length * 5];
                float[] ys = new float[shard.length * 2];
                for (int i = 0; i < shard.length; i++) {
                    System.arraycopy(x, shard[i] * 5, xs, i * 5, 5);
                    System.arraycopy(y, shard[i] * 2, ys, i * 2, 2);
                }
                lossSum += shards.gaussian(xs, ys, shard, shard.length, BATCH, objective, MASK_SEED, STEP);
                logTauSum += shards.logTauGradient()[0];
                add(shards, sum);
            }
            assertEquals(loss, lossSum, 1e-5 * Math.abs(loss), kernels.name() + " loss");
            assertEquals(logTauGrad[0], logTauSum, 1e-5 * (1 + Math.abs(logTauGrad[0])), kernels.name() + " dlogTau");
            assertGradients(pass, model, sum, kernels.name());
        }
    }

    @Test
    void aShardAtOtherPositionsGetsOtherMasks() {
        // The same rows placed at other batch positions must not give the same gradient: the positions name
        // the masks. (Were they ignored, the shard sums above could still agree for a one-shard split.)
        SplittableRandom r = new SplittableRandom(3);
        float[] x = random(2 * 6, r);
        int[] labels = {0, 2};
        Mlp model = model(6, 3, Likelihood.categorical(), 0.5f, 0.5f, 0.5f);
        ShardGradient g = new ShardGradient(model, new JavaKernels(), 2, K);
        AlphaDivergence objective = new AlphaDivergence(0.5f, K);
        double a = g.categorical(x, labels, new int[]{0, 1}, 2, BATCH, objective, MASK_SEED, STEP);
        double b = g.categorical(x, labels, new int[]{4, 9}, 2, BATCH, objective, MASK_SEED, STEP);
        assertTrue(a != b, "positions {0,1} and {4,9} gave the same loss " + a);
    }

    /**
     * DropConnect: weight masks per MC sample, shared by the batch, so shards at any positions see the batch's
     * masks; their gradients sum to the whole batch's (pass through {@link MlpPass}), for a classifier and a
     * regressor with learned τ, and a shard's gradient does not depend on where its rows sit in the batch.
     */
    @Test
    void dropConnectShardsSumToTheBatchGradient() {
        SplittableRandom r = new SplittableRandom(4);
        float[] x = random(BATCH * 6, r);
        int[] labels = new int[BATCH];
        for (int i = 0; i < BATCH; i++) {
            labels[i] = r.nextInt(3);
        }
        float[] y = random(BATCH * 3, r);
        AlphaDivergence objective = new AlphaDivergence(0.5f, K);
        for (Kernels kernels : backends()) {
            for (boolean categorical : new boolean[] {true, false}) {
                Mlp model = Mlp.builder(6).hidden(16, 12).output(3).activation(Activation.RELU).dropout(0.3f)
                        .noise(io.github.alphadrop.kernels.Dropout.Noise.DROPCONNECT)
                        .likelihood(categorical ? Likelihood.categorical() : Likelihood.gaussian(2.0, true)).seed(3).build();
                MlpPass pass = new MlpPass(model, kernels, BATCH, K);
                float[] f = pass.forward(x, BATCH, MASK_SEED, STEP, true);
                float[] logTauGrad = new float[1];
                double loss = categorical
                        ? kernels.alphaLossCategorical(BATCH, K, 3, f, labels, objective.alpha(), null, pass.outputGradient())
                        : kernels.alphaLossGaussian(BATCH, K, 3, f, y, model.logTau(), objective.alpha(), null,
                                pass.outputGradient(), logTauGrad);
                pass.backward(x, BATCH, MASK_SEED, STEP, true, null);

                ShardGradient shards = new ShardGradient(model, kernels, BATCH, K);
                double lossSum = 0, logTauSum = 0;
                float[][] sum = zeros(model);
                for (int[] shard : SHARDS) {
                    float[] xs = new float[shard.length * 6];
                    float[] ys = new float[shard.length * 3];
                    int[] ls = new int[shard.length];
                    for (int i = 0; i < shard.length; i++) {
                        System.arraycopy(x, shard[i] * 6, xs, i * 6, 6);
                        System.arraycopy(y, shard[i] * 3, ys, i * 3, 3);
                        ls[i] = labels[shard[i]];
                    }
                    lossSum += categorical ? shards.categorical(xs, ls, shard, shard.length, BATCH, objective, MASK_SEED, STEP)
                            : shards.gaussian(xs, ys, shard, shard.length, BATCH, objective, MASK_SEED, STEP);
                    logTauSum += shards.logTauGradient()[0];
                    add(shards, sum);
                }
                String what = kernels.name() + " dropconnect " + (categorical ? "categorical" : "gaussian");
                assertEquals(loss, lossSum, 1e-5 * Math.abs(loss), what + " loss");
                assertGradients(pass, model, sum, what);
                if (!categorical) {
                    assertEquals(logTauGrad[0], logTauSum, 1e-5 * (1 + Math.abs(logTauGrad[0])), what + " dlogTau");
                }
                // The same two rows at other positions: the same masks, so the same loss.
                float[] two = java.util.Arrays.copyOf(x, 2 * 6);
                int[] twoLabels = {labels[0], labels[1]};
                float[] twoY = java.util.Arrays.copyOf(y, 2 * 3);
                double a = categorical ? shards.categorical(two, twoLabels, new int[]{0, 1}, 2, BATCH, objective, MASK_SEED, STEP)
                        : shards.gaussian(two, twoY, new int[]{0, 1}, 2, BATCH, objective, MASK_SEED, STEP);
                double b = categorical ? shards.categorical(two, twoLabels, new int[]{4, 9}, 2, BATCH, objective, MASK_SEED, STEP)
                        : shards.gaussian(two, twoY, new int[]{4, 9}, 2, BATCH, objective, MASK_SEED, STEP);
                assertEquals(a, b, 0.0, what + ": positions name no DropConnect mask");
            }
        }
    }

    @Test
    void concreteDropoutIsRefusedByName() {
        Mlp model = Mlp.builder(6).hidden(8).output(3).dropout(0.1f).noise(io.github.alphadrop.kernels.Dropout.Noise.CONCRETE)
                .seed(3).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ShardGradient(model, new JavaKernels(), 4, K));
        assertTrue(e.getMessage().contains("CONCRETE") && e.getMessage().contains("not supported"), e.getMessage());
    }

    @Test
    void badArgumentsAreNamed() {
        Mlp model = model(6, 3, Likelihood.categorical(), 0.5f, 0.5f, 0.5f);
        ShardGradient g = new ShardGradient(model, new JavaKernels(), 4, K);
        AlphaDivergence objective = new AlphaDivergence(0.5f, K);
        float[] x = new float[4 * 6];
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> g.categorical(x, new int[]{0, 1}, new int[]{0, 11}, 2, BATCH, objective, MASK_SEED, STEP));
        assertTrue(e.getMessage().contains("positions[1] = 11"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> g.categorical(x, new int[]{0, 3}, new int[]{0, 1}, 2, BATCH, objective, MASK_SEED, STEP));
        assertTrue(e.getMessage().contains("labels[1] = 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> g.categorical(x, new int[5], new int[5], 5, BATCH, objective, MASK_SEED, STEP));
        assertTrue(e.getMessage().contains("rows must be in [1, 4], got 5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> g.categorical(x, new int[]{0}, new int[]{0}, 1, BATCH,
                new AlphaDivergence(0.5f, 3), MASK_SEED, STEP));
        assertTrue(e.getMessage().contains("K = 3"), e.getMessage());
    }

    private static float[][] zeros(Mlp model) {
        float[][] sum = new float[2 * model.layers()][];
        for (int l = 0; l < model.layers(); l++) {
            sum[2 * l] = new float[model.weights(l).length];
            sum[2 * l + 1] = new float[model.biases(l).length];
        }
        return sum;
    }

    private static void add(ShardGradient g, float[][] sum) {
        for (int l = 0; l < sum.length / 2; l++) {
            float[] w = g.weightGradient(l);
            float[] b = g.biasGradient(l);
            for (int i = 0; i < w.length; i++) {
                sum[2 * l][i] += w[i];
            }
            for (int i = 0; i < b.length; i++) {
                sum[2 * l + 1][i] += b[i];
            }
        }
    }

    private static void assertGradients(MlpPass pass, Mlp model, float[][] sum, String what) {
        for (int l = 0; l < model.layers(); l++) {
            assertClose(pass.weightGradient(l), sum[2 * l], what + " dW" + l);
            assertClose(pass.biasGradient(l), sum[2 * l + 1], what + " db" + l);
        }
    }

    private static void assertClose(float[] want, float[] got, String what) {
        double scale = 0;
        for (float v : want) {
            scale = Math.max(scale, Math.abs(v));
        }
        assertTrue(scale > 0, what + " is all zero: the test would prove nothing");
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], 1e-5 * scale, what + "[" + i + "]");
        }
    }
}

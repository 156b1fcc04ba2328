package io.github.alphadrop.adversarial;

import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.kernels.NativeKernels;
import io.github.alphadrop.layers.Conv2D;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.network.ConvLayer;
import io.github.alphadrop.network.DenseLayer;
import io.github.alphadrop.network.Network;
import io.github.alphadrop.network.PoolLayer;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

/** The attacks' MC gradient on networks of layers: finite differences, the MLP's own gradient, chunking. */
class NetworkAttackTest {

    private static void perturb(List<float[]> params, long seed, double scale) {
        SplittableRandom r = new SplittableRandom(seed);
        for (float[] p : params) {
            for (int i = 0; i < p.length; i++) {
                p[i] += (float) (scale * r.nextGaussian());
            }
        }
    }

    /** Smooth (tanh) so that central differences are accurate: conv 3x3 same, conv 2x2 valid, two dense. */
    private static Network smoothCnn() {
        ConvLayer c1 = new ConvLayer(6, 5, 2, 3, 3, Conv2D.Padding.SAME, Activation.TANH);
        ConvLayer c2 = new ConvLayer(6, 5, 3, 2, 4, Conv2D.Padding.VALID, Activation.TANH);
        DenseLayer hidden = new DenseLayer(c2.outputSize(), 8, Activation.TANH, 0.3f, 0);
        DenseLayer out = new DenseLayer(8, 4, Activation.IDENTITY, 0.3f, 1);
        Network net = new Network(List.of(c1, c2, hidden, out));
        net.initialize(2);
        perturb(net.parameters(), 3, 0.2);
        return net;
    }

    private static float[] inputs(int n, int d, long seed) {
        SplittableRandom r = new SplittableRandom(seed);
        float[] x = new float[n * d];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) (0.1 + 0.8 * r.nextDouble());
        }
        return x;
    }

    @Test
    void cnnGradientMatchesCentralDifferencesOnBothBackends() {
        try (NativeKernels nk = new NativeKernels(2)) {
            for (Kernels k : new Kernels[]{new JavaKernels(), nk}) {
                Network net = smoothCnn();
                int d = net.inputSize();
                float[] x = inputs(3, d, 1);
                int[] classes = {0, 2, 3};
                for (boolean deterministic : new boolean[]{false, true}) {
                    McGradient mc = new McGradient(net, k, 5, 42, deterministic);
                    float[] g = new float[x.length];
                    double[] value = mc.logProbGradient(x, classes, 7, g);
                    assertArrayEquals(value, mc.logProb(x, classes, 7), 0, "value with and without the gradient");
                    int checked = 0;
                    double h = 1e-2;
                    for (int i = 0; i < x.length; i += 3) {
                        float[] plus = x.clone(), minus = x.clone();
                        plus[i] += (float) h;
                        minus[i] -= (float) h;
                        int row = i / d;
                        double fd = (mc.logProb(plus, classes, 7)[row] - mc.logProb(minus, classes, 7)[row]) / (2 * h);
                        String what = k.name() + " deterministic " + deterministic + " x[" + i + "]: fd " + fd + " vs " + g[i];
                        if (Math.abs(fd) > 1e-3) {
                            assertEquals(fd, g[i], 0.03 * Math.abs(fd) + 2e-3, what);
                            checked++;
                        } else {
                            assertTrue(Math.abs(g[i]) < 5e-3, what);
                        }
                    }
                    assertTrue(checked >= x.length / 6, "too few coordinates with a clear slope: " + checked);
                }
            }
        }
    }

    @Test
    void aDenseNetworkHasTheMlpsGradient() {
        Mlp mlp = Mlp.builder(6).hidden(9).output(4).activation(Activation.TANH).dropout(0.3f).seed(3).build();
        DenseLayer first = new DenseLayer(6, 9, Activation.TANH, 0.3f, 0);
        DenseLayer second = new DenseLayer(9, 4, Activation.IDENTITY, 0.3f, 1);
        System.arraycopy(mlp.weights(0), 0, first.weights(), 0, first.weights().length);
        System.arraycopy(mlp.weights(1), 0, second.weights(), 0, second.weights().length);
        Network net = new Network(List.of(first, second));
        float[] x = inputs(5, 6, 4);
        int[] classes = {0, 1, 2, 3, 0};
        Kernels k = new JavaKernels();
        float[] want = new float[x.length], got = new float[x.length];
        double[] vWant = new McGradient(mlp, k, 7, 11, false).logProbGradient(x, classes, 3, want);
        double[] vGot = new McGradient(net, k, 7, 11, false).logProbGradient(x, classes, 3, got);
        assertArrayEquals(vWant, vGot, 1e-6);
        assertArrayEquals(want, got, 1e-6f);
    }

    /** More inputs than one chunk holds: the same gradient as computing them one call at a time per chunk size. */
    @Test
    void chunkedInputsGiveTheirOwnGradients() {
        ConvLayer conv = new ConvLayer(8, 8, 1, 3, 4, Conv2D.Padding.SAME, Activation.RELU);
        PoolLayer pool = new PoolLayer(8, 8, 4, 2);
        DenseLayer out = new DenseLayer(pool.outputSize(), 3, Activation.IDENTITY, 0.2f, 0);
        Network net = new Network(List.of(conv, pool, out));
        net.initialize(5);
        int n = 5000; // more than MAX_ROWS / T inputs for T = 2: at least two chunks
        float[] x = inputs(n, net.inputSize(), 6);
        int[] classes = new int[n];
        try (NativeKernels k = new NativeKernels(2)) {
            McGradient mc = new McGradient(net, k, 2, 1, true);
            float[] g = new float[x.length];
            mc.logProbGradient(x, classes, 0, g);
            // Deterministic: no masks, so any input alone has the same gradient.
            for (int row : new int[]{0, 2047, 2048, 4999}) {
                float[] one = java.util.Arrays.copyOfRange(x, row * net.inputSize(), (row + 1) * net.inputSize());
                float[] g1 = new float[one.length];
                mc.logProbGradient(one, new int[]{0}, 0, g1);
                assertArrayEquals(g1, java.util.Arrays.copyOfRange(g, row * net.inputSize(), (row + 1) * net.inputSize()),
                        1e-6f, "row " + row);
            }
        }
    }
}

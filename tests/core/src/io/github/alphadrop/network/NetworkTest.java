package io.github.alphadrop.network;

import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.kernels.NativeKernels;
import io.github.alphadrop.layers.Conv2D;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.model.MlpPass;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NetworkTest {

    private static void fill(List<float[]> params, Random r, float scale) {
        for (float[] p : params) {
            for (int i = 0; i < p.length; i++) {
                p[i] = (float) r.nextGaussian() * scale;
            }
        }
    }

    private static float[] random(int n, Random r) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = io.github.alphadrop.kernels.Dropout.Noise.class,
            names = {"BERNOULLI", "GAUSSIAN", "DROPCONNECT", "CONCRETE"})
    void aNetworkOfDenseLayersIsTheMlpToTheBit(io.github.alphadrop.kernels.Dropout.Noise noise) {
        Random r = new Random(1);
        try (NativeKernels nk = new NativeKernels(2)) {
            for (Kernels k : new Kernels[]{new JavaKernels(), nk}) {
                Mlp mlp = Mlp.builder(7).hidden(9, 5).output(3).dropout(0.3f).noise(noise).build();
                mlp.initialize(2L);
                Network net = new Network(List.of(new DenseLayer(7, 9, Activation.RELU, 0.3f, 0, noise),
                        new DenseLayer(9, 5, Activation.RELU, 0.3f, 1, noise),
                        new DenseLayer(5, 3, Activation.IDENTITY, 0.3f, 2, noise)));
                for (int l = 0; l < 3; l++) {
                    DenseLayer d = (DenseLayer) net.layers().get(l);
                    System.arraycopy(mlp.weights(l), 0, d.weights(), 0, d.weights().length);
                    System.arraycopy(mlp.biases(l), 0, d.bias(), 0, d.bias().length);
                }
                int batch = 4, samples = 3;
                float[] x = random(batch * 7, r);
                MlpPass pass = new MlpPass(mlp, k, batch, samples);
                float[] want = pass.forward(x, batch, 11, 5, true).clone();
                float[] got = net.forward(k, x, batch, samples, new MaskSpec(11, 5), true);
                assertArrayEquals(want, got, k + " forward");
                float[] g = random(want.length, r);
                System.arraycopy(g, 0, pass.outputGradient(), 0, g.length);
                float[] dxWant = new float[x.length];
                pass.backward(x, batch, 11, 5, true, dxWant);
                float[] dxGot = net.backward(k, g, true);
                assertArrayEquals(dxWant, dxGot, k + " input gradient");
                for (int l = 0; l < 3; l++) {
                    List<float[]> grads = net.layers().get(l).gradients();
                    assertArrayEquals(pass.weightGradient(l), grads.get(0), k + " dW " + l);
                    assertArrayEquals(pass.biasGradient(l), grads.get(1), k + " db " + l);
                    if (noise == io.github.alphadrop.kernels.Dropout.Noise.CONCRETE) {
                        assertEquals(mlp.dropLogits()[l], ((DenseLayer) net.layers().get(l)).dropLogit()[0], k + " rho " + l);
                        assertEquals(pass.dropLogitGradient()[l], grads.get(2)[0], k + " d rho " + l);
                        assertTrue(grads.get(2)[0] != 0f, k + " the rate carries a gradient");
                    } else {
                        assertEquals(2, grads.size(), k + " weights and biases only");
                    }
                }
                pass.close();
            }
        }
    }

    /** conv 3x3 (2 filters) -> pool 2x2 -> dropout, dense 6 -> dropout, dense 3, on 6x6x1 images. */
    private static Network cnn(Random r) {
        return cnn(r, io.github.alphadrop.kernels.Dropout.Noise.BERNOULLI);
    }

    /** As {@link #cnn(Random)} with {@code noise} on both dense layers. */
    private static Network cnn(Random r, io.github.alphadrop.kernels.Dropout.Noise noise) {
        ConvLayer conv = new ConvLayer(6, 6, 1, 3, 2, Conv2D.Padding.SAME, Activation.RELU);
        PoolLayer pool = new PoolLayer(6, 6, 2, 2);
        Network net = new Network(List.of(conv, pool,
                new DenseLayer(pool.outputSize(), 6, Activation.TANH, 0.4f, 0, noise),
                new DenseLayer(6, 3, Activation.IDENTITY, 0.4f, 1, noise)));
        fill(net.parameters(), r, 0.5f);
        return net;
    }

    /**
     * DropConnect in a network: sample k of every datapoint sees W ⊙ M_k, checked against a direct computation of
     * one layer in double from the masks the kernels draw, and the K samples differ while the batch shares them.
     */
    @Test
    void dropConnectLayerMultipliesTheWeightsBySampleMasks() {
        Random r = new Random(8);
        try (NativeKernels nk = new NativeKernels(2)) {
            for (Kernels k : new Kernels[]{new JavaKernels(), nk}) {
                int in = 5, out = 4, batch = 3, samples = 4;
                float p = 0.4f;
                DenseLayer layer = new DenseLayer(in, out, Activation.TANH, p, 6,
                        io.github.alphadrop.kernels.Dropout.Noise.DROPCONNECT);
                fill(layer.parameters(), r, 0.7f);
                Network net = new Network(List.of(layer));
                float[] x = random(batch * in, r);
                MaskSpec spec = new MaskSpec(21, 3);
                float[] got = net.forward(k, x, batch, samples, spec, true);
                float[] mask = new float[samples * in * out];
                new JavaKernels().dropoutMask(new io.github.alphadrop.kernels.Dropout(21, 3, 6, p), 0, samples * in, out, mask);
                for (int n = 0; n < batch; n++) {
                    for (int s = 0; s < samples; s++) {
                        for (int h = 0; h < out; h++) {
                            double z = layer.bias()[h];
                            for (int d = 0; d < in; d++) {
                                z += (double) x[n * in + d] * layer.weights()[d * out + h] * mask[(s * in + d) * out + h];
                            }
                            assertEquals(Math.tanh(z), got[(n * samples + s) * out + h], 1e-5,
                                    k + " datapoint " + n + " sample " + s + " unit " + h);
                        }
                    }
                }
                long kept = 0;
                for (float m : mask) {
                    assertTrue(m == 0f || m == 1f / (1f - p), "an inverted-scaled Bernoulli mask: " + m);
                    kept += m == 0f ? 0 : 1;
                }
                assertTrue(kept > 0 && kept < mask.length, "some weights dropped and some kept: " + kept);
                float[] deterministic = net.forward(k, x, batch, samples, spec, false);
                for (int n = 0; n < batch; n++) {
                    for (int h = 0; h < out; h++) {
                        double z = layer.bias()[h];
                        for (int d = 0; d < in; d++) {
                            z += (double) x[n * in + d] * layer.weights()[d * out + h];
                        }
                        assertEquals(Math.tanh(z), deterministic[n * samples * out + h], 1e-5, k + " without noise");
                    }
                }
            }
        }
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = io.github.alphadrop.kernels.Dropout.Noise.class,
            names = {"DROPCONNECT", "CONCRETE"})
    void cnnGradientsMatchFiniteDifferencesOnBothBackends(io.github.alphadrop.kernels.Dropout.Noise noise) {
        try (NativeKernels nk = new NativeKernels(2)) {
            for (Kernels k : new Kernels[]{new JavaKernels(), nk}) {
                checkGradients(cnn(new Random(16), noise), k, new Random(15));
            }
        }
    }

    /** A concrete layer's rate is a parameter of its own; the network names the layer by its noise, not its rate. */
    @Test
    void aConcreteLayerLearnsItsRateAsAParameter() {
        DenseLayer layer = new DenseLayer(4, 3, Activation.RELU, 0.25f, 0, io.github.alphadrop.kernels.Dropout.Noise.CONCRETE);
        assertEquals(3, layer.parameters().size());
        assertEquals(0.25f, layer.dropout(), 1e-6f);
        layer.dropLogit()[0] = 2f;
        assertEquals(1 / (1 + Math.exp(-2)), layer.dropout(), 1e-6);
        layer.initialize(new java.util.SplittableRandom(1));
        assertEquals(0.25f, layer.dropout(), 1e-6f, "initialize starts the rate again");
        assertEquals("Network[dense(4->3, concrete dropout)]", new Network(List.of(layer)).toString());
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DenseLayer(4, 3, Activation.RELU,
                0f, 0, io.github.alphadrop.kernels.Dropout.Noise.CONCRETE));
        assertTrue(e.getMessage().contains("must be in (0, 1), got 0.0"), e.getMessage());
        assertThrows(IllegalStateException.class, () -> new DenseLayer(4, 3, Activation.RELU, 0.5f, 0).dropLogit());
        e = assertThrows(IllegalArgumentException.class, () -> new DropoutLayer(4, 0.5f, 0,
                io.github.alphadrop.kernels.Dropout.Noise.CONCRETE));
        assertTrue(e.getMessage().contains("got CONCRETE"), e.getMessage());
    }

    @Test
    void theConvolutionBelowTheFirstDropoutRunsOncePerDatapointWithTheSameResult() {
        Random r = new Random(3);
        try (NativeKernels nk = new NativeKernels(2)) {
            for (Kernels k : new Kernels[]{new JavaKernels(), nk}) {
                Network net = cnn(new Random(4));
                int batch = 2, samples = 4;
                float[] x = random(batch * 36, r);
                float[] shared = net.forward(k, x, batch, samples, new MaskSpec(7, 1), true);
                float[] g = random(shared.length, r);
                net.backward(k, g, false);
                float[] convGrad = net.gradients().get(0).clone();
                // The same rows with the input repeated K times and nothing shared: row n*K + k is datapoint n*K + k.
                float[] repeated = new float[batch * samples * 36];
                for (int n = 0; n < batch; n++) {
                    for (int s = 0; s < samples; s++) {
                        System.arraycopy(x, n * 36, repeated, (n * samples + s) * 36, 36);
                    }
                }
                float[] direct = net.forward(k, repeated, batch * samples, 1, new MaskSpec(7, 1), true);
                assertArrayEquals(direct, shared, k + ": sharing the conv stack changes nothing");
                net.backward(k, g, false);
                float[] directGrad = net.gradients().get(0);
                for (int i = 0; i < convGrad.length; i++) {
                    assertEquals(directGrad[i], convGrad[i], 1e-4 * (1 + Math.abs(directGrad[i])), k + " conv dW[" + i + "]");
                }
            }
        }
    }

    @Test
    void cnnGradientsMatchFiniteDifferences() {
        checkGradients(cnn(new Random(6)), new JavaKernels(), new Random(5));
    }

    /** Every probed parameter's and one input's gradient of {@code <net(x), g>} against central differences. */
    private static void checkGradients(Network net, Kernels k, Random r) {
        int batch = 2, samples = 3;
        float[] x = random(batch * 36, r);
        MaskSpec masks = new MaskSpec(9, 2);
        float[] out = net.forward(k, x, batch, samples, masks, true);
        float[] g = random(out.length, r);
        float[] dx = net.backward(k, g, true);
        List<float[]> grads = net.gradients().stream().map(float[]::clone).toList();
        List<float[]> params = net.parameters();
        double h = 1e-2;
        for (int which = 0; which < params.size(); which++) {
            if (params.get(which).length == 1) {
                // A concrete rate's logit: the mask bends sharply in it (temperature 0.1), so a finer step.
                float[] p = params.get(which);
                float keep = p[0];
                double hl = 1e-3;
                p[0] = (float) (keep + hl);
                double up = dot(net.forward(k, x, batch, samples, masks, true), g);
                p[0] = (float) (keep - hl);
                double down = dot(net.forward(k, x, batch, samples, masks, true), g);
                p[0] = keep;
                double numeric = (up - down) / (((float) (keep + hl)) - ((float) (keep - hl)));
                assertTrue(grads.get(which)[0] != 0f, k + " logit " + which + " has a gradient");
                assertEquals(numeric, grads.get(which)[0], 2e-2 * (1 + Math.abs(numeric)), k + " logit " + which);
            }
        }
        for (int probe = 0; probe < 12; probe++) {
            int which;
            do {
                which = r.nextInt(params.size());
            } while (params.get(which).length == 1);
            float[] p = params.get(which);
            int i = r.nextInt(p.length);
            float keep = p[i];
            p[i] = (float) (keep + h);
            double up = dot(net.forward(k, x, batch, samples, masks, true), g);
            p[i] = (float) (keep - h);
            double down = dot(net.forward(k, x, batch, samples, masks, true), g);
            p[i] = keep;
            double numeric = (up - down) / (2 * h);
            assertEquals(numeric, grads.get(which)[i], 2e-2 * (1 + Math.abs(numeric)), "parameter " + which + "[" + i + "]");
        }
        int j = r.nextInt(x.length);
        float[] xp = x.clone(), xm = x.clone();
        xp[j] += h;
        xm[j] -= h;
        double numeric = (dot(net.forward(k, xp, batch, samples, masks, true), g)
                - dot(net.forward(k, xm, batch, samples, masks, true), g)) / (2 * h);
        assertEquals(numeric, dx[j], 2e-2 * (1 + Math.abs(numeric)), "dx[" + j + "]");
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    /** The paper's CNN: its layers and its parameter count, 320 + 9,248 + 460,900 + 1,010 (as Keras counts it). */
    @Test
    void thePapersCnnHasItsLayersAndParameterCount() {
        Network net = Network.cnn(28, 28, 1, 10, new int[]{32, 32}, new int[]{100}, 0.5f, Activation.RELU);
        assertEquals("Network[conv2d(784->21632), conv2d(21632->18432), maxpool2d(18432->4608), dense(4608->100, p 0.5),"
                + " dense(100->10, p 0.5)]", net.toString());
        assertEquals(471_478, net.parameters().stream().mapToLong(p -> p.length).sum());
        // Shared below the first dropout: input, two convolutions and the pool once, the dense outputs K times.
        assertEquals(2L * (784 + 21632 + 18432 + 4608 + 10 * (100 + 10)), net.floatsPerDatapoint(10));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> Network.cnn(5, 5, 1, 10, new int[]{4, 4}, new int[]{8}, 0.5f, Activation.RELU));
        assertTrue(e.getMessage().contains("too small for 2 3x3 convolutions"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class,
                () -> Network.cnn(28, 28, 1, 10, new int[]{32, 0}, new int[]{8}, 0.5f, Activation.RELU));
        assertTrue(e.getMessage().contains("filters[1] must be >= 1, got 0"), e.getMessage());
    }

    @Test
    void mismatchedLayersAndSharedMaskIdsAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new Network(List.of(
                new DenseLayer(4, 5, Activation.RELU, 0.5f, 0), new DenseLayer(6, 2, Activation.IDENTITY, 0.5f, 1))));
        assertTrue(e.getMessage().contains("layer 1 (dense) takes 6 values but layer 0 (dense) gives 5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Network(List.of(
                new DenseLayer(4, 5, Activation.RELU, 0.5f, 3), new DenseLayer(5, 2, Activation.IDENTITY, 0.5f, 3))));
        assertTrue(e.getMessage().contains("share a mask id"), e.getMessage());
    }
}

package io.github.alphadrop.network;

import io.github.alphadrop.io.ModelFile;
import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.kernels.FloatView;
import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.kernels.NativeKernels;
import io.github.alphadrop.layers.Conv2D;
import io.github.alphadrop.predict.McPredictive;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.*;

/** Element-wise dropout after a convolution: masks, gradients, backends, model files. */
class DropoutLayerTest {

    private static Network net() {
        ConvLayer conv = new ConvLayer(5, 5, 1, 3, 3, Conv2D.Padding.VALID, Activation.TANH);
        DropoutLayer drop = new DropoutLayer(conv.outputSize(), 0.4f, 3);
        DenseLayer out = new DenseLayer(conv.outputSize(), 4, Activation.IDENTITY, 0f, 0);
        Network n = new Network(List.of(conv, drop, out));
        n.initialize(7);
        return n;
    }

    private static float[] random(int n, Random r) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static double dot(float[] a, float[] b) {
        double s = 0;
        for (int i = 0; i < a.length; i++) {
            s += (double) a[i] * b[i];
        }
        return s;
    }

    @Test
    void itMultipliesByTheKernelsMasksOneRowPerSample() {
        DropoutLayer drop = new DropoutLayer(6, 0.5f, 2);
        Kernels k = new JavaKernels();
        float[] x = {1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6};
        MaskSpec masks = new MaskSpec(11, 4);
        Workspace ws = new Workspace(k);
        float[] y = drop.forward(k, masks, true, FloatView.of(x), 2, 3, true, ws, 0).toArray();
        float[] m = new float[6 * 6];
        k.dropoutMask(new Dropout(11, 4, 2, 0.5f), 0, 6, 6, m);
        for (int r = 0; r < 6; r++) {
            for (int j = 0; j < 6; j++) {
                assertEquals(m[r * 6 + j] * x[(r / 3) * 6 + j], y[r * 6 + j], "row " + r + " column " + j);
            }
        }
        assertFalse(drop.sharesOutput(true, true), "the samples part here");
        assertTrue(drop.sharesOutput(true, false), "and stay one row per datapoint without dropout");
        assertArrayEquals(x, drop.forward(k, masks, false, FloatView.of(x), 2, 3, true, ws, 0).toArray(),
                "deterministic: the identity");
        assertThrows(IllegalArgumentException.class, () -> new DropoutLayer(6, 1f, 0));
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new DropoutLayer(6, 0.5f, 70000));
        assertTrue(e.getMessage().contains("maskId must be in [0, 65536), got 70000"), e.getMessage());
    }

    @Test
    void aGaussianDropoutLayerMultipliesByTheGaussianMasks() {
        DropoutLayer drop = new DropoutLayer(6, 0.3f, 2, Dropout.Noise.GAUSSIAN);
        Kernels k = new JavaKernels();
        float[] x = {1, 2, 3, 4, 5, 6, -1, -2, -3, -4, -5, -6};
        float[] y = drop.forward(k, new MaskSpec(11, 4), true, FloatView.of(x), 2, 3, true, new Workspace(k), 0).toArray();
        float[] m = new float[6 * 6];
        k.dropoutMask(new Dropout(11, 4, 2, 0.3f, Dropout.Noise.GAUSSIAN), 0, 6, 6, m);
        for (int r = 0; r < 6; r++) {
            for (int j = 0; j < 6; j++) {
                assertEquals(m[r * 6 + j] * x[(r / 3) * 6 + j], y[r * 6 + j], "row " + r + " column " + j);
            }
        }
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new DropoutLayer(6, 0.3f, 2, Dropout.Noise.CONCRETE));
        assertTrue(e.getMessage().contains("BERNOULLI or GAUSSIAN, got CONCRETE"), e.getMessage());
    }

    @Test
    void gradientsMatchFiniteDifferencesAndNativeMatchesJava() {
        Random r = new Random(3);
        Network net = net();
        int batch = 2, samples = 3;
        float[] x = random(batch * 25, r);
        MaskSpec masks = new MaskSpec(5, 1);
        JavaKernels java = new JavaKernels();
        float[] out = net.forward(java, x, batch, samples, masks, true);
        float[] g = random(out.length, r);
        float[] dx = net.backward(java, g.clone(), true);
        float[] dw = net.gradients().get(0).clone();
        double h = 1e-2;
        for (int i = 0; i < x.length; i += 5) {
            float[] xp = x.clone(), xm = x.clone();
            xp[i] += h;
            xm[i] -= h;
            double numeric = (dot(net.forward(java, xp, batch, samples, masks, true), g)
                    - dot(net.forward(java, xm, batch, samples, masks, true), g)) / (2 * h);
            assertEquals(numeric, dx[i], 1e-2 * (1 + Math.abs(numeric)), "dx[" + i + "]");
        }
        float[] w = net.parameters().get(0);
        for (int i = 0; i < w.length; i += 2) {
            float keep = w[i];
            w[i] = (float) (keep + h);
            double up = dot(net.forward(java, x, batch, samples, masks, true), g);
            w[i] = (float) (keep - h);
            double down = dot(net.forward(java, x, batch, samples, masks, true), g);
            w[i] = keep;
            assertEquals((up - down) / (2 * h), dw[i], 1e-2 * (1 + Math.abs((up - down) / (2 * h))), "conv dw[" + i + "]");
        }
        try (NativeKernels nk = new NativeKernels(2)) {
            float[] nOut = net.forward(nk, x, batch, samples, masks, true);
            assertArrayEquals(out, nOut, 1e-5f, "native forward");
            float[] nDx = net.backward(nk, g.clone(), true);
            assertArrayEquals(dx, nDx, 1e-5f, "native dx");
        }
    }

    @Test
    void aNetworkWithDropoutAfterAConvolutionSavesAndLoads() {
        Network net = net();
        Network back = ModelFile.decode(ModelFile.encode(net, null, null)).network();
        assertEquals(net.toString(), back.toString());
        float[] x = random(4 * 25, new Random(1));
        float[] want = new McPredictive(net, new JavaKernels(), 10, 2, false).predictClasses(x).meanProbs();
        assertArrayEquals(want, new McPredictive(back, new JavaKernels(), 10, 2, false).predictClasses(x).meanProbs());
    }
}

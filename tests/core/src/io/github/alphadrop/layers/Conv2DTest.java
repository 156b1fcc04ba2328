package io.github.alphadrop.layers;

import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.kernels.NativeKernels;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Conv2D against a direct convolution in double, on the Java and every native backend, at edge shapes
 * (1x1 and 5x5 kernels, odd sizes, one and several channels, valid and same padding); its backward
 * against finite differences.
 */
class Conv2DTest {

    record Shape(int h, int w, int c, int kh, int kw, int f, Conv2D.Padding pad) {
    }

    static final Shape[] SHAPES = {
            new Shape(1, 1, 1, 1, 1, 1, Conv2D.Padding.VALID),
            new Shape(5, 5, 1, 1, 1, 2, Conv2D.Padding.SAME),
            new Shape(6, 5, 3, 3, 3, 4, Conv2D.Padding.SAME),
            new Shape(7, 4, 2, 5, 5, 3, Conv2D.Padding.SAME),
            new Shape(5, 7, 4, 3, 2, 2, Conv2D.Padding.VALID),
            new Shape(9, 9, 1, 5, 5, 17, Conv2D.Padding.VALID),
    };

    private static float[] random(int n, Random r) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    /** The convolution from its definition, in double, before the activation. */
    private static double[] direct(Shape s, Conv2D conv, float[] x, int rows, float[] w, float[] b) {
        int oh = conv.outHeight(), ow = conv.outWidth();
        int pt = s.pad() == Conv2D.Padding.SAME ? (s.kh() - 1) / 2 : 0;
        int pl = s.pad() == Conv2D.Padding.SAME ? (s.kw() - 1) / 2 : 0;
        double[] z = new double[rows * oh * ow * s.f()];
        for (int n = 0; n < rows; n++) {
            for (int oy = 0; oy < oh; oy++) {
                for (int ox = 0; ox < ow; ox++) {
                    for (int f = 0; f < s.f(); f++) {
                        double acc = b[f];
                        for (int dy = 0; dy < s.kh(); dy++) {
                            for (int dx = 0; dx < s.kw(); dx++) {
                                int iy = oy + dy - pt, ix = ox + dx - pl;
                                if (iy < 0 || iy >= s.h() || ix < 0 || ix >= s.w()) {
                                    continue;
                                }
                                for (int c = 0; c < s.c(); c++) {
                                    acc += (double) x[((n * s.h() + iy) * s.w() + ix) * s.c() + c]
                                            * w[((dy * s.kw() + dx) * s.c() + c) * s.f() + f];
                                }
                            }
                        }
                        z[((n * oh + oy) * ow + ox) * s.f() + f] = acc;
                    }
                }
            }
        }
        return z;
    }

    private static Kernels[] backends(NativeKernels... natives) {
        Kernels[] all = new Kernels[natives.length + 1];
        all[0] = new JavaKernels();
        System.arraycopy(natives, 0, all, 1, natives.length);
        return all;
    }

    @Test
    void forwardIsTheConvolutionOnEveryBackend() {
        Random r = new Random(1);
        try (NativeKernels nk = new NativeKernels(2)) {
            for (Kernels k : backends(nk)) {
                for (Shape s : SHAPES) {
                    for (int rows : new int[]{1, 3}) {
                        for (Activation act : new Activation[]{Activation.IDENTITY, Activation.RELU}) {
                            Conv2D conv = new Conv2D(s.h(), s.w(), s.c(), s.kh(), s.kw(), s.f(), s.pad(), act);
                            float[] x = random(rows * conv.inputSize(), r);
                            float[] w = random(conv.taps() * s.f(), r);
                            float[] b = random(s.f(), r);
                            float[] z = conv.forward(k, x, rows, w, b);
                            double[] want = direct(s, conv, x, rows, w, b);
                            assertEquals(want.length, z.length, s + " output size");
                            for (int i = 0; i < want.length; i++) {
                                double expected = act == Activation.RELU ? Math.max(0, want[i]) : want[i];
                                assertEquals(expected, z[i], 1e-4 * (1 + Math.abs(expected)), k + " " + s + " z[" + i + "]");
                            }
                        }
                    }
                }
            }
        }
    }

    @Test
    void backwardMatchesFiniteDifferencesAndNativeMatchesJava() {
        Random r = new Random(2);
        try (NativeKernels nk = new NativeKernels(2)) {
            for (Shape s : SHAPES) {
                int rows = 2;
                Conv2D conv = new Conv2D(s.h(), s.w(), s.c(), s.kh(), s.kw(), s.f(), s.pad(), Activation.TANH);
                float[] x = random(rows * conv.inputSize(), r);
                float[] w = random(conv.taps() * s.f(), r);
                for (int i = 0; i < w.length; i++) {
                    w[i] *= 0.3f;
                }
                float[] b = random(s.f(), r);
                float[] g = random(rows * conv.outputSize(), r);
                JavaKernels java = new JavaKernels();
                float[] z = conv.forward(java, x, rows, w, b);
                Conv2D.Gradients grads = conv.backward(java, x, rows, w, z, g.clone());
                // L = sum g * z; central differences in double through the direct convolution.
                double h = 1e-3;
                for (int probe = 0; probe < 6; probe++) {
                    int i = r.nextInt(x.length);
                    float[] xp = x.clone(), xm = x.clone();
                    xp[i] += h;
                    xm[i] -= h;
                    double numeric = (loss(s, conv, xp, rows, w, b, g) - loss(s, conv, xm, rows, w, b, g)) / (2 * h);
                    assertEquals(numeric, grads.dx()[i], 2e-3 * (1 + Math.abs(numeric)), s + " dx[" + i + "]");
                    int j = r.nextInt(w.length);
                    float[] wp = w.clone(), wm = w.clone();
                    wp[j] += h;
                    wm[j] -= h;
                    double numericW = (loss(s, conv, x, rows, wp, b, g) - loss(s, conv, x, rows, wm, b, g)) / (2 * h);
                    assertEquals(numericW, grads.dw()[j], 2e-3 * (1 + Math.abs(numericW)), s + " dw[" + j + "]");
                }
                Conv2D.Gradients fromNative = conv.backward(nk, x, rows, w, conv.forward(nk, x, rows, w, b), g.clone());
                for (int i = 0; i < grads.dx().length; i++) {
                    assertEquals(grads.dx()[i], fromNative.dx()[i], 1e-4 * (1 + Math.abs(grads.dx()[i])), s + " native dx");
                }
                for (int i = 0; i < grads.dw().length; i++) {
                    assertEquals(grads.dw()[i], fromNative.dw()[i], 1e-3 * (1 + Math.abs(grads.dw()[i])), s + " native dw");
                }
                for (int i = 0; i < grads.db().length; i++) {
                    assertEquals(grads.db()[i], fromNative.db()[i], 1e-3 * (1 + Math.abs(grads.db()[i])), s + " native db");
                }
            }
        }
    }

    private static double loss(Shape s, Conv2D conv, float[] x, int rows, float[] w, float[] b, float[] g) {
        double[] pre = direct(s, conv, x, rows, w, b);
        double l = 0;
        for (int i = 0; i < pre.length; i++) {
            l += g[i] * Math.tanh(pre[i]);
        }
        return l;
    }

    @Test
    void badShapesAreNamed() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new Conv2D(3, 3, 1, 5, 5, 2, Conv2D.Padding.VALID, Activation.RELU));
        assertTrue(e.getMessage().contains("5x5 kernel does not fit a 3x3 input"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new Conv2D(3, 0, 1, 1, 1, 2, Conv2D.Padding.SAME, Activation.RELU));
        assertTrue(e.getMessage().contains("width must be >= 1, got 0"), e.getMessage());
        Conv2D conv = new Conv2D(4, 4, 2, 3, 3, 2, Conv2D.Padding.SAME, Activation.RELU);
        e = assertThrows(IllegalArgumentException.class, () -> conv.forward(new JavaKernels(), new float[31], 1,
                new float[conv.taps() * 2], null));
        assertTrue(e.getMessage().contains("x.length = 31 but 32 required"), e.getMessage());
    }
}

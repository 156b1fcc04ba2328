package io.github.alphadrop.kernels;

import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The convolution kernels: native (im2col per run of images + sgemm, every ISA this CPU has) against the
 * pure-Java direct loops, at edge shapes and at batches long enough to use many image runs and every dw
 * block; bit-identical for any thread count; arguments checked before native code runs.
 */
class ConvKernelTest {

    /** Edge shapes: 1x1 and 5x5 kernels, odd and non-square sizes, one and many channels, asymmetric padding. */
    static final ConvShape[] SHAPES = {
            ConvShape.valid(1, 1, 1, 1, 1, 1),
            ConvShape.same(5, 5, 1, 1, 1, 2),
            ConvShape.same(6, 5, 3, 3, 3, 4),
            ConvShape.same(7, 4, 2, 5, 5, 3),
            ConvShape.valid(5, 7, 4, 3, 2, 2),
            ConvShape.valid(9, 9, 1, 5, 5, 17),
            ConvShape.valid(28, 28, 1, 3, 3, 32),
            ConvShape.same(6, 6, 40, 3, 3, 33),
            new ConvShape(6, 6, 2, 4, 4, 3, 1, 2, 5, 6),
    };

    private static float[] random(int n, SplittableRandom r, double zeros) {
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = r.nextDouble() < zeros ? 0f : (float) (2 * r.nextDouble() - 1);
        }
        return v;
    }

    private record Result(float[] z, float[] dz, float[] dw, float[] db, float[] dx) {
    }

    private static Result run(Kernels k, ConvShape s, int images, float[] x, float[] w, float[] b, Activation act,
                              float[] g) {
        float[] z = new float[images * s.outputSize()];
        k.conv2dForward(s, images, FloatView.of(x), FloatView.of(w), b == null ? null : FloatView.of(b), act,
                FloatView.of(z));
        float[] dz = g.clone(), dw = new float[w.length], db = new float[s.filters()], dx = new float[x.length];
        k.conv2dBackward(s, images, FloatView.of(x), FloatView.of(w), FloatView.of(z), act, FloatView.of(dz),
                FloatView.of(dw), FloatView.of(db), FloatView.of(dx));
        return new Result(z, dz, dw, db, dx);
    }

    private static void assertClose(float[] want, float[] got, double tol, String what) {
        assertEquals(want.length, got.length, what + " length");
        double scale = 0;
        for (float v : want) {
            scale = Math.max(scale, Math.abs(v));
        }
        for (int i = 0; i < want.length; i++) {
            assertEquals(want[i], got[i], tol * (1 + scale), what + "[" + i + "]");
        }
    }

    @Test
    void nativeMatchesJavaOnEveryIsa() {
        SplittableRandom r = new SplittableRandom(7);
        JavaKernels java = new JavaKernels();
        for (Isa isa : Backends.supportedIsas()) {
            try (NativeKernels nk = new NativeKernels(2, isa)) {
                for (ConvShape s : SHAPES) {
                    for (int images : new int[]{1, 3}) {
                        for (Activation act : Activation.values()) {
                            float[] x = random(images * s.inputSize(), r, 0.3);
                            float[] w = random(s.taps() * s.filters(), r, 0);
                            float[] b = act == Activation.TANH ? null : random(s.filters(), r, 0);
                            float[] g = random(images * s.outputSize(), r, 0);
                            Result want = run(java, s, images, x, w, b, act, g);
                            Result got = run(nk, s, images, x, w, b, act, g);
                            String what = isa + " " + s + " images " + images + " " + act;
                            assertClose(want.z(), got.z(), 1e-5, what + " z");
                            // dz = g (1 - z²) under tanh carries z's rounding, times up to 2|g z|: z's tolerance.
                            assertClose(want.dz(), got.dz(), 1e-5, what + " dz");
                            assertClose(want.dw(), got.dw(), 1e-5, what + " dw");
                            assertClose(want.db(), got.db(), 1e-5, what + " db");
                            assertClose(want.dx(), got.dx(), 1e-5, what + " dx");
                        }
                    }
                }
            }
        }
    }

    /**
     * 40 images of 24x24 make 20 runs of 2 images and the full 16 dw blocks; 37 leaves a short last run. Three
     * channels (27 taps) take the direct path, four (36 taps) the patch-matrix one.
     */
    @Test
    void longBatchesAreBitIdenticalForAnyThreadCountAndMatchJava() {
        SplittableRandom r = new SplittableRandom(8);
        for (int[] run : new int[][]{{4, 40}, {4, 37}, {3, 40}, {3, 37}}) {
            ConvShape s = ConvShape.valid(26, 26, run[0], 3, 3, 8);
            int images = run[1];
            float[] x = random(images * s.inputSize(), r, 0.5);
            float[] w = random(s.taps() * s.filters(), r, 0);
            float[] b = random(s.filters(), r, 0);
            float[] g = random(images * s.outputSize(), r, 0);
            Result want = run(new JavaKernels(), s, images, x, w, b, Activation.RELU, g);
            Result one;
            try (NativeKernels k1 = new NativeKernels(1)) {
                one = run(k1, s, images, x, w, b, Activation.RELU, g);
            }
            try (NativeKernels k3 = new NativeKernels(3)) {
                Result three = run(k3, s, images, x, w, b, Activation.RELU, g);
                assertArrayEquals(one.z(), three.z(), "z, 1 vs 3 threads");
                assertArrayEquals(one.dw(), three.dw(), "dw, 1 vs 3 threads");
                assertArrayEquals(one.db(), three.db(), "db, 1 vs 3 threads");
                assertArrayEquals(one.dx(), three.dx(), "dx, 1 vs 3 threads");
            }
            assertClose(want.z(), one.z(), 1e-5, images + " images z");
            assertClose(want.dw(), one.dw(), 1e-5, images + " images dw");
            assertClose(want.db(), one.db(), 1e-5, images + " images db");
            assertClose(want.dx(), one.dx(), 1e-5, images + " images dx");
        }
    }

    @Test
    void worksOnNativeViewsAndWithoutOptionalOutputs() {
        SplittableRandom r = new SplittableRandom(9);
        ConvShape s = ConvShape.same(5, 6, 3, 3, 3, 4);
        int images = 2;
        float[] x = random(images * s.inputSize(), r, 0);
        float[] w = random(s.taps() * s.filters(), r, 0);
        float[] g = random(images * s.outputSize(), r, 0);
        Result want = run(new JavaKernels(), s, images, x, w, null, Activation.IDENTITY, g);
        try (NativeKernels nk = new NativeKernels(2); FloatPointer px = new FloatPointer(x);
             FloatPointer pz = new FloatPointer(images * s.outputSize()); FloatPointer pdw = new FloatPointer(w.length)) {
            nk.conv2dForward(s, images, FloatView.of(px), FloatView.of(w), null, Activation.IDENTITY, FloatView.of(pz));
            float[] z = new float[images * s.outputSize()];
            pz.get(z);
            assertClose(want.z(), z, 1e-5, "z through a FloatPointer");
            // Identity needs no z; the first layer needs no dx and may skip db.
            nk.conv2dBackward(s, images, FloatView.of(px), FloatView.of(w), null, Activation.IDENTITY,
                    FloatView.of(g.clone()), FloatView.of(pdw), null, null);
            float[] dw = new float[w.length];
            pdw.get(dw);
            assertClose(want.dw(), dw, 1e-5, "dw through a FloatPointer");
        }
    }

    @Test
    void badArgumentsAreNamedBeforeNativeCode() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> new ConvShape(5, 5, 1, 3, 3, 2, 3, 0, 5, 5));
        assertTrue(e.getMessage().contains("padTop must be in [0, kernelH = 3), got 3"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> new ConvShape(5, 5, 1, 3, 3, 2, 0, 0, 6, 3));
        assertTrue(e.getMessage().contains("outHeight = 6 does not fit height 5"), e.getMessage());
        e = assertThrows(IllegalArgumentException.class, () -> ConvShape.valid(5, 5, 0, 3, 3, 2));
        assertTrue(e.getMessage().contains("channels must be >= 1, got 0"), e.getMessage());
        ConvShape s = ConvShape.valid(5, 5, 2, 3, 3, 4);
        float[] w = new float[s.taps() * 4];
        try (NativeKernels nk = new NativeKernels(1)) {
            e = assertThrows(IllegalArgumentException.class, () -> nk.conv2dForward(s, 2, FloatView.of(new float[49]),
                    FloatView.of(w), null, Activation.RELU, FloatView.of(new float[2 * s.outputSize()])));
            assertTrue(e.getMessage().contains("x.length = 49 but images*inputSize = 100 required"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> nk.conv2dForward(s, 0, FloatView.of(new float[50]),
                    FloatView.of(w), null, Activation.RELU, FloatView.of(new float[s.outputSize()])));
            assertTrue(e.getMessage().contains("images must be >= 1, got 0"), e.getMessage());
            float[] x = new float[s.inputSize()];
            float[] z = new float[s.outputSize()];
            e = assertThrows(IllegalArgumentException.class, () -> nk.conv2dBackward(s, 1, FloatView.of(x),
                    FloatView.of(w), FloatView.of(z), Activation.RELU, FloatView.of(z), FloatView.of(new float[w.length]),
                    null, null));
            assertTrue(e.getMessage().contains("dz and z share memory"), e.getMessage());
            e = assertThrows(IllegalArgumentException.class, () -> nk.conv2dBackward(s, 1, FloatView.of(x),
                    FloatView.of(w), null, Activation.TANH, FloatView.of(z.clone()), FloatView.of(new float[w.length]),
                    null, null));
            assertTrue(e.getMessage().contains("z must not be null for activation TANH"), e.getMessage());
        }
    }
}

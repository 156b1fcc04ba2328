package io.github.alphadrop.kernels;

import org.bytedeco.javacpp.FloatPointer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Every kernel on every kind of memory: heap arrays at an offset, JavaCPP pointers at a position, direct
 * and heap {@link FloatBuffer}s at a position. Each matrix sits inside a larger store between sentinels;
 * the results must equal the same backend's whole-array call to the bit, inputs must be unchanged, and
 * no byte outside a view may be written.
 */
class MemoryViewTest {

    private static final int BEFORE = 5;
    private static final int AFTER = 16;
    private static final float SENTINEL = -12345.678f;

    enum Kind { HEAP_OFFSET, POINTER, DIRECT_BUFFER, HEAP_BUFFER }

    /** A matrix placed in a store of some kind between sentinels. */
    static final class Placed implements AutoCloseable {
        final Kind kind;
        final int n;
        final float[] heap;
        final FloatPointer pointer;
        final FloatBuffer buffer;
        final FloatView view;

        Placed(Kind kind, float[] data) {
            this.kind = kind;
            this.n = data.length;
            int total = BEFORE + n + AFTER;
            float[] store = new float[total];
            java.util.Arrays.fill(store, SENTINEL);
            System.arraycopy(data, 0, store, BEFORE, n);
            switch (kind) {
                case HEAP_OFFSET -> {
                    heap = store;
                    pointer = null;
                    buffer = null;
                    view = FloatView.of(store, BEFORE, n);
                }
                case POINTER -> {
                    heap = null;
                    buffer = null;
                    pointer = new FloatPointer(store);
                    view = FloatView.of(new FloatPointer(pointer).position(BEFORE).limit(BEFORE + n));
                }
                case DIRECT_BUFFER -> {
                    heap = null;
                    pointer = null;
                    buffer = ByteBuffer.allocateDirect(total * 4).order(ByteOrder.nativeOrder()).asFloatBuffer();
                    buffer.put(store).clear();
                    view = FloatView.of(buffer.position(BEFORE).limit(BEFORE + n));
                }
                default -> {
                    heap = store;
                    pointer = null;
                    buffer = FloatBuffer.wrap(store, BEFORE, n);
                    view = FloatView.of(buffer);
                }
            }
        }

        float[] store() {
            int total = BEFORE + n + AFTER;
            float[] out = new float[total];
            if (heap != null) {
                System.arraycopy(heap, 0, out, 0, total);
            } else if (pointer != null) {
                pointer.position(0).get(out, 0, total);
            } else {
                buffer.duplicate().clear().get(out, 0, total);
            }
            return out;
        }

        /** The matrix's contents, after checking every sentinel around it is intact. */
        float[] contents(String name) {
            float[] s = store();
            for (int i = 0; i < s.length; i++) {
                if ((i < BEFORE || i >= BEFORE + n) && Float.floatToRawIntBits(s[i]) != Float.floatToRawIntBits(SENTINEL)) {
                    fail(kind + " " + name + ": element " + (i - BEFORE) + " outside the view of length " + n
                            + " was written: " + s[i]);
                }
            }
            return java.util.Arrays.copyOfRange(s, BEFORE, BEFORE + n);
        }

        @Override
        public void close() {
            if (pointer != null) {
                pointer.close();
            }
        }
    }

    static Stream<Arguments> cases() {
        List<Arguments> out = new ArrayList<>();
        List<Kernels> backends = Backends.all().toList();
        for (Kernels k : backends) {
            for (Kind kind : Kind.values()) {
                out.add(Arguments.of(k, kind));
            }
        }
        return out.stream();
    }

    private static float[] random(int n, long seed) {
        Random r = new Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian();
        }
        return v;
    }

    private static void assertBits(float[] expected, float[] actual, String what) {
        assertEquals(expected.length, actual.length, what);
        for (int i = 0; i < expected.length; i++) {
            if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                fail(what + "[" + i + "] = " + actual[i] + ", whole-array call gave " + expected[i]);
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}", autoCloseArguments = false)
    @MethodSource("cases")
    void masksOfEveryWidthStayInsideTheView(Kernels k, Kind kind) {
        // Widths under 8 are the narrow mask path, whose 8-wide stores spill into the next rows.
        for (float p : new float[]{0.5f, 0.3f}) {
            Dropout d = new Dropout(99, 1, 2, p);
            for (int cols : new int[]{1, 3, 6, 7, 8, 9, 50, 129}) {
                int rows = 37;
                float[] whole = new float[rows * cols];
                k.dropoutMask(d, 3, rows, cols, whole);
                try (Placed mask = new Placed(kind, new float[rows * cols])) {
                    k.dropoutMask(d, 3, rows, cols, mask.view);
                    assertBits(whole, mask.contents("mask"), k + " " + kind + " cols=" + cols + " mask");
                }
            }
        }
    }

    @ParameterizedTest(name = "{0} {1}", autoCloseArguments = false)
    @MethodSource("cases")
    void forwardBackwardAndLossesOnViewsEqualWholeArrays(Kernels k, Kind kind) {
        for (boolean shared : new boolean[]{true, false}) {
            int batch = 3, samples = 4, in = 6, out = 13, rows = batch * samples;
            Dropout d = new Dropout(5, 2, 0, 0.25f);
            float[] a = random((shared ? batch : rows) * in, 1);
            float[] w = random(in * out, 2);
            float[] bias = random(out, 3);
            float[] dz0 = random(rows * out, 4);

            float[] z = new float[rows * out];
            k.dropoutMatmulForward(d, batch, samples, shared, in, out, a, w, bias, Activation.RELU, z);
            float[] dz = dz0.clone();
            float[] dw = new float[in * out];
            float[] db = new float[out];
            float[] da = new float[a.length];
            k.dropoutMatmulBackward(d, batch, samples, shared, in, out, a, w, z, Activation.RELU, dz, dw, db, da);

            String what = k + " " + kind + (shared ? " shared" : " per-sample");
            try (Placed va = new Placed(kind, a); Placed vw = new Placed(kind, w); Placed vb = new Placed(kind, bias);
                 Placed vz = new Placed(kind, new float[rows * out])) {
                k.dropoutMatmulForward(d, batch, samples, shared, in, out, va.view, vw.view, vb.view, Activation.RELU,
                        vz.view);
                assertBits(z, vz.contents("z"), what + " z");
                assertBits(a, va.contents("a"), what + " a (an input)");
                try (Placed vdz = new Placed(kind, dz0); Placed vdw = new Placed(kind, new float[in * out]);
                     Placed vdb = new Placed(kind, new float[out]); Placed vda = new Placed(kind, new float[a.length])) {
                    k.dropoutMatmulBackward(d, batch, samples, shared, in, out, va.view, vw.view, vz.view,
                            Activation.RELU, vdz.view, vdw.view, vdb.view, vda.view);
                    assertBits(dz, vdz.contents("dz"), what + " dz (overwritten in place)");
                    assertBits(dw, vdw.contents("dw"), what + " dw");
                    assertBits(db, vdb.contents("db"), what + " db");
                    assertBits(da, vda.contents("da"), what + " da");
                    assertBits(w, vw.contents("w"), what + " w (an input)");
                }
            }
        }

        int batch = 4, samples = 3, classes = 5;
        float[] logits = random(batch * samples * classes, 7);
        int[] labels = {0, 4, 2, 1};
        float[] loss = new float[batch];
        float[] grad = new float[logits.length];
        double mean = k.alphaLossCategorical(batch, samples, classes, logits, labels, 0.5f, loss, grad);
        try (Placed vl = new Placed(kind, logits); Placed vloss = new Placed(kind, new float[batch]);
             Placed vg = new Placed(kind, new float[logits.length])) {
            double viewMean = k.alphaLossCategorical(batch, samples, classes, vl.view, labels, 0.5f, vloss.view, vg.view);
            assertEquals(mean, viewMean, 0.0, k + " " + kind + " categorical mean");
            assertBits(loss, vloss.contents("lossPerPoint"), k + " " + kind + " lossPerPoint");
            assertBits(grad, vg.contents("dlogits"), k + " " + kind + " dlogits");
        }

        int dims = 2;
        float[] f = random(batch * samples * dims, 8);
        float[] y = random(batch * dims, 9);
        float[] df = new float[f.length];
        float[] dTau = new float[1];
        double gMean = k.alphaLossGaussian(batch, samples, dims, f, y, 0.3f, 1f, loss, df, dTau);
        try (Placed vf = new Placed(kind, f); Placed vy = new Placed(kind, y); Placed vloss = new Placed(kind, new float[batch]);
             Placed vdf = new Placed(kind, new float[f.length]); Placed vt = new Placed(kind, new float[1])) {
            double viewMean = k.alphaLossGaussian(batch, samples, dims, vf.view, vy.view, 0.3f, 1f, vloss.view, vdf.view,
                    vt.view);
            assertEquals(gMean, viewMean, 0.0, k + " " + kind + " gaussian mean");
            assertBits(loss, vloss.contents("lossPerPoint"), k + " " + kind + " gaussian lossPerPoint");
            assertBits(df, vdf.contents("df"), k + " " + kind + " df");
            assertBits(dTau, vt.contents("dLogTau"), k + " " + kind + " dLogTau");
        }
    }

    // ---------------------------------------------------------------- bad views

    private static void assertBad(Runnable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call::run);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should contain '" + f + "'");
        }
    }

    @Test
    void badViewsAreRejectedNamingTheProblem() {
        assertBad(() -> FloatView.of((float[]) null), "array must not be null");
        assertBad(() -> FloatView.of(new float[4], 3, 2), "offset = 3", "length = 2", "length 4");
        assertBad(() -> FloatView.of(new float[4], -1, 2), "offset = -1");
        assertBad(() -> FloatView.of((FloatPointer) null), "pointer must not be null");
        FloatPointer freed = new FloatPointer(4);
        freed.close();
        assertBad(() -> FloatView.of(freed), "deallocated");
        FloatPointer unknownLength = new FloatPointer(8);
        assertBad(() -> FloatView.of(new FloatPointer(unknownLength).position(8)), "no elements", "position = 8");
        unknownLength.close();
        FloatBuffer bigEndian = ByteBuffer.allocateDirect(16).asFloatBuffer();
        assertBad(() -> FloatView.of(bigEndian), "BIG_ENDIAN", "nativeOrder");
        assertBad(() -> FloatView.of(FloatBuffer.wrap(new float[4]).asReadOnlyBuffer()), "read-only");
        assertBad(() -> FloatView.of((FloatBuffer) null), "buffer must not be null");
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.github.alphadrop.kernels.Backends#all")
    void aShortViewIsABadArgumentBeforeAnyNativeCall(Kernels k) {
        Dropout d = new Dropout(1, 0, 0, 0.5f);
        float[] big = new float[100];
        assertBad(() -> k.dropoutMask(d, 0, 4, 5, FloatView.of(big, 90, 10)), "mask.length = 10", "rows*cols = 20");
        try (FloatPointer p = new FloatPointer(30)) {
            FloatView shortPointer = FloatView.of(new FloatPointer(p).position(20));
            assertBad(() -> k.dropoutMatmulForward(d, 2, 2, true, 3, 4, FloatView.of(new float[6]), FloatView.of(new float[12]),
                    null, Activation.RELU, shortPointer), "z.length = 10", "batch*samples*out = 16");
        }
    }

    @ParameterizedTest(name = "{0}", autoCloseArguments = false)
    @MethodSource("io.github.alphadrop.kernels.Backends#all")
    void outputsThatAliasInputsOrEachOtherAreRejected(Kernels k) {
        Dropout d = new Dropout(1, 0, 0, 0.5f);
        int batch = 2, samples = 2, in = 3, out = 3, rows = 4;
        float[] big = new float[200];
        FloatView a = FloatView.of(big, 0, rows * in);
        FloatView w = FloatView.of(new float[in * out]);
        // z == a (in place), and z starting inside a: both rejected, before anything is written.
        assertBad(() -> k.dropoutMatmulForward(d, batch, samples, false, in, out, a, w, null, Activation.RELU,
                FloatView.of(big, 0, rows * out)), "z and a share memory");
        assertBad(() -> k.dropoutMatmulForward(d, batch, samples, false, in, out, a, w, null, Activation.RELU,
                FloatView.of(big, 5, rows * out)), "z and a share memory");
        // Adjacent but disjoint is fine.
        k.dropoutMatmulForward(d, batch, samples, false, in, out, a, w, null, Activation.RELU,
                FloatView.of(big, rows * in, rows * out));
        float[] z = new float[rows * out];
        FloatView dz = FloatView.of(new float[rows * out]);
        assertBad(() -> k.dropoutMatmulBackward(d, batch, samples, false, in, out, a, w, FloatView.of(z), Activation.RELU,
                dz, FloatView.of(new float[in * out]), null, a), "da and a share memory");
        float[] shared = new float[in * out + out];
        assertBad(() -> k.dropoutMatmulBackward(d, batch, samples, false, in, out, a, w, FloatView.of(z), Activation.RELU,
                dz, FloatView.of(shared, 0, in * out), FloatView.of(shared, in * out - 1, out), null),
                "dw and db share memory");
        assertBad(() -> k.dropoutMatmulBackward(d, batch, samples, false, in, out, a, w, FloatView.of(z), Activation.RELU,
                FloatView.of(z), FloatView.of(new float[in * out]), null, null), "dz and z share memory");
        float[] logits = new float[rows * 5];
        assertBad(() -> k.alphaLossCategorical(batch, samples, 5, logits, new int[]{0, 1}, 0.5f, null, logits),
                "dlogits and logits share memory");
        try (FloatPointer p = new FloatPointer(100)) {
            FloatView pa = FloatView.of(new FloatPointer(p).limit(rows * in));
            FloatView pz = FloatView.of(new FloatPointer(p).position(rows * in - 1));
            assertBad(() -> k.dropoutMatmulForward(d, batch, samples, false, in, out, pa, w, null, Activation.RELU, pz),
                    "z and a share memory");
            k.dropoutMatmulForward(d, batch, samples, false, in, out, pa, w, null, Activation.RELU,
                    FloatView.of(new FloatPointer(p).position(rows * in)));
        }
    }

    @Test
    void stagingGrowsToTheLargestCallAndIsFreedOnClose() {
        NativeKernels k = new NativeKernels(1);
        assertEquals(0, k.stagingBytes());
        k.dropoutMask(new Dropout(1, 0, 0, 0.5f), 0, 10, 100, new float[1000]);
        long after = k.stagingBytes();
        assertTrue(after >= 1000 * 4, "staging holds the 1000-float mask: " + after);
        try (FloatPointer p = new FloatPointer(1000)) {
            k.dropoutMask(new Dropout(1, 0, 0, 0.5f), 0, 10, 100, FloatView.of(p));
        }
        assertEquals(after, k.stagingBytes(), "native views are not staged");
        k.close();
        assertThrows(IllegalStateException.class, k::stagingBytes);
    }
}

package io.github.alphadrop.kernels;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The native kernels ship in the build and bind to the bytedeco OpenBLAS 0.3.31, never a system BLAS. */
class NativeLoadingTest {

    @Test
    void bindsToTheBytedecoOpenBlas() {
        assertTrue(NativeKernels.isAvailable(), () -> "native kernels failed to load: " + NativeKernels.loadFailure());
        String config = NativeKernels.openblasConfig();
        assertTrue(config.startsWith("OpenBLAS 0.3.31"), config);
        assertEquals("0.1.0", NativeKernels.version());
    }

    @Test
    void threadSettingIsValidatedAndApplied() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> NativeKernels.setThreads(0));
        assertTrue(e.getMessage().contains("threads") && e.getMessage().contains("0"), e.getMessage());
        NativeKernels.setThreads(1);
        assertEquals(1, NativeKernels.threads());
        NativeKernels.setThreads(2);
        assertEquals(2, NativeKernels.threads());
    }

    @Test
    void resultsAreBitIdenticalForAnyThreadCount() {
        int b = 37, k = 10, d = 129, h = 65;
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        float[] a = new float[b * d], w = new float[d * h], bias = new float[h];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble();
        for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextDouble() - 0.5);
        Dropout drop = new Dropout(5, 1, 0, 0.5f);
        float[][] z = new float[2][b * k * h];
        float[][] dw = new float[2][d * h];
        for (int t = 1; t <= 2; t++) {
            NativeKernels kernels = new NativeKernels(t);
            kernels.dropoutMatmulForward(drop, b, k, true, d, h, a, w, bias, Activation.RELU, z[t - 1]);
            float[] dz = z[t - 1].clone();
            kernels.dropoutMatmulBackward(drop, b, k, true, d, h, a, w, z[t - 1], Activation.RELU, dz, dw[t - 1], null, null);
        }
        assertArrayEquals(z[0], z[1], 0f);
        assertArrayEquals(dw[0], dw[1], 0f);
        NativeKernels.setThreads(2);
    }
}

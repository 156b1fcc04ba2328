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
    void threadCountIsValidatedAndCappedAtTheCores() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> new NativeKernels(0));
        assertTrue(e.getMessage().contains("threads") && e.getMessage().contains("0"), e.getMessage());
        try (NativeKernels one = new NativeKernels(1)) {
            assertEquals(1, one.threads());
        }
        int cores = Runtime.getRuntime().availableProcessors();
        try (NativeKernels many = new NativeKernels(1_000_000_000)) {
            assertEquals(cores, many.threads());
        }
    }

    @Test
    void aClosedBackendRefusesCalls() {
        NativeKernels kernels = new NativeKernels(1);
        kernels.close();
        kernels.close(); // idempotent
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> kernels.dropoutMask(new Dropout(1, 0, 0, 0.5f), 0, 1, 4, new float[4]));
        assertTrue(e.getMessage().contains("closed"), e.getMessage());
    }

    @Test
    void resultsAreBitIdenticalForAnyThreadCount() {
        int b = 37, k = 10, d = 129, h = 65;
        java.util.SplittableRandom r = new java.util.SplittableRandom(3);
        float[] a = new float[b * d], w = new float[d * h], bias = new float[h];
        for (int i = 0; i < a.length; i++) a[i] = (float) r.nextDouble();
        for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextDouble() - 0.5);
        Dropout drop = new Dropout(5, 1, 0, 0.5f);
        for (Isa isa : Backends.supportedIsas()) {
            float[][] z = new float[2][b * k * h];
            float[][] dw = new float[2][d * h];
            for (int t = 1; t <= 2; t++) {
                try (NativeKernels kernels = new NativeKernels(t, isa)) {
                    kernels.dropoutMatmulForward(drop, b, k, true, d, h, a, w, bias, Activation.RELU, z[t - 1]);
                    float[] dz = z[t - 1].clone();
                    kernels.dropoutMatmulBackward(drop, b, k, true, d, h, a, w, z[t - 1], Activation.RELU, dz,
                            dw[t - 1], null, null);
                }
            }
            assertArrayEquals(z[0], z[1], 0f, isa.label());
            assertArrayEquals(dw[0], dw[1], 0f, isa.label());
        }
    }
}

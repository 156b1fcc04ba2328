package io.github.alphadrop.kernels;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

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

    /**
     * AVX2 and AVX-512 sum every output in the same order (the same k blocks; within a block one FMA per
     * term in ascending k; the same sparse-path order), so their results agree to the bit, although their
     * tiles differ. The baseline (OpenBLAS) orders its sums differently and is held to the tolerance only.
     */
    @Test
    void avx2AndAvx512AgreeToTheBit() {
        assumeTrue(NativeKernels.bestIsa() == Isa.AVX512, "this CPU has no AVX-512: " + NativeKernels.isaReport());
        int b = 29, k = 7, d = 301, h = 77;
        java.util.SplittableRandom r = new java.util.SplittableRandom(11);
        float[] a = new float[b * k * d], w = new float[d * h], bias = new float[h], w2 = new float[h * h];
        for (int i = 0; i < a.length; i++) a[i] = r.nextDouble() < 0.4 ? 0f : (float) r.nextDouble();
        for (int i = 0; i < w.length; i++) w[i] = (float) (r.nextDouble() - 0.5);
        for (int i = 0; i < w2.length; i++) w2[i] = (float) (r.nextDouble() - 0.5);
        Dropout drop = new Dropout(9, 2, 1, 0.5f);
        for (NativeKernels.SparseMode mode : NativeKernels.SparseMode.values()) {
            float[][] z = new float[2][b * k * h], z2 = new float[2][b * k * h], dw = new float[2][d * h],
                    da = new float[2][b * k * d], dw2 = new float[2][h * h], da2 = new float[2][b * k * h];
            Isa[] isas = {Isa.AVX2, Isa.AVX512};
            for (int i = 0; i < 2; i++) {
                try (NativeKernels kernels = new NativeKernels(2, isas[i])) {
                    kernels.setSparseMode(mode);
                    kernels.dropoutMatmulForward(drop, b, k, false, d, h, a, w, bias, Activation.RELU, z[i]);
                    kernels.dropoutMatmulForward(drop, b, k, false, h, h, z[i], w2, null, Activation.RELU, z2[i]);
                    float[] g2 = z2[i].clone();
                    kernels.dropoutMatmulBackward(drop, b, k, false, h, h, z[i], w2, z2[i], Activation.RELU, g2,
                            dw2[i], null, da2[i]);
                    float[] g = da2[i].clone();
                    kernels.dropoutMatmulBackward(drop, b, k, false, d, h, a, w, z[i], Activation.RELU, g, dw[i],
                            null, da[i]);
                }
            }
            for (float[][] pair : new float[][][] {z, z2, dw, da, dw2, da2}) {
                assertArrayEquals(pair[0], pair[1], 0f, "sparse mode " + mode);
            }
        }
    }
}

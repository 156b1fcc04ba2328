package io.github.alphadrop.kernels;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.Random;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The sparse path (terms whose masked input is zero skipped) against the double-precision reference and
 * against the dense path of the same ISA, at input densities from 0 to 1 and drop rates up to 0.9, with
 * rows that are all zero; and the automatic choice between the two paths, seen through the counters.
 */
class SparsePathTest {

    static Stream<Isa> isas() {
        return Backends.supportedIsas().stream().filter(isa -> isa != Isa.BASELINE);
    }

    /** a with a fraction `zeros` of exact zeros, and rows 0 and 3 all zero. */
    static float[] input(Random random, int rows, int in, double zeros) {
        float[] a = Reference.uniform(random, rows * in, -1f, 1f);
        for (int i = 0; i < a.length; i++) {
            if (random.nextDouble() < zeros || i / in == 0 || i / in == 3) {
                a[i] = 0f;
            }
        }
        return a;
    }

    /** (m .* a)^T dz in double from the masked input x (rows × in), and the sums of the terms' magnitudes. */
    static double[][] referenceDw(double[] x, float[] dz, int rows, int in, int out) {
        double[] sum = new double[in * out], abs = new double[in * out];
        for (int d = 0; d < in; d++) {
            for (int h = 0; h < out; h++) {
                for (int r = 0; r < rows; r++) {
                    double term = x[r * in + d] * dz[r * out + h];
                    sum[d * out + h] += term;
                    abs[d * out + h] += Math.abs(term);
                }
            }
        }
        return new double[][] {sum, abs};
    }

    @ParameterizedTest
    @MethodSource("isas")
    void sparseEqualsDenseAndReferenceAtEveryDensity(Isa isa) {
        assumeTrue(isa.compareTo(NativeKernels.bestIsa()) <= 0, "this CPU has no " + isa.label());
        int batch = 7, samples = 3, in = 53, out = 45, rows = batch * samples;
        Random random = new Random(17);
        try (NativeKernels sparse = new NativeKernels(2, isa); NativeKernels dense = new NativeKernels(2, isa)) {
            sparse.setSparseMode(NativeKernels.SparseMode.ALWAYS);
            dense.setSparseMode(NativeKernels.SparseMode.NEVER);
            for (double zeros : new double[] {0.0, 0.3, 0.7, 1.0}) {
                for (float p : new float[] {0f, 0.5f, 0.9f}) {
                    for (boolean shared : new boolean[] {true, false}) {
                        float[] a = input(random, shared ? batch : rows, in, zeros);
                        float[] w = Reference.uniform(random, in * out, -1f, 1f);
                        float[] bias = Reference.uniform(random, out, -1f, 1f);
                        Dropout dropout = new Dropout(random.nextLong(), 4, 1, p);
                        float[] mask = Reference.mask(dropout, 0, rows, in);
                        double[] x = Reference.maskedInput(mask, batch, samples, shared, in, Reference.toDouble(a));
                        double[] pre = Reference.preActivation(x, rows, in, out, Reference.toDouble(w), Reference.toDouble(bias));
                        double[] scale = Reference.absScale(x, rows, in, out, Reference.toDouble(w), Reference.toDouble(bias));
                        float[] zs = new float[rows * out], zd = new float[rows * out];
                        sparse.dropoutMatmulForward(dropout, batch, samples, shared, in, out, a, w, bias, Activation.RELU, zs);
                        dense.dropoutMatmulForward(dropout, batch, samples, shared, in, out, a, w, bias, Activation.RELU, zd);
                        String what = isa.label() + " zeros=" + zeros + " p=" + p + " shared=" + shared;
                        for (int i = 0; i < zs.length; i++) {
                            double expected = Math.max(0, pre[i]);
                            double tol = 1e-5 * scale[i] + 1e-7;
                            assertEquals(expected, zs[i], tol, what + ": sparse z[" + i + "]");
                            assertEquals(zd[i], zs[i], 2 * tol, what + ": sparse vs dense z[" + i + "]");
                        }
                        // Backward: dW from both paths against the reference (m .* a)^T dz.
                        float[] dz = Reference.uniform(random, rows * out, -1f, 1f);
                        float[] dws = new float[in * out], dwd = new float[in * out];
                        sparse.dropoutMatmulBackward(dropout, batch, samples, shared, in, out, a, w, null,
                                Activation.IDENTITY, dz.clone(), dws, null, null);
                        dense.dropoutMatmulBackward(dropout, batch, samples, shared, in, out, a, w, null,
                                Activation.IDENTITY, dz.clone(), dwd, null, null);
                        double[][] ref = referenceDw(x, dz, rows, in, out);
                        for (int i = 0; i < in * out; i++) {
                            double tol = 1e-5 * ref[1][i] + 1e-7;
                            assertEquals(ref[0][i], dws[i], tol, what + ": sparse dW[" + i / out + "][" + i % out + "]");
                            assertEquals(dwd[i], dws[i], 2 * tol, what + ": sparse vs dense dW");
                        }
                    }
                }
            }
            NativeKernels.PathCounts cs = sparse.pathCounts(), cd = dense.pathCounts();
            assertEquals(0, cs.denseForward() + cs.denseDw(), cs.toString());
            assertEquals(0, cd.sparseForward() + cd.sparseDw(), cd.toString());
            assertTrue(cs.sparseForward() > 0 && cs.sparseDw() > 0, cs.toString());
        }
    }

    /**
     * The shared-input path (a datapoint's K rows multiplied together over the nonzero columns of its input)
     * against the reference: K below, at and above the row tiles (12 rows on AVX-512, 6 on AVX2) and the
     * 24-row groups, output widths with and without a partial last vector, an input wider than one 128-column
     * dW block, Bernoulli and Gaussian noise, all-zero inputs; bit-identical for 1 and 2 threads.
     */
    @ParameterizedTest
    @MethodSource("isas")
    void sharedInputPathEqualsReference(Isa isa) {
        assumeTrue(isa.compareTo(NativeKernels.bestIsa()) <= 0, "this CPU has no " + isa.label());
        int batch = 5, in = 137;
        Random random = new Random(23);
        try (NativeKernels two = new NativeKernels(2, isa); NativeKernels one = new NativeKernels(1, isa)) {
            two.setSparseMode(NativeKernels.SparseMode.ALWAYS);
            one.setSparseMode(NativeKernels.SparseMode.ALWAYS);
            for (int samples : new int[] {1, 5, 10, 13, 30}) {
                for (int out : new int[] {16, 45, 100}) {
                    for (double zeros : new double[] {0.0, 0.5, 1.0}) {
                        for (Dropout.Noise noise : new Dropout.Noise[] {Dropout.Noise.BERNOULLI, Dropout.Noise.GAUSSIAN}) {
                            float p = zeros == 0.5 ? 0f : 0.5f;
                            int rows = batch * samples;
                            float[] a = input(random, batch, in, zeros);
                            float[] w = Reference.uniform(random, in * out, -1f, 1f);
                            float[] bias = Reference.uniform(random, out, -1f, 1f);
                            Dropout dropout = new Dropout(random.nextLong(), 2, 0, p, noise);
                            float[] mask = Reference.mask(dropout, 0, rows, in);
                            double[] x = Reference.maskedInput(mask, batch, samples, true, in, Reference.toDouble(a));
                            double[] pre = Reference.preActivation(x, rows, in, out, Reference.toDouble(w), Reference.toDouble(bias));
                            double[] scale = Reference.absScale(x, rows, in, out, Reference.toDouble(w), Reference.toDouble(bias));
                            float[] z = new float[rows * out], z1 = new float[rows * out];
                            two.dropoutMatmulForward(dropout, batch, samples, true, in, out, a, w, bias, Activation.RELU, z);
                            one.dropoutMatmulForward(dropout, batch, samples, true, in, out, a, w, bias, Activation.RELU, z1);
                            String what = isa.label() + " K=" + samples + " out=" + out + " zeros=" + zeros + " p=" + p + " " + noise;
                            for (int i = 0; i < z.length; i++) {
                                assertEquals(Math.max(0, pre[i]), z[i], 1e-5 * scale[i] + 1e-7, what + ": z[" + i + "]");
                            }
                            assertArrayEquals(z1, z, what + ": 1 vs 2 threads");
                            float[] dz = Reference.uniform(random, rows * out, -1f, 1f);
                            float[] dw = new float[in * out], dw1 = new float[in * out];
                            two.dropoutMatmulBackward(dropout, batch, samples, true, in, out, a, w, null,
                                    Activation.IDENTITY, dz.clone(), dw, null, null);
                            one.dropoutMatmulBackward(dropout, batch, samples, true, in, out, a, w, null,
                                    Activation.IDENTITY, dz.clone(), dw1, null, null);
                            double[][] ref = referenceDw(x, dz, rows, in, out);
                            for (int i = 0; i < in * out; i++) {
                                assertEquals(ref[0][i], dw[i], 1e-5 * ref[1][i] + 1e-7, what + ": dW[" + i / out + "][" + i % out + "]");
                            }
                            assertArrayEquals(dw1, dw, what + ": dW 1 vs 2 threads");
                        }
                    }
                }
            }
            assertEquals(0, two.pathCounts().denseForward() + two.pathCounts().denseDw(), two.pathCounts().toString());
        }
    }

    @ParameterizedTest
    @MethodSource("isas")
    void autoTakesTheSparsePathOnlyForSparseInputs(Isa isa) {
        assumeTrue(isa.compareTo(NativeKernels.bestIsa()) <= 0, "this CPU has no " + isa.label());
        int batch = 16, samples = 4, in = 64, out = 64;
        Random random = new Random(5);
        float[] w = Reference.uniform(random, in * out, -1f, 1f);
        float[] z = new float[batch * samples * out];
        try (NativeKernels kernels = new NativeKernels(1, isa)) {
            assertEquals(NativeKernels.SparseMode.AUTO, kernels.sparseMode());
            Dropout half = new Dropout(1, 0, 0, 0.5f);
            // Dense input at p = 0.5: density 0.5, above the threshold.
            kernels.dropoutMatmulForward(half, batch, samples, true, in, out, input(random, batch, in, 0.0), w, null,
                    Activation.RELU, z);
            assertEquals(new NativeKernels.PathCounts(1, 0, 0, 0), kernels.pathCounts());
            // Half-zero input (like Fashion-MNIST pixels) at p = 0.5: density about 0.25.
            kernels.dropoutMatmulForward(half, batch, samples, true, in, out, input(random, batch, in, 0.5), w, null,
                    Activation.RELU, z);
            assertEquals(new NativeKernels.PathCounts(1, 1, 0, 0), kernels.pathCounts());
        }
    }
}

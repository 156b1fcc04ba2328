package io.github.alphadrop.kernels;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class DropoutMaskTest {

    static java.util.stream.Stream<Kernels> backends() {
        return Backends.all();
    }

    /** Bit-for-bit the spec: this is what makes Java and native masks identical. */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void maskIsExactlyTheSpec(Kernels kernels) {
        long[] seeds = {0L, 1L, -1L, 0x0123_4567_89ab_cdefL, Long.MIN_VALUE};
        float[] ps = {0.1f, 0.5f, 0.9f, 0.3337f, 1e-5f};
        for (long seed : seeds) {
            for (int c = 0; c < 2 * ps.length; c++) {
                float p = ps[c % ps.length];
                Dropout dropout = new Dropout(seed, 17, 3, p, c < ps.length ? Dropout.Noise.BERNOULLI : Dropout.Noise.GAUSSIAN);
                // 21 columns: two full Philox blocks and a partial one.
                int rowOffset = 5;
                int rows = 11;
                int cols = 21;
                float[] mask = new float[rows * cols];
                kernels.dropoutMask(dropout, rowOffset, rows, cols, mask);
                float[] expected = Reference.mask(dropout, rowOffset, rows, cols);
                for (int i = 0; i < mask.length; i++) {
                    if (Float.floatToRawIntBits(mask[i]) != Float.floatToRawIntBits(expected[i])) {
                        fail(kernels.name() + " " + dropout + ": mask[" + (rowOffset + i / cols) + "][" + (i % cols)
                                + "] = " + mask[i] + ", spec says " + expected[i]);
                    }
                }
            }
        }
    }

    /**
     * Narrow and wide rows: the native generator batches Philox counters across rows for narrow tiles and
     * writes whole 128-column blocks straight out for wide ones; every width must still be the spec.
     */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void everyRowWidthIsTheSpec(Kernels kernels) {
        for (float p : new float[] {0.3f, 0.5f, 0.25f, 0.0625f, 0.00390625f}) { // 16, 1, 2, 4 and 8-bit draws
            everyRowWidthIsTheSpec(kernels, new Dropout(0x5EEDL, 3, 1, p));
        }
        everyRowWidthIsTheSpec(kernels, new Dropout(0x5EEDL, 3, 1, 0.5f, Dropout.Noise.GAUSSIAN));
    }

    /** Gaussian noise has mean 1 and variance p/(1-p), as Bernoulli dropout of rate p, and is symmetric. */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void gaussianNoiseHasBernoulliDropoutsMoments(Kernels kernels) {
        for (float p : new float[] {0.05f, 0.5f, 0.8f}) {
            int rows = 200;
            int cols = 500;
            float[] mask = new float[rows * cols];
            kernels.dropoutMask(new Dropout(99L, 1, 2, p, Dropout.Noise.GAUSSIAN), 0, rows, cols, mask);
            double n = mask.length;
            double mean = 0;
            for (float m : mask) {
                mean += m;
            }
            mean /= n;
            double var = 0;
            double third = 0;
            for (float m : mask) {
                var += (m - mean) * (m - mean);
                third += Math.pow(m - mean, 3);
            }
            var /= n;
            double expectedVar = p / (1.0 - p);
            double skew = third / n / Math.pow(var, 1.5);
            String what = kernels.name() + " p=" + p;
            // 100,000 draws: the mean's standard error is sqrt(var / n), the variance's about var sqrt(2 / n).
            assertEquals(1.0, mean, 5 * Math.sqrt(expectedVar / n), what + " mean");
            assertEquals(expectedVar, var, 5 * expectedVar * Math.sqrt(2 / n), what + " variance");
            assertEquals(0.0, skew, 0.05, what + " skewness");
        }
    }

    private static void everyRowWidthIsTheSpec(Kernels kernels, Dropout dropout) {
        int rowOffset = 7;
        int rows = 37;
        for (int cols : new int[] {1, 7, 8, 9, 50, 127, 128, 129, 300, 784}) {
            float[] mask = new float[rows * cols];
            kernels.dropoutMask(dropout, rowOffset, rows, cols, mask);
            float[] expected = Reference.mask(dropout, rowOffset, rows, cols);
            for (int i = 0; i < mask.length; i++) {
                if (Float.floatToRawIntBits(mask[i]) != Float.floatToRawIntBits(expected[i])) {
                    fail(kernels.name() + " " + dropout + " cols=" + cols + ": mask[" + (rowOffset + i / cols) + "][" + (i % cols)
                            + "] = " + mask[i] + ", spec says " + expected[i]);
                }
            }
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void keepRateIsBinomial(Kernels kernels) {
        int rows = 100;
        int cols = 301;
        int n = rows * cols;
        for (float p : new float[] {0.1f, 0.5f, 0.9f, 0.25f, 0.0625f, 0.75f}) {
            Dropout dropout = new Dropout(987654321L, 2, 1, p);
            float[] mask = new float[n];
            kernels.dropoutMask(dropout, 0, rows, cols, mask);
            int kept = 0;
            for (float m : mask) {
                if (m != 0f) {
                    kept++;
                }
            }
            double q = 1.0 - dropout.threshold() / (double) (1 << dropout.bits());
            assertEquals(1.0 - p, q, 1.0 / 65536, "threshold resolution");
            double sigma = Math.sqrt(n * q * (1.0 - q));
            assertEquals(n * q, kept, 5 * sigma, kernels.name() + " p=" + p + ": kept " + kept + " of " + n);
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void multipliersAreZeroOrScale(Kernels kernels) {
        for (float p : new float[] {0.1f, 0.5f, 0.9f, 0.25f}) {
            Dropout dropout = new Dropout(5L, 0, 0, p);
            float[] mask = new float[64 * 37];
            kernels.dropoutMask(dropout, 0, 64, 37, mask);
            boolean sawZero = false;
            boolean sawScale = false;
            for (float m : mask) {
                if (m == 0f && Float.floatToRawIntBits(m) == 0) {
                    sawZero = true;
                } else if (Float.floatToRawIntBits(m) == Float.floatToRawIntBits(dropout.scale())) {
                    sawScale = true;
                } else {
                    fail(kernels.name() + " p=" + p + ": multiplier " + m + " is neither +0 nor " + dropout.scale());
                }
            }
            assertTrue(sawZero && sawScale, "p=" + p + " should both keep and drop in 2368 draws");
        }
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void zeroDropIsAllOnes(Kernels kernels) {
        for (Dropout dropout : new Dropout[] {Dropout.none(), new Dropout(-77L, 9, 4, 0f)}) {
            float[] mask = new float[13 * 9];
            java.util.Arrays.fill(mask, Float.NaN);
            kernels.dropoutMask(dropout, 3, 13, 9, mask);
            for (int i = 0; i < mask.length; i++) {
                assertEquals(1f, mask[i], dropout + " element " + i);
            }
        }
    }

    /** Each coordinate of the spec must actually reach the generator. */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void everyCoordinateChangesTheMask(Kernels kernels) {
        int cols = 256;
        Dropout base = new Dropout(42L, 7, 1, 0.5f);
        float[] baseMask = new float[2 * cols];
        kernels.dropoutMask(base, 0, 2, cols, baseMask);
        float[] row0 = java.util.Arrays.copyOfRange(baseMask, 0, cols);
        float[] row1 = java.util.Arrays.copyOfRange(baseMask, cols, 2 * cols);
        assertMostlyDifferent(row0, row1, "row 0 vs row 1");

        Dropout[] variants = {
            new Dropout(43L, 7, 1, 0.5f),
            new Dropout(42L | (1L << 32), 7, 1, 0.5f),   // high seed word only
            new Dropout(42L, 8, 1, 0.5f),
            new Dropout(42L, 7, 2, 0.5f),
        };
        String[] what = {"seed", "seed high word", "step", "layer"};
        for (int v = 0; v < variants.length; v++) {
            float[] other = new float[cols];
            kernels.dropoutMask(variants[v], 0, 1, cols, other);
            assertMostlyDifferent(row0, other, kernels.name() + " " + what[v]);
        }
    }

    /** Independent 50% masks disagree in about half the positions; 30..70% is a ±6 sigma band for 256. */
    private static void assertMostlyDifferent(float[] x, float[] y, String what) {
        int differ = 0;
        for (int i = 0; i < x.length; i++) {
            if (x[i] != y[i]) {
                differ++;
            }
        }
        double fraction = differ / (double) x.length;
        assertTrue(fraction > 0.3 && fraction < 0.7, what + ": masks differ in " + differ + " of " + x.length);
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void rowOffsetSelectsRowsOfTheBigMask(Kernels kernels) {
        Dropout dropout = new Dropout(1234L, 3, 0, 0.4f);
        int cols = 19;
        float[] big = new float[40 * cols];
        kernels.dropoutMask(dropout, 0, 40, cols, big);
        int offset = 13;
        int rows = 9;
        float[] part = new float[rows * cols + 5];
        java.util.Arrays.fill(part, -7f);
        kernels.dropoutMask(dropout, offset, rows, cols, part);
        for (int i = 0; i < rows * cols; i++) {
            assertEquals(big[offset * cols + i], part[i], "row " + (offset + i / cols) + " col " + (i % cols));
        }
        for (int i = rows * cols; i < part.length; i++) {
            assertEquals(-7f, part[i], "element " + i + " past rows*cols was written");
        }
    }
}

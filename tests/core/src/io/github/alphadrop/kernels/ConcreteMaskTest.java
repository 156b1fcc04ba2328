package io.github.alphadrop.kernels;

import org.junit.jupiter.api.Test;

import java.util.Arrays;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

/**
 * Concrete dropout's relaxed masks: the Java reference against the paper's formula written with log and exp, and
 * every native ISA (1 and 2 threads) against the Java reference to the bit.
 */
class ConcreteMaskTest {

    private static final long SEED = 0x0123_4567_89ab_cdefL;

    /** The paper's mask, written out: keep = 1 − sigmoid((logit(p) + logit(u)) / t), scaled by 1/(1 − p). */
    private static double paper(long seed, int step, int layer, double rho, int row, int col) {
        int[] block = new int[4];
        Philox.philox4x32(col / 4, row, layer, step, (int) seed, (int) (seed >>> 32), block);
        double u = (Integer.toUnsignedLong(block[col % 4]) + 0.5) / 4294967296.0;
        double p = 1 / (1 + Math.exp(-rho));
        double z = 1 / (1 + Math.exp(-(rho + Math.log(u / (1 - u))) / 0.1));
        return (1 - z) / (1 - p);
    }

    private static float[] mask(Kernels kernels, long seed, int step, int layer, float logit, int rowOffset, int rows,
                                int cols) {
        float[] m = new float[rows * cols + 3];
        m[rows * cols] = 42f; // past the end: must stay
        kernels.concreteMask(seed, step, layer, logit, rowOffset, rows, cols, FloatView.of(m, 0, rows * cols));
        assertEquals(42f, m[rows * cols], "wrote past rows*cols");
        return Arrays.copyOf(m, rows * cols);
    }

    @Test
    void javaReferenceIsThePapersFormula() {
        for (float logit : new float[]{-4.6f, -2.2f, 0f, 1.3f}) {
            float[] m = mask(new JavaKernels(), SEED, 9, 2, logit, 7, 5, 70);
            for (int i = 0; i < m.length; i++) {
                double expected = paper(SEED, 9, 2, logit, 7 + i / 70, i % 70);
                assertEquals(expected, m[i], 1e-5 * Math.max(1, expected),
                        "logit " + logit + " element " + i);
            }
        }
    }

    /** Bit for bit, which is what lets Java and native training of concrete dropout see the same masks. */
    @Test
    void everyNativeIsaEqualsTheJavaReferenceToTheBit() {
        JavaKernels reference = new JavaKernels();
        List<Isa> isas = Backends.supportedIsas();
        assertTrue(isas.contains(Isa.BASELINE), isas.toString());
        // -80: e^(-10ρ) overflows to +inf (every value 1); 30: p within 1e-13 of 1 (huge multipliers or 0).
        float[] logits = {-80f, -4.6f, -0.3f, 0f, 2.5f, 30f};
        // Widths around the native 64-column Philox batches; rows offset so the row word is not the index.
        int[] widths = {1, 3, 4, 13, 50, 63, 64, 65, 130};
        for (Isa isa : isas) {
            for (int threads : new int[]{1, 2}) {
                try (NativeKernels kernels = new NativeKernels(threads, isa)) {
                    for (float logit : logits) {
                        for (int cols : widths) {
                            int rows = 37;
                            float[] expected = mask(reference, SEED, 123, 5, logit, 1000, rows, cols);
                            float[] actual = mask(kernels, SEED, 123, 5, logit, 1000, rows, cols);
                            for (int i = 0; i < expected.length; i++) {
                                if (Float.floatToRawIntBits(expected[i]) != Float.floatToRawIntBits(actual[i])) {
                                    fail(isa.label() + " " + threads + " threads logit " + logit + " cols " + cols
                                            + ": mask[" + (i / cols) + "][" + (i % cols) + "] = " + actual[i]
                                            + ", Java says " + expected[i]);
                                }
                            }
                        }
                    }
                    // A large call that the pool splits across threads.
                    float[] expected = mask(reference, -7L, 4, 0, -1f, 0, 1000, 100);
                    float[] actual = mask(kernels, -7L, 4, 0, -1f, 0, 1000, 100);
                    assertEquals(0, Arrays.compare(expected, actual), isa.label() + " " + threads + " threads");
                }
            }
        }
    }

    /**
     * The mask is a relaxed Bernoulli draw: mean 1 (inverted scaling), and the relaxed indicator z is above 1/2,
     * i.e. m (1 − p) below 1/2, exactly when u > 1 − p: a fraction p.
     */
    @Test
    void masksHaveMeanOneAndDropAboutP() {
        for (double p : new double[]{0.1, 0.5}) {
            float logit = (float) Math.log(p / (1 - p));
            float[] m = mask(new JavaKernels(), 5L, 1, 0, logit, 0, 400, 250);
            double mean = 0;
            int dropped = 0;
            for (float v : m) {
                mean += v;
                dropped += v * (1 - p) < 0.5 ? 1 : 0;
            }
            mean /= m.length;
            assertEquals(1.0, mean, 0.01, "p " + p);
            assertEquals(p, dropped / (double) m.length, 0.005, "p " + p);
        }
    }

    @Test
    void badArgumentsAreRefusedByName() {
        for (Kernels k : Backends.all().toList()) {
            float[] m = new float[12];
            FloatView v = FloatView.of(m);
            for (float bad : new float[]{Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY, 40f}) {
                IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                        () -> k.concreteMask(1L, 0, 0, bad, 0, 3, 4, v), k.name() + " logit " + bad);
                assertTrue(e.getMessage().startsWith("logit: ") && e.getMessage().contains("got " + bad), e.getMessage());
            }
            assertTrue(assertThrows(IllegalArgumentException.class, () -> k.concreteMask(1L, -1, 0, 0f, 0, 3, 4, v))
                    .getMessage().contains("step must be >= 0, got -1"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> k.concreteMask(1L, 0, 65536, 0f, 0, 3, 4, v))
                    .getMessage().contains("layer must be in [0, 65536), got 65536"));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> k.concreteMask(1L, 0, 0, 0f, -2, 3, 4, v))
                    .getMessage().contains("rowOffset must be >= 0, got -2"));
            assertThrows(IllegalArgumentException.class, () -> k.concreteMask(1L, 0, 0, 0f, 0, 0, 4, v));
            assertThrows(IllegalArgumentException.class, () -> k.concreteMask(1L, 0, 0, 0f, 0, 4, 4, v));
            assertThrows(IllegalArgumentException.class,
                    () -> k.concreteMask(1L, 0, 0, 0f, Integer.MAX_VALUE, 2, 4, v));
            assertTrue(assertThrows(IllegalArgumentException.class, () -> k.concreteMask(1L, 0, 0, 0f, 0, 3, 4, null))
                    .getMessage().contains("mask"));
        }
    }
}

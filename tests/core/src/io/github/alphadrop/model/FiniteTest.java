package io.github.alphadrop.model;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.*;

/** The finite check against Float.isFinite on every kind of float, at every position of an array. */
class FiniteTest {

    @Test
    void allFiniteAgreesWithFloatIsFinite() {
        float[] special = {0f, -0f, 1f, -1f, Float.MIN_VALUE, -Float.MIN_VALUE, Float.MIN_NORMAL, Float.MAX_VALUE,
                -Float.MAX_VALUE, Float.NaN, Float.POSITIVE_INFINITY, Float.NEGATIVE_INFINITY,
                Float.intBitsToFloat(0x7fc00001), Float.intBitsToFloat(0xff800001), Float.intBitsToFloat(0x7f7fffff)};
        for (int length : new int[] {1, 7, 64, 1001}) {
            for (float v : special) {
                for (int at : new int[] {0, length / 2, length - 1}) {
                    float[] a = new float[length];
                    java.util.Arrays.fill(a, 0.5f);
                    a[at] = v;
                    assertEquals(Float.isFinite(v), Finite.allFinite(a), "value " + v + " (bits "
                            + Integer.toHexString(Float.floatToRawIntBits(v)) + ") at " + at + " of " + length);
                }
            }
        }
        assertTrue(Finite.allFinite(new float[0]));
    }

    @Test
    void requireFiniteNamesTheRowAndColumn() {
        float[] x = new float[12];
        x[7] = Float.NaN;
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> Finite.requireFinite(x, 4, "inputs"));
        assertEquals("inputs[row 1, column 3] = NaN: inputs must be finite numbers", e.getMessage());
    }
}

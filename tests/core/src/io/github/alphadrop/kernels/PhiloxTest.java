package io.github.alphadrop.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PhiloxTest {

    /**
     * Known answers published with Random123 (file tests/kat_vectors; the same lines appear in D. E. Shaw
     * Research's Random123-Boost, libs/random/test/test_philox.cpp, "cut-and-pasted from the kat_vectors
     * file"). Columns: rounds, counter[0..3], key[0..1], expected[0..3], all hex words.
     */
    @ParameterizedTest(name = "philox4x32-{0} ctr={1} {2} {3} {4} key={5} {6}")
    @CsvSource(delimiter = ' ', value = {
        "10 00000000 00000000 00000000 00000000 00000000 00000000 6627e8d5 e169c58d bc57ac4c 9b00dbd8",
        "10 ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff 408f276d 41c83b0e a20bc7c6 6d5451fd",
        "10 243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0 d16cfe09 94fdcceb 5001e420 24126ea1",
        // The 7-round answers pin the round function independently of the round count.
        "7 00000000 00000000 00000000 00000000 00000000 00000000 5f6fb709 0d893f64 4f121f81 4f730a48",
        "7 ffffffff ffffffff ffffffff ffffffff ffffffff ffffffff 5207ddc2 45165e59 4d8ee751 8c52f662",
        "7 243f6a88 85a308d3 13198a2e 03707344 a4093822 299f31d0 4dfccaba 190a87f0 c47362ba b6b5242a",
    })
    void knownAnswers(int rounds, String c0, String c1, String c2, String c3, String k0, String k1,
                      String e0, String e1, String e2, String e3) {
        int[] out = new int[4];
        Philox.philox4x32(rounds, hex(c0), hex(c1), hex(c2), hex(c3), hex(k0), hex(k1), out);
        int[] expected = {hex(e0), hex(e1), hex(e2), hex(e3)};
        assertArrayEquals(expected, out, () -> "got " + toHex(out));
        if (rounds == Philox.ROUNDS) {
            int[] out10 = new int[4];
            Philox.philox4x32(hex(c0), hex(c1), hex(c2), hex(c3), hex(k0), hex(k1), out10);
            assertArrayEquals(expected, out10, () -> "public 10-round entry point: got " + toHex(out10));
        }
    }

    /**
     * keep16 at seed 0, step 0, layer 0, row 0 reads block(ctr = 0, key = 0), whose output is the first
     * known answer: 6627e8d5 e169c58d bc57ac4c 9b00dbd8. Even columns take the low half of each word.
     */
    @Test
    void keep16ReadsTheZeroKnownAnswerInSpecOrder() {
        int[] expected = {0xe8d5, 0x6627, 0xc58d, 0xe169, 0xac4c, 0xbc57, 0xdbd8, 0x9b00};
        for (int col = 0; col < 8; col++) {
            assertEquals(expected[col], Philox.keep16(0L, 0, 0, 0, col), "col " + col);
        }
    }

    /** Pins where seed halves, step, layer, row and col/8 go in the key and counter. */
    @Test
    void keep16PlacesEveryCoordinateInItsWord() {
        long seed = 0x299f31d0_a4093822L;   // high word 299f31d0 -> key[1], low word a4093822 -> key[0]
        int step = 1234567;
        int layer = 3;
        int row = 70001;
        int group = 9;
        int[] block = new int[4];
        Philox.philox4x32(group, row, layer, step, 0xa4093822, 0x299f31d0, block);
        for (int j = 0; j < 8; j++) {
            int word = block[j >> 1];
            int expected = (j & 1) == 0 ? (word & 0xffff) : ((word >> 16) & 0xffff);
            assertEquals(expected, Philox.keep16(seed, step, layer, row, 8 * group + j), "col " + (8 * group + j));
        }
    }

    /** Narrow draws: n = 128 / bits columns per counter, draw j = bits [j·bits, (j+1)·bits) from word 0's bit 0. */
    @Test
    void narrowDrawsTakeConsecutiveBitFieldsOfOneBlock() {
        long seed = 0x1234_5678_9abc_def0L;
        int[] block = new int[4];
        for (int bits : new int[] {1, 2, 4, 8, 16}) {
            int n = 128 / bits;
            int group = 3;
            Philox.philox4x32(group, 11, 2, 5, (int) seed, (int) (seed >>> 32), block);
            long[] words = {block[0] & 0xFFFF_FFFFL, block[1] & 0xFFFF_FFFFL, block[2] & 0xFFFF_FFFFL,
                block[3] & 0xFFFF_FFFFL};
            for (int j = 0; j < n; j++) {
                int firstBit = j * bits;
                long expected = (words[firstBit / 32] >> (firstBit % 32)) % (1L << bits);
                assertEquals(expected, Philox.draw(seed, 5, 2, 11, group * n + j, bits), bits + " bits, draw " + j);
            }
        }
        assertEquals(Philox.keep16(seed, 5, 2, 11, 29), Philox.draw(seed, 5, 2, 11, 29, 16));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Philox.draw(0, 0, 0, 0, 0, 3))
                .getMessage().contains("bits must be 1, 2, 4, 8 or 16, got 3"));
    }

    /** p decides the draw width: exact keep probabilities for multiples of 1/256, 16 bits otherwise. */
    @Test
    void dropProbabilityChoosesTheNarrowestExactDraw() {
        float[] ps = {0.5f, 0.25f, 0.75f, 0.125f, 0.0625f, 1f / 256, 0.1f, 0.05f, 0.2f, 0.3337f};
        int[] bits = {1, 2, 2, 4, 4, 8, 16, 16, 16, 16};
        int[] thresholds = {1, 1, 3, 2, 1, 1, 6554, 3277, 13107, 21869};
        for (int i = 0; i < ps.length; i++) {
            Dropout d = new Dropout(0L, 0, 0, ps[i]);
            assertEquals(bits[i], d.bits(), "bits for p=" + ps[i]);
            assertEquals(thresholds[i], d.threshold(), "threshold for p=" + ps[i]);
        }
    }

    @Test
    void keep16StaysIn16Bits() {
        for (int col = 0; col < 64; col++) {
            int u = Philox.keep16(-1L, Integer.MAX_VALUE, 65535, Integer.MAX_VALUE, col);
            assertTrue(u >= 0 && u < 65536, "draw " + u);
        }
    }

    @Test
    void keep16RejectsNegativeCoordinates() {
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Philox.keep16(0, 0, 0, -1, 0))
                .getMessage().contains("row"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Philox.keep16(0, 0, 0, 0, -5))
                .getMessage().contains("-5"));
        assertTrue(assertThrows(IllegalArgumentException.class, () -> Philox.keep16(0, 0, 65536, 0, 0))
                .getMessage().contains("65536"));
    }

    private static int hex(String s) {
        return Integer.parseUnsignedInt(s, 16);
    }

    private static String toHex(int[] words) {
        StringBuilder sb = new StringBuilder();
        for (int w : words) {
            sb.append(String.format("%08x ", w));
        }
        return sb.toString().trim();
    }
}

package io.github.alphadrop.kernels;

/**
 * The Philox4x32-10 counter-based generator of Salmon et al., "Parallel Random Numbers: As Easy as 1, 2, 3"
 * (SC'11), with the Random123 constants. A counter-based generator is a keyed bijection of the counter, so
 * the random bits for any (seed, step, layer, row, column) can be computed directly, in any order, on any
 * thread, by any backend: that is what makes dropout masks reproducible across the Java and C++ kernels and
 * lets backward passes regenerate masks instead of storing them.
 *
 * <p>Words are Java {@code int}s holding unsigned 32-bit values; all arithmetic is modulo 2³².
 */
public final class Philox {

    /** Round multipliers. */
    static final int M0 = 0xD2511F53;
    static final int M1 = 0xCD9E8D57;
    /** Key schedule increments (golden ratio and sqrt(3) - 1, as 32-bit fractions). */
    static final int W0 = 0x9E3779B9;
    static final int W1 = 0xBB67AE85;

    /** The number of rounds of Philox4x32-10; fewer rounds (7) also pass BigCrush but are not what we use. */
    public static final int ROUNDS = 10;

    private static final long UNSIGNED = 0xFFFF_FFFFL;

    private Philox() {
    }

    /**
     * Philox4x32-10 of the counter (c0, c1, c2, c3) under the key (k0, k1); the four output words go to
     * {@code out[0..3]}. Word order is Random123's: c0 is {@code ctr.v[0]}, k0 is {@code key.v[0]}.
     */
    public static void philox4x32(int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        philox4x32(ROUNDS, c0, c1, c2, c3, k0, k1, out);
    }

    /** Any round count; package-private so tests can also check the published 7-round answers. */
    static void philox4x32(int rounds, int c0, int c1, int c2, int c3, int k0, int k1, int[] out) {
        for (int round = 0; round < rounds; round++) {
            // 32x32 -> 64-bit unsigned products; the top bit of a long may be set, hence >>> below.
            long p0 = (M0 & UNSIGNED) * (c0 & UNSIGNED);
            long p1 = (M1 & UNSIGNED) * (c2 & UNSIGNED);
            int hi0 = (int) (p0 >>> 32);
            int lo0 = (int) p0;
            int hi1 = (int) (p1 >>> 32);
            int lo1 = (int) p1;
            c0 = hi1 ^ c1 ^ k0;
            c1 = lo1;
            c2 = hi0 ^ c3 ^ k1;
            c3 = lo0;
            // Bumping after the last round is harmless: the key is not used again.
            k0 += W0;
            k1 += W1;
        }
        out[0] = c0;
        out[1] = c1;
        out[2] = c2;
        out[3] = c3;
    }

    /**
     * The 16-bit uniform draw (0..65535) of element (row, col): {@link #draw} with 16 bits, the draw width
     * of every drop probability that is not a multiple of 1/256.
     */
    public static int keep16(long seed, int step, int layer, int row, int col) {
        return draw(seed, step, layer, row, col, 16);
    }

    /**
     * The {@code bits}-bit uniform draw that decides whether element (row, col) of a layer's dropout mask is
     * kept, exactly as specified in {@link Kernels}: key = (low, high 32 bits of seed); one 128-bit output
     * serves {@code n = 128 / bits} consecutive columns, counter = (col / n, row, layer, step); the draw of
     * column col is bits {@code [j·bits, (j+1)·bits)} of that output, j = col % n, counting from bit 0 of word
     * 0 (so with 16 bits, even columns take the low half of word (col % 8) / 2). The element is kept iff the
     * draw is {@code >= }{@link Dropout#threshold()}; {@link Dropout#bits()} says how many bits p needs.
     *
     * <p>This is the one-element statement of the spec, used by tests as the ground truth; kernels compute a
     * whole Philox block per n columns instead.
     *
     * @param bits 1, 2, 4, 8 or 16
     */
    public static int draw(long seed, int step, int layer, int row, int col, int bits) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        if (layer < 0 || layer >= 65536) {
            throw new IllegalArgumentException("layer must be in [0, 65536), got " + layer);
        }
        if (row < 0) {
            throw new IllegalArgumentException("row must be >= 0, got " + row);
        }
        if (col < 0) {
            throw new IllegalArgumentException("col must be >= 0, got " + col);
        }
        if (bits != 1 && bits != 2 && bits != 4 && bits != 8 && bits != 16) {
            throw new IllegalArgumentException("bits must be 1, 2, 4, 8 or 16, got " + bits);
        }
        int perCounter = 128 / bits;
        int[] block = new int[4];
        philox4x32(col / perCounter, row, layer, step, (int) seed, (int) (seed >>> 32), block);
        return field(block, col % perCounter, bits);
    }

    /** Draw {@code j} of {@code bits} bits from a 128-bit output: bits [j·bits, (j+1)·bits), word 0 first. */
    static int field(int[] block, int j, int bits) {
        int bit = j * bits;
        return (block[bit >>> 5] >>> (bit & 31)) & ((1 << bits) - 1);
    }
}

package io.github.alphadrop.kernels;

/**
 * Names one dropout mask: keep/drop of element (row, column) is a pure function of
 * (seed, step, layer, row, column) and the drop probability {@code p}, so every backend and every
 * thread count produces the same mask, and backward passes regenerate masks instead of storing them.
 *
 * @param seed  the run's seed (all 64 bits are used)
 * @param step  the training step or prediction batch, {@code >= 0}
 * @param layer the dense layer index, {@code 0 <= layer < 65536}
 * @param p     drop probability in {@code [0, 1)}; 0 disables dropout (no random numbers are drawn)
 */
public record Dropout(long seed, int step, int layer, float p) {

    public Dropout {
        if (!(p >= 0f && p < 1f)) {
            throw new IllegalArgumentException("dropout probability p must be in [0, 1), got " + p);
        }
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        if (layer < 0 || layer >= 65536) {
            throw new IllegalArgumentException("layer must be in [0, 65536), got " + layer);
        }
    }

    /** No dropout: the deterministic network. */
    public static Dropout none() {
        return new Dropout(0L, 0, 0, 0f);
    }

    /** Inverted-dropout scale applied to kept elements, {@code 1/(1-p)} rounded once to float. */
    public float scale() {
        return (float) (1.0 / (1.0 - p));
    }

    /**
     * Width of the uniform draw that decides one element: the fewest bits b in {1, 2, 4, 8} for which
     * {@code p·2^b} is a whole number (so the keep probability is exact), else 16. p = 0.5 needs one bit,
     * so one 128-bit Philox output then serves 128 elements instead of 8.
     */
    public int bits() {
        for (int b = 1; b <= 8; b *= 2) {
            double scaled = p * (double) (1 << b); // exact: p is a float, scaling by 2^b is exact
            if (scaled == Math.rint(scaled)) {
                return b;
            }
        }
        return 16;
    }

    /**
     * Drop threshold on a {@link #bits()}-bit uniform: an element is kept iff its draw {@code u >= threshold}.
     * Exact (p·2^bits) when p is a multiple of 1/256, else resolved to 1/65536.
     */
    public int threshold() {
        return (int) Math.round(p * (double) (1 << bits()));
    }
}

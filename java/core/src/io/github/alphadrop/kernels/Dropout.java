package io.github.alphadrop.kernels;

/**
 * Names one dropout mask: keep/drop of element (row, column) is a pure function of
 * (seed, step, layer, row, column) and the drop probability {@code p}, so every backend and every
 * thread count produces the same mask, and backward passes regenerate masks instead of storing them.
 *
 * @param seed  the run's seed (all 64 bits are used)
 * @param step  the training step or prediction batch, {@code >= 0}
 * @param layer the dense layer index, {@code 0 <= layer < 65536}
 * @param p     drop probability in {@code [0, 1)}; 0 disables dropout (no random numbers are drawn). For
 *              Gaussian noise it sets the variance p/(1-p), as Bernoulli dropout of rate p has
 * @param noise Bernoulli (keep or drop) or Gaussian (multiplicative) noise
 */
public record Dropout(long seed, int step, int layer, float p, Noise noise) {

    /** What a mask multiplies each element by. */
    public enum Noise {
        /** Keep with probability 1 − p, scaled by 1/(1 − p); drop (0) otherwise. */
        BERNOULLI(0),
        /**
         * Multiplicative Gaussian noise of mean 1 and variance p/(1 − p) (Srivastava et al.'s Gaussian dropout,
         * matched to Bernoulli dropout's first two moments): {@code 1 + σ z}, z the standardised sum of the
         * eight 16-bit fields of element (row, column)'s own Philox output (counter = (column, row, layer,
         * step)). The sum of eight uniforms is a Gaussian to within the Irwin–Hall approximation (|z| ≤ 4.9),
         * computed from exact integer sums and correctly rounded double operations only, so every backend gives
         * the same float.
         */
        GAUSSIAN(1),
        /**
         * DropConnect: Bernoulli masks on a layer's weights instead of its inputs, one D×H mask per MC sample k
         * shared by the batch (see {@code Mlp.Builder.noise}). A model-level choice: the kernels take only
         * input noise, and draw DropConnect's weight masks as {@link #BERNOULLI} masks.
         */
        DROPCONNECT(2),
        /**
         * Concrete dropout (Gal, Hron and Kendall 2017): a drop rate learned per layer through the relaxed
         * Bernoulli mask of temperature 0.1. A model-level choice like {@link #DROPCONNECT}: its masks depend on
         * a trained parameter and carry a gradient for it, so the model computes them (see
         * {@code io.github.alphadrop.model.ConcreteDropout}) and the kernels multiply by explicit masks.
         */
        CONCRETE(3);

        /** The code the native kernels take. */
        public final int code;

        /**
         * Whether the kernels draw this noise on a layer's input themselves (Bernoulli, Gaussian); DropConnect and
         * concrete dropout are model-level choices that hand the kernels explicit masks.
         */
        public boolean isInputNoise() {
            return this == BERNOULLI || this == GAUSSIAN;
        }

        Noise(int code) {
            this.code = code;
        }
    }

    /** Bernoulli dropout, the default noise. */
    public Dropout(long seed, int step, int layer, float p) {
        this(seed, step, layer, p, Noise.BERNOULLI);
    }

    public Dropout {
        if (noise == null) {
            throw new IllegalArgumentException("noise must not be null");
        }
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

    /**
     * The Gaussian multiplier's coefficient σ / sd(sum of eight 16-bit draws), σ² = p/(1 − p), in double; the
     * multiplier of a sum s is {@code (float) (1 + coef · (s − 262140))}.
     */
    public double gaussianCoefficient() {
        double pd = p;
        double sigma = Math.sqrt(pd / (1.0 - pd));
        double sd = Math.sqrt(8.0 * (65536.0 * 65536.0 - 1.0) / 12.0);
        return sigma / sd;
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

package io.github.alphadrop.train;

import java.util.SplittableRandom;

/**
 * The order in which a {@link Trainer} visits n rows, epoch after epoch, and the seed that names its dropout
 * masks. Shared by every trainer that must reproduce the single-JVM trainer's minibatches: the same seed
 * gives the same epochs of the same batches in the same order, wherever they are computed.
 */
public final class BatchOrder {

    private final int[] order;
    private final boolean shuffle;
    private final SplittableRandom shuffler;

    /**
     * @param n       rows, {@code >= 1}
     * @param seed    the trainer's seed
     * @param shuffle false keeps rows in their given order every epoch
     */
    public BatchOrder(int n, long seed, boolean shuffle) {
        if (n < 1) {
            throw new IllegalArgumentException("rows must be >= 1, got " + n);
        }
        this.order = new int[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        this.shuffle = shuffle;
        this.shuffler = new SplittableRandom(seed);
    }

    /** The seed of the masks of a run with trainer seed {@code seed}: masks are named (it, step, layer, row). */
    public static long maskSeed(long seed) {
        return seed ^ 0x9E3779B97F4A7C15L;
    }

    /**
     * Advances to the next epoch and returns its order: row {@code order[s·B + i]} is row i of step s's batch.
     * The array is reused (the next call reshuffles it in place).
     */
    public int[] nextEpoch() {
        if (shuffle) {
            for (int i = order.length - 1; i > 0; i--) {
                int j = shuffler.nextInt(i + 1);
                int t = order[i];
                order[i] = order[j];
                order[j] = t;
            }
        }
        return order;
    }
}

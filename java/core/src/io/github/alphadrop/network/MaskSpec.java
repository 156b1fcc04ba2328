package io.github.alphadrop.network;

import io.github.alphadrop.kernels.Dropout;

/**
 * Which Philox counter words name a stochastic layer's masks: the run's mask seed, the step, and the
 * layer's mask id (its own number, fixed when the network is built, not its position in a list). The same
 * spec regenerates the same masks in backward, so masks are never stored.
 */
public record MaskSpec(long seed, int step) {

    /** The dropout of the layer with mask id {@code id} and drop probability {@code p} (none for p = 0). */
    public Dropout dropout(int id, float p) {
        return dropout(id, p, Dropout.Noise.BERNOULLI);
    }

    /** As {@link #dropout(int, float)} with the given input noise (Bernoulli or Gaussian). */
    public Dropout dropout(int id, float p, Dropout.Noise noise) {
        return p == 0f ? Dropout.none() : new Dropout(seed, step, id, p, noise);
    }
}

package io.github.alphadrop.train;

/** Hooks called by {@link Trainer} on the training thread; keep them cheap. */
public interface TrainingListener {

    /**
     * After each optimiser step.
     *
     * @param epoch 0-based epoch
     * @param step  0-based step within the epoch
     * @param loss  batch loss (alpha objective plus weight decay)
     */
    default void onStep(int epoch, int step, int stepsPerEpoch, double loss) {
    }

    /** After each epoch, with the mean batch loss of that epoch and its wall-clock seconds. */
    default void onEpoch(int epoch, int epochs, double meanLoss, double seconds) {
    }
}

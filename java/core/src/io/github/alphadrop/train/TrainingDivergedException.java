package io.github.alphadrop.train;

import io.github.alphadrop.AlphaDropException;

/**
 * Thrown when a step's loss or gradient is NaN or infinite. The model keeps the last good weights: the
 * failing step's update is never applied.
 */
public class TrainingDivergedException extends AlphaDropException {

    private static final long serialVersionUID = 1L;

    private final int epoch;
    private final int step;

    public TrainingDivergedException(int epoch, int step, double loss) {
        super("training diverged at epoch " + (epoch + 1) + ", step " + (step + 1) + ": loss = " + loss
                + " (non-finite loss or gradient); the model keeps the weights from before this step."
                + " Try a smaller learning rate.");
        this.epoch = epoch;
        this.step = step;
    }

    /** 0-based epoch of the failing step. */
    public int epoch() {
        return epoch;
    }

    /** 0-based step within the epoch. */
    public int step() {
        return step;
    }
}

package io.github.alphadrop.train;

/**
 * What a {@link Trainer#fit} run did.
 *
 * @param epochs      epochs completed
 * @param epochLosses mean batch loss of each epoch
 * @param seconds     total wall-clock seconds
 */
public record TrainingResult(int epochs, double[] epochLosses, double seconds) {

    /** Mean batch loss of the last epoch. */
    public double finalLoss() {
        return epochLosses.length == 0 ? Double.NaN : epochLosses[epochLosses.length - 1];
    }

    public double secondsPerEpoch() {
        return epochs == 0 ? 0 : seconds / epochs;
    }
}

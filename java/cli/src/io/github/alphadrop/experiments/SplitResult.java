package io.github.alphadrop.experiments;

/**
 * The outcome of one (split, α) run, metrics in the target's original units.
 *
 * @param set            the data folder's name, e.g. {@code bostonHousing}
 * @param split          split index
 * @param alpha          α of the training objective
 * @param dropout        the drop probability used for the final model (chosen on validation if there was a grid)
 * @param validationNll  per candidate (in {@link UciSettings#candidates()} order), the
 *                       validation NLL per point; infinite for a candidate whose training diverged; empty
 *                       without a grid
 * @param trainSize      rows of the training split
 * @param testSize       rows of the test split
 * @param rmse           test RMSE of the MC predictive mean
 * @param nll            negative test log-likelihood per point of the MC predictive (log of the mean over T
 *                       passes of the Gaussian density)
 * @param noiseStd       learned observation noise {@code 1/sqrt(τ)}, in target units
 * @param finalLoss      mean batch loss of the final model's last epoch (normalised units)
 * @param trainSeconds   wall-clock seconds of the final training
 * @param seconds        wall-clock seconds of the whole run (validation, training, prediction)
 * @param learnedDropout with concrete dropout, the final model's learned rate per dense layer (input layer first);
 *                       empty otherwise
 * @param dropoutRegulariser concrete dropout's entropy weight used, in units of 1/N (chosen on validation if there
 *                       was a grid); NaN for the default 1/N or another noise
 */
public record SplitResult(String set, int split, float alpha, float dropout, double[] validationNll, int trainSize,
                          int testSize, double rmse, double nll, double noiseStd, double finalLoss,
                          double trainSeconds, double seconds, float[] learnedDropout,
                          double dropoutRegulariser) {

    public SplitResult {
        validationNll = validationNll.clone();
        learnedDropout = learnedDropout.clone();
    }

    @Override
    public float[] learnedDropout() {
        return learnedDropout.clone();
    }

    @Override
    public double[] validationNll() {
        return validationNll.clone();
    }
}

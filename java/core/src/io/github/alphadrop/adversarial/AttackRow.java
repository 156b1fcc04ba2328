package io.github.alphadrop.adversarial;

/**
 * The measures of one model at one attack strength: a row of {@code metrics.csv}.
 *
 * @param model               the model's name in the report
 * @param method              {@code fgsm} or {@code targeted}
 * @param eps                 FGSM: ε; targeted: step · η, the largest distance (L∞) the inputs can have moved
 * @param step                targeted: the iteration (0 = clean); FGSM: −1 (none)
 * @param accuracy            on the true labels
 * @param targetRate          targeted: fraction classified as the target; FGSM: NaN
 * @param targetProb          targeted: mean p̄ of the target class; FGSM: NaN
 * @param entropy             mean predictive entropy (nats)
 * @param entropySe           its standard error
 * @param mutualInformation   mean mutual information (nats)
 * @param mutualInformationSe its standard error
 * @param aucEntropy          ROC-AUC of entropy for telling these inputs from their clean versions
 * @param aucMi               the same for mutual information
 */
public record AttackRow(String model, String method, double eps, int step, double accuracy, double targetRate,
                        double targetProb, double entropy, double entropySe, double mutualInformation,
                        double mutualInformationSe, double aucEntropy, double aucMi) {

    /** The CSV header, in column order. */
    public static final String[] COLUMNS = {"model", "method", "eps", "step", "accuracy", "target_rate", "target_prob",
            "entropy", "entropy_se", "mutual_information", "mutual_information_se", "auc_entropy", "auc_mi"};

    /** The values in {@link #COLUMNS} order; NaN and step −1 become null (not applicable). */
    public Object[] values() {
        return new Object[]{model, method, eps, step < 0 ? null : step, nan(accuracy), nan(targetRate),
                nan(targetProb), nan(entropy), nan(entropySe), nan(mutualInformation), nan(mutualInformationSe),
                nan(aucEntropy), nan(aucMi)};
    }

    private static Double nan(double v) {
        return Double.isNaN(v) ? null : v;
    }
}

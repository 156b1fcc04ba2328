package io.github.alphadrop.adversarial;

import io.github.alphadrop.predict.ClassPredictions;

import java.util.Arrays;

/**
 * The measures of the adversarial experiments: detection ROC-AUC, means with standard errors, and
 * calibration (expected calibration error and the reliability diagram's data).
 */
public final class AttackMetrics {

    /** Bins of the expected calibration error, as in Guo et al. (2017). */
    public static final int ECE_BINS = 15;

    private AttackMetrics() {
    }

    /**
     * Area under the ROC curve of a score that should be higher for positives: the probability that a
     * random positive scores above a random negative, ties counting one half (the Mann–Whitney U statistic
     * over n₊·n₋). Computed from mid-ranks in O(n log n), so tied scores, e.g. the all-zero mutual
     * information of a deterministic network, give exactly 0.5 rather than an order-dependent value.
     *
     * @throws IllegalArgumentException if either side is empty or a score is NaN
     */
    public static double rocAuc(double[] negatives, double[] positives) {
        if (negatives == null || positives == null || negatives.length == 0 || positives.length == 0) {
            throw new IllegalArgumentException("ROC-AUC needs at least one negative and one positive score");
        }
        int n = negatives.length + positives.length;
        double[] score = new double[n];
        boolean[] positive = new boolean[n];
        for (int i = 0; i < negatives.length; i++) {
            score[i] = negatives[i];
        }
        for (int i = 0; i < positives.length; i++) {
            score[negatives.length + i] = positives[i];
            positive[negatives.length + i] = true;
        }
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            if (Double.isNaN(score[i])) {
                throw new IllegalArgumentException("ROC-AUC scores must not be NaN");
            }
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Double.compare(score[a], score[b]));
        // Sum of the (1-based, mid-rank for ties) ranks of the positives.
        double rankSum = 0;
        int i = 0;
        while (i < n) {
            int j = i;
            while (j + 1 < n && score[order[j + 1]] == score[order[i]]) {
                j++;
            }
            double midRank = (i + j) / 2.0 + 1;
            for (int k = i; k <= j; k++) {
                if (positive[order[k]]) {
                    rankSum += midRank;
                }
            }
            i = j + 1;
        }
        double np = positives.length;
        return (rankSum - np * (np + 1) / 2) / (np * negatives.length);
    }

    /** Float convenience for {@link #rocAuc(double[], double[])}. */
    public static double rocAuc(float[] negatives, float[] positives) {
        return rocAuc(toDouble(negatives), toDouble(positives));
    }

    /** Mean and its standard error (sample standard deviation / √n; 0 for a single value). */
    public record MeanSe(double mean, double se) {
    }

    public static MeanSe meanSe(float[] v) {
        if (v == null || v.length == 0) {
            throw new IllegalArgumentException("mean of no values");
        }
        double mean = 0;
        for (float x : v) {
            mean += x;
        }
        mean /= v.length;
        if (v.length == 1) {
            return new MeanSe(mean, 0);
        }
        double ss = 0;
        for (float x : v) {
            ss += (x - mean) * (x - mean);
        }
        return new MeanSe(mean, Math.sqrt(ss / (v.length - 1) / v.length));
    }

    /**
     * One bin of the reliability diagram: inputs whose confidence (largest p̄) lies in
     * {@code (lower, upper]} (the first bin also takes 0). Confidence and accuracy are NaN for an empty bin.
     */
    public record Bin(double lower, double upper, int count, double confidence, double accuracy) {
    }

    /** Expected calibration error and the bins it was computed from. */
    public record Calibration(double ece, Bin[] bins) {
    }

    /**
     * Expected calibration error over {@code bins} equal-width confidence bins:
     * {@code Σ_b (n_b / n) |accuracy_b − confidence_b|}, confidence being the largest predictive probability
     * and accuracy whether that class is the label.
     */
    public static Calibration calibration(ClassPredictions p, int[] labels, int bins) {
        if (labels == null || labels.length != p.n()) {
            throw new IllegalArgumentException("labels must have length " + p.n());
        }
        double[] confidence = new double[p.n()];
        boolean[] correct = new boolean[p.n()];
        for (int i = 0; i < p.n(); i++) {
            int c = p.predictedClass(i);
            confidence[i] = p.meanProbs()[i * p.classes() + c];
            correct[i] = c == labels[i];
        }
        return calibration(confidence, correct, bins);
    }

    /** {@link #calibration(ClassPredictions, int[], int)} on raw confidences (each in [0, 1]) and hits. */
    public static Calibration calibration(double[] confidence, boolean[] correct, int bins) {
        if (bins < 1) {
            throw new IllegalArgumentException("bins must be >= 1, got " + bins);
        }
        if (confidence.length != correct.length || confidence.length == 0) {
            throw new IllegalArgumentException("need the same positive number of confidences and outcomes, got "
                    + confidence.length + " and " + correct.length);
        }
        int[] count = new int[bins];
        double[] confSum = new double[bins];
        int[] hits = new int[bins];
        for (int i = 0; i < confidence.length; i++) {
            double c = confidence[i];
            if (!(c >= 0 && c <= 1.000001)) {
                throw new IllegalArgumentException("confidence " + c + " of input " + i + " is outside [0, 1]");
            }
            // Right-closed bins (lower, upper]: ceil(c·B) − 1, with c = 0 going to the first bin.
            int b = Math.max(0, Math.min(bins - 1, (int) Math.ceil(c * bins) - 1));
            count[b]++;
            confSum[b] += c;
            hits[b] += correct[i] ? 1 : 0;
        }
        Bin[] out = new Bin[bins];
        double ece = 0;
        for (int b = 0; b < bins; b++) {
            double conf = count[b] == 0 ? Double.NaN : confSum[b] / count[b];
            double acc = count[b] == 0 ? Double.NaN : (double) hits[b] / count[b];
            out[b] = new Bin((double) b / bins, (double) (b + 1) / bins, count[b], conf, acc);
            if (count[b] > 0) {
                ece += (double) count[b] / confidence.length * Math.abs(acc - conf);
            }
        }
        return new Calibration(ece, out);
    }

    /**
     * The measures of one row: predictions on attacked inputs against the predictions on their clean
     * versions (the negatives of the detection AUCs).
     *
     * @param target the attack's target class, or −1 for an untargeted attack (target columns NaN)
     */
    public static AttackRow measure(String model, String method, double eps, int step, ClassPredictions clean,
                                    ClassPredictions attacked, int[] labels, int target) {
        if (clean.n() != attacked.n() || labels.length != attacked.n()) {
            throw new IllegalArgumentException("clean (" + clean.n() + "), attacked (" + attacked.n() + ") and labels ("
                    + labels.length + ") differ in size");
        }
        double targetRate = Double.NaN;
        double targetProb = Double.NaN;
        if (target >= 0) {
            int hits = 0;
            double prob = 0;
            for (int i = 0; i < attacked.n(); i++) {
                hits += attacked.predictedClass(i) == target ? 1 : 0;
                prob += attacked.meanProbs()[i * attacked.classes() + target];
            }
            targetRate = (double) hits / attacked.n();
            targetProb = prob / attacked.n();
        }
        MeanSe h = meanSe(attacked.entropy());
        MeanSe mi = meanSe(attacked.mutualInformation());
        return new AttackRow(model, method, eps, step, attacked.accuracy(labels), targetRate, targetProb,
                h.mean(), h.se(), mi.mean(), mi.se(),
                rocAuc(clean.entropy(), attacked.entropy()),
                rocAuc(clean.mutualInformation(), attacked.mutualInformation()));
    }

    private static double[] toDouble(float[] v) {
        if (v == null) {
            return null;
        }
        double[] d = new double[v.length];
        for (int i = 0; i < v.length; i++) {
            d[i] = v[i];
        }
        return d;
    }
}

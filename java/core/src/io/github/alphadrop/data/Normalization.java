package io.github.alphadrop.data;

import java.util.Arrays;
import java.util.Objects;

/**
 * Per-column standardisation {@code z = (x - mean) / std}, with statistics computed on a
 * <em>training</em> set only and then applied unchanged to that set and to its test set, so that no
 * information about the test set leaks into training.
 *
 * <p>Features are always standardised. For a regression set the targets are standardised too, and
 * the target statistics are kept so that predictions and metrics can be reported in original units
 * (the protocol of the MC-dropout and alpha-dropout UCI experiments):
 * <ul>
 *   <li>a predicted mean: {@code y = z * std + mean} ({@link #denormalizeTargets}, {@link #denormalizeTarget});</li>
 *   <li>a predictive standard deviation or an RMSE: multiply by {@code std} ({@link #scaleStd},
 *       {@link #scaleRmse});</li>
 *   <li>a log-likelihood (log density) of one example: subtract {@code log(std)} for every target
 *       dimension, the Jacobian of the change of variables ({@link #scaleLogLikelihood}).</li>
 * </ul>
 *
 * <p>{@code std} is the population standard deviation (divide by n, like numpy's default
 * {@code np.std}, which the reference experiments use). A constant column (zero spread) keeps
 * {@code std = 1}, so it becomes all zeros instead of NaN. Statistics are accumulated in double.
 */
public final class Normalization {

    private final double[] featureMean;
    private final double[] featureStd;
    private final double[] targetMean; // length 0 for classification
    private final double[] targetStd;

    private Normalization(double[] featureMean, double[] featureStd, double[] targetMean, double[] targetStd) {
        this.featureMean = featureMean;
        this.featureStd = featureStd;
        this.targetMean = targetMean;
        this.targetStd = targetStd;
    }

    /**
     * Computes feature statistics (and target statistics for a regression set) from {@code train}.
     *
     * @throws IllegalArgumentException if {@code train} is empty or already normalised
     */
    public static Normalization fit(Dataset train) {
        Objects.requireNonNull(train, "train");
        if (train.size() == 0) {
            throw new IllegalArgumentException(train.name() + ": cannot compute normalisation statistics of an empty set");
        }
        if (train.normalization().isPresent()) {
            throw new IllegalArgumentException(train.name() + " is already normalised");
        }
        int d = train.featureDim();
        double[] fMean = new double[d];
        double[] fStd = new double[d];
        columnStats(train.features(), train.size(), d, fMean, fStd);
        double[] tMean = new double[0];
        double[] tStd = new double[0];
        if (!train.isClassification()) {
            int k = train.targetDims();
            tMean = new double[k];
            tStd = new double[k];
            columnStats(train.targets(), train.size(), k, tMean, tStd);
        }
        return new Normalization(fMean, fStd, tMean, tStd);
    }

    /**
     * Builds a normalisation from known statistics (e.g. saved with a model). The arrays are copied.
     * Pass empty target arrays for classification. Every std must be finite and positive.
     */
    public static Normalization of(double[] featureMean, double[] featureStd, double[] targetMean, double[] targetStd) {
        if (featureMean.length != featureStd.length || targetMean.length != targetStd.length) {
            throw new IllegalArgumentException("mean and std arrays must have the same lengths");
        }
        for (double s : featureStd) {
            checkStd(s);
        }
        for (double s : targetStd) {
            checkStd(s);
        }
        return new Normalization(featureMean.clone(), featureStd.clone(), targetMean.clone(), targetStd.clone());
    }

    private static void checkStd(double s) {
        if (!(s > 0 && Double.isFinite(s))) {
            throw new IllegalArgumentException("std must be finite and > 0, got " + s);
        }
    }

    /** Two-pass mean and population std of each column of a row-major n × cols matrix. */
    private static void columnStats(float[] data, int n, int cols, double[] mean, double[] std) {
        float[] min = new float[cols];
        float[] max = new float[cols];
        Arrays.fill(min, Float.POSITIVE_INFINITY);
        Arrays.fill(max, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < n; i++) {
            int base = i * cols;
            for (int j = 0; j < cols; j++) {
                float v = data[base + j];
                mean[j] += v;
                min[j] = Math.min(min[j], v);
                max[j] = Math.max(max[j], v);
            }
        }
        for (int j = 0; j < cols; j++) {
            mean[j] /= n;
        }
        // Second pass on deviations: more accurate than E[x²] - E[x]² when |mean| >> std.
        for (int i = 0; i < n; i++) {
            int base = i * cols;
            for (int j = 0; j < cols; j++) {
                double dev = data[base + j] - mean[j];
                std[j] += dev * dev;
            }
        }
        for (int j = 0; j < cols; j++) {
            double s = Math.sqrt(std[j] / n);
            // A constant column would give 0 (or, through rounding of the mean, a tiny nonzero value):
            // detect it exactly by min == max and leave it unscaled.
            std[j] = (min[j] == max[j] || !(s > 0) || !Double.isFinite(s)) ? 1.0 : s;
        }
    }

    /**
     * A standardised copy of {@code ds}, with this normalisation attached (see {@link Dataset#normalization()}).
     * Features always; targets too if this normalisation has target statistics.
     *
     * @throws IllegalArgumentException if the shapes do not match the statistics, or {@code ds} is already normalised
     */
    public Dataset apply(Dataset ds) {
        Objects.requireNonNull(ds, "ds");
        if (ds.normalization().isPresent()) {
            // Standardising twice is a silent, classic bug; refuse it.
            throw new IllegalArgumentException(ds.name() + " is already normalised");
        }
        if (ds.featureDim() != featureMean.length) {
            throw new IllegalArgumentException(ds.name() + " has " + ds.featureDim()
                    + " features but the normalisation was fitted on " + featureMean.length);
        }
        int expectedTargets = ds.isClassification() ? 0 : ds.targetDims();
        if (expectedTargets != targetMean.length) {
            throw new IllegalArgumentException(ds.name() + " has " + expectedTargets
                    + " target dim(s) but the normalisation has " + targetMean.length);
        }
        float[] f = standardize(ds.features(), featureMean, featureStd);
        float[] t = ds.isClassification() ? null : standardize(ds.targets(), targetMean, targetStd);
        return ds.normalized(f, t, this);
    }

    /**
     * Standardises raw feature rows (e.g. new inputs at prediction time) with the training statistics.
     *
     * @param raw {@code n × featureDim()} floats, row-major; not modified
     * @return a new array
     */
    public float[] normalizeFeatures(float[] raw) {
        requireMultiple(raw.length, featureMean.length, "features");
        return standardize(raw, featureMean, featureStd);
    }

    private static float[] standardize(float[] data, double[] mean, double[] std) {
        int cols = mean.length;
        float[] out = new float[data.length];
        for (int i = 0; i < data.length; i++) {
            int j = i % cols;
            out[i] = (float) ((data[i] - mean[j]) / std[j]);
        }
        return out;
    }

    /**
     * Maps standardised target values (e.g. predicted means) back to original units.
     *
     * @param normalized {@code n × targetDims()} floats, row-major; not modified
     * @return a new array {@code z * std + mean}
     */
    public float[] denormalizeTargets(float[] normalized) {
        requireTargets();
        int k = targetMean.length;
        requireMultiple(normalized.length, k, "targets");
        float[] out = new float[normalized.length];
        for (int i = 0; i < normalized.length; i++) {
            int j = i % k;
            out[i] = (float) (normalized[i] * targetStd[j] + targetMean[j]);
        }
        return out;
    }

    /** One standardised target value of dimension {@code dim} back in original units. */
    public double denormalizeTarget(double normalized, int dim) {
        requireTargets();
        Objects.checkIndex(dim, targetMean.length);
        return normalized * targetStd[dim] + targetMean[dim];
    }

    /** A standard deviation (e.g. predictive) of target dimension {@code dim} back in original units. */
    public double scaleStd(double normalizedStd, int dim) {
        requireTargets();
        return normalizedStd * targetStd[Objects.checkIndex(dim, targetStd.length)];
    }

    /** An RMSE computed on standardised target dimension {@code dim}, in original units ({@code rmse * std}). */
    public double scaleRmse(double normalizedRmse, int dim) {
        return scaleStd(normalizedRmse, dim);
    }

    /** {@link #scaleRmse(double, int)} for a single-target set. */
    public double scaleRmse(double normalizedRmse) {
        requireSingleTarget();
        return scaleStd(normalizedRmse, 0);
    }

    /**
     * A log-likelihood (log density) of one example, or an average over examples, computed on
     * standardised targets, in original units: {@code ll - Σ_k log(std_k)} over all target dimensions.
     * (For a sum over n examples, subtract n times that sum yourself.)
     */
    public double scaleLogLikelihood(double normalizedLogLikelihood) {
        requireTargets();
        double logDet = 0;
        for (double s : targetStd) {
            logDet += Math.log(s);
        }
        return normalizedLogLikelihood - logDet;
    }

    private void requireTargets() {
        if (targetMean.length == 0) {
            throw new IllegalStateException("this normalisation has no target statistics (classification set)");
        }
    }

    private void requireSingleTarget() {
        requireTargets();
        if (targetMean.length != 1) {
            throw new IllegalStateException("set has " + targetMean.length + " target dims: give the dimension");
        }
    }

    private static void requireMultiple(int length, int cols, String what) {
        if (length % cols != 0) {
            throw new IllegalArgumentException(what + " length " + length + " is not a multiple of " + cols);
        }
    }

    /** Number of features the statistics were computed for. */
    public int featureDim() {
        return featureMean.length;
    }

    /** Number of target dimensions with statistics; 0 for classification. */
    public int targetDims() {
        return targetMean.length;
    }

    /** True if target statistics are present (regression). */
    public boolean hasTargets() {
        return targetMean.length > 0;
    }

    /** Training mean of each feature (a copy). */
    public double[] featureMean() {
        return featureMean.clone();
    }

    /** Training std of each feature, 1 for constant features (a copy). */
    public double[] featureStd() {
        return featureStd.clone();
    }

    /** Training mean of each target dimension (a copy; empty for classification). */
    public double[] targetMean() {
        return targetMean.clone();
    }

    /** Training std of each target dimension (a copy; empty for classification). */
    public double[] targetStd() {
        return targetStd.clone();
    }

    @Override
    public String toString() {
        return "Normalization(" + featureMean.length + " features"
                + (hasTargets() ? ", target mean " + Arrays.toString(targetMean) + " std " + Arrays.toString(targetStd) : "")
                + ")";
    }
}

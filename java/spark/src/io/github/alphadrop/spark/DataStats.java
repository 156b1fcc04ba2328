package io.github.alphadrop.spark;

import java.io.Serializable;

/**
 * What training needs to know of all rows before it starts: how many, the largest label, and the mean and
 * spread of each feature and of the label (merged across partitions with Chan's parallel update of the
 * two-pass moments, so no partition's sum of squares loses the small differences).
 */
final class DataStats implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The bound on class indices, so one bad label cannot ask for a network of a billion outputs. */
    static final int MAX_CLASSES = 1 << 16;

    long n;
    double maxLabel = Double.NEGATIVE_INFINITY;
    double labelMean;
    double labelM2;
    double[] featureMean;
    double[] featureM2;
    float[] featureMin;
    float[] featureMax;

    /**
     * The statistics of one block. For a classifier every label must be a class index 0, 1, 2, ...: the first
     * that is not is refused with its row.
     */
    static DataStats of(RowBlock block, boolean classes, String labelCol) {
        DataStats s = new DataStats();
        int n = block.rows();
        int d = block.width;
        s.n = n;
        s.featureMean = new double[d];
        s.featureM2 = new double[d];
        s.featureMin = new float[d];
        s.featureMax = new float[d];
        java.util.Arrays.fill(s.featureMin, Float.POSITIVE_INFINITY);
        java.util.Arrays.fill(s.featureMax, Float.NEGATIVE_INFINITY);
        for (int i = 0; i < n; i++) {
            double y = block.label[i];
            if (classes && (y < 0 || y != Math.rint(y) || y >= MAX_CLASSES)) {
                throw new IllegalArgumentException("row " + block.index[i] + ": " + labelCol + " = " + y + " is not a class"
                        + " index (0, 1, 2, ... below " + MAX_CLASSES + ")");
            }
            s.maxLabel = Math.max(s.maxLabel, y);
            s.labelMean += y;
            for (int j = 0; j < d; j++) {
                float v = block.x[i * d + j];
                s.featureMean[j] += v;
                s.featureMin[j] = Math.min(s.featureMin[j], v);
                s.featureMax[j] = Math.max(s.featureMax[j], v);
            }
        }
        s.labelMean /= n;
        for (int j = 0; j < d; j++) {
            s.featureMean[j] /= n;
        }
        for (int i = 0; i < n; i++) {
            double e = block.label[i] - s.labelMean;
            s.labelM2 += e * e;
            for (int j = 0; j < d; j++) {
                double f = block.x[i * d + j] - s.featureMean[j];
                s.featureM2[j] += f * f;
            }
        }
        return s;
    }

    static DataStats merge(DataStats a, DataStats b) {
        DataStats s = new DataStats();
        s.n = a.n + b.n;
        s.maxLabel = Math.max(a.maxLabel, b.maxLabel);
        double wb = (double) b.n / s.n;
        double delta = b.labelMean - a.labelMean;
        s.labelMean = a.labelMean + delta * wb;
        s.labelM2 = a.labelM2 + b.labelM2 + delta * delta * a.n * wb;
        int d = a.featureMean.length;
        s.featureMean = new double[d];
        s.featureM2 = new double[d];
        s.featureMin = new float[d];
        s.featureMax = new float[d];
        for (int j = 0; j < d; j++) {
            double dj = b.featureMean[j] - a.featureMean[j];
            s.featureMean[j] = a.featureMean[j] + dj * wb;
            s.featureM2[j] = a.featureM2[j] + b.featureM2[j] + dj * dj * a.n * wb;
            s.featureMin[j] = Math.min(a.featureMin[j], b.featureMin[j]);
            s.featureMax[j] = Math.max(a.featureMax[j], b.featureMax[j]);
        }
        return s;
    }

    /** Population std of each feature; 1 for a constant one (left unscaled, as the core's normalisation does). */
    double[] featureStd() {
        double[] std = new double[featureMean.length];
        for (int j = 0; j < std.length; j++) {
            double s = Math.sqrt(featureM2[j] / n);
            std[j] = featureMin[j] == featureMax[j] || !(s > 0) || !Double.isFinite(s) ? 1.0 : s;
        }
        return std;
    }

    /** Population std of the label; 1 if it is constant. */
    double labelStd() {
        double s = Math.sqrt(labelM2 / n);
        return s > 0 && Double.isFinite(s) ? s : 1.0;
    }
}

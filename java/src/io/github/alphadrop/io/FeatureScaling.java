package io.github.alphadrop.io;

/**
 * The normalisation a model was trained with, saved beside it so test data can be scaled the same way
 * and regression metrics reported in original units: {@code x' = (x - mean) / std}.
 *
 * @param targetMean null for classification
 * @param targetStd  null for classification
 */
public record FeatureScaling(float[] featureMean, float[] featureStd, float[] targetMean, float[] targetStd) {

    public FeatureScaling {
        if (featureMean == null || featureStd == null || featureMean.length != featureStd.length) {
            throw new IllegalArgumentException("featureMean and featureStd must be non-null and of equal length");
        }
        if ((targetMean == null) != (targetStd == null)
                || (targetMean != null && targetMean.length != targetStd.length)) {
            throw new IllegalArgumentException("targetMean and targetStd must both be null or of equal length");
        }
    }
}

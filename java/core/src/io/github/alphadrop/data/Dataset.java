package io.github.alphadrop.data;

import java.util.Objects;
import java.util.Optional;

/**
 * A labelled set of examples, held as flat row-major arrays so that the kernels can consume them
 * without copying.
 *
 * <ul>
 *   <li>{@link #features()}: {@code size() × featureDim()} floats, row {@code i} at
 *       {@code [i*featureDim, (i+1)*featureDim)};</li>
 *   <li>classification: {@link #labels()}, one int in {@code [0, classes())} per row;</li>
 *   <li>regression: {@link #targets()}, {@code size() × targetDims()} floats, row-major.</li>
 * </ul>
 *
 * <h2>Immutability</h2>
 * A dataset is immutable <em>by contract</em>: the factories take ownership of the arrays passed in
 * (no copy) and the accessors return the internal arrays (no copy), because MNIST-sized feature
 * matrices are hundreds of megabytes and the trainer reads them every step. Neither the caller of a
 * factory nor the caller of an accessor may modify those arrays afterwards. Every transforming method
 * ({@link #subset}, {@link Normalization#apply}, ...) returns a new dataset with new arrays.
 *
 * <h2>Normalisation</h2>
 * {@link #normalization()} is present when the features (and, for regression, the targets) have been
 * standardised by a {@link Normalization}; predictions and metrics can then be mapped back to original
 * units with it.
 */
public final class Dataset {

    private final String name;
    private final int size;
    private final int featureDim;
    private final float[] features;
    // Exactly one of labels / targets is non-null.
    private final int[] labels;
    private final int classes;
    private final float[] targets;
    private final int targetDims;
    private final Normalization normalization; // null when the data is in original units

    private Dataset(String name, int size, int featureDim, float[] features, int[] labels, int classes,
                    float[] targets, int targetDims, Normalization normalization) {
        this.name = name;
        this.size = size;
        this.featureDim = featureDim;
        this.features = features;
        this.labels = labels;
        this.classes = classes;
        this.targets = targets;
        this.targetDims = targetDims;
        this.normalization = normalization;
    }

    /**
     * A classification set. The arrays are taken over, not copied.
     *
     * @param features   {@code labels.length × featureDim} floats, row-major
     * @param featureDim number of features per row, {@code >= 1}
     * @param labels     one class index per row, each in {@code [0, classes)}
     * @param classes    number of classes, {@code >= 1}
     * @throws IllegalArgumentException if the shapes disagree or a label is out of range
     */
    public static Dataset classification(String name, float[] features, int featureDim, int[] labels, int classes) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(labels, "labels");
        checkFeatures(name, features, featureDim, labels.length);
        if (classes < 1) {
            throw new IllegalArgumentException(name + ": classes must be >= 1, got " + classes);
        }
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] < 0 || labels[i] >= classes) {
                throw new IllegalArgumentException(name + ": label " + labels[i] + " of row " + i
                        + " is outside [0, " + classes + ")");
            }
        }
        return new Dataset(name, labels.length, featureDim, features, labels, classes, null, 0, null);
    }

    /**
     * A regression set. The arrays are taken over, not copied.
     *
     * @param features   {@code n × featureDim} floats, row-major
     * @param featureDim number of features per row, {@code >= 1}
     * @param targets    {@code n × targetDims} floats, row-major
     * @param targetDims number of target values per row, {@code >= 1}
     * @throws IllegalArgumentException if the shapes disagree
     */
    public static Dataset regression(String name, float[] features, int featureDim, float[] targets, int targetDims) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(features, "features");
        Objects.requireNonNull(targets, "targets");
        if (targetDims < 1) {
            throw new IllegalArgumentException(name + ": targetDims must be >= 1, got " + targetDims);
        }
        if (targets.length % targetDims != 0) {
            throw new IllegalArgumentException(name + ": targets length " + targets.length
                    + " is not a multiple of targetDims " + targetDims);
        }
        int n = targets.length / targetDims;
        checkFeatures(name, features, featureDim, n);
        return new Dataset(name, n, featureDim, features, null, 0, targets, targetDims, null);
    }

    private static void checkFeatures(String name, float[] features, int featureDim, int n) {
        if (featureDim < 1) {
            throw new IllegalArgumentException(name + ": featureDim must be >= 1, got " + featureDim);
        }
        if ((long) n * featureDim != features.length) {
            throw new IllegalArgumentException(name + ": features length " + features.length + " != "
                    + n + " rows × " + featureDim + " features");
        }
    }

    /** A short human-readable name, e.g. {@code "digits/train"} or {@code "bostonHousing/split0/test"}. */
    public String name() {
        return name;
    }

    /** Number of rows (examples). */
    public int size() {
        return size;
    }

    /** Number of features per row. */
    public int featureDim() {
        return featureDim;
    }

    /** True for a classification set (labels), false for regression (targets). */
    public boolean isClassification() {
        return labels != null;
    }

    /** Number of classes for classification; 0 for regression. */
    public int classes() {
        return classes;
    }

    /** Number of target values per row for regression; 0 for classification. */
    public int targetDims() {
        return targetDims;
    }

    /** Width of the network's output layer: {@link #classes()} or {@link #targetDims()}. */
    public int outputDim() {
        return isClassification() ? classes : targetDims;
    }

    /** The internal row-major feature matrix ({@code size() × featureDim()}). Do not modify. */
    public float[] features() {
        return features;
    }

    /** Feature {@code col} of row {@code row}. */
    public float feature(int row, int col) {
        Objects.checkIndex(row, size);
        Objects.checkIndex(col, featureDim);
        return features[row * featureDim + col];
    }

    /** A copy of one row's features. */
    public float[] row(int row) {
        Objects.checkIndex(row, size);
        float[] out = new float[featureDim];
        System.arraycopy(features, row * featureDim, out, 0, featureDim);
        return out;
    }

    /**
     * The internal label array (one class index per row). Do not modify.
     *
     * @throws IllegalStateException for a regression set
     */
    public int[] labels() {
        if (labels == null) {
            throw new IllegalStateException(name + " is a regression set: it has targets, not labels");
        }
        return labels;
    }

    /** The label of one row (classification only). */
    public int label(int row) {
        return labels()[Objects.checkIndex(row, size)];
    }

    /**
     * The internal row-major target matrix ({@code size() × targetDims()}). Do not modify.
     *
     * @throws IllegalStateException for a classification set
     */
    public float[] targets() {
        if (targets == null) {
            throw new IllegalStateException(name + " is a classification set: it has labels, not targets");
        }
        return targets;
    }

    /** Target {@code dim} of row {@code row} (regression only). */
    public float target(int row, int dim) {
        float[] t = targets();
        Objects.checkIndex(row, size);
        Objects.checkIndex(dim, targetDims);
        return t[row * targetDims + dim];
    }

    /**
     * The normalisation already applied to this set's features (and regression targets), if any.
     * Use it to map predictions and metrics back to original units.
     */
    public Optional<Normalization> normalization() {
        return Optional.ofNullable(normalization);
    }

    /**
     * A new dataset made of the given rows, in the given order (repeats allowed, e.g. for a bootstrap).
     * Name, class count and normalisation info are kept.
     *
     * @throws IndexOutOfBoundsException if a row index is outside {@code [0, size())}
     */
    public Dataset subset(int[] rows) {
        Objects.requireNonNull(rows, "rows");
        float[] f = new float[Math.multiplyExact(rows.length, featureDim)];
        for (int i = 0; i < rows.length; i++) {
            int r = Objects.checkIndex(rows[i], size);
            System.arraycopy(features, r * featureDim, f, i * featureDim, featureDim);
        }
        if (isClassification()) {
            int[] l = new int[rows.length];
            for (int i = 0; i < rows.length; i++) {
                l[i] = labels[rows[i]];
            }
            return new Dataset(name, rows.length, featureDim, f, l, classes, null, 0, normalization);
        }
        float[] t = new float[Math.multiplyExact(rows.length, targetDims)];
        for (int i = 0; i < rows.length; i++) {
            System.arraycopy(targets, rows[i] * targetDims, t, i * targetDims, targetDims);
        }
        return new Dataset(name, rows.length, featureDim, f, null, 0, t, targetDims, normalization);
    }

    /** The same data under another name (arrays shared, not copied). */
    public Dataset withName(String newName) {
        Objects.requireNonNull(newName, "name");
        return new Dataset(newName, size, featureDim, features, labels, classes, targets, targetDims, normalization);
    }

    /**
     * The same classification data with a larger class count, so that a train and a test set whose
     * largest labels differ still get the same output layer (arrays shared, not copied).
     *
     * @throws IllegalStateException    for a regression set
     * @throws IllegalArgumentException if {@code newClasses} is smaller than {@link #classes()}
     */
    public Dataset withClasses(int newClasses) {
        if (!isClassification()) {
            throw new IllegalStateException(name + " is a regression set: it has no classes");
        }
        if (newClasses < classes) {
            throw new IllegalArgumentException(name + ": cannot shrink classes from " + classes + " to " + newClasses);
        }
        return new Dataset(name, size, featureDim, features, labels, newClasses, null, 0, normalization);
    }

    /** Package-private: built by {@link Normalization#apply}, which owns the new arrays. */
    Dataset normalized(float[] newFeatures, float[] newTargets, Normalization norm) {
        return new Dataset(name, size, featureDim, newFeatures, labels, classes,
                newTargets, targetDims, norm);
    }

    @Override
    public String toString() {
        return name + " (" + size + " × " + featureDim + ", "
                + (isClassification() ? classes + " classes" : targetDims + " target dim(s)")
                + (normalization != null ? ", normalised" : "") + ")";
    }
}

package io.github.alphadrop.data;

import java.util.Arrays;
import java.util.Objects;
import java.util.Optional;
import java.util.Random;

/**
 * A training set and the test set it is evaluated on. Both have the same number of features and the
 * same kind of output; for classification the class count is made equal (see the constructor).
 *
 * @param train the set to fit on
 * @param test  the held-out set
 */
public record TrainTest(Dataset train, Dataset test) {

    /**
     * Checks that the two sets fit together. If both are classification sets whose class counts differ
     * (e.g. the largest label happens to be missing from the test file), both are widened to the larger
     * count so that the network has one output layer for both.
     *
     * @throws IllegalArgumentException if feature counts, task kinds or target dims differ
     */
    public TrainTest {
        Objects.requireNonNull(train, "train");
        Objects.requireNonNull(test, "test");
        if (train.featureDim() != test.featureDim()) {
            throw new IllegalArgumentException("train " + train.name() + " has " + train.featureDim()
                    + " features but test " + test.name() + " has " + test.featureDim());
        }
        if (train.isClassification() != test.isClassification()) {
            throw new IllegalArgumentException("train " + train.name() + " and test " + test.name()
                    + " must both be classification or both regression");
        }
        if (train.isClassification()) {
            int k = Math.max(train.classes(), test.classes());
            train = train.classes() == k ? train : train.withClasses(k);
            test = test.classes() == k ? test : test.withClasses(k);
        } else if (train.targetDims() != test.targetDims()) {
            throw new IllegalArgumentException("train " + train.name() + " has " + train.targetDims()
                    + " target dims but test " + test.name() + " has " + test.targetDims());
        }
    }

    /** The normalisation applied to both sets (fitted on the training set), if any. */
    public Optional<Normalization> normalization() {
        return train.normalization();
    }

    /**
     * Fits a {@link Normalization} on the training set and applies it to both sets.
     */
    public TrainTest normalized() {
        Normalization norm = Normalization.fit(train);
        return new TrainTest(norm.apply(train), norm.apply(test));
    }

    /**
     * Splits one set at random into train and test:
     * <ol>
     *   <li>{@code perm} = {@link #permutation(int, long) permutation(all.size(), seed)};</li>
     *   <li>the rows at the first {@code testSize} positions of {@code perm} form the test set, the
     *       others the training set;</li>
     *   <li>each part keeps the rows in their original (ascending) order.</li>
     * </ol>
     * The result is the same on every JVM for the same inputs. Names get {@code "/train"} and
     * {@code "/test"} appended.
     *
     * @throws IllegalArgumentException unless {@code 1 <= testSize < all.size()}
     */
    public static TrainTest holdOut(Dataset all, int testSize, long seed) {
        if (testSize < 1 || testSize >= all.size()) {
            throw new IllegalArgumentException(all.name() + ": test size must be in [1, " + all.size()
                    + "), got " + testSize);
        }
        int[] perm = permutation(all.size(), seed);
        int[] testRows = Arrays.copyOfRange(perm, 0, testSize);
        int[] trainRows = Arrays.copyOfRange(perm, testSize, perm.length);
        Arrays.sort(testRows);
        Arrays.sort(trainRows);
        return new TrainTest(all.subset(trainRows).withName(all.name() + "/train"),
                all.subset(testRows).withName(all.name() + "/test"));
    }

    /**
     * {@link #holdOut(Dataset, int, long)} with {@code testSize = round(testFraction * size)}, clamped so
     * that both parts keep at least one row.
     *
     * @throws IllegalArgumentException unless {@code 0 < testFraction < 1} and the set has at least 2 rows
     */
    public static TrainTest holdOut(Dataset all, double testFraction, long seed) {
        if (!(testFraction > 0 && testFraction < 1)) {
            throw new IllegalArgumentException("test fraction must be in (0, 1), got " + testFraction);
        }
        if (all.size() < 2) {
            throw new IllegalArgumentException(all.name() + ": need at least 2 rows to split, got " + all.size());
        }
        int testSize = (int) Math.round(testFraction * all.size());
        testSize = Math.max(1, Math.min(all.size() - 1, testSize));
        return holdOut(all, testSize, seed);
    }

    /**
     * A random permutation of {@code 0..n-1}: start from the identity and, for {@code i} from
     * {@code n-1} down to 1, swap positions {@code i} and {@code j = rnd.nextInt(i + 1)} with
     * {@code rnd = new java.util.Random(seed)} (Fisher–Yates). {@code java.util.Random}'s algorithm is
     * fixed by its specification, so the permutation is reproducible everywhere.
     */
    public static int[] permutation(int n, long seed) {
        int[] p = new int[n];
        for (int i = 0; i < n; i++) {
            p[i] = i;
        }
        Random rnd = new Random(seed);
        for (int i = n - 1; i > 0; i--) {
            int j = rnd.nextInt(i + 1);
            int t = p[i];
            p[i] = p[j];
            p[j] = t;
        }
        return p;
    }
}

package io.github.alphadrop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class NormalizationTest {

    // Train: feature 0 = {1, 3} (mean 2, population std 1), feature 1 constant 10 (std left at 1),
    // target = {1, 5} (mean 3, std 2).
    private static final Dataset TRAIN = Dataset.regression("train", new float[] {1, 10, 3, 10}, 2, new float[] {1, 5}, 1);
    // Test has very different statistics; they must not be used.
    private static final Dataset TEST = Dataset.regression("test", new float[] {5, 12, 100, 0}, 2, new float[] {9, -1}, 1);

    @Test
    void statisticsComeFromTrainingSetOnly() {
        Normalization n = Normalization.fit(TRAIN);
        assertArrayEquals(new double[] {2, 10}, n.featureMean(), 0);
        assertArrayEquals(new double[] {1, 1}, n.featureStd(), 0);
        assertArrayEquals(new double[] {3}, n.targetMean(), 0);
        assertArrayEquals(new double[] {2}, n.targetStd(), 0);

        TrainTest tt = new TrainTest(TRAIN, TEST).normalized();
        assertArrayEquals(new float[] {-1, 0, 1, 0}, tt.train().features(), 0);
        assertArrayEquals(new float[] {-1, 1}, tt.train().targets(), 0);
        // (5-2)/1, (12-10)/1, (100-2)/1, (0-10)/1 ; targets (9-3)/2, (-1-3)/2
        assertArrayEquals(new float[] {3, 2, 98, -10}, tt.test().features(), 0);
        assertArrayEquals(new float[] {3, -2}, tt.test().targets(), 0);
        assertSame(tt.train().normalization().orElseThrow(), tt.test().normalization().orElseThrow());
        assertSame(tt.train().normalization().orElseThrow(), tt.normalization().orElseThrow());
    }

    @Test
    void mapsPredictionsAndMetricsBackToOriginalUnits() {
        Normalization n = Normalization.fit(TRAIN);
        assertArrayEquals(new float[] {3, 7, 1}, n.denormalizeTargets(new float[] {0, 2, -1}), 0);
        assertEquals(7.0, n.denormalizeTarget(2, 0), 0);
        assertEquals(1.0, n.scaleRmse(0.5), 1e-12);
        assertEquals(1.0, n.scaleStd(0.5, 0), 1e-12);
        assertEquals(-1.25 - Math.log(2), n.scaleLogLikelihood(-1.25), 1e-12);
        assertArrayEquals(new float[] {3, 2}, n.normalizeFeatures(new float[] {5, 12}), 0);
    }

    @Test
    void logLikelihoodSubtractsLogStdOfEveryTargetDim() {
        Dataset two = Dataset.regression("t", new float[] {0, 1}, 1, new float[] {0, 0, 2, 6}, 2);
        Normalization n = Normalization.fit(two); // target std 1 and 3
        assertEquals(-2 - Math.log(3), n.scaleLogLikelihood(-2), 1e-12);
        assertEquals(1.5, n.scaleRmse(0.5, 1), 1e-12);
        assertThrows(IllegalStateException.class, () -> n.scaleRmse(0.5));
    }

    @Test
    void constantColumnWithInexactMeanKeepsUnitStd() {
        // 0.1f has no exact binary form: the mean of many copies may differ from it by rounding,
        // which must not turn into a tiny std that blows the column up.
        float[] x = new float[1000];
        java.util.Arrays.fill(x, 0.1f);
        Normalization n = Normalization.fit(Dataset.classification("c", x, 1, new int[1000], 1));
        assertArrayEquals(new double[] {1}, n.featureStd(), 0);
    }

    @Test
    void classificationHasNoTargetStatistics() {
        Dataset c = Dataset.classification("c", new float[] {0, 2}, 1, new int[] {0, 1}, 2);
        Normalization n = Normalization.fit(c);
        assertEquals(0, n.targetDims());
        Dataset z = n.apply(c);
        assertArrayEquals(new float[] {-1, 1}, z.features(), 0);
        assertArrayEquals(new int[] {0, 1}, z.labels());
        assertThrows(IllegalStateException.class, () -> n.scaleRmse(1));
    }

    @Test
    void refusesDoubleNormalisationAndShapeMismatch() {
        Normalization n = Normalization.fit(TRAIN);
        Dataset once = n.apply(TRAIN);
        assertThrows(IllegalArgumentException.class, () -> n.apply(once));
        assertThrows(IllegalArgumentException.class, () -> Normalization.fit(once));
        Dataset wide = Dataset.regression("w", new float[3], 3, new float[1], 1);
        assertThrows(IllegalArgumentException.class, () -> n.apply(wide));
    }
}

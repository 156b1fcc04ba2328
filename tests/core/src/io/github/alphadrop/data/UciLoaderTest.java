package io.github.alphadrop.data;

import static io.github.alphadrop.data.Fixtures.assertMalformed;
import static io.github.alphadrop.data.Fixtures.path;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.NoSuchFileException;
import org.junit.jupiter.api.Test;

class UciLoaderTest {

    @Test
    void loadsSplitNormalisedWithTrainingStatistics() throws Exception {
        // uci/tiny rows 0-5 (train of split 0): f0 mean 2 std 1, f1 constant 5, f2 mean 20 std 10,
        // target mean 3 std 1 (see make_fixtures.py). Test rows: [7,5,0,10] and [-1,5,40,-1].
        TrainTest tt = UciLoader.load(path("uci/tiny"), 0);
        Dataset train = tt.train();
        Dataset test = tt.test();
        assertEquals("tiny/split0/train", train.name());
        assertEquals(6, train.size());
        assertEquals(3, train.featureDim());
        assertEquals(1, train.targetDims());
        assertArrayEquals(new float[] {-1, 0, -1, 1, 0, -1, -1, 0, 1, 1, 0, 1, -1, 0, -1, 1, 0, 1}, train.features(), 0);
        assertArrayEquals(new float[] {-1, 1, -1, 1, -1, 1}, train.targets(), 0);
        assertArrayEquals(new float[] {5, 0, -2, -3, 0, 2}, test.features(), 0);
        assertArrayEquals(new float[] {7, -4}, test.targets(), 0);

        Normalization n = tt.normalization().orElseThrow();
        assertArrayEquals(new double[] {2, 5, 20}, n.featureMean(), 1e-12);
        assertArrayEquals(new double[] {1, 1, 10}, n.featureStd(), 1e-12);
        assertArrayEquals(new double[] {3}, n.targetMean(), 1e-12);
        assertEquals(10.0, n.denormalizeTarget(7, 0), 1e-12);
    }

    @Test
    void otherSplitUsesItsOwnRowsAndStatistics() throws Exception {
        TrainTest tt = UciLoader.load(path("uci/tiny"), 1); // train rows 2..7, test rows 0, 1
        assertEquals(6, tt.train().size());
        assertEquals(2, tt.test().size());
        Normalization n = tt.normalization().orElseThrow();
        assertEquals((1 + 3 + 1 + 3 + 7 - 1) / 6.0, n.featureMean()[0], 1e-12);
        assertEquals(2, UciLoader.numSplits(path("uci/tiny")));
    }

    @Test
    void splitMustBeInRange() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> UciLoader.load(path("uci/tiny"), 2));
        Fixtures.assertContains(e.getMessage(), "split 2", "[0, 2)");
        assertThrows(IllegalArgumentException.class, () -> UciLoader.load(path("uci/tiny"), -1));
    }

    @Test
    void malformedFilesAreNamedWithLineAndColumn() {
        MalformedDataException ragged = assertMalformed(() -> UciLoader.load(path("uci/ragged"), 0),
                "data.txt line 3", "ragged row", "3 values", "line 1 has 4");
        assertEquals(3, ragged.line());
        MalformedDataException nonNumeric = assertMalformed(() -> UciLoader.load(path("uci/nonnumeric"), 0),
                "data.txt line 2, column 3", "\"x7\"", "not a finite number");
        assertEquals(3, nonNumeric.column());
        assertMalformed(() -> UciLoader.load(path("uci/row-out-of-range"), 0),
                "index_train_0.txt line 6, column 1", "row index 8 is out of range [0, 8)");
        assertMalformed(() -> UciLoader.load(path("uci/column-out-of-range"), 0),
                "index_target.txt line 1, column 1", "column index 4 is out of range [0, 4)");
        assertMalformed(() -> UciLoader.load(path("uci/fractional-index"), 0),
                "index_train_0.txt line 3, column 1", "\"2.5\"", "not a non-negative whole number");
        assertMalformed(() -> UciLoader.load(path("uci/overlap"), 0),
                "index_test_0.txt", "row 5 is also in index_train_0.txt");
        assertMalformed(() -> UciLoader.load(path("uci/bad-nsplits"), 0), "n_splits.txt line 1", "\"two\"");
    }

    @Test
    void missingFolderOrFileIsReported() {
        assertThrows(NoSuchFileException.class, () -> UciLoader.load(path("uci").resolve("absent"), 0));
        assertThrows(NoSuchFileException.class, () -> UciLoader.load(path("csv"), 0)); // no n_splits.txt
    }
}

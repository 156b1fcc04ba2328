package io.github.alphadrop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class DigitsTest {

    @Test
    void allRowsLoadWithScaledPixelsAndTenLabels() {
        Dataset all = Digits.all();
        assertEquals("digits", all.name());
        assertEquals(1797, all.size());
        assertEquals(64, all.featureDim());
        assertEquals(10, all.classes());
        int[] count = new int[10];
        for (int l : all.labels()) {
            count[l]++;
        }
        for (int c = 0; c < 10; c++) {
            assertTrue(count[c] > 150, "every digit is well represented");
        }
        float max = 0;
        for (float v : all.features()) {
            assertTrue(v >= 0 && v <= 1);
            max = Math.max(max, v);
        }
        assertEquals(1f, max, 0, "16/16 occurs");
        // First row of the file: 0,0,5,13,9,1,0,0,... label 0
        assertArrayEquals(new float[] {0, 0, 5 / 16f, 13 / 16f, 9 / 16f, 1 / 16f, 0, 0},
                Arrays.copyOf(all.row(0), 8), 0);
        assertEquals(0, all.label(0));
        assertTrue(all.normalization().isEmpty());
    }

    @Test
    void fixedSplitHasDocumentedSizesAndRows() {
        TrainTest tt = Digits.load();
        assertEquals(Digits.TRAIN_SIZE, tt.train().size());
        assertEquals(Digits.TEST_SIZE, tt.test().size());
        assertEquals(1437, tt.train().size());
        assertEquals(360, tt.test().size());
        assertEquals("digits/train", tt.train().name());
        assertEquals("digits/test", tt.test().name());

        // The documented procedure: first 360 positions of permutation(1797, 2017), in file order.
        int[] testRows = Arrays.copyOf(TrainTest.permutation(1797, Digits.SPLIT_SEED), 360);
        Arrays.sort(testRows);
        Dataset all = Digits.all();
        Dataset expected = all.subset(testRows);
        assertArrayEquals(expected.features(), tt.test().features(), 0);
        assertArrayEquals(expected.labels(), tt.test().labels());
        // Pinned values: if these change, the "fixed" split changed and published results are no longer comparable.
        assertArrayEquals(new int[] {4, 6, 7, 18, 19, 21, 24, 31}, Arrays.copyOf(testRows, 8));
        assertEquals(316260, Arrays.stream(testRows).sum());
        int[] testCounts = new int[10];
        for (int l : tt.test().labels()) {
            testCounts[l]++;
        }
        assertArrayEquals(new int[] {36, 30, 39, 30, 33, 41, 43, 41, 35, 32}, testCounts);
    }
}

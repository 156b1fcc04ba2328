package io.github.alphadrop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

class TrainTestTest {

    private static Dataset rows(int n) {
        float[] x = new float[n];
        int[] y = new int[n];
        for (int i = 0; i < n; i++) {
            x[i] = i;
            y[i] = i % 3;
        }
        return Dataset.classification("all", x, 1, y, 3);
    }

    @Test
    void permutationIsAReproduciblePermutation() {
        int[] p = TrainTest.permutation(50, 7);
        assertArrayEquals(p, TrainTest.permutation(50, 7));
        int[] sorted = p.clone();
        Arrays.sort(sorted);
        for (int i = 0; i < 50; i++) {
            assertEquals(i, sorted[i]);
        }
    }

    @Test
    void holdOutPartitionsRowsAndKeepsFileOrder() {
        TrainTest tt = TrainTest.holdOut(rows(10), 3, 1L);
        assertEquals(7, tt.train().size());
        assertEquals(3, tt.test().size());
        assertEquals("all/train", tt.train().name());
        float[] all = new float[10];
        System.arraycopy(tt.train().features(), 0, all, 0, 7);
        System.arraycopy(tt.test().features(), 0, all, 7, 3);
        float[] trainPart = tt.train().features();
        for (int i = 1; i < trainPart.length; i++) {
            assertEquals(true, trainPart[i - 1] < trainPart[i], "train rows keep file order");
        }
        Arrays.sort(all);
        for (int i = 0; i < 10; i++) {
            assertEquals(i, all[i]);
        }
        // The test rows are the first 3 positions of the documented permutation.
        int[] expected = Arrays.copyOf(TrainTest.permutation(10, 1L), 3);
        Arrays.sort(expected);
        for (int i = 0; i < 3; i++) {
            assertEquals(expected[i], tt.test().features()[i]);
        }
    }

    @Test
    void holdOutFractionRoundsAndKeepsBothPartsNonEmpty() {
        assertEquals(2, TrainTest.holdOut(rows(10), 0.2, 3L).test().size());
        assertEquals(1, TrainTest.holdOut(rows(3), 0.01, 3L).test().size());
        assertEquals(2, TrainTest.holdOut(rows(3), 0.99, 3L).test().size());
        assertThrows(IllegalArgumentException.class, () -> TrainTest.holdOut(rows(10), 1.0, 3L));
        assertThrows(IllegalArgumentException.class, () -> TrainTest.holdOut(rows(10), 10, 3L));
    }

    @Test
    void classCountsAreWidenedToMatch() {
        Dataset a = Dataset.classification("a", new float[2], 1, new int[] {0, 1}, 2);
        Dataset b = Dataset.classification("b", new float[1], 1, new int[] {4}, 5);
        TrainTest tt = new TrainTest(a, b);
        assertEquals(5, tt.train().classes());
        assertEquals(5, tt.test().classes());
    }

    @Test
    void mismatchedSetsAreRejected() {
        Dataset a = Dataset.classification("a", new float[2], 1, new int[] {0, 1}, 2);
        Dataset wide = Dataset.classification("w", new float[4], 2, new int[] {0, 1}, 2);
        Dataset reg = Dataset.regression("r", new float[2], 1, new float[2], 1);
        assertThrows(IllegalArgumentException.class, () -> new TrainTest(a, wide));
        assertThrows(IllegalArgumentException.class, () -> new TrainTest(a, reg));
    }
}

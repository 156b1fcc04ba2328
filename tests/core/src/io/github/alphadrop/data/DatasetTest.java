package io.github.alphadrop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class DatasetTest {

    private static Dataset cls() {
        return Dataset.classification("c", new float[] {0, 1, 2, 3, 4, 5}, 2, new int[] {0, 2, 1}, 3);
    }

    private static Dataset reg() {
        return Dataset.regression("r", new float[] {0, 1, 2, 3, 4, 5}, 3, new float[] {1, 10, 2, 20}, 2);
    }

    @Test
    void classificationAccessors() {
        Dataset d = cls();
        assertEquals(3, d.size());
        assertEquals(2, d.featureDim());
        assertTrue(d.isClassification());
        assertEquals(3, d.classes());
        assertEquals(0, d.targetDims());
        assertEquals(3, d.outputDim());
        assertEquals(3f, d.feature(1, 1));
        assertArrayEquals(new float[] {4, 5}, d.row(2));
        assertEquals(2, d.label(1));
        assertTrue(d.normalization().isEmpty());
        assertThrows(IllegalStateException.class, d::targets);
    }

    @Test
    void regressionAccessors() {
        Dataset d = reg();
        assertEquals(2, d.size());
        assertFalse(d.isClassification());
        assertEquals(0, d.classes());
        assertEquals(2, d.targetDims());
        assertEquals(2, d.outputDim());
        assertEquals(20f, d.target(1, 1));
        assertThrows(IllegalStateException.class, d::labels);
    }

    @Test
    void factoriesRejectInconsistentShapes() {
        assertThrows(IllegalArgumentException.class,
                () -> Dataset.classification("x", new float[5], 2, new int[] {0, 1, 0}, 2));
        assertThrows(IllegalArgumentException.class,
                () -> Dataset.classification("x", new float[6], 2, new int[] {0, 2, 0}, 2));
        assertThrows(IllegalArgumentException.class,
                () -> Dataset.classification("x", new float[6], 2, new int[] {0, -1, 0}, 2));
        assertThrows(IllegalArgumentException.class,
                () -> Dataset.regression("x", new float[6], 3, new float[3], 2));
        assertThrows(IllegalArgumentException.class,
                () -> Dataset.regression("x", new float[0], 0, new float[0], 1));
    }

    @Test
    void subsetCopiesRowsInOrderWithRepeats() {
        Dataset s = cls().subset(new int[] {2, 0, 2});
        assertArrayEquals(new float[] {4, 5, 0, 1, 4, 5}, s.features());
        assertArrayEquals(new int[] {1, 0, 1}, s.labels());
        assertEquals(3, s.classes());

        Dataset r = reg().subset(new int[] {1});
        assertArrayEquals(new float[] {3, 4, 5}, r.features());
        assertArrayEquals(new float[] {2, 20}, r.targets());
        assertThrows(IndexOutOfBoundsException.class, () -> cls().subset(new int[] {3}));
    }

    @Test
    void withClassesOnlyWidens() {
        assertEquals(5, cls().withClasses(5).classes());
        assertThrows(IllegalArgumentException.class, () -> cls().withClasses(2));
        assertThrows(IllegalStateException.class, () -> reg().withClasses(4));
    }
}

package io.github.alphadrop.data;

import static io.github.alphadrop.data.Fixtures.assertContains;
import static io.github.alphadrop.data.Fixtures.assertMalformed;
import static io.github.alphadrop.data.Fixtures.path;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.github.alphadrop.data.CsvLoader.Header;
import io.github.alphadrop.data.CsvLoader.Task;
import org.junit.jupiter.api.Test;

class CsvLoaderTest {

    @Test
    void headerIsDetectedAndTargetFoundByName() throws Exception {
        Dataset d = CsvLoader.load(path("csv/header-regression.csv"), "price", Task.REGRESSION);
        assertEquals("header-regression", d.name());
        assertEquals(3, d.size());
        assertEquals(2, d.featureDim());
        assertArrayEquals(new float[] {1, 2, 3, 4, 5, 6}, d.features(), 0);
        assertArrayEquals(new float[] {10.5f, 20, 30.25f}, d.targets(), 0);
        // case-insensitive fallback, and the same column by index
        assertArrayEquals(d.targets(), CsvLoader.load(path("csv/header-regression.csv"), "PRICE", Task.REGRESSION).targets(), 0);
        assertArrayEquals(d.targets(), CsvLoader.load(path("csv/header-regression.csv"), 2, Task.REGRESSION).targets(), 0);
    }

    @Test
    void targetByIndexCountsFromTheEndWhenNegative() throws Exception {
        Dataset first = CsvLoader.load(path("csv/header-regression.csv"), 0, Task.REGRESSION);
        assertArrayEquals(new float[] {1, 3, 5}, first.targets(), 0);
        assertArrayEquals(new float[] {2, 10.5f, 4, 20, 6, 30.25f}, first.features(), 0);
        Dataset minus2 = CsvLoader.load(path("csv/header-regression.csv"), -2, Task.REGRESSION);
        assertArrayEquals(new float[] {2, 4, 6}, minus2.targets(), 0);
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> CsvLoader.load(path("csv/header-regression.csv"), -4, Task.REGRESSION));
        assertContains(e.getMessage(), "header-regression.csv", "index -4 is out of range", "3 columns");
        IllegalArgumentException byName = assertThrows(IllegalArgumentException.class,
                () -> CsvLoader.load(path("csv/header-regression.csv"), "cost", Task.REGRESSION));
        assertContains(byName.getMessage(), "\"cost\" not found", "x1, x2, price");
    }

    @Test
    void classificationWithoutHeader() throws Exception {
        Dataset d = CsvLoader.load(path("csv/noheader-classification.csv"), null, Task.CLASSIFICATION);
        assertEquals(4, d.size());
        assertEquals(2, d.featureDim());
        assertArrayEquals(new int[] {0, 1, 2, 1}, d.labels()); // "2.0" is a whole number
        assertEquals(3, d.classes());
        assertArrayEquals(new float[] {0.5f, 1, 1.5f, 2, 2.5f, 3, 3.5f, 4}, d.features(), 0);
    }

    @Test
    void bomQuotesBlankLinesAndCrlfAreHandled() throws Exception {
        Dataset d = CsvLoader.load(path("csv/quoted.csv"), "the, target", Task.REGRESSION);
        assertEquals(2, d.size());
        assertArrayEquals(new float[] {1, 2, 3, 4}, d.features(), 0);
        assertArrayEquals(new float[] {7, 8}, d.targets(), 0);
        // "a" is matched although the file starts with a byte-order mark
        assertArrayEquals(new float[] {1, 3}, CsvLoader.load(path("csv/quoted.csv"), "a", Task.REGRESSION).targets(), 0);
    }

    @Test
    void gzipIsDetectedByContent() throws Exception {
        Dataset d = CsvLoader.load(path("csv/gzip-named.csv"), "label", Task.CLASSIFICATION);
        assertArrayEquals(new int[] {1, 0}, d.labels());
        assertArrayEquals(new float[] {0.25f, 0.75f}, d.features(), 0);
    }

    @Test
    void explicitHeaderModes() throws Exception {
        // Forced ABSENT on a file with a header: the header cells become data and fail as numbers.
        assertMalformed(() -> CsvLoader.load(path("csv/header-regression.csv"), "-1", Task.REGRESSION, Header.ABSENT),
                "line 1, column 1", "\"x1\"");
        // Forced PRESENT on a numeric file: the first row is skipped.
        Dataset d = CsvLoader.load(path("csv/noheader-classification.csv"), "-1", Task.CLASSIFICATION, Header.PRESENT);
        assertEquals(3, d.size());
    }

    @Test
    void malformedCellsNameFileLineAndColumn() {
        MalformedDataException e = assertMalformed(
                () -> CsvLoader.load(path("csv/nonnumeric.csv"), "y", Task.REGRESSION),
                "nonnumeric.csv line 3, column 2", "(column \"b\")", "\"abc\"", "not a finite number");
        assertEquals(3, e.line());
        assertEquals(2, e.column());
        assertMalformed(() -> CsvLoader.load(path("csv/ragged.csv"), "y", Task.REGRESSION),
                "ragged.csv line 4", "ragged row", "2 fields", "line 1 has 3");
        assertMalformed(() -> CsvLoader.load(path("csv/empty-cell.csv"), "-1", Task.REGRESSION),
                "empty-cell.csv line 2, column 2", "empty cell");
        assertMalformed(() -> CsvLoader.load(path("csv/nan.csv"), "y", Task.REGRESSION),
                "nan.csv line 2, column 2", "\"NaN\"");
        assertMalformed(() -> CsvLoader.load(path("csv/bad-label.csv"), "label", Task.CLASSIFICATION),
                "bad-label.csv line 3, column 3", "\"2.5\"", "class label");
        assertMalformed(() -> CsvLoader.load(path("csv/negative-label.csv"), "-1", Task.CLASSIFICATION),
                "negative-label.csv line 2, column 3", "\"-1\"", "class label");
        assertMalformed(() -> CsvLoader.load(path("csv/unterminated-quote.csv"), "y", Task.REGRESSION),
                "unterminated-quote.csv line 2, column 2", "unterminated quote");
    }

    @Test
    void emptyAndDegenerateFilesAreRejected() {
        assertMalformed(() -> CsvLoader.load(path("csv/empty.csv"), "-1", Task.REGRESSION), "empty.csv", "empty file");
        assertMalformed(() -> CsvLoader.load(path("csv/header-only.csv"), "y", Task.REGRESSION),
                "header-only.csv", "no data rows");
        assertMalformed(() -> CsvLoader.load(path("csv/one-column.csv"), "-1", Task.REGRESSION),
                "one-column.csv line 1", "1 column");
    }
}

package io.github.alphadrop.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Loaders on the real files of ../shared/data (or -Dalphadrop.data=DIR). A fresh clone may lack that
 * folder: then every test here is skipped with the reason, never failed.
 */
class RealDataTest {

    private static Path shared(String relative) {
        Optional<Path> p = SharedData.resolve(relative);
        assumeTrue(p.isPresent(), () -> "real data not found: " + SharedData.location().resolve(relative)
                + " (set -D" + SharedData.PROPERTY + "=DIR to point at the shared data folder)");
        return p.get();
    }

    @Test
    void mnist10k() throws IOException {
        TrainTest tt = DataSpec.parse("idx:" + shared("mnist-10k")).load();
        checkMnistLike(tt.train(), 8000);
        checkMnistLike(tt.test(), 2000);
        assertEquals("mnist-10k/train", tt.train().name());
    }

    private static void checkMnistLike(Dataset d, int size) {
        assertEquals(size, d.size());
        assertEquals(784, d.featureDim());
        assertEquals(10, d.classes());
        int[] count = new int[10];
        for (int l : d.labels()) {
            count[l]++;
        }
        for (int c = 0; c < 10; c++) {
            assertTrue(count[c] > size / 20, "digit " + c + " is present");
        }
        float min = 1;
        float max = 0;
        for (float v : d.features()) {
            min = Math.min(min, v);
            max = Math.max(max, v);
        }
        assertEquals(0f, min, 0);
        assertEquals(1f, max, 0);
    }

    @Test
    void bostonHousingSplit0() throws IOException {
        Path dir = shared("uci/bostonHousing");
        TrainTest tt = UciLoader.load(dir, 0);
        assertEquals(506, tt.train().size() + tt.test().size());
        assertEquals(lineCount(dir.resolve("index_test_0.txt")), tt.test().size());
        assertEquals(13, tt.train().featureDim());
        assertEquals(1, tt.train().targetDims());
        // Standardised with training statistics: mean 0 and std 1 on the training rows.
        float[] y = tt.train().targets();
        double mean = 0;
        for (float v : y) {
            mean += v;
        }
        assertEquals(0, mean / y.length, 1e-5);
        Normalization n = tt.normalization().orElseThrow();
        assertTrue(n.targetMean()[0] > 20 && n.targetMean()[0] < 25, "median house value ~22.5 (k$)");
        assertEquals(20, UciLoader.numSplits(dir));
        assertEquals(506, UciLoader.load(dir, 19).train().size() + UciLoader.load(dir, 19).test().size());
    }

    private static long lineCount(Path file) throws IOException {
        try (var lines = Files.lines(file)) {
            return lines.filter(l -> !l.isBlank()).count();
        }
    }

    /** Every UCI set of the shared folder loads (split 0) with the shape its README gives. */
    @ParameterizedTest
    @CsvSource({
        "bostonHousing, 506, 13",
        "concrete, 1030, 8",
        "kin8nm, 8192, 8",
        "naval-propulsion-plant, 11934, 16",
        "power-plant, 9568, 4",
        "protein-tertiary-structure, 45730, 9",
        "wine-quality-red, 1599, 11",
    })
    void uciSetShapes(String set, int rows, int features) throws IOException {
        TrainTest tt = UciLoader.load(shared("uci/" + set), 0);
        assertEquals(rows, tt.train().size() + tt.test().size());
        assertEquals(features, tt.train().featureDim());
        for (float v : tt.test().features()) {
            assertTrue(Float.isFinite(v), "constant columns must not produce NaN");
        }
    }

    @Test
    void embeddedDigitsAreTheSharedFile() throws IOException {
        Path shared = shared("digits/digits.csv.gz");
        try (InputStream in = Digits.class.getResourceAsStream(Digits.RESOURCE)) {
            assertArrayEquals(Files.readAllBytes(shared), in.readAllBytes());
        }
    }

    /** Debian's dataset-fashion-mnist, if installed: same IDX names as MNIST. Only the 10k test part, to stay fast. */
    @Test
    void fashionMnistIfInstalled() throws IOException {
        Path dir = Path.of("/usr/share/datasets/fashion-mnist");
        assumeTrue(Files.isDirectory(dir), "Fashion-MNIST not installed (apt-get install dataset-fashion-mnist)");
        Dataset test = IdxLoader.load(dir, "t10k");
        assertEquals(10000, test.size());
        assertEquals(784, test.featureDim());
        assertEquals(10, test.classes());
    }
}

package io.github.alphadrop.data;

import static io.github.alphadrop.data.Fixtures.assertContains;
import static io.github.alphadrop.data.Fixtures.path;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.alphadrop.data.CsvLoader.Task;
import io.github.alphadrop.data.DataSpec.Options;
import io.github.alphadrop.data.DataSpec.Scheme;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class DataSpecTest {

    @Test
    void parsesTheAcceptedForms() {
        assertEquals(Scheme.DIGITS, DataSpec.parse("digits").scheme());
        assertTrue(DataSpec.parse(" DIGITS ").path().isEmpty());
        DataSpec idx = DataSpec.parse("idx:../shared/data/mnist-10k");
        assertEquals(Scheme.IDX, idx.scheme());
        assertEquals(Path.of("../shared/data/mnist-10k"), idx.path().orElseThrow());
        assertEquals(Scheme.UCI, DataSpec.parse("UCI:some/dir").scheme());
        DataSpec csv = DataSpec.parse("csv:/tmp/a:b.csv"); // only the first colon separates
        assertEquals(Path.of("/tmp/a:b.csv"), csv.path().orElseThrow());
        assertEquals("csv:/tmp/a:b.csv", csv.toString());
    }

    @Test
    void unknownOrIncompleteSpecsNameTheSpecAndTheForms() {
        for (String bad : new String[] {"mnist", "foo:bar", "", "digits:x", "idx:", "csv:  "}) {
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DataSpec.parse(bad));
            assertContains(e.getMessage(), "\"" + bad + "\"", DataSpec.FORMS);
        }
    }

    @Test
    void loadsDigitsIdxAndUci() throws Exception {
        TrainTest digits = DataSpec.parse("digits").load();
        assertEquals(1437, digits.train().size());
        assertFalse(digits.normalization().isPresent());

        TrainTest idx = DataSpec.parse("idx:" + path("idx/ok")).load();
        assertEquals(3, idx.train().size());
        assertEquals(2, idx.test().size());

        TrainTest uci0 = DataSpec.parse("uci:" + path("uci/tiny")).load();
        assertEquals("tiny/split0/train", uci0.train().name());
        TrainTest uci1 = DataSpec.parse("uci:" + path("uci/tiny")).load(Options.defaults().withSplit(1));
        assertEquals("tiny/split1/train", uci1.train().name());
        assertTrue(uci1.normalization().isPresent());
    }

    @Test
    void csvWithSeparateTestFileIsNormalisedOnTrain() throws Exception {
        DataSpec spec = DataSpec.parse("csv:" + path("csv/train.csv"));
        TrainTest tt = spec.load(Options.defaults().withTestFile(path("csv/test.csv")).withTarget("y")
                .withTask(Task.CLASSIFICATION));
        assertEquals(4, tt.train().size());
        assertEquals(2, tt.test().size());
        assertEquals(4, tt.train().classes(), "test label 3 widens the class count");
        Normalization n = tt.normalization().orElseThrow();
        assertEquals(0.5, n.featureMean()[0], 1e-12);
        assertEquals(0.5, n.featureStd()[0], 1e-12);
        assertEquals(0, tt.test().feature(0, 0), 1e-6); // (0.5 - 0.5) / 0.5
        assertEquals(3, tt.test().feature(1, 1), 1e-6); // (2 - 0.5) / 0.5
    }

    @Test
    void csvWithTestFractionHoldsOutRows() throws Exception {
        DataSpec spec = DataSpec.parse("csv:" + path("csv/noheader-classification.csv"));
        TrainTest tt = spec.load(Options.defaults().withTestFraction(0.25).withTask(Task.CLASSIFICATION));
        assertEquals(3, tt.train().size());
        assertEquals(1, tt.test().size());
        TrainTest regression = spec.load(); // defaults: last column, regression, 20% held out
        assertEquals(1, regression.test().size());
        assertEquals(1, regression.train().targetDims());
        assertTrue(regression.normalization().orElseThrow().hasTargets());
    }

    @Test
    void optionsThatDoNotApplyAreRejected() {
        assertThrows(IllegalArgumentException.class,
                () -> DataSpec.parse("digits").load(Options.defaults().withSplit(1)));
        assertThrows(IllegalArgumentException.class,
                () -> DataSpec.parse("idx:" + path("idx/ok")).load(Options.defaults().withTestFraction(0.1)));
        assertThrows(IllegalArgumentException.class,
                () -> DataSpec.parse("csv:" + path("csv/train.csv")).load(Options.defaults().withSplit(0)));
        assertThrows(IllegalArgumentException.class, () -> DataSpec.parse("csv:" + path("csv/train.csv"))
                .load(Options.defaults().withTestFile(path("csv/test.csv")).withTestFraction(0.5)));
        assertThrows(IllegalArgumentException.class,
                () -> DataSpec.parse("uci:" + path("uci/tiny")).load(Options.defaults().withSplit(5)));
    }
}

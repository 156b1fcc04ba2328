package io.github.alphadrop.spark;

import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad columns and values are refused before or during training with a message naming them. */
class BadInputTest {

    private static AlphaDropClassifier quick() {
        return new AlphaDropClassifier().setArchitecture("8").setEpochs(1).setSamples(2);
    }

    private static List<Row> rows(int n) {
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            rows.add(RowFactory.create((double) (i % 3), Vectors.dense(i, 1.0, -i, 0.5)));
        }
        return rows;
    }

    private static void assertMessage(Executable run, String... parts) {
        Throwable e = assertThrows(IllegalArgumentException.class, run);
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' lacks '" + part + "'");
        }
    }

    @Test
    void missingAndMistypedColumns() {
        org.apache.spark.sql.Dataset<Row> frame = Spark.frame(rows(10), 2);
        assertMessage(() -> quick().setFeaturesCol("pixels").fit(frame), "'pixels'", "not in the input", "features");
        assertMessage(() -> quick().setLabelCol("y").fit(frame), "'y'", "not in the input");
        StructType textLabels = new StructType(new StructField[]{
                DataTypes.createStructField("label", DataTypes.StringType, false),
                DataTypes.createStructField("features", SQLDataTypes.VectorType(), false)});
        List<Row> text = List.of(RowFactory.create("cat", Vectors.dense(1, 2)));
        assertMessage(() -> quick().fit(Spark.session().createDataFrame(text, textLabels)), "'label'", "numeric", "string");
        StructType arrays = new StructType(new StructField[]{
                DataTypes.createStructField("label", DataTypes.DoubleType, false),
                DataTypes.createStructField("features", DataTypes.createArrayType(DataTypes.DoubleType), false)});
        List<Row> array = List.of(RowFactory.create(1.0, new double[]{1, 2}));
        assertMessage(() -> quick().fit(Spark.session().createDataFrame(array, arrays)), "'features'", "vector",
                "VectorAssembler");
        assertMessage(() -> quick().setPredictionCol("label").fit(frame), "'label'", "already in the input");
    }

    @Test
    void badValuesNameTheirRow() {
        List<Row> wide = rows(20);
        wide.set(13, RowFactory.create(1.0, Vectors.dense(1, 2, 3)));
        assertMessage(() -> quick().fit(Spark.frame(wide, 3)), "row 13", "features has 3 values", "first row has 4");

        List<Row> nan = rows(20);
        nan.set(7, RowFactory.create(1.0, Vectors.dense(1, Double.NaN, 3, 4)));
        assertMessage(() -> quick().fit(Spark.frame(nan, 3)), "row 7", "features[1] = NaN");

        List<Row> nanLabel = rows(20);
        nanLabel.set(5, RowFactory.create(Double.NaN, Vectors.dense(1, 2, 3, 4)));
        assertMessage(() -> quick().fit(Spark.frame(nanLabel, 3)), "row 5", "label is NaN");

        List<Row> fraction = rows(20);
        fraction.set(11, RowFactory.create(1.5, Vectors.dense(1, 2, 3, 4)));
        assertMessage(() -> quick().fit(Spark.frame(fraction, 3)), "row 11", "label = 1.5", "class index");

        List<Row> nullFeatures = rows(20);
        nullFeatures.set(9, RowFactory.create(1.0, null));
        assertMessage(() -> quick().fit(Spark.frame(nullFeatures, 3)), "row 9", "features is null");

        assertMessage(() -> quick().fit(Spark.frame(new ArrayList<>(), 2)), "no training rows");
    }

    @Test
    void badParametersAreNamed() {
        assertMessage(() -> quick().setArchitecture("100,x"), "architecture", "'100,x'");
        assertMessage(() -> quick().setArchitecture("0"), "architecture", "'0'");
        assertMessage(() -> quick().setAlpha(-1), "alpha", "-1");
        assertMessage(() -> quick().setDropout(1.0), "dropout", "1.0");
        assertMessage(() -> quick().setBatchSize(0), "batchSize", "0");
        assertMessage(() -> quick().setNoise("concrete"), "noise", "concrete");
    }

    @Test
    void scoringRowsOfTheWrongWidthAreNamed() {
        AlphaDropClassificationModel model = quick().fit(Spark.frame(rows(30), 2));
        List<Row> narrow = rows(5);
        narrow.set(3, RowFactory.create(0.0, Vectors.dense(1, 2)));
        Throwable e = assertThrows(Exception.class, () -> model.transform(Spark.frame(narrow, 1)).collectAsList());
        String all = messages(e);
        assertTrue(all.contains("partition 0 row 3") && all.contains("features has 2 values, the model has 4"), all);
    }

    private static String messages(Throwable e) {
        StringBuilder b = new StringBuilder();
        for (Throwable t = e; t != null; t = t.getCause()) {
            b.append(t.getMessage()).append(" | ");
        }
        return b.toString();
    }
}

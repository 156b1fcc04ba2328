package io.github.alphadrop.spark;

import io.github.alphadrop.data.Digits;
import io.github.alphadrop.data.TrainTest;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.ml.linalg.Vector;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A user's Pipeline: numeric columns, a VectorAssembler, the classifier; fit, score, save, load, score again. */
class PipelineTest {

    /** The digits as 64 double columns p0..p63 and a label, as a table would hold them. */
    private static org.apache.spark.sql.Dataset<Row> table(io.github.alphadrop.data.Dataset data, int partitions) {
        List<StructField> fields = new ArrayList<>();
        fields.add(DataTypes.createStructField("label", DataTypes.DoubleType, false));
        for (int j = 0; j < data.featureDim(); j++) {
            fields.add(DataTypes.createStructField("p" + j, DataTypes.DoubleType, false));
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            Object[] v = new Object[data.featureDim() + 1];
            v[0] = (double) data.label(i);
            for (int j = 0; j < data.featureDim(); j++) {
                v[j + 1] = (double) data.feature(i, j);
            }
            rows.add(RowFactory.create(v));
        }
        return Spark.session().createDataFrame(Spark.context().parallelize(rows, partitions),
                new StructType(fields.toArray(new StructField[0])));
    }

    private static String[] pixelColumns() {
        String[] names = new String[Digits.FEATURES];
        for (int j = 0; j < names.length; j++) {
            names[j] = "p" + j;
        }
        return names;
    }

    @Test
    void pipelineFitsScoresSavesAndLoadsOnTheDigits(@TempDir Path dir) throws Exception {
        TrainTest digits = Digits.load();
        org.apache.spark.sql.Dataset<Row> train = table(digits.train(), 2);
        org.apache.spark.sql.Dataset<Row> test = table(digits.test(), 2);
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[]{
                new VectorAssembler().setInputCols(pixelColumns()).setOutputCol("features"),
                new AlphaDropClassifier().setArchitecture("100").setDropout(0.25).setEpochs(20).setSamples(5).setTestSamples(20)});
        PipelineModel model = pipeline.fit(train);
        List<Row> scored = model.transform(test).select("label", "prediction", "probability", "entropy",
                "mutualInformation").collectAsList();
        assertEquals(Digits.TEST_SIZE, scored.size());
        int correct = 0;
        for (Row row : scored) {
            double label = row.getDouble(0);
            double predicted = row.getDouble(1);
            Vector p = row.getAs(2);
            double entropy = row.getDouble(3);
            double information = row.getDouble(4);
            assertEquals(10, p.size());
            double sum = 0;
            for (int c = 0; c < 10; c++) {
                assertTrue(p.apply(c) >= 0, "probability " + p);
                sum += p.apply(c);
            }
            assertEquals(1.0, sum, 1e-4, "probabilities sum");
            assertEquals(p.argmax(), (int) predicted, "prediction is the most probable class");
            assertTrue(entropy >= -1e-6 && entropy <= Math.log(10) + 1e-6, "entropy " + entropy);
            assertTrue(information >= -1e-6 && information <= entropy + 1e-6, "mutual information " + information
                    + " vs entropy " + entropy);
            if (predicted == label) {
                correct++;
            }
        }
        double accuracy = (double) correct / scored.size();
        assertTrue(accuracy > 0.9, "test accuracy " + accuracy);

        String path = dir.resolve("pipeline").toString();
        model.write().overwrite().save(path);
        PipelineModel loaded = PipelineModel.load(path);
        List<Row> again = loaded.transform(test).select("prediction", "probability", "entropy", "mutualInformation")
                .collectAsList();
        for (int i = 0; i < scored.size(); i++) {
            assertEquals(scored.get(i).get(1), again.get(i).get(0), "prediction of row " + i);
            assertEquals(scored.get(i).get(2), again.get(i).get(1), "probabilities of row " + i);
            assertEquals(scored.get(i).get(3), again.get(i).get(2), "entropy of row " + i);
            assertEquals(scored.get(i).get(4), again.get(i).get(3), "mutual information of row " + i);
        }
        AlphaDropClassificationModel stage = (AlphaDropClassificationModel) loaded.stages()[1];
        assertEquals(20, stage.getTestSamples(), "parameters come back with the model");
        assertEquals("100", stage.getArchitecture());
    }

    @Test
    void modelAndEstimatorSaveAndLoadAlone(@TempDir Path dir) throws Exception {
        TrainTest digits = Digits.load();
        org.apache.spark.sql.Dataset<Row> train = Spark.frame(digits.train(), 2);
        org.apache.spark.sql.Dataset<Row> test = Spark.frame(digits.test(), 3);
        AlphaDropClassifier estimator = new AlphaDropClassifier().setArchitecture("32").setEpochs(2).setSamples(2)
                .setTestSamples(10).setSeed(9).setEntropyCol("").setMutualInformationCol("");
        estimator.write().overwrite().save(dir.resolve("estimator").toString());
        AlphaDropClassifier estimatorBack = AlphaDropClassifier.load(dir.resolve("estimator").toString());
        assertEquals("32", estimatorBack.getArchitecture());
        assertEquals(9L, estimatorBack.getSeed());
        assertEquals(2, estimatorBack.getEpochs());

        AlphaDropClassificationModel model = estimator.fit(train);
        assertEquals(2, model.epochLosses().length);
        model.write().overwrite().save(dir.resolve("model").toString());
        AlphaDropClassificationModel back = AlphaDropClassificationModel.load(dir.resolve("model").toString());
        List<Row> a = model.transform(test).collectAsList();
        List<Row> b = back.transform(test).collectAsList();
        assertEquals(List.of("label", "features", "prediction", "probability"), List.of(back.transform(test).columns()),
                "empty column names leave those columns out");
        assertEquals(a, b, "identical scores after save and load");
        assertEquals(java.util.Arrays.toString(model.modelBytes()), java.util.Arrays.toString(back.modelBytes()));
    }

    @Test
    void regressorScoresInTheLabelsUnits() {
        java.util.SplittableRandom r = new java.util.SplittableRandom(4);
        int n = 400;
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            double a = r.nextDouble() * 2 - 1;
            double b = r.nextDouble() * 1000;
            double y = 5000 + 300 * a + 0.5 * b + 10 * (r.nextDouble() - 0.5);
            rows.add(RowFactory.create(y, org.apache.spark.ml.linalg.Vectors.dense(a, b)));
        }
        org.apache.spark.sql.Dataset<Row> frame = Spark.frame(rows, 2);
        AlphaDropRegressionModel model = new AlphaDropRegressor().setEpochs(60).setTestSamples(20).fit(frame);
        List<Row> scored = model.transform(frame).select("label", "prediction", "variance").collectAsList();
        double se = 0;
        double var = 0;
        for (Row row : scored) {
            double e = row.getDouble(0) - row.getDouble(1);
            se += e * e;
            var += row.getDouble(2);
        }
        double rmse = Math.sqrt(se / n);
        // The label's spread is about 330 (variance ~1e5); the fit must be far better than predicting its mean, and
        // the variance in the label's units: above 1 (standardised units would put it below), below the label's.
        assertTrue(rmse < 60, "training RMSE " + rmse + " in the label's units");
        assertTrue(var / n > 1 && var / n < 330.0 * 330.0, "mean predictive variance " + var / n);
    }
}

package example.spark;

import io.github.alphadrop.data.Dataset;
import io.github.alphadrop.data.Digits;
import io.github.alphadrop.data.TrainTest;
import io.github.alphadrop.spark.AlphaDropClassificationModel;
import io.github.alphadrop.spark.AlphaDropClassifier;
import org.apache.spark.ml.Pipeline;
import org.apache.spark.ml.PipelineModel;
import org.apache.spark.ml.PipelineStage;
import org.apache.spark.ml.feature.VectorAssembler;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The embedded digits as a table of 64 pixel columns, through a Pipeline of a VectorAssembler and the
 * AlphaDrop classifier: fit, score the test rows with their uncertainty, save, load, score again. Runs in
 * local[2] unless spark-submit (or -Dspark.master) names a master.
 */
public final class SparkDigits {

    public static void main(String[] args) throws Exception {
        SparkSession.Builder builder = SparkSession.builder().appName("alphadrop-spark-digits");
        if (System.getProperty("spark.master") == null) {
            builder.master("local[2]").config("spark.ui.enabled", "false");
        }
        SparkSession spark = builder.getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            run(spark);
        } finally {
            spark.stop();
        }
    }

    static void run(SparkSession spark) throws Exception {
        TrainTest digits = Digits.load();
        String[] pixels = new String[Digits.FEATURES];
        for (int j = 0; j < pixels.length; j++) {
            pixels[j] = "p" + j;
        }
        org.apache.spark.sql.Dataset<Row> train = table(spark, digits.train(), pixels);
        org.apache.spark.sql.Dataset<Row> test = table(spark, digits.test(), pixels);

        AlphaDropClassifier classifier = new AlphaDropClassifier().setAlpha(0.5).setArchitecture("100")
                .setDropout(0.25).setEpochs(30).setTestSamples(100);
        Pipeline pipeline = new Pipeline().setStages(new PipelineStage[]{
                new VectorAssembler().setInputCols(pixels).setOutputCol("features"), classifier});
        long start = System.nanoTime();
        PipelineModel model = pipeline.fit(train);
        double fitSeconds = (System.nanoTime() - start) / 1e9;
        AlphaDropClassificationModel fitted = (AlphaDropClassificationModel) model.stages()[1];
        double[] seconds = fitted.epochSeconds();

        start = System.nanoTime();
        List<Row> scored = model.transform(test).select("label", "prediction", "probability", "entropy",
                "mutualInformation").collectAsList();
        double scoreSeconds = (System.nanoTime() - start) / 1e9;
        Summary s = Summary.of(scored);

        Path dir = Files.createTempDirectory("alphadrop-spark-digits");
        model.write().overwrite().save(dir.resolve("model").toString());
        List<Row> again = PipelineModel.load(dir.resolve("model").toString()).transform(test)
                .select("label", "prediction", "probability", "entropy", "mutualInformation").collectAsList();
        if (!again.equals(scored)) {
            throw new IllegalStateException("the loaded model scored differently");
        }
        System.out.printf("digits through Spark %s, %d partitions: %d train rows, %d epochs in %.1f s (%.3f s per epoch after"
                        + " the first), %d test rows scored with T = 100 in %.2f s%n", spark.sparkContext().master(),
                train.rdd().getNumPartitions(), digits.train().size(), seconds.length, fitSeconds,
                meanAfterFirst(seconds), scored.size(), scoreSeconds);
        System.out.printf("test accuracy %.4f, log-likelihood %.4f, mean entropy %.3f, mean mutual information %.4f;"
                + " saved, loaded and scored again identically (%s)%n", s.accuracy, s.logLikelihood, s.entropy,
                s.mutualInformation, dir.resolve("model"));
        if (s.accuracy < 0.9) {
            throw new IllegalStateException("test accuracy " + s.accuracy + " is below 0.9");
        }
    }

    static double meanAfterFirst(double[] seconds) {
        double sum = 0;
        for (int i = 1; i < seconds.length; i++) {
            sum += seconds[i];
        }
        return seconds.length > 1 ? sum / (seconds.length - 1) : seconds[0];
    }

    /** A data set as a table: a label column and one double column per feature. */
    static org.apache.spark.sql.Dataset<Row> table(SparkSession spark, Dataset data, String[] columns) {
        List<StructField> fields = new ArrayList<>();
        fields.add(DataTypes.createStructField("label", DataTypes.DoubleType, false));
        for (String c : columns) {
            fields.add(DataTypes.createStructField(c, DataTypes.DoubleType, false));
        }
        List<Row> rows = new ArrayList<>();
        for (int i = 0; i < data.size(); i++) {
            Object[] v = new Object[columns.length + 1];
            v[0] = (double) data.label(i);
            for (int j = 0; j < columns.length; j++) {
                v[j + 1] = (double) data.feature(i, j);
            }
            rows.add(RowFactory.create(v));
        }
        return spark.createDataFrame(rows, new StructType(fields.toArray(new StructField[0])));
    }
}

package example.spark;

import io.github.alphadrop.data.Dataset;
import io.github.alphadrop.data.IdxLoader;
import io.github.alphadrop.data.TrainTest;
import io.github.alphadrop.spark.AlphaDropClassificationModel;
import io.github.alphadrop.spark.AlphaDropClassifier;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Fashion-MNIST through Spark: the paper's MLP (784-100-100-10, K = 10, p = 0.5, batch 128, Adam 1e-3, wd 1e-6)
 * trained by the data-parallel estimator, then the 10,000 test images scored with T = 100.
 *
 * <pre>
 *   train  [--data DIR] [--epochs 20] [--alpha 0.5] [--local-steps 1] [--limit N] --out MODEL_DIR
 *          fits, saves, scores the test set; prints accuracy, log-likelihood, seconds per epoch
 *   score  [--data DIR] --model MODEL_DIR [--repeat 3]
 *          times scoring the test set (rows/s); run once per master (local[1], local[2]: -Dspark.master=...)
 * </pre>
 * The master is local[2] unless -Dspark.master (or spark-submit) names another.
 */
public final class SparkFashion {

    public static void main(String[] args) throws Exception {
        if (args.length == 0 || !(args[0].equals("train") || args[0].equals("score"))) {
            System.err.println("usage: SparkFashion train|score [--data DIR] [--epochs E] [--alpha A] [--local-steps H]"
                    + " [--limit N] [--out DIR] [--model DIR] [--repeat R]");
            System.exit(2);
        }
        String data = option(args, "--data", "/usr/share/datasets/fashion-mnist");
        SparkSession.Builder builder = SparkSession.builder().appName("alphadrop-spark-fashion");
        if (System.getProperty("spark.master") == null) {
            builder.master("local[2]");
        }
        SparkSession spark = builder.config("spark.ui.enabled", "false").getOrCreate();
        spark.sparkContext().setLogLevel("WARN");
        try {
            TrainTest sets = IdxLoader.load(Path.of(data));
            int slots = spark.sparkContext().defaultParallelism();
            org.apache.spark.sql.Dataset<Row> test = frame(spark, sets.test(), slots).cache();
            test.count();
            if (args[0].equals("train")) {
                train(spark, args, sets, test, slots);
            } else {
                score(args, test, slots, spark.sparkContext().master());
            }
        } finally {
            spark.stop();
        }
    }

    private static void train(SparkSession spark, String[] args, TrainTest sets, org.apache.spark.sql.Dataset<Row> test,
                              int slots) throws Exception {
        int limit = Integer.parseInt(option(args, "--limit", String.valueOf(sets.train().size())));
        Dataset train = sets.train();
        if (limit < train.size()) {
            train = train.subset(java.util.stream.IntStream.range(0, limit).toArray());
        }
        AlphaDropClassifier classifier = new AlphaDropClassifier()
                .setAlpha(Double.parseDouble(option(args, "--alpha", "0.5")))
                .setEpochs(Integer.parseInt(option(args, "--epochs", "20")))
                .setLocalSteps(Integer.parseInt(option(args, "--local-steps", "1")))
                .setArchitecture("100,100").setDropout(0.5).setSamples(10).setBatchSize(128).setLearningRate(1e-3)
                .setWeightDecay(1e-6).setSeed(0).setTestSamples(100);
        org.apache.spark.sql.Dataset<Row> rows = frame(spark, train, slots).cache();
        rows.count();
        long start = System.nanoTime();
        AlphaDropClassificationModel model = classifier.fit(rows);
        double fit = (System.nanoTime() - start) / 1e9;
        String out = option(args, "--out", null);
        if (out != null) {
            model.write().overwrite().save(out);
        }
        start = System.nanoTime();
        List<Row> scored = model.transform(test).select("label", "prediction", "probability", "entropy",
                "mutualInformation").collectAsList();
        double scoring = (System.nanoTime() - start) / 1e9;
        Summary s = Summary.of(scored);
        double[] seconds = model.epochSeconds();
        System.out.printf("fashion train %s, %d partitions, %d rows, local steps %d: %d epochs in %.1f s, median epoch"
                        + " %.2f s (all: %s); losses %s%n", spark.sparkContext().master(), rows.rdd().getNumPartitions(),
                train.size(), classifier.getLocalSteps(), seconds.length, fit, median(seconds), Arrays.toString(round(seconds)),
                Arrays.toString(round(model.epochLosses())));
        System.out.printf("fashion test: accuracy %.4f, log-likelihood %.4f, mean entropy %.3f, mean mutual information"
                + " %.3f; %d rows scored (T = 100) in %.2f s%n", s.accuracy, s.logLikelihood, s.entropy,
                s.mutualInformation, scored.size(), scoring);
    }

    private static void score(String[] args, org.apache.spark.sql.Dataset<Row> test, int slots, String master) {
        AlphaDropClassificationModel model = AlphaDropClassificationModel.load(option(args, "--model", null));
        int repeat = Integer.parseInt(option(args, "--repeat", "3"));
        double[] seconds = new double[repeat];
        for (int r = 0; r < repeat; r++) {
            long start = System.nanoTime();
            long n = model.transform(test).select("prediction", "probability", "entropy", "mutualInformation")
                    .collectAsList().size();
            seconds[r] = (System.nanoTime() - start) / 1e9;
            if (n != test.count()) {
                throw new IllegalStateException("scored " + n + " rows");
            }
        }
        double best = Arrays.stream(seconds).min().orElseThrow();
        System.out.printf("fashion score %s, %d partitions: %d rows, T = 100, runs %s s: best %.0f rows/s%n", master,
                slots, test.count(), Arrays.toString(round(seconds)), test.count() / best);
    }

    static org.apache.spark.sql.Dataset<Row> frame(SparkSession spark, Dataset data, int partitions) {
        List<Row> rows = new ArrayList<>(data.size());
        int d = data.featureDim();
        for (int i = 0; i < data.size(); i++) {
            double[] f = new double[d];
            for (int j = 0; j < d; j++) {
                f[j] = data.feature(i, j);
            }
            rows.add(RowFactory.create((double) data.label(i), Vectors.dense(f)));
        }
        StructType schema = new StructType(new StructField[]{
                DataTypes.createStructField("label", DataTypes.DoubleType, false),
                DataTypes.createStructField("features", SQLDataTypes.VectorType(), false)});
        // parallelize keeps the rows' order: row i of the data set is row i of the DataFrame.
        return spark.createDataFrame(org.apache.spark.api.java.JavaSparkContext.fromSparkContext(spark.sparkContext())
                .parallelize(rows, partitions), schema);
    }

    static String option(String[] args, String name, String fallback) {
        for (int i = 1; i < args.length - 1; i++) {
            if (args[i].equals(name)) {
                return args[i + 1];
            }
        }
        return fallback;
    }

    static double median(double[] a) {
        double[] s = a.clone();
        Arrays.sort(s);
        return s.length % 2 == 1 ? s[s.length / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
    }

    static double[] round(double[] a) {
        double[] r = new double[a.length];
        for (int i = 0; i < a.length; i++) {
            r[i] = Math.round(a[i] * 1000) / 1000.0;
        }
        return r;
    }
}

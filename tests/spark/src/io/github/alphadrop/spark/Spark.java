package io.github.alphadrop.spark;

import io.github.alphadrop.data.Dataset;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.util.ArrayList;
import java.util.List;

/** One embedded local[2] Spark session for all the tests of this module, and DataFrames of core data sets. */
final class Spark {

    private static SparkSession session;

    private Spark() {
    }

    static synchronized SparkSession session() {
        if (session == null) {
            session = SparkSession.builder().master("local[2]").appName("alphadrop-spark-tests")
                    .config("spark.ui.enabled", "false")
                    .config("spark.sql.shuffle.partitions", "2")
                    .config("spark.driver.host", "127.0.0.1")
                    .getOrCreate();
            Runtime.getRuntime().addShutdownHook(new Thread(() -> session.stop()));
        }
        return session;
    }

    static JavaSparkContext context() {
        return JavaSparkContext.fromSparkContext(session().sparkContext());
    }

    /** Rows (label as a double, features as a vector), in the data set's order, over {@code partitions}. */
    static org.apache.spark.sql.Dataset<Row> frame(Dataset data, int partitions) {
        List<Row> rows = new ArrayList<>();
        int d = data.featureDim();
        for (int i = 0; i < data.size(); i++) {
            double[] f = new double[d];
            for (int j = 0; j < d; j++) {
                f[j] = data.feature(i, j);
            }
            double label = data.isClassification() ? data.label(i) : data.target(i, 0);
            rows.add(RowFactory.create(label, Vectors.dense(f)));
        }
        return frame(rows, partitions);
    }

    static org.apache.spark.sql.Dataset<Row> frame(List<Row> rows, int partitions) {
        StructType schema = new StructType(new StructField[]{
                DataTypes.createStructField("label", DataTypes.DoubleType, true),
                DataTypes.createStructField("features", SQLDataTypes.VectorType(), true)});
        return session().createDataFrame(context().parallelize(rows, partitions), schema);
    }
}

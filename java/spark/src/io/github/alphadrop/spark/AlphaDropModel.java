package io.github.alphadrop.spark;

import io.github.alphadrop.io.ModelFile;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.ml.Model;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsReader;

import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.RowFactory;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.function.BiFunction;

/**
 * What the two AlphaDrop models share: the trained network as AlphaDrop model-file bytes (the same bytes
 * {@code alphadrop train} writes, so a model moves between Spark and the command line), MC-dropout scoring of
 * a DataFrame, and saving and loading the Spark ML way.
 *
 * <p>Scoring broadcasts the model once per {@link #transform} and scores each partition in batches of
 * {@value #SCORING_BATCH} rows through the executor's native kernels, with T = {@code testSamples} passes.
 * The masks of a batch are named by the seed, the partition and the batch, so the same model, seed and
 * partitioning give the same scores.
 *
 * @param <M> the concrete model type
 */
public abstract class AlphaDropModel<M extends AlphaDropModel<M>> extends Model<M>
        implements AlphaDropParams<M>, MLWritable {

    private static final long serialVersionUID = 1L;
    static final int SCORING_BATCH = 512;

    private final String uid;
    private final ParamDefinitions definitions;
    private final byte[] modelBytes;
    private transient ModelFile.Saved saved;
    private double[] epochLosses = new double[0];
    private double[] epochSeconds = new double[0];

    AlphaDropModel(String uid, byte[] modelBytes) {
        this.uid = uid;
        this.definitions = new ParamDefinitions(this);
        this.modelBytes = modelBytes.clone();
        this.saved = ModelFile.decode(this.modelBytes);
        setSharedDefaults();
    }

    @Override
    public String uid() {
        return uid;
    }

    @Override
    public ParamDefinitions definitions() {
        return definitions;
    }

    /** The trained network as AlphaDrop model-file bytes (a copy), e.g. for {@code ModelFile.decode}. */
    public byte[] modelBytes() {
        return modelBytes.clone();
    }

    /** The decoded model file. */
    public ModelFile.Saved saved() {
        if (saved == null) {
            saved = ModelFile.decode(modelBytes);
        }
        return saved;
    }

    /** The mean training loss of each epoch of the {@code fit} that made this model; empty for a loaded model. */
    public double[] epochLosses() {
        return epochLosses.clone();
    }

    /** The seconds each epoch of that {@code fit} took; empty for a loaded model. */
    public double[] epochSeconds() {
        return epochSeconds.clone();
    }

    void setTrainingHistory(double[] losses, double[] seconds) {
        this.epochLosses = losses.clone();
        this.epochSeconds = seconds.clone();
    }

    /** The model's input width: the size every features vector must have. */
    public int numFeatures() {
        return saved().inputSize();
    }

    /** The output columns this model adds, in order, given the parameters. */
    abstract List<StructField> outputFields();

    /**
     * The scorer run on the executors, made from this model's parameters; it must not hold the model object
     * (the bytes travel once, as a broadcast).
     */
    abstract ScorerFactory scorerFactory();

    /** Scores one batch on an executor: the values of the output columns, in {@link #outputFields()} order. */
    interface ScorerFactory extends java.io.Serializable {
        /** Output values, one array per row, of {@code rows} rows of features {@code x} scored with {@code seed}. */
        Object[][] score(ModelFile.Saved model, float[] x, int rows, long seed);
    }

    @Override
    public StructType transformSchema(StructType schema) {
        Schemas.requireVector(schema, getFeaturesCol());
        return Schemas.withOutputs(schema, outputFields());
    }

    @Override
    public Dataset<Row> transform(Dataset<?> dataset) {
        StructType schema = transformSchema(dataset.schema());
        SparkSession spark = dataset.sparkSession();
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(spark.sparkContext());
        Broadcast<byte[]> model = sc.broadcast(modelBytes);
        int featureIndex = dataset.schema().fieldIndex(getFeaturesCol());
        String featuresCol = getFeaturesCol();
        long seed = getSeed();
        ScorerFactory factory = scorerFactory();
        JavaRDD<Row> scored = dataset.toDF().toJavaRDD().mapPartitionsWithIndex(
                (partition, rows) -> new ScoringIterator(rows, ModelFile.decode(model.value()), factory, featureIndex,
                        featuresCol, seed, partition), true);
        return spark.createDataFrame(scored, schema);
    }

    /** Scores a partition batch by batch, appending the output values to each row. */
    private static final class ScoringIterator implements Iterator<Row> {
        private final Iterator<Row> rows;
        private final ModelFile.Saved model;
        private final ScorerFactory factory;
        private final int featureIndex;
        private final String featuresCol;
        private final long seed;
        private final int partition;
        private final List<Row> batch = new ArrayList<>();
        private Object[][] values;
        private int next;
        private long batches;
        private long rowsSeen;

        ScoringIterator(Iterator<Row> rows, ModelFile.Saved model, ScorerFactory factory, int featureIndex,
                        String featuresCol, long seed, int partition) {
            this.rows = rows;
            this.model = model;
            this.factory = factory;
            this.featureIndex = featureIndex;
            this.featuresCol = featuresCol;
            this.seed = seed;
            this.partition = partition;
        }

        @Override
        public boolean hasNext() {
            return next < batch.size() || rows.hasNext();
        }

        @Override
        public Row next() {
            if (next == batch.size()) {
                fill();
            }
            Row row = batch.get(next);
            Object[] extra = values[next++];
            Object[] all = new Object[row.size() + extra.length];
            for (int i = 0; i < row.size(); i++) {
                all[i] = row.get(i);
            }
            System.arraycopy(extra, 0, all, row.size(), extra.length);
            return RowFactory.create(all);
        }

        private void fill() {
            if (!rows.hasNext()) {
                throw new NoSuchElementException();
            }
            batch.clear();
            next = 0;
            int width = model.inputSize();
            while (rows.hasNext() && batch.size() < SCORING_BATCH) {
                batch.add(rows.next());
            }
            float[] x = new float[batch.size() * width];
            for (int i = 0; i < batch.size(); i++) {
                String where = "partition " + partition + " row " + (rowsSeen + i);
                float[] f = features(batch.get(i), where, width);
                System.arraycopy(f, 0, x, i * width, width);
            }
            rowsSeen += batch.size();
            values = factory.score(model, x, batch.size(), batchSeed(seed, partition, batches++));
        }

        private float[] features(Row row, String where, int width) {
            try {
                return RowBlock.features(row, featureIndex, width, featuresCol, 0, "the model");
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException(e.getMessage().replaceFirst("^row 0", where), e);
            }
        }
    }

    /** A seed for each (partition, batch) of a scoring run: the masks of different batches are independent. */
    static long batchSeed(long seed, int partition, long batch) {
        long z = seed + 0x9E3779B97F4A7C15L * (1 + ((long) partition << 32 | (batch & 0xFFFFFFFFL)));
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    @Override
    public M copy(ParamMap extra) {
        M copy = copyValues(newInstance(uid, modelBytes), extra);
        return copy.setParent(parent());
    }

    /** A model of the same type with these uid and bytes. */
    abstract M newInstance(String uid, byte[] bytes);

    @Override
    public MLWriter write() {
        return new Writer(this);
    }

    /** Writes Spark's parameter metadata (as every Spark ML stage does) and the model file in {@code data/}. */
    private static final class Writer extends MLWriter {
        private final AlphaDropModel<?> instance;

        Writer(AlphaDropModel<?> instance) {
            this.instance = instance;
        }

        @Override
        public void saveImpl(String path) {
            DefaultParamsWriter.saveMetadata(instance, path, sparkSession());
            Path file = new Path(path, "data/model.adm");
            try {
                FileSystem fs = file.getFileSystem(sparkSession().sessionState().newHadoopConf());
                try (FSDataOutputStream out = fs.create(file, false)) {
                    out.write(instance.modelBytes);
                }
            } catch (IOException e) {
                throw new UncheckedIOException("writing " + file + ": " + e.getMessage(), e);
            }
        }
    }

    /** Reads what {@link Writer} wrote; {@code make} builds the model from its uid and bytes. */
    static <M extends AlphaDropModel<M>> MLReader<M> reader(Class<M> type, BiFunction<String, byte[], M> make) {
        return new MLReader<M>() {
            @Override
            public M load(String path) {
                DefaultParamsReader.Metadata metadata =
                        DefaultParamsReader.loadMetadata(path, sparkSession(), type.getName());
                Path file = new Path(path, "data/model.adm");
                byte[] bytes;
                try {
                    FileSystem fs = file.getFileSystem(sparkSession().sessionState().newHadoopConf());
                    long length = fs.getFileStatus(file).getLen();
                    if (length > Integer.MAX_VALUE - 8) {
                        throw new IOException("the model file is " + length + " bytes, too large");
                    }
                    bytes = new byte[(int) length];
                    try (FSDataInputStream in = fs.open(file)) {
                        in.readFully(bytes);
                    }
                } catch (IOException e) {
                    throw new UncheckedIOException("reading " + file + ": " + e.getMessage(), e);
                }
                M model = make.apply(metadata.uid(), bytes);
                metadata.getAndSetParams(model, scala.Option.empty());
                return model;
            }
        };
    }
}

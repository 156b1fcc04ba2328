package io.github.alphadrop.spark;

import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.data.Normalization;
import io.github.alphadrop.io.ModelFile;
import io.github.alphadrop.io.TrainingSettings;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.train.Optimizer;
import io.github.alphadrop.train.TrainingDivergedException;
import org.apache.spark.SparkException;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.ml.Estimator;
import org.apache.spark.ml.param.ParamMap;
import org.apache.spark.ml.util.DefaultParamsWriter;
import org.apache.spark.ml.util.MLWritable;
import org.apache.spark.ml.util.MLWriter;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.types.StructField;
import org.apache.spark.sql.types.StructType;
import org.apache.spark.storage.StorageLevel;

import java.util.List;

/**
 * What the two AlphaDrop estimators share: parameters, checks of the input, and {@link #fit}, which trains an
 * MLP (ReLU, dropout before every dense layer) with the alpha-divergence objective by synchronous
 * data-parallel minibatch steps (see {@link DataParallelTrainer}). Rows are numbered in the DataFrame's order;
 * that number, not the partition a row is in, decides its batches and its dropout masks.
 *
 * @param <E> the concrete estimator type
 * @param <M> the model it fits
 */
public abstract class AlphaDropEstimator<E extends AlphaDropEstimator<E, M>, M extends AlphaDropModel<M>>
        extends Estimator<M> implements AlphaDropParams<E>, MLWritable {

    private static final long serialVersionUID = 1L;

    private final String uid;
    private final ParamDefinitions definitions;

    AlphaDropEstimator(String uid) {
        this.uid = uid;
        this.definitions = new ParamDefinitions(this);
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

    @SuppressWarnings("unchecked")
    private E self() {
        return (E) this;
    }

    public E setAlpha(double value) {
        set(alpha(), (Object) value);
        return self();
    }

    /** K, the dropout samples per training row. */
    public E setSamples(int value) {
        set(samples(), (Object) value);
        return self();
    }

    /** Hidden layer sizes, comma separated ("100,100"; "" for none). */
    public E setArchitecture(String value) {
        hiddenSizes(value);
        set(architecture(), value);
        return self();
    }

    public E setDropout(double value) {
        set(dropout(), (Object) value);
        return self();
    }

    /** bernoulli (default), gaussian or dropconnect. */
    public E setNoise(String value) {
        set(noise(), value);
        return self();
    }

    public E setEpochs(int value) {
        set(epochs(), (Object) value);
        return self();
    }

    public E setBatchSize(int value) {
        set(batchSize(), (Object) value);
        return self();
    }

    public E setLearningRate(double value) {
        set(learningRate(), (Object) value);
        return self();
    }

    /**
     * 1 (the default): synchronous data-parallel steps, one Spark job each, equal to the single-JVM trainer.
     * H > 1: each partition takes H Adam steps on its own rows of those steps' batches, then parameters and Adam
     * moments are averaged across partitions (one job per H steps: faster where a job costs more than a step,
     * but no longer the single-JVM result).
     */
    public E setLocalSteps(int value) {
        set(localSteps(), (Object) value);
        return self();
    }

    public E setWeightDecay(double value) {
        set(weightDecay(), (Object) value);
        return self();
    }

    /** The hidden sizes of an architecture string, or an error naming the parameter and the bad value. */
    static int[] hiddenSizes(String architecture) {
        if (architecture == null) {
            throw new IllegalArgumentException("architecture must not be null (\"\" for no hidden layer)");
        }
        String text = architecture.trim();
        if (text.isEmpty()) {
            return new int[0];
        }
        String[] parts = text.split(",");
        int[] sizes = new int[parts.length];
        for (int i = 0; i < parts.length; i++) {
            try {
                sizes[i] = Integer.parseInt(parts[i].trim());
            } catch (NumberFormatException e) {
                sizes[i] = 0;
            }
            if (sizes[i] < 1) {
                throw new IllegalArgumentException("architecture must be hidden layer sizes >= 1, comma separated (e.g."
                        + " \"100,100\"), got '" + architecture + "'");
            }
        }
        return sizes;
    }

    /** True for a classifier (labels are class indices), false for a regressor. */
    abstract boolean categorical();

    /** The output columns of the fitted model, given these parameters. */
    abstract List<StructField> outputFields();

    /** The model of these bytes, with this estimator's uid-derived name. */
    abstract M newModel(byte[] bytes);

    @Override
    public StructType transformSchema(StructType schema) {
        Schemas.requireVector(schema, getFeaturesCol());
        Schemas.requireNumeric(schema, getLabelCol());
        return Schemas.withOutputs(schema, outputFields());
    }

    @Override
    public M fit(Dataset<?> dataset) {
        transformSchema(dataset.schema());
        int[] hidden = hiddenSizes(getArchitecture());
        String featuresCol = getFeaturesCol();
        String labelCol = getLabelCol();
        boolean classes = categorical();
        Dataset<Row> rows = dataset.toDF().select(dataset.col(featuresCol), dataset.col(labelCol));
        List<Row> first = rows.takeAsList(1);
        if (first.isEmpty()) {
            throw new IllegalArgumentException("no training rows: the input DataFrame is empty");
        }
        int width = firstWidth(first.get(0), featuresCol);
        int inputs = width;
        JavaSparkContext sc = JavaSparkContext.fromSparkContext(dataset.sparkSession().sparkContext());
        JavaRDD<RowBlock> blocks = rows.toJavaRDD().zipWithIndex()
                .mapPartitions(it -> RowBlock.of(it, inputs, featuresCol, labelCol))
                .persist(StorageLevel.MEMORY_AND_DISK());
        // Cut the lineage once the blocks are cached: every step's tasks then carry a reference to a cached
        // block, not the partition it came from (a parallelized collection ships its data with each task).
        blocks.rdd().localCheckpoint();
        try {
            DataStats stats = blocks.map(b -> DataStats.of(b, classes, labelCol)).reduce(DataStats::merge);
            if (stats.n > Integer.MAX_VALUE - 8) {
                throw new IllegalArgumentException("more than " + (Integer.MAX_VALUE - 8) + " training rows");
            }
            int n = (int) stats.n;
            int outputs = classes ? Math.max(2, (int) stats.maxLabel + 1) : 1;
            int[] sizes = new int[hidden.length + 2];
            sizes[0] = width;
            System.arraycopy(hidden, 0, sizes, 1, hidden.length);
            sizes[sizes.length - 1] = outputs;
            DataParallelTrainer.Shape shape = new DataParallelTrainer.Shape(sizes, (float) getDropout(),
                    Dropout.Noise.valueOf(getNoise().toUpperCase(java.util.Locale.ROOT)), classes);
            DataParallelTrainer.Settings settings = new DataParallelTrainer.Settings((float) getAlpha(), getSamples(),
                    getEpochs(), getBatchSize(), getLearningRate(), getWeightDecay(), getSeed(), getLocalSteps());
            Normalization scaling = null;
            DataParallelTrainer.Standardisation standardisation = DataParallelTrainer.Standardisation.none();
            if (!classes) {
                // The UCI protocol: features and target standardised with the training statistics, kept in the model.
                double[] featureStd = stats.featureStd();
                scaling = Normalization.of(stats.featureMean, featureStd, new double[]{stats.labelMean},
                        new double[]{stats.labelStd()});
                standardisation = new DataParallelTrainer.Standardisation(stats.featureMean, featureStd,
                        stats.labelMean, stats.labelStd());
            }
            DataParallelTrainer.Result result = DataParallelTrainer.fit(sc, blocks, n, shape, settings, standardisation);
            Mlp model = result.model();
            TrainingSettings saved = new TrainingSettings(settings.alpha(), settings.samples(), settings.epochs(),
                    settings.batchSize(), settings.weightDecay(), settings.seed(),
                    Optimizer.adam(settings.learningRate()).describe(), "spark");
            M fitted = newModel(ModelFile.encode(model, saved, scaling));
            fitted.setTrainingHistory(result.epochLosses(), result.epochSeconds());
            return copyValues(fitted, ParamMap.empty()).setParent(this);
        } catch (Exception e) {
            // Scala throws SparkException undeclared; a task's failure arrives as one.
            if (e instanceof SparkException failed) {
                throw unwrap(failed);
            }
            throw e;
        } finally {
            blocks.unpersist(false);
        }
    }

    private static int firstWidth(Row row, String featuresCol) {
        if (row.isNullAt(0)) {
            throw new IllegalArgumentException("row 0: " + featuresCol + " is null");
        }
        int width = ((org.apache.spark.ml.linalg.Vector) row.getAs(0)).size();
        if (width < 1) {
            throw new IllegalArgumentException("row 0: " + featuresCol + " is an empty vector");
        }
        return width;
    }

    /** A task's own error (a bad value, a diverged run) as itself, not wrapped in Spark's job failure. */
    static RuntimeException unwrap(SparkException e) {
        for (Throwable t = e.getCause(); t != null; t = t.getCause()) {
            if (t instanceof TrainingDivergedException diverged) {
                return diverged;
            }
            if (t instanceof IllegalArgumentException bad) {
                return new IllegalArgumentException(bad.getMessage(), e);
            }
        }
        return new IllegalStateException("the Spark job failed: " + e.getMessage(), e);
    }

    @Override
    public E copy(ParamMap extra) {
        return defaultCopy(extra);
    }

    @Override
    public MLWriter write() {
        return new DefaultParamsWriter(this);
    }
}

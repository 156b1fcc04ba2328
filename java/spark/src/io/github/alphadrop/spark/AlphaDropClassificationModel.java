package io.github.alphadrop.spark;

import io.github.alphadrop.predict.ClassPredictions;
import io.github.alphadrop.predict.McPredictive;
import org.apache.spark.ml.linalg.SQLDataTypes;
import org.apache.spark.ml.linalg.Vectors;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

import java.util.ArrayList;
import java.util.List;

/**
 * A trained AlphaDrop classifier. {@link #transform} adds, for each row, the MC predictive's class
 * ({@code predictionCol}, a double), its class probabilities ({@code probabilityCol}, a vector), its entropy
 * ({@code entropyCol}) and the mutual information between the prediction and the weights
 * ({@code mutualInformationCol}), in nats; an empty column name leaves that column out.
 */
public final class AlphaDropClassificationModel extends AlphaDropModel<AlphaDropClassificationModel> {

    private static final long serialVersionUID = 1L;

    /** A model from AlphaDrop model-file bytes of a classifier (e.g. written by {@code alphadrop train}). */
    public AlphaDropClassificationModel(byte[] modelBytes) {
        this(Identifiable.randomUID("alphadropClassificationModel"), modelBytes);
    }

    AlphaDropClassificationModel(String uid, byte[] modelBytes) {
        super(uid, modelBytes);
        if (saved().model() == null || !saved().likelihood().isCategorical()) {
            throw new IllegalArgumentException("the model bytes hold " + (saved().model() == null ? "a network that is not an MLP"
                    : "a regressor") + "; AlphaDropClassificationModel needs an MLP classifier");
        }
    }

    /** The number of classes. */
    public int numClasses() {
        return saved().outputSize();
    }

    @Override
    List<StructField> outputFields() {
        return fields(this);
    }

    /** The columns a classifier with these parameters adds. */
    static List<StructField> fields(AlphaDropParams<?> p) {
        List<StructField> fields = new ArrayList<>();
        fields.add(DataTypes.createStructField(p.getPredictionCol(), DataTypes.DoubleType, false));
        if (!p.getProbabilityCol().isEmpty()) {
            fields.add(DataTypes.createStructField(p.getProbabilityCol(), SQLDataTypes.VectorType(), false));
        }
        if (!p.getEntropyCol().isEmpty()) {
            fields.add(DataTypes.createStructField(p.getEntropyCol(), DataTypes.DoubleType, false));
        }
        if (!p.getMutualInformationCol().isEmpty()) {
            fields.add(DataTypes.createStructField(p.getMutualInformationCol(), DataTypes.DoubleType, false));
        }
        return fields;
    }

    @Override
    ScorerFactory scorerFactory() {
        boolean probability = !getProbabilityCol().isEmpty();
        boolean entropy = !getEntropyCol().isEmpty();
        boolean information = !getMutualInformationCol().isEmpty();
        int passes = getTestSamples();
        return (model, x, rows, seed) -> {
            ClassPredictions p = new McPredictive(model.model(), ExecutorKernels.get(), passes, seed, false)
                    .predictClasses(x);
            int classes = p.classes();
            Object[][] out = new Object[rows][];
            for (int i = 0; i < rows; i++) {
                List<Object> v = new ArrayList<>(4);
                v.add((double) p.predictedClass(i));
                if (probability) {
                    double[] probs = new double[classes];
                    for (int c = 0; c < classes; c++) {
                        probs[c] = p.meanProbs()[i * classes + c];
                    }
                    v.add(Vectors.dense(probs));
                }
                if (entropy) {
                    v.add((double) p.entropy()[i]);
                }
                if (information) {
                    v.add((double) p.mutualInformation()[i]);
                }
                out[i] = v.toArray();
            }
            return out;
        };
    }

    @Override
    AlphaDropClassificationModel newInstance(String uid, byte[] bytes) {
        return new AlphaDropClassificationModel(uid, bytes);
    }

    public static MLReader<AlphaDropClassificationModel> read() {
        return reader(AlphaDropClassificationModel.class, AlphaDropClassificationModel::new);
    }

    public static AlphaDropClassificationModel load(String path) {
        return read().load(path);
    }
}

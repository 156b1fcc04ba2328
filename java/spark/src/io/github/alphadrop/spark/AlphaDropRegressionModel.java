package io.github.alphadrop.spark;

import io.github.alphadrop.data.Normalization;
import io.github.alphadrop.predict.McPredictive;
import io.github.alphadrop.predict.RegressionPredictions;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.DataTypes;
import org.apache.spark.sql.types.StructField;

import java.util.ArrayList;
import java.util.List;

/**
 * A trained AlphaDrop regressor. {@link #transform} adds, for each row, the MC predictive mean
 * ({@code predictionCol}) and its variance, the model's noise 1/τ included ({@code varianceCol}; an empty name
 * leaves it out), both in the label's units: the features and the label are standardised with the training
 * statistics saved in the model.
 */
public final class AlphaDropRegressionModel extends AlphaDropModel<AlphaDropRegressionModel> {

    private static final long serialVersionUID = 1L;

    /** A model from AlphaDrop model-file bytes of a one-target regressor (e.g. written by {@code alphadrop train}). */
    public AlphaDropRegressionModel(byte[] modelBytes) {
        this(Identifiable.randomUID("alphadropRegressionModel"), modelBytes);
    }

    AlphaDropRegressionModel(String uid, byte[] modelBytes) {
        super(uid, modelBytes);
        if (saved().model() == null || saved().likelihood().isCategorical() || saved().outputSize() != 1) {
            throw new IllegalArgumentException("the model bytes hold " + (saved().model() == null ? "a network that is not an MLP"
                    : saved().likelihood().isCategorical() ? "a classifier" : "a regressor of " + saved().outputSize()
                    + " targets") + "; AlphaDropRegressionModel needs an MLP regressor of one target");
        }
    }

    @Override
    List<StructField> outputFields() {
        return fields(this);
    }

    /** The columns a regressor with these parameters adds. */
    static List<StructField> fields(AlphaDropParams<?> p) {
        List<StructField> fields = new ArrayList<>();
        fields.add(DataTypes.createStructField(p.getPredictionCol(), DataTypes.DoubleType, false));
        if (!p.getVarianceCol().isEmpty()) {
            fields.add(DataTypes.createStructField(p.getVarianceCol(), DataTypes.DoubleType, false));
        }
        return fields;
    }

    @Override
    ScorerFactory scorerFactory() {
        boolean variance = !getVarianceCol().isEmpty();
        int passes = getTestSamples();
        return (model, x, rows, seed) -> {
            Normalization scaling = model.scaling();
            float[] input = scaling == null ? x : scaling.normalizeFeatures(x);
            RegressionPredictions p = new McPredictive(model.model(), ExecutorKernels.get(), passes, seed, false)
                    .predictRegression(input, null);
            Object[][] out = new Object[rows][];
            for (int i = 0; i < rows; i++) {
                double mean = p.mean()[i];
                double var = p.variance()[i];
                if (scaling != null && scaling.hasTargets()) {
                    double std = scaling.scaleStd(1.0, 0);
                    mean = scaling.denormalizeTarget(mean, 0);
                    var *= std * std;
                }
                out[i] = variance ? new Object[]{mean, var} : new Object[]{mean};
            }
            return out;
        };
    }

    @Override
    AlphaDropRegressionModel newInstance(String uid, byte[] bytes) {
        return new AlphaDropRegressionModel(uid, bytes);
    }

    public static MLReader<AlphaDropRegressionModel> read() {
        return reader(AlphaDropRegressionModel.class, AlphaDropRegressionModel::new);
    }

    public static AlphaDropRegressionModel load(String path) {
        return read().load(path);
    }
}

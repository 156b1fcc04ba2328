package io.github.alphadrop.spark;

import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.StructField;

import java.util.List;

/**
 * A Bayesian neural network regressor trained by dropout with the alpha-divergence objective (Li and Gal,
 * 2017), with a Gaussian likelihood whose precision τ is learned, as a Spark ML estimator. As in the paper's UCI
 * protocol, the features and the label are standardised with the training statistics (kept in the model, so
 * predictions come back in the label's units).
 *
 * <p>Defaults (those of {@code alphadrop uci} but the weight decay): alpha 0.5, samples K = 10, testSamples T = 100, architecture
 * "50", dropout 0.05, epochs 500, batchSize 32, learningRate 1e-3 (Adam), seed 0; weightDecay 1e-6 (the
 * paper's N(0, 1) prior is (1 - dropout) / (2 n) for n training rows).
 */
public final class AlphaDropRegressor extends AlphaDropEstimator<AlphaDropRegressor, AlphaDropRegressionModel> {

    private static final long serialVersionUID = 1L;

    public AlphaDropRegressor() {
        this(Identifiable.randomUID("alphadropRegressor"));
    }

    public AlphaDropRegressor(String uid) {
        super(uid);
        setDefault(architecture(), "50");
        setDefault(dropout(), (Object) 0.05);
        setDefault(epochs(), (Object) 500);
        setDefault(batchSize(), (Object) 32);
    }

    @Override
    boolean categorical() {
        return false;
    }

    @Override
    List<StructField> outputFields() {
        return AlphaDropRegressionModel.fields(this);
    }

    @Override
    AlphaDropRegressionModel newModel(byte[] bytes) {
        return new AlphaDropRegressionModel(Identifiable.randomUID("alphadropRegressionModel"), bytes);
    }

    public static MLReader<AlphaDropRegressor> read() {
        return new DefaultParamsReader<>();
    }

    public static AlphaDropRegressor load(String path) {
        return read().load(path);
    }
}

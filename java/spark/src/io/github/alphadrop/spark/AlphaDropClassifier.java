package io.github.alphadrop.spark;

import org.apache.spark.ml.util.DefaultParamsReader;
import org.apache.spark.ml.util.Identifiable;
import org.apache.spark.ml.util.MLReader;
import org.apache.spark.sql.types.StructField;

import java.util.List;

/**
 * A Bayesian neural network classifier trained by dropout with the alpha-divergence objective (Li and Gal,
 * 2017), as a Spark ML estimator. Labels are class indices as doubles (0, 1, 2, ...; the number of classes is
 * the largest label plus one); features a vector column, e.g. from a {@code VectorAssembler}, used as given.
 *
 * <p>Defaults (those of {@code alphadrop train}): alpha 0.5, samples K = 10, testSamples T = 100, architecture
 * "100,100", dropout 0.5, epochs 20, batchSize 128, learningRate 1e-3 (Adam), weightDecay 1e-6, seed 0.
 *
 * <pre>{@code
 * AlphaDropClassificationModel model = new AlphaDropClassifier().setAlpha(0.5).setEpochs(20).fit(train);
 * model.transform(test).select("prediction", "probability", "entropy", "mutualInformation");
 * }</pre>
 */
public final class AlphaDropClassifier extends AlphaDropEstimator<AlphaDropClassifier, AlphaDropClassificationModel> {

    private static final long serialVersionUID = 1L;

    public AlphaDropClassifier() {
        this(Identifiable.randomUID("alphadropClassifier"));
    }

    public AlphaDropClassifier(String uid) {
        super(uid);
    }

    @Override
    boolean categorical() {
        return true;
    }

    @Override
    List<StructField> outputFields() {
        return AlphaDropClassificationModel.fields(this);
    }

    @Override
    AlphaDropClassificationModel newModel(byte[] bytes) {
        return new AlphaDropClassificationModel(Identifiable.randomUID("alphadropClassificationModel"), bytes);
    }

    public static MLReader<AlphaDropClassifier> read() {
        return new DefaultParamsReader<>();
    }

    public static AlphaDropClassifier load(String path) {
        return read().load(path);
    }
}

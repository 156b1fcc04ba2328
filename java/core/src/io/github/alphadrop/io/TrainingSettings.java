package io.github.alphadrop.io;

/**
 * How a saved model was trained, kept in the model file for provenance.
 *
 * @param optimizer e.g. {@code adam(lr=0.001)}
 * @param data      the data spec it was trained on, e.g. {@code digits}
 */
public record TrainingSettings(float alpha, int samples, int epochs, int batchSize, double weightDecay,
                               long seed, String optimizer, String data) {

    public TrainingSettings {
        optimizer = optimizer == null ? "" : optimizer;
        data = data == null ? "" : data;
    }

    public static TrainingSettings unknown() {
        return new TrainingSettings(Float.NaN, 0, 0, 0, 0, 0, "", "");
    }
}

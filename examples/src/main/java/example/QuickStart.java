package example;

import io.github.alphadrop.data.Dataset;
import io.github.alphadrop.data.Digits;
import io.github.alphadrop.data.TrainTest;
import io.github.alphadrop.io.ModelFile;
import io.github.alphadrop.kernels.Backend;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.predict.ClassPredictions;
import io.github.alphadrop.predict.McPredictive;
import io.github.alphadrop.train.AlphaDivergence;
import io.github.alphadrop.train.Trainer;

/** The README's Java example: train on the embedded digits with alpha = 0.5, predict with T = 100 passes. */
public final class QuickStart {
    public static void main(String[] args) throws Exception {
        // README:begin
        TrainTest digits = Digits.load();                                  // embedded 8x8 digits
        Dataset train = digits.train(), test = digits.test();
        Kernels kernels = Backend.create("auto", 2);                     // native if it loads, else pure Java
        Mlp model = Mlp.builder(train.featureDim()).hidden(100, 100).output(10).dropout(0.2f).seed(0).build();
        Trainer.builder(kernels).objective(new AlphaDivergence(0.5f, 10))  // alpha, K
                .batchSize(128).epochs(40).weightDecay(1e-6).seed(0).build()
                .fit(model, train.features(), train.labels());
        ClassPredictions p = new McPredictive(model, kernels, 100, 0, false).predictClasses(test.features());
        System.out.printf("accuracy %.3f, log-likelihood %.3f, mean entropy %.3f%n",
                p.accuracy(test.labels()), p.logLikelihood(test.labels()), p.meanEntropy());
        byte[] bytes = ModelFile.encode(model, null, null);              // or ModelFile.save(path, ...)
        Mlp copy = ModelFile.decode(bytes).model();
        // README:end
        if (p.accuracy(test.labels()) < 0.9 || copy.layers() != model.layers()) {
            throw new AssertionError("the quick start should reach 90 % on the digits, got " + p.accuracy(test.labels()));
        }
    }
}

package io.github.alphadrop.network;

import io.github.alphadrop.data.Dataset;
import io.github.alphadrop.data.Digits;
import io.github.alphadrop.data.TrainTest;
import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.NativeKernels;
import io.github.alphadrop.layers.Conv2D;
import io.github.alphadrop.predict.ClassPredictions;
import io.github.alphadrop.predict.McPredictive;
import io.github.alphadrop.train.AlphaDivergence;
import io.github.alphadrop.train.Optimizer;
import io.github.alphadrop.train.Trainer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A small CNN trained with the alpha objective learns the embedded 8x8 digits. */
class NetworkTrainingTest {

    private static Network cnn(long seed) {
        ConvLayer conv = new ConvLayer(8, 8, 1, 3, 8, Conv2D.Padding.SAME, Activation.RELU);
        PoolLayer pool = new PoolLayer(8, 8, 8, 2);
        DenseLayer hidden = new DenseLayer(pool.outputSize(), 64, Activation.RELU, 0.2f, 0);
        DenseLayer out = new DenseLayer(64, 10, Activation.IDENTITY, 0.2f, 1);
        Network net = new Network(List.of(conv, pool, hidden, out));
        net.initialize(seed);
        return net;
    }

    @Test
    void aCnnLearnsTheDigits() {
        TrainTest digits = Digits.load();
        Dataset train = digits.train(), test = digits.test();
        try (NativeKernels k = new NativeKernels(2)) {
            Network net = cnn(1);
            Trainer.builder(k).objective(new AlphaDivergence(0.5f, 5)).batchSize(64).epochs(15).seed(2)
                    .weightDecay(1e-5).optimizer(() -> Optimizer.adam(3e-3)).build()
                    .fit(net, train.features(), train.labels());
            ClassPredictions p = new McPredictive(net, k, 20, 3, false).predictClasses(test.features());
            double accuracy = p.accuracy(test.labels());
            assertTrue(accuracy >= 0.93, "CNN test accuracy " + accuracy);
            assertTrue(p.logLikelihood(test.labels()) > -0.35, "CNN test log-likelihood " + p.logLikelihood(test.labels()));
        }
    }

    @Test
    void checkpointsAreForMlpsOnlyForNow() {
        Trainer t = Trainer.builder(new io.github.alphadrop.kernels.JavaKernels())
                .checkpoint(java.nio.file.Path.of("never.ckpt"), 1).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> t.fit(cnn(1), new float[64], new int[]{3}));
        assertTrue(e.getMessage().contains("Mlp models only"), e.getMessage());
    }
}

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
        return cnn(seed, io.github.alphadrop.kernels.Dropout.Noise.BERNOULLI);
    }

    private static Network cnn(long seed, io.github.alphadrop.kernels.Dropout.Noise noise) {
        ConvLayer conv = new ConvLayer(8, 8, 1, 3, 8, Conv2D.Padding.SAME, Activation.RELU);
        PoolLayer pool = new PoolLayer(8, 8, 8, 2);
        DenseLayer hidden = new DenseLayer(pool.outputSize(), 64, Activation.RELU, 0.2f, 0, noise);
        DenseLayer out = new DenseLayer(64, 10, Activation.IDENTITY, 0.2f, 1, noise);
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

    /**
     * A network of concrete dense layers trains as the concrete MLP, to the bit: the masks, the rates' gradients and
     * the regulariser (its weight term over 1 − p and the rates' entropy) are the same; and its rates move.
     */
    @Test
    void aConcreteNetworkTrainsAsTheConcreteMlp() {
        TrainTest digits = Digits.load();
        float[] x = java.util.Arrays.copyOf(digits.train().features(), 200 * 64);
        int[] y = java.util.Arrays.copyOf(digits.train().labels(), 200);
        io.github.alphadrop.kernels.Kernels k = new io.github.alphadrop.kernels.JavaKernels();
        io.github.alphadrop.model.Mlp mlp = io.github.alphadrop.model.Mlp.builder(64).hidden(32).output(10).dropout(0.2f)
                .noise(io.github.alphadrop.kernels.Dropout.Noise.CONCRETE).build();
        mlp.initialize(3);
        DenseLayer hidden = new DenseLayer(64, 32, Activation.RELU, 0.2f, 0, io.github.alphadrop.kernels.Dropout.Noise.CONCRETE);
        DenseLayer out = new DenseLayer(32, 10, Activation.IDENTITY, 0.2f, 1, io.github.alphadrop.kernels.Dropout.Noise.CONCRETE);
        Network net = new Network(List.of(hidden, out));
        net.initialize(3);
        java.util.function.Supplier<Trainer> trainer = () -> Trainer.builder(k).objective(new AlphaDivergence(0.5f, 4))
                .batchSize(50).epochs(4).seed(6).weightDecay(1e-3).dropoutRegulariser(0.05)
                .optimizer(() -> Optimizer.adam(1e-2)).build();
        var mlpRun = trainer.get().fit(mlp, x, y);
        var netRun = trainer.get().fit(net, x, y);
        org.junit.jupiter.api.Assertions.assertArrayEquals(mlpRun.epochLosses(), netRun.epochLosses(), "losses");
        for (int l = 0; l < 2; l++) {
            DenseLayer d = l == 0 ? hidden : out;
            org.junit.jupiter.api.Assertions.assertArrayEquals(mlp.weights(l), d.weights(), "weights " + l);
            org.junit.jupiter.api.Assertions.assertArrayEquals(mlp.biases(l), d.bias(), "biases " + l);
            org.junit.jupiter.api.Assertions.assertEquals(mlp.dropLogits()[l], d.dropLogit()[0], "logit " + l);
            assertTrue(Math.abs(d.dropout() - 0.2f) > 1e-3, "rate " + l + " was learned: " + d.dropout());
        }
    }

    /** A CNN stopped at a checkpoint and resumed ends with exactly the weights and losses of one run. */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = io.github.alphadrop.kernels.Dropout.Noise.class,
            names = {"BERNOULLI", "CONCRETE"})
    void aCnnResumedFromACheckpointIsBitIdenticalToOneRun(io.github.alphadrop.kernels.Dropout.Noise noise,
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        TrainTest digits = Digits.load();
        float[] x = java.util.Arrays.copyOf(digits.train().features(), 300 * 64);
        int[] y = java.util.Arrays.copyOf(digits.train().labels(), 300);
        try (NativeKernels k = new NativeKernels(2)) {
            java.util.function.IntFunction<Trainer.Builder> trainer = epochs -> Trainer.builder(k)
                    .objective(new AlphaDivergence(0.5f, 3)).batchSize(64).epochs(epochs).seed(4).weightDecay(1e-4)
                    .optimizer(() -> Optimizer.adam(3e-3));
            Network straight = cnn(1, noise);
            var all = trainer.apply(5).build().fit(straight, x, y);
            java.nio.file.Path file = dir.resolve("cnn.ckpt");
            trainer.apply(3).checkpoint(file, 3).build().fit(cnn(1, noise), x, y);
            io.github.alphadrop.train.Checkpoint c = io.github.alphadrop.train.Checkpoint.read(file);
            assertTrue(c.decode().network() != null && c.decodeModel() == null, "a network's checkpoint");
            Network resumed = cnn(2, noise); // other weights: the checkpoint must replace them
            var tail = trainer.apply(5).resumeFrom(c).build().fit(resumed, x, y);
            for (int i = 0; i < straight.parameters().size(); i++) {
                org.junit.jupiter.api.Assertions.assertArrayEquals(straight.parameters().get(i),
                        resumed.parameters().get(i), "parameter array " + i);
            }
            org.junit.jupiter.api.Assertions.assertArrayEquals(all.epochLosses(), tail.epochLosses());
            Network other = new Network(List.of(new DenseLayer(64, 10, Activation.IDENTITY, 0.2f, 0)));
            IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                    () -> trainer.apply(5).resumeFrom(c).build().fit(other, x, y));
            assertTrue(e.getMessage().contains("is not this model's"), e.getMessage());
        }
    }
}

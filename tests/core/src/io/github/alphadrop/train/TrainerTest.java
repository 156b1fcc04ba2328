package io.github.alphadrop.train;

import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.model.Likelihood;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.predict.ClassPredictions;
import io.github.alphadrop.predict.McPredictive;
import io.github.alphadrop.predict.RegressionPredictions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.*;

class TrainerTest {

    static Stream<Kernels> backends() {
        return io.github.alphadrop.kernels.TestBackends.all();
    }

    private static Mlp classifier(long seed) {
        return Mlp.builder(4).hidden(16).output(3).dropout(0.2f).seed(seed).build();
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void trainingReducesTheLossAndLearnsTheBlobs(Kernels kernels) {
        learnsTheBlobs(kernels, classifier(3));
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void gaussianDropoutLearnsTheBlobs(Kernels kernels) {
        ClassPredictions p = learnsTheBlobs(kernels, Mlp.builder(4).hidden(16).output(3).dropout(0.2f)
                .noise(io.github.alphadrop.kernels.Dropout.Noise.GAUSSIAN).seed(3).build());
        // The noise is in the predictive: passes differ, so the mutual information is not zero.
        assertTrue(p.meanMutualInformation() > 0, "mutual information " + p.meanMutualInformation());
    }

    private static ClassPredictions learnsTheBlobs(Kernels kernels, Mlp model) {
        TinyProblems.Classification data = TinyProblems.blobs(300, 1);
        TrainingResult result = Trainer.builder(kernels).objective(new AlphaDivergence(0.5f, 5))
                .batchSize(32).epochs(30).seed(7).optimizer(() -> Optimizer.adam(1e-2)).build()
                .fit(model, data.x(), data.labels());
        double[] losses = result.epochLosses();
        assertTrue(losses[losses.length - 1] < 0.5 * losses[0],
                "loss fell from " + losses[0] + " to only " + losses[losses.length - 1]);
        ClassPredictions p = new McPredictive(model, kernels, 20, 1, false).predictClasses(data.x());
        assertTrue(p.accuracy(data.labels()) > 0.9, "accuracy " + p.accuracy(data.labels()));
        return p;
    }

    @org.junit.jupiter.api.Test
    void gaussianDropoutTrainsTheSameOnJavaAndNative() {
        TinyProblems.Classification data = TinyProblems.blobs(120, 4);
        float[][] weights = new float[2][];
        Kernels[] backends = {new io.github.alphadrop.kernels.JavaKernels(), new io.github.alphadrop.kernels.NativeKernels(2)};
        for (int b = 0; b < 2; b++) {
            Mlp model = Mlp.builder(4).hidden(16).output(3).dropout(0.3f)
                    .noise(io.github.alphadrop.kernels.Dropout.Noise.GAUSSIAN).seed(3).build();
            Trainer.builder(backends[b]).objective(new AlphaDivergence(0.5f, 4)).batchSize(16).epochs(3).seed(5)
                    .build().fit(model, data.x(), data.labels());
            weights[b] = model.weights(0);
        }
        Mlp init = Mlp.builder(4).hidden(16).output(3).seed(3).build();
        double moved = 0;
        for (int i = 0; i < weights[0].length; i++) {
            assertEquals(weights[0][i], weights[1][i], 1e-5, "weight " + i + ", java vs native");
            moved = Math.max(moved, Math.abs(weights[0][i] - init.weights(0)[i]));
        }
        assertTrue(moved > 1e-3, "training moved the weights by only " + moved);
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void sameSeedGivesBitIdenticalWeights(Kernels kernels) {
        TinyProblems.Classification data = TinyProblems.blobs(100, 2);
        Mlp a = classifier(5);
        Mlp b = classifier(5);
        Trainer trainer = Trainer.builder(kernels).objective(new AlphaDivergence(1f, 3)).batchSize(16).epochs(3)
                .seed(11).weightDecay(1e-4).build();
        trainer.fit(a, data.x(), data.labels());
        trainer.fit(b, data.x(), data.labels());
        for (int l = 0; l < a.layers(); l++) {
            assertArrayEquals(a.weights(l), b.weights(l), 0f);
            assertArrayEquals(a.biases(l), b.biases(l), 0f);
        }
        Mlp c = classifier(5);
        Trainer.builder(kernels).objective(new AlphaDivergence(1f, 3)).batchSize(16).epochs(3).seed(12)
                .weightDecay(1e-4).build().fit(c, data.x(), data.labels());
        assertFalse(java.util.Arrays.equals(a.weights(0), c.weights(0)), "a different seed should train differently");
    }

    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("backends")
    void regressionLearnsTauAndFitsTheSine(Kernels kernels) {
        TinyProblems.Regression data = TinyProblems.sine(400, 3);
        Mlp model = Mlp.builder(2).hidden(32).output(1).activation(Activation.TANH).dropout(0.05f)
                .likelihood(Likelihood.gaussian()).seed(1).build();
        float before = model.logTau();
        Trainer.builder(kernels).objective(new AlphaDivergence(0.5f, 10)).batchSize(32).epochs(60).seed(1)
                .optimizer(() -> Optimizer.adam(1e-2)).build().fit(model, data.x(), data.y());
        assertNotEquals(before, model.logTau(), "log tau should be learned");
        RegressionPredictions p = new McPredictive(model, kernels, 50, 2, false).predictRegression(data.x(), data.y());
        // The targets have std ~0.8; a fitted model does far better than predicting the mean.
        assertTrue(p.rmse(data.y()) < 0.3, "rmse " + p.rmse(data.y()));
        assertTrue(Double.isFinite(p.logLikelihood()));
    }

    @Test
    void divergingTrainingStopsWithEpochAndStepAndKeepsTheLastGoodWeights() {
        TinyProblems.Classification data = TinyProblems.blobs(64, 4);
        Mlp model = classifier(1);
        List<double[]> seen = new ArrayList<>();
        Mlp[] lastGood = new Mlp[1];
        TrainingListener poison = new TrainingListener() {
            @Override
            public void onStep(int epoch, int step, int stepsPerEpoch, double loss) {
                seen.add(new double[]{epoch, step});
                if (epoch == 1 && step == 0) {
                    // Corrupt a weight so the next step's loss is NaN; remember what was there before.
                    lastGood[0] = model.copy();
                    model.biases(model.layers() - 1)[0] = Float.NaN;
                }
            }
        };
        Trainer trainer = Trainer.builder(new JavaKernels()).objective(new AlphaDivergence(0.5f, 2)).batchSize(16)
                .epochs(5).listener(poison).build();
        TrainingDivergedException e = assertThrows(TrainingDivergedException.class,
                () -> trainer.fit(model, data.x(), data.labels()));
        assertEquals(1, e.epoch());
        assertEquals(1, e.step());
        assertTrue(e.getMessage().contains("epoch 2") && e.getMessage().contains("step 2"), e.getMessage());
        // The failing step applied no update: the weights are as they were before it.
        for (int l = 0; l < model.layers(); l++) {
            float[] w = model.weights(l);
            float[] g = lastGood[0].weights(l);
            assertArrayEquals(g, w, 0f);
        }
    }

    @Test
    void rejectsDataWhoseWidthDoesNotMatchTheModel() {
        Mlp model = classifier(1);
        Trainer trainer = Trainer.builder(new JavaKernels()).build();
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> trainer.fit(model, new float[10], new int[2]));
        assertTrue(e.getMessage().contains("input size 4"), e.getMessage());
        IllegalArgumentException bad = assertThrows(IllegalArgumentException.class,
                () -> trainer.fit(model, new float[8], new int[]{0, 7}));
        assertTrue(bad.getMessage().contains("labels[1] = 7"), bad.getMessage());
    }

    @Test
    void weightDecayFromLengthScale() {
        assertEquals(0.25 * 0.5 / (2 * 100 * 2.0), WeightDecay.fromLengthScale(0.5, 0.5, 100, 2.0), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> WeightDecay.fromLengthScale(1, 1.0, 10, 1));
    }
}

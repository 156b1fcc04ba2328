package io.github.alphadrop.spark;

import io.github.alphadrop.data.Dataset;
import io.github.alphadrop.data.Digits;
import io.github.alphadrop.data.Normalization;
import io.github.alphadrop.io.ModelFile;
import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.Backend;
import io.github.alphadrop.model.Likelihood;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.train.AlphaDivergence;
import io.github.alphadrop.train.Optimizer;
import io.github.alphadrop.train.Trainer;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The distributed trainer against the single-JVM {@link Trainer}: same data, seed and settings, on 1 and on 3
 * partitions (and with partitions that hold no rows). They agree within float summation order, not bit for
 * bit: each partition sums its own rows' gradients, and the shards' masks are drawn apart from the matmul.
 */
class DistributedTrainingTest {

    /** 300 digits, so the run is short: 3 epochs of 5 steps (4 of 64 rows and a short one of 44). */
    private static final int ROWS = 300;
    private static final int EPOCHS = 3;
    private static final int BATCH = 64;

    private static Dataset digits() {
        Dataset train = Digits.load().train();
        int[] first = new int[ROWS];
        for (int i = 0; i < ROWS; i++) {
            first[i] = i;
        }
        return train.subset(first);
    }

    private static AlphaDropClassifier classifier() {
        return new AlphaDropClassifier().setArchitecture("32,16").setDropout(0.25).setAlpha(0.5).setSamples(4)
                .setEpochs(EPOCHS).setBatchSize(BATCH).setLearningRate(3e-3).setWeightDecay(1e-4).setSeed(11);
    }

    private static Mlp singleJvm(Dataset data) {
        Mlp model = Mlp.builder(data.featureDim()).hidden(32, 16).output(10).activation(Activation.RELU).dropout(0.25f)
                .likelihood(Likelihood.categorical()).seed(11).build();
        Trainer.builder(Backend.create("native", 2)).objective(new AlphaDivergence(0.5f, 4)).batchSize(BATCH)
                .epochs(EPOCHS).seed(11).weightDecay(1e-4).optimizer(() -> Optimizer.adam(3e-3)).build()
                .fit(model, data.features(), data.labels());
        return model;
    }

    private static Mlp spark(AlphaDropEstimator<?, ?> estimator, org.apache.spark.sql.Dataset<Row> frame) {
        return ModelFile.decode(estimator.fit(frame).modelBytes()).model();
    }

    @Test
    void classifierOnOneAndThreePartitionsMatchesTheSingleJvmTrainer() {
        Dataset data = digits();
        Mlp want = singleJvm(data);
        Mlp one = spark(classifier(), Spark.frame(data, 1));
        Mlp three = spark(classifier(), Spark.frame(data, 3));
        assertClose(want, one, 2e-4, "1 partition vs single JVM");
        assertClose(want, three, 2e-4, "3 partitions vs single JVM");
        assertClose(one, three, 2e-4, "1 vs 3 partitions");
        // Training moved the weights far beyond that tolerance: the comparison is not of two initialisations.
        Mlp init = Mlp.builder(data.featureDim()).hidden(32, 16).output(10).dropout(0.25f).seed(11).build();
        assertTrue(maxDifference(init, want) > 100 * 2e-4, "training barely moved the weights");
    }

    /**
     * The other noises through the noise param: DropConnect (weight masks per MC sample, which every partition
     * draws alike) and Gaussian dropout, on 3 partitions, against the single-JVM trainer with that noise.
     */
    @Test
    void dropConnectAndGaussianNoiseMatchTheSingleJvmTrainer() {
        Dataset data = digits();
        for (io.github.alphadrop.kernels.Dropout.Noise noise : new io.github.alphadrop.kernels.Dropout.Noise[] {
                io.github.alphadrop.kernels.Dropout.Noise.DROPCONNECT, io.github.alphadrop.kernels.Dropout.Noise.GAUSSIAN}) {
            Mlp want = Mlp.builder(data.featureDim()).hidden(32, 16).output(10).activation(Activation.RELU).dropout(0.25f)
                    .noise(noise).likelihood(Likelihood.categorical()).seed(11).build();
            Trainer.builder(Backend.create("native", 2)).objective(new AlphaDivergence(0.5f, 4)).batchSize(BATCH)
                    .epochs(EPOCHS).seed(11).weightDecay(1e-4).optimizer(() -> Optimizer.adam(3e-3)).build()
                    .fit(want, data.features(), data.labels());
            Mlp three = spark(classifier().setNoise(noise.name().toLowerCase(java.util.Locale.ROOT)), Spark.frame(data, 3));
            assertEquals(noise, three.noise(), "the model keeps its noise");
            assertClose(want, three, 2e-4, noise + ": 3 partitions vs single JVM");
            Mlp bernoulli = singleJvm(data);
            assertTrue(maxDifference(bernoulli, three) > 100 * 2e-4, noise + " trained like Bernoulli dropout");
        }
    }

    @Test
    void emptyPartitionsChangeNothing() {
        Dataset data = digits();
        Mlp three = spark(classifier(), Spark.frame(data, 3));
        // 8 slices of 500 rows, then a filter that empties the first and last: partitions with no rows.
        List<Row> rows = Spark.frame(data, 1).collectAsList();
        org.apache.spark.sql.Dataset<Row> sparse = Spark.frame(withEmptyEnds(rows), 8).filter("label >= 0");
        Mlp eight = spark(classifier(), sparse);
        assertClose(three, eight, 2e-4, "3 partitions vs 8 with empty ones");
    }

    /** The rows between 100 placeholder rows (label -1) on each side: the first and last of eight slices hold only those. */
    private static List<Row> withEmptyEnds(List<Row> rows) {
        List<Row> all = new ArrayList<>();
        Row pad = rows.get(0);
        for (int i = 0; i < 100; i++) {
            all.add(org.apache.spark.sql.RowFactory.create(-1.0, pad.get(1)));
        }
        all.addAll(rows);
        for (int i = 0; i < 100; i++) {
            all.add(org.apache.spark.sql.RowFactory.create(-1.0, pad.get(1)));
        }
        return all;
    }

    @Test
    void regressorMatchesTheSingleJvmTrainerOnStandardisedData() {
        SplittableRandom r = new SplittableRandom(5);
        int n = 200;
        float[] x = new float[n * 3];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            for (int j = 0; j < 3; j++) {
                x[i * 3 + j] = (float) (10 * j + (j + 1) * r.nextDouble());
            }
            y[i] = (float) (100 + 20 * Math.sin(3 * x[i * 3]) + 5 * x[i * 3 + 1] + r.nextDouble());
        }
        Dataset data = Dataset.regression("sine", x, 3, y, 1);
        AlphaDropRegressor estimator = new AlphaDropRegressor().setArchitecture("20").setDropout(0.1).setAlpha(1)
                .setSamples(5).setEpochs(4).setBatchSize(32).setLearningRate(1e-2).setWeightDecay(1e-4).setSeed(3);
        AlphaDropRegressionModel fitted = estimator.fit(Spark.frame(data, 3));
        ModelFile.Saved saved = ModelFile.decode(fitted.modelBytes());
        Normalization scaling = saved.scaling();
        assertEquals(scaling.targetStd()[0], stdOf(y), 1e-6 * stdOf(y), "target std");

        Dataset standardised = scaling.apply(data);
        Mlp want = Mlp.builder(3).hidden(20).output(1).activation(Activation.RELU).dropout(0.1f)
                .likelihood(Likelihood.gaussian()).seed(3).build();
        Trainer.builder(Backend.create("native", 2)).objective(new AlphaDivergence(1f, 5)).batchSize(32).epochs(4)
                .seed(3).weightDecay(1e-4).optimizer(() -> Optimizer.adam(1e-2)).build()
                .fit(want, standardised.features(), standardised.targets());
        assertClose(want, saved.model(), 2e-4, "regressor, 3 partitions vs single JVM");
        assertEquals(want.logTau(), saved.model().logTau(), 2e-4, "learned log tau");
        assertTrue(Math.abs(want.logTau()) > 0.01, "log tau was not trained: " + want.logTau());
    }

    private static double stdOf(float[] y) {
        double mean = 0;
        for (float v : y) {
            mean += v;
        }
        mean /= y.length;
        double s = 0;
        for (float v : y) {
            s += (v - mean) * (v - mean);
        }
        return Math.sqrt(s / y.length);
    }

    @Test
    void averagingOnOnePartitionIsTheSynchronousTrainer() {
        // One partition takes every row of every step: its local steps are the synchronous ones, and averaging
        // one copy changes nothing. Rounds of 4 steps do not divide the 5 steps of an epoch: a short round too.
        Dataset data = digits();
        Mlp want = singleJvm(data);
        Mlp averaged = spark(classifier().setLocalSteps(4), Spark.frame(data, 1));
        assertClose(want, averaged, 2e-4, "1 partition, local steps 4, vs single JVM");
    }

    @Test
    void averagingOnThreePartitionsLearnsTheDigits() {
        io.github.alphadrop.data.TrainTest digits = Digits.load();
        AlphaDropClassificationModel model = new AlphaDropClassifier().setArchitecture("64").setDropout(0.25)
                .setEpochs(20).setSamples(4).setLocalSteps(6).setTestSamples(20).fit(Spark.frame(digits.train(), 3));
        double[] losses = model.epochLosses();
        assertTrue(losses[losses.length - 1] < 0.5 * losses[0], "epoch losses " + java.util.Arrays.toString(losses));
        List<Row> scored = model.transform(Spark.frame(digits.test(), 2)).select("label", "prediction").collectAsList();
        long correct = scored.stream().filter(r -> r.getDouble(0) == r.getDouble(1)).count();
        double accuracy = (double) correct / scored.size();
        assertTrue(accuracy > 0.9, "test accuracy " + accuracy + " with averaging every 6 steps");
    }

    @Test
    void theSameFitTwiceIsBitIdentical() {
        Dataset data = digits();
        Mlp a = spark(classifier(), Spark.frame(data, 3));
        Mlp b = spark(classifier(), Spark.frame(data, 3));
        for (int l = 0; l < a.layers(); l++) {
            assertArrayEquals(a.weights(l), b.weights(l), "weights of layer " + l);
        }
    }

    static double maxDifference(Mlp a, Mlp b) {
        double max = 0;
        for (int l = 0; l < a.layers(); l++) {
            for (int i = 0; i < a.weights(l).length; i++) {
                max = Math.max(max, Math.abs(a.weights(l)[i] - b.weights(l)[i]));
            }
            for (int i = 0; i < a.biases(l).length; i++) {
                max = Math.max(max, Math.abs(a.biases(l)[i] - b.biases(l)[i]));
            }
        }
        return max;
    }

    private static void assertClose(Mlp want, Mlp got, double tol, String what) {
        assertEquals(want.describe(), got.describe(), what + ": architecture");
        double d = maxDifference(want, got);
        assertTrue(d <= tol, what + ": largest parameter difference " + d + " > " + tol);
    }
}

package io.github.alphadrop.djl;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.Parameter;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import io.github.alphadrop.data.Dataset;
import io.github.alphadrop.data.Digits;
import io.github.alphadrop.data.TrainTest;
import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.kernels.NativeKernels;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.predict.McPredictive;
import io.github.alphadrop.train.AlphaDivergence;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A DJL MLP trained with {@link AlphaDivergenceLoss} on the embedded digits reaches the test accuracy of
 * AlphaDrop's own trainer on the same net and settings: the demo's 64-100-100-10 ReLU MLP with dropout 0.2
 * before every dense layer, α = 0.5, K = 10, batch 128, Adam 1e-3, weight decay 1e-6, and T = 100 MC
 * passes for prediction.
 *
 * <p>To compare the objectives and not the luck of two runs, everything but the dropout masks is shared:
 * the DJL net starts from AlphaDrop's initial weights and sees the minibatches in AlphaDrop's order. What
 * still differs: the masks (torch's generator vs Philox), float summation order, and Adam's ε (DJL adds it
 * to the uncorrected √v, a 1e-8-sized difference).
 */
class DigitsTrainingTest {

    private static final float ALPHA = 0.5f;
    private static final int K = 10;
    private static final int[] HIDDEN = {100, 100};
    private static final float DROPOUT = 0.2f;
    private static final int BATCH = 128;
    private static final double LEARNING_RATE = 1e-3;
    private static final double WEIGHT_DECAY = 1e-6;
    private static final int TEST_PASSES = 100;
    private static final long SEED = 0;
    private static final int EPOCHS = Integer.getInteger("alphadrop.djl.epochs", 150);

    @Test
    void djlMatchesAlphaDropTestAccuracyWithinOnePoint() {
        TrainTest sets = Digits.load();
        Mlp reference = Mlp.builder(Digits.FEATURES).hidden(HIDDEN).output(Digits.CLASSES)
                .activation(io.github.alphadrop.kernels.Activation.RELU).dropout(DROPOUT).seed(SEED).build();
        Mlp initial = reference.copy();

        long t0 = System.nanoTime();
        Kernels kernels = NativeKernels.isAvailable() ? new NativeKernels() : new JavaKernels();
        io.github.alphadrop.train.Trainer.builder(kernels)
                .objective(new AlphaDivergence(ALPHA, K)).batchSize(BATCH).epochs(EPOCHS).seed(SEED)
                .weightDecay(WEIGHT_DECAY).optimizer(() -> io.github.alphadrop.train.Optimizer.adam(LEARNING_RATE))
                .build().fit(reference, sets.train().features(), sets.train().labels());
        double alphaDropAccuracy = new McPredictive(reference, kernels, TEST_PASSES, SEED, false)
                .predictClasses(sets.test().features()).accuracy(sets.test().labels());
        double alphaDropSeconds = (System.nanoTime() - t0) / 1e9;

        long t1 = System.nanoTime();
        double djlAccuracy = trainDjl(sets, initial, SEED, (int) SEED);
        double djlSeconds = (System.nanoTime() - t1) / 1e9;

        System.out.printf(Locale.ROOT, "digits, %d epochs: AlphaDrop (%s) accuracy %.4f in %.1f s; DJL accuracy %.4f in %.1f s%n",
                EPOCHS, kernels.describe(), alphaDropAccuracy, alphaDropSeconds, djlAccuracy, djlSeconds);
        assertTrue(Math.abs(djlAccuracy - alphaDropAccuracy) <= 0.01 + 1e-9,
                "DJL test accuracy " + djlAccuracy + " is not within 1 point of AlphaDrop's " + alphaDropAccuracy);
        assertTrue(djlAccuracy > 0.9, "a trained net, not two equally broken ones: accuracy " + djlAccuracy);
    }

    /** Trains the DJL twin of {@code initial} and returns its MC-dropout test accuracy. */
    static double trainDjl(TrainTest sets, Mlp initial, long seed, int maskSeed) {
        Engine.getInstance().setRandomSeed(maskSeed);
        Dataset train = sets.train();
        int n = train.size();
        int d = train.featureDim();
        SequentialBlock net = mlp(initial);
        AlphaDivergenceLoss loss = AlphaDivergenceLoss.categorical(ALPHA, K);
        DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
                .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed((float) LEARNING_RATE))
                        .optBeta1(0.9f).optBeta2(0.999f).optEpsilon(1e-8f).build());
        try (Model model = Model.newInstance("digits-alpha");
             NDManager data = NDManager.newBaseManager()) {
            model.setBlock(net);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape((long) BATCH * K, d));
                copyWeights(initial, net);
                List<NDArray> weights = new ArrayList<>();
                net.getParameters().forEach(p -> {
                    if (p.getValue().getType() == Parameter.Type.WEIGHT) {
                        weights.add(p.getValue().getArray());
                    }
                });

                NDArray x = data.create(train.features(), new Shape(n, d));
                NDArray y = data.create(train.labels());
                int[] order = new int[n];
                for (int i = 0; i < n; i++) {
                    order[i] = i;
                }
                // AlphaDrop's shuffle, step for step, so both nets see the same minibatches.
                SplittableRandom shuffler = new SplittableRandom(seed);
                for (int epoch = 0; epoch < EPOCHS; epoch++) {
                    for (int i = n - 1; i > 0; i--) {
                        int j = shuffler.nextInt(i + 1);
                        int t = order[i];
                        order[i] = order[j];
                        order[j] = t;
                    }
                    for (int from = 0; from < n; from += BATCH) {
                        int b = Math.min(BATCH, n - from);
                        long[] rows = new long[b];
                        for (int i = 0; i < b; i++) {
                            rows[i] = order[from + i];
                        }
                        try (NDManager step = data.newSubManager()) {
                            NDArray index = step.create(rows);
                            NDArray xb = AlphaDivergenceLoss.repeatSamples(x.get(index), K);
                            NDArray yb = y.get(index);
                            try (GradientCollector gc = trainer.newGradientCollector()) {
                                NDList out = trainer.forward(new NDList(xb));
                                NDArray objective = trainer.getLoss().evaluate(new NDList(yb), out);
                                for (NDArray w : weights) {
                                    objective = objective.add(w.square().sum().mul(WEIGHT_DECAY));
                                }
                                gc.backward(objective);
                            }
                            trainer.step();
                        }
                    }
                }
            }
            Dataset test = sets.test();
            NDArray xt = data.create(test.features(), new Shape(test.size(), d));
            try (McClassification p = McDropout.classify(net, xt, TEST_PASSES)) {
                long[] predicted = p.predictedClasses().toLongArray();
                int correct = 0;
                for (int i = 0; i < predicted.length; i++) {
                    correct += predicted[i] == test.label(i) ? 1 : 0;
                }
                return (double) correct / predicted.length;
            }
        }
    }

    /** The demo's architecture as DJL blocks: dropout before every dense layer, the inputs included. */
    static SequentialBlock mlp(Mlp shape) {
        SequentialBlock net = new SequentialBlock();
        for (int l = 0; l < shape.layers(); l++) {
            net.add(Dropout.builder().optRate(shape.dropout(l)).build());
            net.add(Linear.builder().setUnits(shape.size(l + 1)).build());
            if (l < shape.layers() - 1) {
                net.add(Activation.reluBlock());
            }
        }
        return net;
    }

    /** AlphaDrop stores W as in×out row-major, DJL's Linear as [out, in]: transpose on the way. */
    static void copyWeights(Mlp from, SequentialBlock to) {
        int l = 0;
        for (var child : to.getChildren()) {
            if (!(child.getValue() instanceof Linear linear)) {
                continue;
            }
            int in = from.size(l);
            int out = from.size(l + 1);
            float[] w = from.weights(l);
            float[] transposed = new float[w.length];
            for (int i = 0; i < in; i++) {
                for (int o = 0; o < out; o++) {
                    transposed[o * in + i] = w[i * out + o];
                }
            }
            linear.getParameters().get("weight").getArray().set(transposed);
            linear.getParameters().get("bias").getArray().set(from.biases(l));
            l++;
        }
    }
}

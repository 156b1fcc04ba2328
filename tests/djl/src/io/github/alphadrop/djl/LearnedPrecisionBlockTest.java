package io.github.alphadrop.djl;

import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.nn.core.Linear;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.Trainer;
import ai.djl.training.optimizer.Optimizer;
import ai.djl.training.tracker.Tracker;
import org.junit.jupiter.api.Test;

import java.util.Random;

import static io.github.alphadrop.djl.AlphaDivergenceLossTest.assertClose;
import static org.junit.jupiter.api.Assertions.assertEquals;

/** Log τ as a block parameter is learned by an ordinary DJL trainer, and freezing it fixes τ. */
class LearnedPrecisionBlockTest {

    private static final int N = 512;
    private static final double NOISE_SD = 0.5;

    @Test
    void learnsTheNoisePrecision() {
        // y = 2x - 1 + noise of sd 0.5 under a linear model: the fitted tau must approach 1 / 0.25 = 4.
        assertClose(4.0, train(false), 0.4, "learned tau");
    }

    @Test
    void frozenLogTauStaysPut() {
        assertEquals(1.0, train(true), 1e-6, "frozen tau");
    }

    private static double train(boolean freezeTau) {
        Engine.getInstance().setRandomSeed(7);
        Random random = new Random(7);
        float[] x = new float[N];
        float[] y = new float[N];
        for (int i = 0; i < N; i++) {
            x[i] = (float) (random.nextDouble() * 2 - 1);
            y[i] = (float) (2 * x[i] - 1 + NOISE_SD * random.nextGaussian());
        }
        LearnedPrecisionBlock block = new LearnedPrecisionBlock(Linear.builder().setUnits(1).build());
        AlphaDivergenceLoss loss = AlphaDivergenceLoss.gaussian(0.5f, 2);
        DefaultTrainingConfig config = new DefaultTrainingConfig(loss)
                .optOptimizer(Optimizer.adam().optLearningRateTracker(Tracker.fixed(0.05f)).build());
        try (Model model = Model.newInstance("precision");
             NDManager data = NDManager.newBaseManager()) {
            model.setBlock(block);
            try (Trainer trainer = model.newTrainer(config)) {
                trainer.initialize(new Shape(2L * N, 1));
                if (freezeTau) {
                    block.freezeParameters(true, p -> p == block.logTau());
                }
                NDArray xs = AlphaDivergenceLoss.repeatSamples(data.create(x, new Shape(N, 1)), 2);
                NDArray ys = data.create(y, new Shape(N, 1));
                for (int step = 0; step < 400; step++) {
                    try (GradientCollector gc = trainer.newGradientCollector()) {
                        NDList out = trainer.forward(new NDList(xs));
                        gc.backward(trainer.getLoss().evaluate(new NDList(ys), out));
                    }
                    trainer.step();
                }
            }
            Block wrapped = block.network();
            assertEquals(1, wrapped.getParameters().get("weight").getArray().getShape().size(), "a 1-1 linear model");
            return Math.exp(block.logTau().getArray().getFloat());
        }
    }
}

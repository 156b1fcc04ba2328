package io.github.alphadrop.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.kernels.NativeKernels;
import io.github.alphadrop.model.Likelihood;
import io.github.alphadrop.model.Mlp;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The trainer on the native backend runs a small network's steps fused ({@link
 * io.github.alphadrop.kernels.Kernels#denseStep}), and that trains the same model as the per-layer kernels.
 */
class FusedStepTrainingTest {

    private static Mlp uciLikeModel() {
        return Mlp.builder(6).hidden(20).output(1).dropout(0.05f).likelihood(Likelihood.gaussian(1.0, true)).seed(4)
                .build();
    }

    private static Mlp concreteModel() {
        return Mlp.builder(6).hidden(20).output(1).dropout(0.1f).noise(Dropout.Noise.CONCRETE)
                .likelihood(Likelihood.gaussian(1.0, true)).seed(4).build();
    }

    private static TrainingResult train(NativeKernels kernels, Mlp model, float[] x, float[] y) {
        return Trainer.builder(kernels).objective(new AlphaDivergence(0.5f, 10)).batchSize(32).epochs(4).seed(9)
                .build().fit(model, x, y);
    }

    @Test
    void fusedStepsTrainTheSameModelAsThePerLayerKernels() {
        compareFusedWithPerLayer(FusedStepTrainingTest::uciLikeModel);
    }

    /** Concrete dropout: the fused step (its masks and the rates' gradients in the call) against ConcretePass. */
    @Test
    void fusedConcreteStepsTrainTheSameModelAndRates() {
        compareFusedWithPerLayer(FusedStepTrainingTest::concreteModel);
    }

    /** A learned rate whose float rounds to 1 (logit 20) still trains fused: the step reads the logits. */
    @Test
    void aConcreteRateNearOneStillTrainsFused() {
        Mlp model = concreteModel();
        model.dropLogits()[0] = 20f;
        assertEquals(1f, model.dropout(0), "the float rate rounds to 1");
        float[] x = new float[40 * 6];
        float[] y = new float[40];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) Math.sin(i);
        }
        try (NativeKernels kernels = new NativeKernels(1)) {
            TrainingResult r = Trainer.builder(kernels).objective(new AlphaDivergence(0.5f, 10)).batchSize(32).epochs(1)
                    .seed(9).build().fit(model, x, y);
            assertTrue(Double.isFinite(r.epochLosses()[0]), "loss " + r.epochLosses()[0]);
            assertEquals(0, kernels.pathCounts().denseForward(), "the step was not fused");
        }
    }

    private static void compareFusedWithPerLayer(java.util.function.Supplier<Mlp> newModel) {
        int n = 150;
        Random random = new Random(2);
        float[] x = new float[n * 6];
        float[] y = new float[n];
        for (int i = 0; i < n; i++) {
            double s = 0;
            for (int d = 0; d < 6; d++) {
                x[i * 6 + d] = (float) random.nextGaussian();
                s += Math.sin(x[i * 6 + d]) * (d + 1);
            }
            y[i] = (float) (0.3 * s + 0.1 * random.nextGaussian());
        }
        Mlp fusedModel = newModel.get();
        Mlp layerModel = newModel.get();
        try (NativeKernels fused = new NativeKernels(1); NativeKernels perLayer = new NativeKernels(1)) {
            perLayer.setFusedDenseSteps(false);
            TrainingResult a = train(fused, fusedModel, x, y);
            TrainingResult b = train(perLayer, layerModel, x, y);
            assertEquals(0, fused.pathCounts().denseForward(), "the fused trainer called the per-layer forward");
            assertTrue(perLayer.pathCounts().denseForward() > 0, "the per-layer trainer did not use the layer kernels");
            for (int e = 0; e < a.epochLosses().length; e++) {
                assertEquals(b.epochLosses()[e], a.epochLosses()[e], 1e-4 * Math.abs(b.epochLosses()[e]), "epoch " + e);
            }
            assertTrue(a.epochLosses()[3] < a.epochLosses()[0], "the loss did not fall");
            for (int l = 0; l < fusedModel.layers(); l++) {
                float[] wa = fusedModel.weights(l);
                float[] wb = layerModel.weights(l);
                for (int i = 0; i < wa.length; i++) {
                    assertEquals(wb[i], wa[i], 1e-4, "W" + l + "[" + i + "]");
                }
            }
            assertEquals(layerModel.logTau(), fusedModel.logTau(), 1e-4, "log tau");
            float[] start = newModel.get().dropLogits();
            for (int l = 0; l < fusedModel.dropLogits().length; l++) {
                assertEquals(layerModel.dropLogits()[l], fusedModel.dropLogits()[l], 1e-4, "drop logit " + l);
                assertTrue(Math.abs(fusedModel.dropLogits()[l] - start[l]) > 1e-3, "the rate of layer " + l + " did not move");
            }
        }
    }
}

package io.github.alphadrop.network;

import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.kernels.NativeKernels;
import io.github.alphadrop.layers.Conv2D;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.predict.ClassPredictions;
import io.github.alphadrop.predict.McPredictive;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Random;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The MC predictive works on any network: a dense one predicts what the Mlp predicts, to the bit. */
class NetworkPredictionTest {

    @Test
    void aDenseNetworkPredictsWhatTheMlpPredicts() {
        Random r = new Random(1);
        try (NativeKernels nk = new NativeKernels(2)) {
            for (Kernels k : new Kernels[]{new JavaKernels(), nk}) {
                Mlp mlp = Mlp.builder(5).hidden(8).output(3).dropout(0.25f).build();
                mlp.initialize(3L);
                DenseLayer first = new DenseLayer(5, 8, Activation.RELU, 0.25f, 0);
                DenseLayer second = new DenseLayer(8, 3, Activation.IDENTITY, 0.25f, 1);
                System.arraycopy(mlp.weights(0), 0, first.weights(), 0, first.weights().length);
                System.arraycopy(mlp.biases(0), 0, first.bias(), 0, first.bias().length);
                System.arraycopy(mlp.weights(1), 0, second.weights(), 0, second.weights().length);
                System.arraycopy(mlp.biases(1), 0, second.bias(), 0, second.bias().length);
                Network net = new Network(List.of(first, second));
                float[] x = new float[11 * 5];
                for (int i = 0; i < x.length; i++) {
                    x[i] = (float) r.nextGaussian();
                }
                for (boolean deterministic : new boolean[]{false, true}) {
                    ClassPredictions want = new McPredictive(mlp, k, 20, 4, deterministic).predictClasses(x);
                    ClassPredictions got = new McPredictive(net, k, 20, 4, deterministic).predictClasses(x);
                    assertArrayEquals(want.meanProbs(), got.meanProbs(), k + " mean probabilities");
                    assertArrayEquals(want.mutualInformation(), got.mutualInformation(), k + " mutual information");
                }
            }
        }
    }

    @Test
    void initializeGivesADenseNetworkTheMlpsWeightsAndConvolutionsTheirGlorotRange() {
        Mlp mlp = Mlp.builder(6).hidden(9, 4).output(3).build();
        mlp.initialize(77L);
        Network net = new Network(List.of(new DenseLayer(6, 9, Activation.RELU, 0.1f, 0),
                new DenseLayer(9, 4, Activation.RELU, 0.1f, 1), new DenseLayer(4, 3, Activation.IDENTITY, 0.1f, 2)));
        net.initialize(77L);
        for (int l = 0; l < 3; l++) {
            assertArrayEquals(mlp.weights(l), ((DenseLayer) net.layers().get(l)).weights(), "layer " + l);
        }
        ConvLayer conv = new ConvLayer(5, 5, 3, 3, 16, Conv2D.Padding.SAME, Activation.RELU);
        new Network(List.of(conv)).initialize(1L);
        double limit = Math.sqrt(6.0 / (9 * 3 + 9 * 16));
        double max = 0;
        for (float w : conv.weights()) {
            max = Math.max(max, Math.abs(w));
        }
        assertTrue(max <= limit && max > 0.9 * limit, "Glorot range " + limit + ", largest |w| " + max);
    }

    @Test
    void aCnnGivesProbabilitiesAndEpistemicUncertaintyOnlyWhenStochastic() {
        Random r = new Random(2);
        ConvLayer conv = new ConvLayer(8, 8, 1, 3, 4, Conv2D.Padding.SAME, Activation.RELU);
        PoolLayer pool = new PoolLayer(8, 8, 4, 2);
        Network net = new Network(List.of(conv, pool, new DenseLayer(pool.outputSize(), 10, Activation.RELU, 0.5f, 0),
                new DenseLayer(10, 4, Activation.IDENTITY, 0.5f, 1)));
        for (float[] p : net.parameters()) {
            for (int i = 0; i < p.length; i++) {
                p[i] = (float) r.nextGaussian() * 0.4f;
            }
        }
        float[] x = new float[6 * 64];
        for (int i = 0; i < x.length; i++) {
            x[i] = r.nextFloat();
        }
        ClassPredictions mc = new McPredictive(net, new JavaKernels(), 30, 1, false).predictClasses(x);
        ClassPredictions det = new McPredictive(net, new JavaKernels(), 30, 1, true).predictClasses(x);
        for (int i = 0; i < 6; i++) {
            double sum = 0;
            for (int c = 0; c < 4; c++) {
                sum += mc.meanProbs()[i * 4 + c];
            }
            assertEquals(1.0, sum, 1e-5);
            assertTrue(mc.mutualInformation()[i] > 0, "dropout passes disagree: MI > 0");
            assertEquals(0.0, det.mutualInformation()[i], 1e-6, "one deterministic pass: no epistemic part");
        }
        assertThrows(IllegalStateException.class, () -> new McPredictive(net, new JavaKernels(), 3, 1, false)
                .predictRegression(x, null));
    }
}

package io.github.alphadrop.djl;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.SequentialBlock;
import ai.djl.nn.core.Linear;
import ai.djl.nn.norm.Dropout;
import ai.djl.pytorch.jni.JniUtils;
import ai.djl.training.GradientCollector;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import static io.github.alphadrop.djl.AlphaDivergenceLossTest.assertArrayClose;
import static io.github.alphadrop.djl.AlphaDivergenceLossTest.assertClose;
import static io.github.alphadrop.djl.AlphaDivergenceLossTest.randomArray;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class McDropoutTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
        Engine.getInstance().setRandomSeed(1234);
    }

    @AfterEach
    void close() {
        manager.close();
    }

    @Test
    void classificationSummariesMatchAHandComputation() {
        // Two inputs, three passes, three classes: the block replays these logits, one array per pass.
        float[][] logits = {
                {2f, 0f, -1f, 0.5f, 0.5f, 0.5f},
                {-1f, 1f, 0f, 3f, -2f, 0f},
                {0f, 0f, 4f, 0.5f, 0.5f, 0.5f},
        };
        ScriptedBlock block = new ScriptedBlock(logits, new Shape(2, 3));
        block.initialize(manager, DataType.FLOAT32, new Shape(2, 5));
        McClassification p = McDropout.classify(block, manager.zeros(new Shape(2, 5)), 3);

        assertEquals(List.of(true, true, true), block.trainingFlags, "three passes, all in training mode");
        int n = 2;
        int c = 3;
        double[] mean = new double[n * c];
        double[] expectedEntropy = new double[n];
        for (float[] pass : logits) {
            for (int i = 0; i < n; i++) {
                double z = 0;
                for (int j = 0; j < c; j++) {
                    z += Math.exp(pass[i * c + j]);
                }
                for (int j = 0; j < c; j++) {
                    double q = Math.exp(pass[i * c + j]) / z;
                    mean[i * c + j] += q / logits.length;
                    expectedEntropy[i] -= q * Math.log(q) / logits.length;
                }
            }
        }
        float[] meanF = new float[n * c];
        float[] logMeanF = new float[n * c];
        double[] entropy = new double[n];
        for (int i = 0; i < n * c; i++) {
            meanF[i] = (float) mean[i];
            logMeanF[i] = (float) Math.log(mean[i]);
            entropy[i / c] -= mean[i] * Math.log(mean[i]);
        }
        assertArrayClose(meanF, p.meanProbabilities().toFloatArray(), 1e-6, "mean probabilities");
        assertArrayClose(logMeanF, p.logMeanProbabilities().toFloatArray(), 1e-6, "log mean probabilities");
        float[] h = p.entropy().toFloatArray();
        float[] eh = p.expectedEntropy().toFloatArray();
        float[] mi = p.mutualInformation().toFloatArray();
        for (int i = 0; i < n; i++) {
            assertClose(entropy[i], h[i], 1e-6, "entropy " + i);
            assertClose(expectedEntropy[i], eh[i], 1e-6, "expected entropy " + i);
            assertClose(entropy[i] - expectedEntropy[i], mi[i], 1e-6, "mutual information " + i);
        }
        assertTrue(mi[0] > 0.1 && mi[1] > 0.1, "the passes disagree, so MI is clearly positive");
        assertArrayClose(new float[] {2, 0}, p.predictedClasses().toType(DataType.FLOAT32, false).toFloatArray(), 0,
                "argmax of the mean");
    }

    @Test
    void dropoutNetHasNonNegativeAndSomePositiveMutualInformation() {
        Block net = net(0.5f);
        NDArray x = manager.create(randomArray(new Random(3), 40 * 6, 1f), new Shape(40, 6));
        McClassification p = McDropout.classify(net, x, 50);
        float[] h = p.entropy().toFloatArray();
        float[] mi = p.mutualInformation().toFloatArray();
        double meanMi = 0;
        for (int i = 0; i < mi.length; i++) {
            assertTrue(mi[i] >= 0f, "MI[" + i + "] = " + mi[i] + " < 0");
            assertTrue(h[i] <= Math.log(4) + 1e-5, "H[" + i + "] = " + h[i] + " exceeds log C");
            meanMi += mi[i] / mi.length;
        }
        assertTrue(meanMi > 1e-3, "dropout must be active in the passes: mean MI " + meanMi);
        float[] rowSums = p.meanProbabilities().sum(new int[] {1}).toFloatArray();
        assertArrayClose(filled(40, 1f), rowSums, 1e-5, "mean probabilities sum to 1");
    }

    @Test
    void deterministicBlockHasNoMutualInformation() {
        Block net = net(0f);
        NDArray x = manager.create(randomArray(new Random(4), 30 * 6, 1f), new Shape(30, 6));
        McClassification p = McDropout.classify(net, x, 20);
        NDArray logits = net.forward(new ParameterStore(manager, false), new NDList(x), false).head();
        NDArray logp = logits.logSoftmax(1);
        float[] plainEntropy = logp.exp().mul(logp).sum(new int[] {1}).neg().toFloatArray();
        assertArrayClose(plainEntropy, p.entropy().toFloatArray(), 1e-5, "entropy of the one prediction");
        assertArrayClose(new float[30], p.mutualInformation().toFloatArray(), 1e-5, "MI of identical passes");
    }

    @Test
    void regressionMeanAndVarianceMatchAHandComputation() {
        float[][] outputs = {{1f, -2f}, {3f, -2f}, {2f, -2f}, {6f, -2f}};
        ScriptedBlock block = new ScriptedBlock(outputs, new Shape(1, 2));
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 4));
        McRegression r = McDropout.regress(block, manager.zeros(new Shape(1, 4)), 4);
        assertArrayClose(new float[] {3f, -2f}, r.mean().toFloatArray(), 1e-6, "mean");
        // Population variance of {1, 3, 2, 6} is 3.5; a constant output has none.
        assertArrayClose(new float[] {3.5f, 0f}, r.variance().toFloatArray(), 1e-6, "variance");
        float[] total = r.predictiveVariance(manager.create(new float[] {(float) Math.log(4)})).toFloatArray();
        assertArrayClose(new float[] {3.75f, 0.25f}, total, 1e-6, "variance + 1/tau");
    }

    @Test
    void regressionOfAGaussianBlockUsesItsMeanOutput() {
        LearnedPrecisionBlock block = new LearnedPrecisionBlock(net(0.3f), 2.0);
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 6));
        NDArray x = manager.create(randomArray(new Random(5), 10 * 6, 1f), new Shape(10, 6));
        McRegression r = McDropout.regress(block, x, 30);
        assertEquals(new Shape(10, 4), r.mean().getShape());
        float[] v = r.variance().toFloatArray();
        for (float value : v) {
            assertTrue(value >= 0f, "variance " + value);
        }
        assertClose(0.5, block.logTau().getArray().neg().exp().getFloat(), 1e-6, "1/tau of the initial tau 2");
    }

    @Test
    @SuppressWarnings("try") // the collector is opened only for its effect on grad mode
    void passesRunWithoutRecordingGradients() {
        // Engine-specific on purpose: torch's grad mode is what decides whether a forward is recorded.
        List<Boolean> gradMode = new ArrayList<>();
        Block net = net(0.5f);
        SequentialBlock probe = new SequentialBlock()
                .add(list -> {
                    gradMode.add(JniUtils.isGradMode());
                    return list;
                })
                .add(net);
        probe.initialize(manager, DataType.FLOAT32, new Shape(1, 6));
        gradMode.clear(); // initialisation ran the lambda once to infer shapes
        McDropout.classify(probe, manager.ones(new Shape(3, 6)), 4);
        assertEquals(List.of(false, false, false, false), gradMode, "grad mode in each of the 4 passes");
        // The probe itself can see recording: inside a collector the same call runs with grad mode on.
        gradMode.clear();
        try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
            McDropout.classify(probe, manager.ones(new Shape(3, 6)), 1);
        }
        assertEquals(List.of(true), gradMode, "grad mode inside a GradientCollector");
    }

    /** A 6-16-4 ReLU MLP with dropout {@code rate} before both dense layers, initialised. */
    private Block net(float rate) {
        SequentialBlock net = new SequentialBlock()
                .add(Dropout.builder().optRate(rate).build())
                .add(Linear.builder().setUnits(16).build())
                .add(Activation.reluBlock())
                .add(Dropout.builder().optRate(rate).build())
                .add(Linear.builder().setUnits(4).build());
        net.initialize(manager, DataType.FLOAT32, new Shape(1, 6));
        return net;
    }

    private static float[] filled(int n, float v) {
        float[] a = new float[n];
        java.util.Arrays.fill(a, v);
        return a;
    }

    /** Returns {@code outputs[t]} on its t-th call, and remembers the training flag of each call. */
    private static final class ScriptedBlock extends AbstractBlock {
        private final float[][] outputs;
        private final Shape shape;
        final List<Boolean> trainingFlags = new ArrayList<>();

        ScriptedBlock(float[][] outputs, Shape shape) {
            this.outputs = outputs;
            this.shape = shape;
        }

        @Override
        protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training,
                                         PairList<String, Object> params) {
            float[] out = outputs[trainingFlags.size() % outputs.length];
            trainingFlags.add(training);
            return new NDList(inputs.head().getManager().create(out, shape));
        }

        @Override
        public Shape[] getOutputShapes(Shape[] inputShapes) {
            return new Shape[] {shape};
        }
    }
}

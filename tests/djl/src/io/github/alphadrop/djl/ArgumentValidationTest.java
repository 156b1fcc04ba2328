package io.github.alphadrop.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Bad arguments fail with IllegalArgumentException whose message names the argument and its value. */
class ArgumentValidationTest {

    private NDManager manager;

    @BeforeEach
    void open() {
        manager = NDManager.newBaseManager();
    }

    @AfterEach
    void close() {
        manager.close();
    }

    private static void rejects(Executable call, String... fragments) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        for (String f : fragments) {
            assertTrue(e.getMessage().contains(f), "message '" + e.getMessage() + "' should mention '" + f + "'");
        }
    }

    @Test
    void alphaMustBeFiniteAndNonNegative() {
        rejects(() -> AlphaDivergenceLoss.categorical(-0.5f, 3), "alpha", "-0.5");
        rejects(() -> AlphaDivergenceLoss.categorical(Float.NaN, 3), "alpha", "NaN");
        rejects(() -> AlphaDivergenceLoss.gaussian(Float.POSITIVE_INFINITY, 3), "alpha", "Infinity");
    }

    @Test
    void samplesMustBePositive() {
        rejects(() -> AlphaDivergenceLoss.categorical(0.5f, 0), "samples (K)", "0");
        rejects(() -> AlphaDivergenceLoss.gaussian(0.5f, -2), "samples (K)", "-2");
        rejects(() -> AlphaDivergenceLoss.repeatSamples(manager.ones(new Shape(2, 3)), 0), "samples (K)", "0");
        rejects(() -> new AlphaDivergenceLoss(null, AlphaDivergenceLoss.Likelihood.CATEGORICAL, 0f, 1), "name");
        rejects(() -> new AlphaDivergenceLoss("x", null, 0f, 1), "likelihood");
    }

    @Test
    void categoricalShapesMustAgree() {
        AlphaDivergenceLoss loss = AlphaDivergenceLoss.categorical(0.5f, 3);
        NDList labels = new NDList(manager.create(new int[] {0, 1}));
        rejects(() -> loss.evaluate(labels, new NDList(manager.zeros(new Shape(5, 4)))),
                "logits have 5 rows", "B = 2", "K = 3");
        rejects(() -> loss.evaluate(labels, new NDList(manager.zeros(new Shape(2, 4, 4)))), "(2, 4, 4)", "[2, 3, ...]");
        rejects(() -> loss.evaluate(labels, new NDList(manager.zeros(new Shape(6)))), "logits", "(6)");
        rejects(() -> loss.evaluate(new NDList(manager.zeros(new Shape(2, 2))), new NDList(manager.zeros(new Shape(6, 4)))),
                "labels", "(2, 2)");
        rejects(() -> loss.evaluate(new NDList(), new NDList(manager.zeros(new Shape(6, 4)))), "labels");
        rejects(() -> loss.evaluate(labels, new NDList()), "predictions");
    }

    @Test
    void labelsMustBeClassIndices() {
        AlphaDivergenceLoss loss = AlphaDivergenceLoss.categorical(0f, 1);
        NDList logits = new NDList(manager.zeros(new Shape(2, 4)));
        rejects(() -> loss.evaluate(new NDList(manager.create(new int[] {0, 4})), logits), "labels", "[0, 4)", "[0, 4]");
        rejects(() -> loss.evaluate(new NDList(manager.create(new int[] {-1, 2})), logits), "labels", "[-1, 2]");
        rejects(() -> loss.evaluate(new NDList(manager.create(new float[] {0.5f, 2f})), logits), "whole", "fractional");
    }

    @Test
    void gaussianInputsMustAgree() {
        AlphaDivergenceLoss loss = AlphaDivergenceLoss.gaussian(1f, 2);
        NDArray y = manager.zeros(new Shape(3, 2));
        NDArray f = manager.zeros(new Shape(6, 2));
        NDArray logTau = manager.zeros(new Shape(1));
        rejects(() -> loss.evaluate(new NDList(y), new NDList(f)), "(f, logTau)", "LearnedPrecisionBlock");
        rejects(() -> loss.evaluate(new NDList(y), new NDList(f, manager.zeros(new Shape(2)))), "logTau", "(2)");
        rejects(() -> loss.evaluate(new NDList(y), new NDList(manager.zeros(new Shape(6, 3)), logTau)),
                "3 outputs", "targets have 2");
        rejects(() -> loss.evaluate(new NDList(y), new NDList(manager.zeros(new Shape(4, 2)), logTau)), "f have 4 rows");
        rejects(() -> loss.evaluate(new NDList(manager.zeros(new Shape(3, 2, 1))), new NDList(f, logTau)),
                "targets", "(3, 2, 1)");
    }

    @Test
    void mcDropoutArguments() {
        Linear block = Linear.builder().setUnits(2).build();
        NDArray x = manager.ones(new Shape(4, 3));
        rejects(() -> McDropout.classify(block, x, 5), "block", "initialised");
        block.initialize(manager, DataType.FLOAT32, new Shape(1, 3));
        rejects(() -> McDropout.classify(block, x, 0), "passes (T)", "0");
        rejects(() -> McDropout.regress(block, x, -1), "passes (T)", "-1");
        rejects(() -> McDropout.classify(null, x, 5), "block");
        rejects(() -> McDropout.regress(block, null, 5), "inputs");
        rejects(() -> McDropout.classify(block, manager.ones(new Shape(3)), 5), "logits [N, C] = [3, C]", "(2)");
    }

    @Test
    void precisionBlockArguments() {
        Linear net = Linear.builder().setUnits(1).build();
        rejects(() -> new LearnedPrecisionBlock(null), "network");
        rejects(() -> new LearnedPrecisionBlock(net, 0), "initialTau", "0.0");
        rejects(() -> new LearnedPrecisionBlock(net, Double.NaN), "initialTau", "NaN");
        McRegression r = new McRegression(manager.zeros(new Shape(2)), manager.zeros(new Shape(2)), 1);
        rejects(() -> r.predictiveVariance(manager.zeros(new Shape(2))), "logTau", "(2)");
    }
}

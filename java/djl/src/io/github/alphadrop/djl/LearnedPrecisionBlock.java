package io.github.alphadrop.djl;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.djl.training.initializer.ConstantInitializer;
import ai.djl.util.PairList;

/**
 * A regression network plus the log precision {@code logTau} of a homoscedastic Gaussian likelihood,
 * τ = exp(logTau), as one block, so that τ is learned with the weights by any DJL optimiser.
 *
 * <p>Why a block: DJL's trainer updates the parameters of the model's block and nothing else, and a
 * {@link ai.djl.training.loss.Loss} has no parameters. Owning log τ here makes it an ordinary trainable
 * parameter (saved, loaded, frozen with {@link #freezeParameters(boolean)} for a fixed τ), and handing it
 * to the loss as a second output keeps {@link AlphaDivergenceLoss#gaussian} free of state.
 *
 * <p>Forward returns {@code (f, logTau)}: the wrapped network's single output and the parameter, shape
 * {@code [1]}. Log τ is learned rather than τ so that it stays positive without a constraint.
 */
public final class LearnedPrecisionBlock extends AbstractBlock {

    private static final byte VERSION = 1;

    private final Block network;
    private final Parameter logTau;

    /**
     * @param network    the regression network; must return exactly one array
     * @param initialTau τ before training, positive and finite (1 is the usual start)
     */
    public LearnedPrecisionBlock(Block network, double initialTau) {
        super(VERSION);
        if (network == null) {
            throw new IllegalArgumentException("network must not be null");
        }
        if (!(initialTau > 0) || Double.isInfinite(initialTau)) {
            throw new IllegalArgumentException("initialTau must be positive and finite, got " + initialTau);
        }
        this.network = addChildBlock("network", network);
        this.logTau = addParameter(Parameter.builder()
                .setName("logTau")
                .setType(Parameter.Type.OTHER)
                .optShape(new Shape(1))
                .optInitializer(new ConstantInitializer((float) Math.log(initialTau)))
                .build());
    }

    /** Wraps {@code network} with τ starting at 1. */
    public LearnedPrecisionBlock(Block network) {
        this(network, 1.0);
    }

    public Block network() {
        return network;
    }

    /** The live log τ parameter (its array once the block is initialised). */
    public Parameter logTau() {
        return logTau;
    }

    @Override
    protected NDList forwardInternal(ParameterStore parameterStore, NDList inputs, boolean training,
                                     PairList<String, Object> params) {
        NDList out = network.forward(parameterStore, inputs, training, params);
        if (out.size() != 1) {
            throw new IllegalStateException("the wrapped network must return one array, it returned " + out.size());
        }
        NDArray f = out.head();
        return new NDList(f, parameterStore.getValue(logTau, f.getDevice(), training));
    }

    @Override
    public Shape[] getOutputShapes(Shape[] inputShapes) {
        return new Shape[] {network.getOutputShapes(inputShapes)[0], new Shape(1)};
    }

    @Override
    protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
        network.initialize(manager, dataType, inputShapes);
    }
}

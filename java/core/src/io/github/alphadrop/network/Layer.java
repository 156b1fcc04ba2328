package io.github.alphadrop.network;

import io.github.alphadrop.kernels.FloatView;
import io.github.alphadrop.kernels.Kernels;

import java.util.List;

/**
 * One layer of a {@link Network}, working on rows of flattened values. A layer may drop its input
 * (inverted dropout with probability {@link #dropout()}, masks named by its {@link #maskId()}); the network
 * runs a layer that draws no masks once per datapoint while its input is still shared by the K samples.
 */
public interface Layer {

    /** A stable name for model files, e.g. {@code "dense"}. */
    String tag();

    int inputSize();

    int outputSize();

    /** The drop probability applied to this layer's input; 0 (the default) for none. */
    default float dropout() {
        return 0f;
    }

    /** The noise of this layer's dropout: Bernoulli (the default) or Gaussian. */
    default io.github.alphadrop.kernels.Dropout.Noise noise() {
        return io.github.alphadrop.kernels.Dropout.Noise.BERNOULLI;
    }

    /**
     * The input noises every layer of a network takes: the kernels' own, Bernoulli and Gaussian. DropConnect (on the
     * weights) and concrete dropout (a learned rate) are {@link DenseLayer}'s only.
     */
    static io.github.alphadrop.kernels.Dropout.Noise requireInputNoise(io.github.alphadrop.kernels.Dropout.Noise noise) {
        if (noise == null || !noise.isInputNoise()) {
            throw new IllegalArgumentException("a network layer's input noise must be BERNOULLI or GAUSSIAN, got " + noise
                    + " (DROPCONNECT and CONCRETE are dense layers' only)");
        }
        return noise;
    }

    /** The mask id of this layer's dropout (unique within its network); -1 (the default) for none. */
    default int maskId() {
        return -1;
    }

    /**
     * Sets the initial parameters from {@code random}: Glorot-uniform weights, zero biases (the Keras
     * default the paper's experiments used). Layers without parameters draw nothing.
     */
    default void initialize(java.util.SplittableRandom random) {
    }

    /** Glorot-uniform: U(-l, l) with l = sqrt(6 / (fanIn + fanOut)). */
    static void glorotUniform(float[] w, int fanIn, int fanOut, java.util.SplittableRandom random) {
        double limit = Math.sqrt(6.0 / (fanIn + fanOut));
        for (int i = 0; i < w.length; i++) {
            w[i] = (float) ((2 * random.nextDouble() - 1) * limit);
        }
    }

    /** Parameter arrays, updated in place by an optimiser; none by default. */
    default List<float[]> parameters() {
        return List.of();
    }

    /** The gradients of the last {@link #backward}, in the order of {@link #parameters()}; none by default. */
    default List<float[]> gradients() {
        return List.of();
    }

    /**
     * The output for {@code batch × samples} rows; when {@code shared}, {@code x} holds {@code batch} rows
     * each serving its K sample rows (a layer with dropout then draws K masks per row). Returns
     * {@code rows × outputSize()} floats, where rows is batch if the result is still shared (no masks drawn)
     * and batch·samples otherwise ({@link #sharesOutput(boolean, boolean)} says which), in
     * {@code workspace.get(slot, ...)} (or x itself, for a layer that passes its input through).
     */
    FloatView forward(Kernels kernels, MaskSpec masks, boolean stochastic, FloatView x, int batch, int samples,
                      boolean shared, Workspace workspace, int slot);

    /** Whether the output of {@link #forward} is still one row per datapoint. */
    default boolean sharesOutput(boolean sharedInput, boolean stochastic) {
        return sharedInput && (!stochastic || dropout() == 0f);
    }

    /**
     * Fills {@link #gradients()} from {@code dy} (the gradient of the output {@code y} of the matching forward;
     * may be overwritten) and returns the gradient of the input (summed over the K samples when the input
     * was shared) in {@code workspace.get(slot, ...)} (or dy itself, for a pass-through), or null when
     * {@code needInputGradient} is false.
     */
    FloatView backward(Kernels kernels, MaskSpec masks, boolean stochastic, FloatView x, FloatView y, FloatView dy,
                       int batch, int samples, boolean shared, boolean needInputGradient, Workspace workspace, int slot);
}

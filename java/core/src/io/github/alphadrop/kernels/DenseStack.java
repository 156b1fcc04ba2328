package io.github.alphadrop.kernels;

import java.util.Arrays;

/**
 * The shape of a dense network as {@link Kernels#denseStep} takes it: layer l maps {@code sizes[l]} inputs to
 * {@code sizes[l + 1]} outputs through {@code activations[l]}, with input noise of rate {@code dropout[l]}
 * (mask layer index l). Parameters are packed W_0 (sizes[0] × sizes[1], row-major), b_0, W_1, b_1, … back to
 * back; {@link #weightOffset(int)} and {@link #biasOffset(int)} say where.
 *
 * @param sizes       the widths, input first: length layers + 1, each {@code >= 1}
 * @param dropout     per layer, in {@code [0, 1)}
 * @param noise       {@link Dropout.Noise#BERNOULLI}, {@link Dropout.Noise#GAUSSIAN} or {@link Dropout.Noise#CONCRETE}
 *                    (whose rates come from the logits given to each step; {@code dropout} is then not read)
 * @param activations per layer
 */
public record DenseStack(int[] sizes, float[] dropout, Dropout.Noise noise, Activation[] activations) {

    /** The deepest network the native step takes; {@code kDenseStepMaxLayers} in native/src/isa_kernels.h. */
    public static final int MAX_LAYERS = 64;

    public DenseStack {
        if (sizes == null || dropout == null || noise == null || activations == null) {
            throw new IllegalArgumentException("sizes, dropout, noise and activations must not be null");
        }
        if (sizes.length < 2 || sizes.length > MAX_LAYERS + 1) {
            throw new IllegalArgumentException("sizes must hold 2 to " + (MAX_LAYERS + 1) + " widths (input first), got "
                    + sizes.length);
        }
        int layers = sizes.length - 1;
        if (dropout.length != layers || activations.length != layers) {
            throw new IllegalArgumentException("dropout and activations need one entry per layer (" + layers + "), got "
                    + dropout.length + " and " + activations.length);
        }
        if (noise == Dropout.Noise.DROPCONNECT) {
            throw new IllegalArgumentException("noise must be BERNOULLI, GAUSSIAN or CONCRETE (noise on the inputs), got "
                    + noise);
        }
        long params = 0;
        for (int l = 0; l <= layers; l++) {
            if (sizes[l] < 1) {
                throw new IllegalArgumentException("sizes[" + l + "] must be >= 1, got " + sizes[l]);
            }
        }
        for (int l = 0; l < layers; l++) {
            if (!(dropout[l] >= 0f && dropout[l] < 1f)) {
                throw new IllegalArgumentException("dropout[" + l + "] must be in [0, 1), got " + dropout[l]);
            }
            if (activations[l] == null) {
                throw new IllegalArgumentException("activations[" + l + "] must not be null");
            }
            params += (long) sizes[l] * sizes[l + 1] + sizes[l + 1];
        }
        if (params > Integer.MAX_VALUE - 8) {
            throw new IllegalArgumentException("the network has " + params + " parameters, more than one array holds");
        }
        sizes = sizes.clone();
        dropout = dropout.clone();
        activations = activations.clone();
    }

    /** The widths, not copied: for the backends of this package, which only read them. */
    int[] sizesView() {
        return sizes;
    }

    /** The drop rates, not copied (read only, as {@link #sizesView()}). */
    float[] dropoutView() {
        return dropout;
    }

    /** The native activation codes, one per layer (a new array; the backend caches nothing per step). */
    int[] activationCodes() {
        int[] codes = new int[activations.length];
        for (int l = 0; l < codes.length; l++) {
            codes[l] = activations[l].code;
        }
        return codes;
    }

    /** The widths (a copy). */
    @Override
    public int[] sizes() {
        return sizes.clone();
    }

    /** The drop rates (a copy). */
    @Override
    public float[] dropout() {
        return dropout.clone();
    }

    /** The activations (a copy). */
    @Override
    public Activation[] activations() {
        return activations.clone();
    }

    public int size(int i) {
        return sizes[i];
    }

    public float dropout(int layer) {
        return dropout[layer];
    }

    public Activation activation(int layer) {
        return activations[layer];
    }

    public int layers() {
        return sizes.length - 1;
    }

    public int inputSize() {
        return sizes[0];
    }

    public int outputSize() {
        return sizes[sizes.length - 1];
    }

    /** Where W_l starts in the packed parameters. */
    public int weightOffset(int layer) {
        int offset = 0;
        for (int l = 0; l < layer; l++) {
            offset += sizes[l] * sizes[l + 1] + sizes[l + 1];
        }
        return offset;
    }

    /** Where b_l starts in the packed parameters. */
    public int biasOffset(int layer) {
        return weightOffset(layer) + sizes[layer] * sizes[layer + 1];
    }

    public int parameterCount() {
        return weightOffset(layers());
    }

    /** Multiply-adds of one forward pass of {@code rows} sample rows. */
    public long multiplyAdds(long rows) {
        long perRow = 0;
        for (int l = 0; l < layers(); l++) {
            perRow += (long) sizes[l] * sizes[l + 1];
        }
        return rows * perRow;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof DenseStack d && Arrays.equals(sizes, d.sizes) && Arrays.equals(dropout, d.dropout)
                && noise == d.noise && Arrays.equals(activations, d.activations);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * Arrays.hashCode(sizes) + Arrays.hashCode(dropout)) + Arrays.hashCode(activations);
    }

    @Override
    public String toString() {
        return "DenseStack" + Arrays.toString(sizes) + " dropout " + Arrays.toString(dropout) + " " + noise + " "
                + Arrays.toString(activations);
    }
}

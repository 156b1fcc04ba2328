package io.github.alphadrop.model;

import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.Dropout;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * A multilayer perceptron with dropout before every dense layer, the inputs included (Bernoulli with
 * inverted scaling, or multiplicative Gaussian noise of the same variance: {@link #noise()}), and its
 * parameters. Layer l maps {@code size(l)} inputs to {@code size(l+1)}
 * outputs; hidden layers use {@link #activation()}, the output layer is linear (logits or the regression
 * mean). Weights of layer l are row-major {@code size(l) × size(l+1)}.
 *
 * <p>The parameter arrays are live: trainers update them in place. Use {@link #copy()} for a snapshot.
 */
public final class Mlp {

    private final int[] sizes;
    private final Activation activation;
    private final float[] dropout;
    private final Dropout.Noise noise;
    private final Likelihood likelihood;
    private final float[][] weights;
    private final float[][] biases;
    private final float[] logTau = new float[1];
    /** Concrete dropout's trained logits ρ_l, p_l = sigmoid(ρ_l); empty for the other noises. */
    private final float[] dropLogits;

    Mlp(int[] sizes, Activation activation, float[] dropout, Dropout.Noise noise, Likelihood likelihood) {
        this.sizes = sizes.clone();
        this.activation = activation;
        this.dropout = dropout.clone();
        this.noise = noise;
        this.likelihood = likelihood;
        int layers = sizes.length - 1;
        this.weights = new float[layers][];
        this.biases = new float[layers][];
        for (int l = 0; l < layers; l++) {
            weights[l] = new float[Math.multiplyExact(sizes[l], sizes[l + 1])];
            biases[l] = new float[sizes[l + 1]];
        }
        this.logTau[0] = likelihood.initialLogTau();
        this.dropLogits = new float[noise == Dropout.Noise.CONCRETE ? layers : 0];
        initialDropLogits();
    }

    private void initialDropLogits() {
        for (int l = 0; l < dropLogits.length; l++) {
            dropLogits[l] = ConcreteDropout.logit(dropout[l]);
        }
    }

    public static Builder builder(int inputSize) {
        return new Builder(inputSize);
    }

    /** Number of dense layers. */
    public int layers() {
        return sizes.length - 1;
    }

    /** Width of layer boundary {@code i}: 0 is the input, {@link #layers()} the output. */
    public int size(int i) {
        return sizes[i];
    }

    public int[] sizes() {
        return sizes.clone();
    }

    public int inputSize() {
        return sizes[0];
    }

    public int outputSize() {
        return sizes[sizes.length - 1];
    }

    public Activation activation() {
        return activation;
    }

    /** The activation of dense layer l: the hidden activation, or identity for the output layer. */
    public Activation activation(int layer) {
        return layer == layers() - 1 ? Activation.IDENTITY : activation;
    }

    /** The noise of every layer's dropout. */
    public Dropout.Noise noise() {
        return noise;
    }

    /**
     * Drop probability applied to the input of dense layer l; with concrete dropout the current learned rate
     * sigmoid(ρ_l), rounded to float.
     */
    public float dropout(int layer) {
        return dropLogits.length > 0 ? (float) ConcreteDropout.rate(dropLogits[layer]) : dropout[layer];
    }

    /**
     * Live logits ρ_l of concrete dropout's learned drop rates, one per dense layer (trainers update them in
     * place); empty for every other noise.
     */
    public float[] dropLogits() {
        return dropLogits;
    }

    public Likelihood likelihood() {
        return likelihood;
    }

    /** Live weights of layer l, {@code size(l) × size(l+1)}, row-major. */
    public float[] weights(int layer) {
        return weights[layer];
    }

    /** Live biases of layer l. */
    public float[] biases(int layer) {
        return biases[layer];
    }

    /** Live one-element holder of log τ (Gaussian likelihood; unused for categorical). */
    public float[] logTauHolder() {
        return logTau;
    }

    public float logTau() {
        return logTau[0];
    }

    /** Number of trainable parameters (weights and biases; log τ when it is learned; concrete dropout's rates). */
    public long parameterCount() {
        long count = (likelihood.learnsTau() ? 1 : 0) + dropLogits.length;
        for (int l = 0; l < layers(); l++) {
            count += weights[l].length + biases[l].length;
        }
        return count;
    }

    /** Re-initialises the parameters from {@code seed}: Glorot-uniform weights, zero biases. */
    public void initialize(long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        for (int l = 0; l < layers(); l++) {
            int fanIn = sizes[l];
            int fanOut = sizes[l + 1];
            // Glorot-uniform for every layer: the Keras default the authors' experiments used. He-uniform
            // for the ReLU layers trained a slightly worse α = 0 model on Fashion-MNIST (docs/fashion-mnist.md).
            double limit = Math.sqrt(6.0 / (fanIn + fanOut));
            float[] w = weights[l];
            for (int i = 0; i < w.length; i++) {
                w[i] = (float) ((2 * random.nextDouble() - 1) * limit);
            }
            Arrays.fill(biases[l], 0f);
        }
        logTau[0] = likelihood.initialLogTau();
        initialDropLogits();
    }

    /** A deep copy: same architecture, copied parameters. */
    public Mlp copy() {
        Mlp copy = new Mlp(sizes, activation, dropout, noise, likelihood);
        copy.copyParametersFrom(this);
        return copy;
    }

    /** Copies all parameters from {@code other}, which must have the same architecture. */
    public void copyParametersFrom(Mlp other) {
        if (!Arrays.equals(sizes, other.sizes)) {
            throw new IllegalArgumentException("architectures differ: " + Arrays.toString(sizes)
                    + " vs " + Arrays.toString(other.sizes));
        }
        for (int l = 0; l < layers(); l++) {
            System.arraycopy(other.weights[l], 0, weights[l], 0, weights[l].length);
            System.arraycopy(other.biases[l], 0, biases[l], 0, biases[l].length);
        }
        logTau[0] = other.logTau[0];
        if (dropLogits.length > 0 && other.dropLogits.length > 0) {
            System.arraycopy(other.dropLogits, 0, dropLogits, 0, dropLogits.length);
        }
    }

    /** A short description such as {@code 784-100-100-10 relu, dropout 0.5}. */
    public String describe() {
        StringBuilder s = new StringBuilder();
        for (int i = 0; i < sizes.length; i++) {
            s.append(i == 0 ? "" : "-").append(sizes[i]);
        }
        s.append(' ').append(activation.name().toLowerCase()).append(", dropout ");
        float[] rates = new float[layers()];
        for (int l = 0; l < rates.length; l++) {
            rates[l] = dropout(l);
        }
        float first = rates[0];
        boolean uniform = true;
        for (float p : rates) {
            uniform &= p == first;
        }
        s.append(uniform ? Float.toString(first) : Arrays.toString(rates));
        if (noise != Dropout.Noise.BERNOULLI) {
            s.append(' ').append(noise.name().toLowerCase());
        }
        return s.append(", ").append(likelihood).toString();
    }

    /**
     * Builds an {@link Mlp}. Defaults: no hidden layers, ReLU, Bernoulli dropout 0.5, categorical likelihood,
     * seed 0.
     */
    public static final class Builder {
        private final int inputSize;
        private int[] hidden = new int[0];
        private int outputSize = -1;
        private Activation activation = Activation.RELU;
        private float dropout = 0.5f;
        private float[] dropoutOverride;
        private Dropout.Noise noise = Dropout.Noise.BERNOULLI;
        private Likelihood likelihood = Likelihood.categorical();
        private long seed;

        private Builder(int inputSize) {
            if (inputSize < 1) {
                throw new IllegalArgumentException("inputSize must be >= 1, got " + inputSize);
            }
            this.inputSize = inputSize;
        }

        public Builder hidden(int... sizes) {
            if (sizes == null) {
                throw new IllegalArgumentException("hidden sizes must not be null (no hidden layer: hidden())");
            }
            for (int i = 0; i < sizes.length; i++) {
                if (sizes[i] < 1) {
                    throw new IllegalArgumentException("hidden[" + i + "] must be >= 1, got " + sizes[i]);
                }
            }
            this.hidden = sizes.clone();
            return this;
        }

        public Builder output(int size) {
            if (size < 1) {
                throw new IllegalArgumentException("output size must be >= 1, got " + size);
            }
            this.outputSize = size;
            return this;
        }

        public Builder activation(Activation activation) {
            if (activation == null || activation == Activation.IDENTITY) {
                throw new IllegalArgumentException("hidden activation must be RELU or TANH, got " + activation);
            }
            this.activation = activation;
            return this;
        }

        /** The same drop probability before every dense layer, inputs included. */
        public Builder dropout(float p) {
            checkP("dropout", p);
            this.dropout = p;
            this.dropoutOverride = null;
            return this;
        }

        /** One drop probability per dense layer (length = hidden layers + 1). */
        /**
         * The dropout noise: {@link Dropout.Noise#BERNOULLI} (the default), {@link Dropout.Noise#GAUSSIAN}
         * (multiplicative N(1, p/(1-p)) with each layer's p), {@link Dropout.Noise#DROPCONNECT} (Bernoulli masks
         * on the weights, one per MC sample) or {@link Dropout.Noise#CONCRETE} (each layer's rate learned, starting
         * from its p, which must then be in (0, 1)).
         */
        public Builder noise(Dropout.Noise noise) {
            if (noise == null) {
                throw new IllegalArgumentException("noise must not be null");
            }
            this.noise = noise;
            return this;
        }

        public Builder dropoutPerLayer(float... p) {
            if (p == null) {
                throw new IllegalArgumentException("dropoutPerLayer values must not be null");
            }
            for (int i = 0; i < p.length; i++) {
                checkP("dropout[" + i + "]", p[i]);
            }
            this.dropoutOverride = p.clone();
            return this;
        }

        public Builder likelihood(Likelihood likelihood) {
            if (likelihood == null) {
                throw new IllegalArgumentException("likelihood must not be null");
            }
            this.likelihood = likelihood;
            return this;
        }

        /** Seed of the weight initialisation. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        public Mlp build() {
            if (outputSize < 1) {
                throw new IllegalArgumentException("output size was not set");
            }
            if (likelihood.isCategorical() && outputSize < 2) {
                throw new IllegalArgumentException("a categorical model needs output size >= 2, got " + outputSize);
            }
            int[] sizes = new int[hidden.length + 2];
            sizes[0] = inputSize;
            System.arraycopy(hidden, 0, sizes, 1, hidden.length);
            sizes[sizes.length - 1] = outputSize;
            float[] p = new float[sizes.length - 1];
            if (dropoutOverride != null) {
                if (dropoutOverride.length != p.length) {
                    throw new IllegalArgumentException("dropoutPerLayer needs " + p.length + " values (one per dense layer), got "
                            + dropoutOverride.length);
                }
                p = dropoutOverride.clone();
            } else {
                Arrays.fill(p, dropout);
            }
            checkSize(sizes);
            if (noise == Dropout.Noise.CONCRETE) {
                for (int l = 0; l < p.length; l++) {
                    if (!(p[l] > 0f)) {
                        throw new IllegalArgumentException("concrete dropout learns each rate from its initial value, which"
                                + " must be in (0, 1): dropout[" + l + "] = " + p[l]);
                    }
                }
            }
            Mlp mlp = new Mlp(sizes, activation, p, noise, likelihood);
            mlp.initialize(seed);
            return mlp;
        }

        /**
         * Each layer's weights fit in one array, and all of them (with the trainer's gradients and Adam's two
         * moments, about 4 copies) in the heap: a network too large is one line naming it, not an
         * OutOfMemoryError after a long allocation.
         */
        private static void checkSize(int[] sizes) {
            long parameters = 0;
            for (int l = 0; l + 1 < sizes.length; l++) {
                long w = (long) sizes[l] * sizes[l + 1];
                if (w > Integer.MAX_VALUE - 8) {
                    throw new IllegalArgumentException("layer " + l + " (" + sizes[l] + " x " + sizes[l + 1] + ") has " + w
                            + " weights, more than one Java array holds (2^31 - 9)");
                }
                parameters += w + sizes[l + 1];
            }
            long bytes = parameters * Float.BYTES * 4;
            long heap = Runtime.getRuntime().maxMemory();
            if (bytes > heap) {
                throw new IllegalArgumentException("the network " + Arrays.toString(sizes) + " has " + parameters
                        + " parameters: with gradients and optimiser state about " + bytes / (1 << 20) + " MiB, more than"
                        + " the JVM's heap of " + heap / (1 << 20) + " MiB (raise -Xmx, e.g. ALPHADROP_JAVA_OPTS=-Xmx16g)");
            }
        }

        private static void checkP(String name, float p) {
            if (!(p >= 0f && p < 1f)) {
                throw new IllegalArgumentException(name + " must be in [0, 1), got " + p);
            }
        }
    }
}

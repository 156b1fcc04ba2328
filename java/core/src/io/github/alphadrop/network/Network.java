package io.github.alphadrop.network;

import io.github.alphadrop.kernels.FloatView;
import io.github.alphadrop.kernels.Kernels;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A sequence of {@link Layer}s run over B datapoints with K dropout samples each. The input is shared by
 * the K samples, and so is every output until the first layer that draws masks: the deterministic layers
 * below the first dropout (a CNN's convolution stack) run once per datapoint, not K times. From there on
 * the rows are {@code n·K + k}, as the kernels lay them out.
 *
 * <p>A pass keeps every layer's output for its backward; one pass at a time per network.
 */
public final class Network {

    private final List<Layer> layers;
    private final List<FloatView> outputs = new ArrayList<>();
    private final List<Boolean> sharedIn = new ArrayList<>();
    private Workspace workspace;
    private Kernels workspaceKernels;
    private FloatView input;
    private int batch;
    private int samples;
    private boolean stochastic;
    private MaskSpec masks;

    public Network(List<Layer> layers) {
        if (layers == null || layers.isEmpty()) {
            throw new IllegalArgumentException("a network needs at least one layer");
        }
        for (int i = 1; i < layers.size(); i++) {
            if (layers.get(i).inputSize() != layers.get(i - 1).outputSize()) {
                throw new IllegalArgumentException("layer " + i + " (" + layers.get(i).tag() + ") takes "
                        + layers.get(i).inputSize() + " values but layer " + (i - 1) + " (" + layers.get(i - 1).tag()
                        + ") gives " + layers.get(i - 1).outputSize());
            }
        }
        long ids = layers.stream().filter(l -> l.dropout() > 0).mapToInt(Layer::maskId).distinct().count();
        if (ids != layers.stream().filter(l -> l.dropout() > 0).count()) {
            throw new IllegalArgumentException("two stochastic layers share a mask id: their masks would be the same");
        }
        this.layers = List.copyOf(layers);
    }

    /**
     * The convolutional classifier of the paper's §5.2, generalised: for each entry of {@code filters} a 3×3
     * valid convolution with ReLU, then 2×2 max pooling, then for each entry of {@code hidden} dropout
     * {@code p} and a dense layer with {@code activation}, then dropout {@code p} and a dense layer of
     * {@code classes} logits. {@code cnn(28, 28, 1, 10, {32, 32}, {100}, 0.5, RELU)} is the paper's network:
     * conv 32 → conv 32 → pool → dropout → dense 100 → dropout → dense 10. Parameters are zero until
     * {@link #initialize(long)}.
     *
     * @throws IllegalArgumentException naming the argument, for non-positive sizes, a drop probability outside
     *                                  [0, 1), or an image too small for the convolutions and the pooling
     */
    public static Network cnn(int height, int width, int channels, int classes, int[] filters, int[] hidden,
                              float dropout, io.github.alphadrop.kernels.Activation activation) {
        return cnn(height, width, channels, classes, filters, hidden, dropout, activation,
                io.github.alphadrop.kernels.Dropout.Noise.BERNOULLI);
    }

    /**
     * As above, with {@code noise} on every dense layer: Bernoulli or Gaussian dropout of its input, DropConnect on
     * its weights, or concrete dropout of its input with a rate each layer learns, starting from {@code dropout}.
     */
    public static Network cnn(int height, int width, int channels, int classes, int[] filters, int[] hidden,
                              float dropout, io.github.alphadrop.kernels.Activation activation,
                              io.github.alphadrop.kernels.Dropout.Noise noise) {
        if (noise == null) {
            throw new IllegalArgumentException("noise must not be null");
        }
        if (filters == null || filters.length == 0 || hidden == null) {
            throw new IllegalArgumentException(filters == null || filters.length == 0
                    ? "filters must name at least one convolution" : "hidden must not be null (none: an empty array)");
        }
        if (!(dropout >= 0f && dropout < 1f)) {
            throw new IllegalArgumentException("dropout must be in [0, 1), got " + dropout);
        }
        int h = height, w = width, c = channels;
        List<Layer> layers = new ArrayList<>();
        for (int i = 0; i < filters.length; i++) {
            if (filters[i] < 1) {
                throw new IllegalArgumentException("filters[" + i + "] must be >= 1, got " + filters[i]);
            }
            if (h < 3 || w < 3) {
                throw new IllegalArgumentException("a " + height + "x" + width + " image is too small for "
                        + filters.length + " 3x3 convolutions and 2x2 pooling");
            }
            layers.add(new ConvLayer(h, w, c, 3, filters[i], io.github.alphadrop.layers.Conv2D.Padding.VALID,
                    io.github.alphadrop.kernels.Activation.RELU));
            h -= 2;
            w -= 2;
            c = filters[i];
        }
        if (h < 2 || w < 2) {
            throw new IllegalArgumentException("a " + height + "x" + width + " image is too small for "
                    + filters.length + " 3x3 convolutions and 2x2 pooling");
        }
        PoolLayer pool = new PoolLayer(h, w, c, 2);
        layers.add(pool);
        int in = pool.outputSize();
        int maskId = 0;
        for (int i = 0; i < hidden.length; i++) {
            if (hidden[i] < 1) {
                throw new IllegalArgumentException("hidden[" + i + "] must be >= 1, got " + hidden[i]);
            }
            layers.add(new DenseLayer(in, hidden[i], activation, dropout, maskId++, noise));
            in = hidden[i];
        }
        layers.add(new DenseLayer(in, classes, io.github.alphadrop.kernels.Activation.IDENTITY, dropout, maskId, noise));
        return new Network(layers);
    }

    public List<Layer> layers() {
        return layers;
    }

    public int inputSize() {
        return layers.get(0).inputSize();
    }

    public int outputSize() {
        return layers.get(layers.size() - 1).outputSize();
    }

    /**
     * Initial parameters from {@code seed}, layer by layer (Glorot-uniform weights, zero biases). A network
     * of dense layers gets exactly the weights {@code Mlp.initialize(seed)} gives the equivalent Mlp.
     */
    public void initialize(long seed) {
        java.util.SplittableRandom random = new java.util.SplittableRandom(seed);
        for (Layer layer : layers) {
            layer.initialize(random);
        }
    }

    /**
     * Floats one datapoint occupies in a stochastic forward with K = {@code samples} plus its backward: the
     * input and every layer's output (once while shared, K times after the first dropout), twice for the
     * gradients. What callers size their chunks of inputs by.
     */
    public long floatsPerDatapoint(int samples) {
        long floats = inputSize();
        boolean shared = true;
        for (Layer layer : layers) {
            shared = layer.sharesOutput(shared, true);
            floats += (long) layer.outputSize() * (shared ? 1 : samples);
        }
        return 2 * floats;
    }

    /**
     * How many datapoints with K = {@code samples} fit in {@code budgetFloats} floats of activations and
     * gradients (at least 1).
     */
    public int maxBatch(int samples, long budgetFloats) {
        return (int) Math.max(1, Math.min(Integer.MAX_VALUE, budgetFloats / floatsPerDatapoint(samples)));
    }

    /** Every parameter array, layer by layer. */
    public List<float[]> parameters() {
        List<float[]> p = new ArrayList<>();
        layers.forEach(l -> p.addAll(l.parameters()));
        return p;
    }

    /** The gradients of the last {@link #backward}, in the order of {@link #parameters()}. */
    public List<float[]> gradients() {
        List<float[]> g = new ArrayList<>();
        layers.forEach(l -> g.addAll(l.gradients()));
        return g;
    }

    /**
     * The outputs of {@code batch} datapoints ({@code x}: its first batch × inputSize values) for K = {@code samples} dropout
     * samples each: (batch·samples) × outputSize, rows n·K + k. With {@code stochastic} false no masks are
     * drawn (the deterministic network) and the K rows of a datapoint are equal.
     */
    public float[] forward(Kernels kernels, float[] x, int batch, int samples, MaskSpec masks, boolean stochastic) {
        if (x == null || batch < 1 || samples < 1 || (long) x.length < (long) batch * inputSize()) {
            throw new IllegalArgumentException("x must hold batch * " + inputSize() + " values with batch, samples >= 1;"
                    + " got " + (x == null ? "null" : x.length) + " values, batch " + batch + ", samples " + samples);
        }
        if (kernels == null || masks == null) {
            throw new IllegalArgumentException((kernels == null ? "kernels" : "masks") + " must not be null");
        }
        if (workspace == null || workspaceKernels != kernels) {
            releaseBuffers();
            workspace = new Workspace(kernels);
            workspaceKernels = kernels;
        }
        this.input = FloatView.of(x, 0, batch * inputSize());
        this.batch = batch;
        this.samples = samples;
        this.masks = masks;
        this.stochastic = stochastic;
        outputs.clear();
        sharedIn.clear();
        FloatView a = input;
        boolean shared = true;
        for (int i = 0; i < layers.size(); i++) {
            Layer layer = layers.get(i);
            sharedIn.add(shared);
            a = layer.forward(kernels, masks, stochastic, a, batch, samples, shared, workspace, 2 * i);
            outputs.add(a);
            shared = layer.sharesOutput(shared, stochastic);
        }
        float[] out = new float[(shared ? batch : batch * samples) * outputSize()];
        a.get(out, 0, out.length);
        return shared ? repeat(out, batch, samples, outputSize()) : out;
    }

    /**
     * Back-propagates {@code dOutput} ((batch·samples) × outputSize, not modified) through the last forward,
     * filling {@link #gradients()}; returns the gradient with respect to x (summed over the samples) if asked.
     */
    public float[] backward(Kernels kernels, float[] dOutput, boolean needInputGradient) {
        if (outputs.isEmpty()) {
            throw new IllegalStateException("backward needs a forward first");
        }
        if (kernels != workspaceKernels) {
            throw new IllegalArgumentException("backward must run on the kernels of its forward");
        }
        if (dOutput == null || dOutput.length != batch * samples * outputSize()) {
            throw new IllegalArgumentException("dOutput must hold " + batch * samples * outputSize() + " values, got "
                    + (dOutput == null ? "null" : dOutput.length));
        }
        int last = layers.size() - 1;
        boolean outShared = layers.get(last).sharesOutput(sharedIn.get(last), stochastic);
        float[] start = outShared ? sumSamples(dOutput, batch, samples, outputSize()) : dOutput;
        // A copy the layers may overwrite (the kernels turn dy into the pre-activation gradient in place).
        FloatView d = workspace.get(2 * layers.size(), start.length);
        d.put(start, 0, start.length);
        for (int i = last; i >= 0; i--) {
            FloatView x = i == 0 ? input : outputs.get(i - 1);
            d = layers.get(i).backward(kernels, masks, stochastic, x, outputs.get(i), d, batch, samples, sharedIn.get(i),
                    i > 0 || needInputGradient, workspace, 2 * i + 1);
        }
        if (!needInputGradient) {
            return null;
        }
        float[] dx = new float[batch * inputSize()];
        d.get(dx, 0, dx.length);
        return dx;
    }

    /**
     * Frees the activation buffers the passes keep (native memory on the native backend; they are kept from
     * pass to pass so that steps do not allocate). The next pass allocates them again.
     */
    public void releaseBuffers() {
        if (workspace != null) {
            workspace.close();
            workspace = null;
            workspaceKernels = null;
        }
        outputs.clear();
        sharedIn.clear();
    }

    private static float[] repeat(float[] a, int batch, int samples, int width) {
        float[] out = new float[batch * samples * width];
        for (int n = 0; n < batch; n++) {
            for (int k = 0; k < samples; k++) {
                System.arraycopy(a, n * width, out, (n * samples + k) * width, width);
            }
        }
        return out;
    }

    private static float[] sumSamples(float[] d, int batch, int samples, int width) {
        float[] out = new float[batch * width];
        for (int n = 0; n < batch; n++) {
            for (int k = 0; k < samples; k++) {
                for (int j = 0; j < width; j++) {
                    out[n * width + j] += d[(n * samples + k) * width + j];
                }
            }
        }
        return out;
    }

    @Override
    public String toString() {
        // A learned rate changes as the network trains: the name stays the same.
        return "Network" + Arrays.toString(layers.stream().map(l -> l.tag() + "(" + l.inputSize() + "->" + l.outputSize()
                + (l.noise() == io.github.alphadrop.kernels.Dropout.Noise.CONCRETE ? ", concrete dropout"
                : (l.dropout() > 0 ? ", p " + l.dropout() : "")
                + (l.noise() != io.github.alphadrop.kernels.Dropout.Noise.BERNOULLI ? " " + l.noise().name().toLowerCase() : ""))
                + ")").toArray());
    }
}

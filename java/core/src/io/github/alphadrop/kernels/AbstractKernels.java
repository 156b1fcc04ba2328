package io.github.alphadrop.kernels;

/**
 * Checks every argument of every {@link Kernels} method once, up front, and only then calls the backend's
 * {@code ...K} method. Backends may therefore assume sane sizes, non-null required buffers that are long
 * enough, labels in range and finite hyper-parameters; for the native backend this is what keeps a wrong
 * argument from becoming a JVM crash. Nothing is written before all checks have passed.
 *
 * <p>The {@code float[]} methods wrap their arrays in {@link FloatView}s and take the same path; a view's
 * {@link FloatView#length()} is checked like an array's length.
 *
 * <p>Every failure is an {@link IllegalArgumentException} whose message names the argument and its bad
 * value (a null buffer is a bad argument too, not a {@link NullPointerException}).
 */
public abstract class AbstractKernels implements Kernels {

    /** The largest |log τ| the Gaussian loss accepts. */
    public static final float MAX_ABS_LOG_TAU = 50f;

    // ---- whole arrays: wrapped in views, then checked like any view ----

    private static FloatView view(float[] array) {
        return array == null ? null : FloatView.of(array);
    }

    @Override
    public final void dropoutMask(Dropout dropout, int rowOffset, int rows, int cols, float[] mask) {
        dropoutMask(dropout, rowOffset, rows, cols, view(mask));
    }

    @Override
    public final void dropoutMatmulForward(Dropout dropout, int batch, int samples, boolean sharedInput, int in,
                                           int out, float[] a, float[] w, float[] bias, Activation activation,
                                           float[] z) {
        dropoutMatmulForward(dropout, batch, samples, sharedInput, in, out, view(a), view(w), view(bias),
                activation, view(z));
    }

    @Override
    public final void dropoutMatmulBackward(Dropout dropout, int batch, int samples, boolean sharedInput, int in,
                                            int out, float[] a, float[] w, float[] z, Activation activation,
                                            float[] dz, float[] dw, float[] db, float[] da) {
        dropoutMatmulBackward(dropout, batch, samples, sharedInput, in, out, view(a), view(w), view(z), activation,
                view(dz), view(dw), view(db), view(da));
    }

    @Override
    public final double alphaLossCategorical(int batch, int samples, int classes, float[] logits, int[] labels,
                                             float alpha, float[] lossPerPoint, float[] dlogits) {
        return alphaLossCategorical(batch, samples, classes, view(logits), labels, alpha, view(lossPerPoint),
                view(dlogits));
    }

    @Override
    public final double alphaLossGaussian(int batch, int samples, int dims, float[] f, float[] y, float logTau,
                                          float alpha, float[] lossPerPoint, float[] df, float[] dLogTau) {
        return alphaLossGaussian(batch, samples, dims, view(f), view(y), logTau, alpha, view(lossPerPoint), view(df),
                view(dLogTau));
    }

    private static void requireInputNoise(Dropout dropout) {
        if (!dropout.noise().isInputNoise()) {
            throw new IllegalArgumentException("the kernels take input noise (BERNOULLI or GAUSSIAN); DropConnect's weight"
                    + " masks are drawn as BERNOULLI masks and concrete dropout's relaxed masks by the model, got " + dropout);
        }
    }

    // ---- views: every check, then the backend ----

    @Override
    public final void dropoutMask(Dropout dropout, int rowOffset, int rows, int cols, FloatView mask) {
        requireNonNull(dropout, "dropout");
        requireInputNoise(dropout);
        if (rowOffset < 0) {
            throw new IllegalArgumentException("rowOffset must be >= 0, got " + rowOffset);
        }
        requirePositive(rows, "rows");
        requirePositive(cols, "cols");
        // Row indices go into a 32-bit counter word and are ints on the Java side.
        sum(rowOffset, rows, "rowOffset+rows");
        requireLength(mask, "mask", product(rows, cols, "rows*cols"), "rows*cols");
        dropoutMaskK(dropout, rowOffset, rows, cols, mask);
    }

    @Override
    public final void concreteMask(long seed, int step, int layer, float logit, int rowOffset, int rows, int cols,
                                   FloatView mask) {
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        if (layer < 0 || layer >= 65536) {
            throw new IllegalArgumentException("layer must be in [0, 65536), got " + layer);
        }
        String badLogit = ConcreteMask.invalidLogit(logit);
        if (badLogit != null) {
            throw new IllegalArgumentException("logit: " + badLogit);
        }
        if (rowOffset < 0) {
            throw new IllegalArgumentException("rowOffset must be >= 0, got " + rowOffset);
        }
        requirePositive(rows, "rows");
        requirePositive(cols, "cols");
        sum(rowOffset, rows, "rowOffset+rows");
        requireLength(mask, "mask", product(rows, cols, "rows*cols"), "rows*cols");
        concreteMaskK(seed, step, layer, logit, rowOffset, rows, cols, mask);
    }

    @Override
    public final void dropoutMatmulForward(Dropout dropout, int batch, int samples, boolean sharedInput, int in,
                                           int out, FloatView a, FloatView w, FloatView bias, Activation activation,
                                           FloatView z) {
        requireNonNull(dropout, "dropout");
        requireInputNoise(dropout);
        requireLayerSizes(batch, samples, in, out);
        requireNonNull(activation, "activation");
        requireInput(a, "a", batch, samples, sharedInput, in);
        requireLength(w, "w", product(in, out, "in*out"), "in*out");
        if (bias != null) {
            requireLength(bias, "bias", out, "out");
        }
        int zSize = product(product(batch, samples, "batch*samples"), out, "batch*samples*out");
        requireLength(z, "z", zSize, "batch*samples*out");
        int aSize = inputSize(batch, samples, sharedInput, in);
        requireDisjoint(new String[]{"z"}, new FloatView[]{z}, new int[]{zSize},
                new String[]{"a", "w", "bias"}, new FloatView[]{a, w, bias}, new int[]{aSize, in * out, out});
        dropoutMatmulForwardK(dropout, batch, samples, sharedInput, in, out, a, w, bias, activation, z);
    }

    @Override
    public final void dropoutMatmulBackward(Dropout dropout, int batch, int samples, boolean sharedInput, int in,
                                            int out, FloatView a, FloatView w, FloatView z, Activation activation,
                                            FloatView dz, FloatView dw, FloatView db, FloatView da) {
        requireNonNull(dropout, "dropout");
        requireInputNoise(dropout);
        requireLayerSizes(batch, samples, in, out);
        requireNonNull(activation, "activation");
        requireInput(a, "a", batch, samples, sharedInput, in);
        requireLength(w, "w", product(in, out, "in*out"), "in*out");
        int outputSize = product(product(batch, samples, "batch*samples"), out, "batch*samples*out");
        if (z == null && activation != Activation.IDENTITY) {
            throw new IllegalArgumentException("z must not be null for activation " + activation
                    + " (its derivative is computed from z)");
        }
        if (z != null) {
            requireLength(z, "z", outputSize, "batch*samples*out");
        }
        requireLength(dz, "dz", outputSize, "batch*samples*out");
        requireLength(dw, "dw", product(in, out, "in*out"), "in*out");
        if (db != null) {
            requireLength(db, "db", out, "out");
        }
        if (da != null) {
            requireInput(da, "da", batch, samples, sharedInput, in);
        }
        int aSize = inputSize(batch, samples, sharedInput, in);
        requireDisjoint(new String[]{"dz", "dw", "db", "da"}, new FloatView[]{dz, dw, db, da},
                new int[]{outputSize, in * out, out, aSize},
                new String[]{"a", "w", "z"}, new FloatView[]{a, w, z}, new int[]{aSize, in * out, outputSize});
        dropoutMatmulBackwardK(dropout, batch, samples, sharedInput, in, out, a, w, z, activation, dz, dw, db, da);
    }

    @Override
    public final void conv2dForward(ConvShape shape, int images, FloatView x, FloatView w, FloatView bias,
                                    Activation activation, FloatView z) {
        requireNonNull(shape, "shape");
        requirePositive(images, "images");
        requireNonNull(activation, "activation");
        int xSize = product(images, shape.inputSize(), "images*inputSize");
        int zSize = product(images, shape.outputSize(), "images*outputSize");
        requireLength(x, "x", xSize, "images*inputSize");
        requireLength(w, "w", shape.taps() * shape.filters(), "taps*filters");
        if (bias != null) {
            requireLength(bias, "bias", shape.filters(), "filters");
        }
        requireLength(z, "z", zSize, "images*outputSize");
        requireDisjoint(new String[]{"z"}, new FloatView[]{z}, new int[]{zSize}, new String[]{"x", "w", "bias"},
                new FloatView[]{x, w, bias}, new int[]{xSize, shape.taps() * shape.filters(), shape.filters()});
        conv2dForwardK(shape, images, x, w, bias, activation, z);
    }

    @Override
    public final void conv2dBackward(ConvShape shape, int images, FloatView x, FloatView w, FloatView z,
                                     Activation activation, FloatView dz, FloatView dw, FloatView db, FloatView dx) {
        requireNonNull(shape, "shape");
        requirePositive(images, "images");
        requireNonNull(activation, "activation");
        int xSize = product(images, shape.inputSize(), "images*inputSize");
        int zSize = product(images, shape.outputSize(), "images*outputSize");
        int wSize = shape.taps() * shape.filters();
        requireLength(x, "x", xSize, "images*inputSize");
        requireLength(w, "w", wSize, "taps*filters");
        if (z == null && activation != Activation.IDENTITY) {
            throw new IllegalArgumentException("z must not be null for activation " + activation
                    + " (its derivative is computed from z)");
        }
        if (z != null) {
            requireLength(z, "z", zSize, "images*outputSize");
        }
        requireLength(dz, "dz", zSize, "images*outputSize");
        requireLength(dw, "dw", wSize, "taps*filters");
        if (db != null) {
            requireLength(db, "db", shape.filters(), "filters");
        }
        if (dx != null) {
            requireLength(dx, "dx", xSize, "images*inputSize");
        }
        requireDisjoint(new String[]{"dz", "dw", "db", "dx"}, new FloatView[]{dz, dw, db, dx},
                new int[]{zSize, wSize, shape.filters(), xSize}, new String[]{"x", "w", "z"},
                new FloatView[]{x, w, z}, new int[]{xSize, wSize, zSize});
        conv2dBackwardK(shape, images, x, w, z, activation, dz, dw, db, dx);
    }

    @Override
    public final void maxPool2dForward(int images, int height, int width, int channels, int size, FloatView x,
                                       FloatView y) {
        int[] sizes = requirePool(images, height, width, channels, size);
        requireLength(x, "x", sizes[0], "images*height*width*channels");
        requireLength(y, "y", sizes[1], "images*(height/size)*(width/size)*channels");
        requireDisjoint(new String[]{"y"}, new FloatView[]{y}, new int[]{sizes[1]}, new String[]{"x"},
                new FloatView[]{x}, new int[]{sizes[0]});
        maxPool2dForwardK(images, height, width, channels, size, x, y);
    }

    @Override
    public final void maxPool2dBackward(int images, int height, int width, int channels, int size, FloatView x,
                                        FloatView dy, FloatView dx) {
        int[] sizes = requirePool(images, height, width, channels, size);
        requireLength(x, "x", sizes[0], "images*height*width*channels");
        requireLength(dy, "dy", sizes[1], "images*(height/size)*(width/size)*channels");
        requireLength(dx, "dx", sizes[0], "images*height*width*channels");
        requireDisjoint(new String[]{"dx"}, new FloatView[]{dx}, new int[]{sizes[0]}, new String[]{"x", "dy"},
                new FloatView[]{x, dy}, new int[]{sizes[0], sizes[1]});
        maxPool2dBackwardK(images, height, width, channels, size, x, dy, dx);
    }

    /** The input and output lengths of a pooling call, after checking its sizes. */
    private static int[] requirePool(int images, int height, int width, int channels, int size) {
        requirePositive(images, "images");
        requirePositive(height, "height");
        requirePositive(width, "width");
        requirePositive(channels, "channels");
        requirePositive(size, "size");
        if (size > height || size > width) {
            throw new IllegalArgumentException("a " + size + "x" + size + " window does not fit a " + height + "x"
                    + width + " image");
        }
        int in = product(product(product(images, height, "images*height"), width, "images*height*width"), channels,
                "images*height*width*channels");
        return new int[]{in, images * (height / size) * (width / size) * channels};
    }

    @Override
    public final double alphaLossCategorical(int batch, int samples, int classes, FloatView logits, int[] labels,
                                             float alpha, FloatView lossPerPoint, FloatView dlogits) {
        requirePositive(batch, "batch");
        requirePositive(samples, "samples (K)");
        requirePositive(classes, "classes");
        requireAlpha(alpha);
        int size = product(product(batch, samples, "batch*samples"), classes, "batch*samples*classes");
        requireLength(logits, "logits", size, "batch*samples*classes");
        requireNonNull(labels, "labels");
        if (labels.length < batch) {
            throw new IllegalArgumentException("labels.length = " + labels.length + " but batch = " + batch
                    + " required");
        }
        for (int n = 0; n < batch; n++) {
            if (labels[n] < 0 || labels[n] >= classes) {
                throw new IllegalArgumentException("labels[" + n + "] = " + labels[n] + " is outside [0, classes = "
                        + classes + ")");
            }
        }
        if (lossPerPoint != null) {
            requireLength(lossPerPoint, "lossPerPoint", batch, "batch");
        }
        if (dlogits != null) {
            requireLength(dlogits, "dlogits", size, "batch*samples*classes");
        }
        requireDisjoint(new String[]{"lossPerPoint", "dlogits"}, new FloatView[]{lossPerPoint, dlogits},
                new int[]{batch, size}, new String[]{"logits"}, new FloatView[]{logits}, new int[]{size});
        return alphaLossCategoricalK(batch, samples, classes, logits, labels, alpha, lossPerPoint, dlogits);
    }

    @Override
    public final double alphaLossGaussian(int batch, int samples, int dims, FloatView f, FloatView y, float logTau,
                                          float alpha, FloatView lossPerPoint, FloatView df, FloatView dLogTau) {
        requirePositive(batch, "batch");
        requirePositive(samples, "samples (K)");
        requirePositive(dims, "dims");
        // |log τ| > 50 is a noise std below 1e-11 or above 1e10: exp() of it overflows the gradient in float.
        if (!(Math.abs(logTau) <= MAX_ABS_LOG_TAU)) {
            throw new IllegalArgumentException("logTau must be in [-" + MAX_ABS_LOG_TAU + ", " + MAX_ABS_LOG_TAU + "], got "
                    + logTau);
        }
        requireAlpha(alpha);
        int size = product(product(batch, samples, "batch*samples"), dims, "batch*samples*dims");
        requireLength(f, "f", size, "batch*samples*dims");
        requireLength(y, "y", product(batch, dims, "batch*dims"), "batch*dims");
        if (lossPerPoint != null) {
            requireLength(lossPerPoint, "lossPerPoint", batch, "batch");
        }
        if (df != null) {
            requireLength(df, "df", size, "batch*samples*dims");
        }
        if (dLogTau != null && dLogTau.length() < 1) {
            throw new IllegalArgumentException("dLogTau.length = 0 but 1 required");
        }
        requireDisjoint(new String[]{"lossPerPoint", "df", "dLogTau"}, new FloatView[]{lossPerPoint, df, dLogTau},
                new int[]{batch, size, 1}, new String[]{"f", "y"}, new FloatView[]{f, y},
                new int[]{size, batch * dims});
        return alphaLossGaussianK(batch, samples, dims, f, y, logTau, alpha, lossPerPoint, df, dLogTau);
    }

    @Override
    public final double denseStep(DenseStack net, long seed, int step, float[] params, int batch, int samples,
                                  float[] x, int[] labels, float[] y, float logTau, float alpha, float[] grads,
                                  float[] dLogTau) {
        return denseStep(net, seed, step, params, null, batch, samples, x, labels, y, logTau, alpha, grads, dLogTau,
                null);
    }

    @Override
    public final double denseStep(DenseStack net, long seed, int step, float[] params, float[] dropLogits, int batch,
                                  int samples, float[] x, int[] labels, float[] y, float logTau, float alpha,
                                  float[] grads, float[] dLogTau, float[] dDropLogits) {
        requireNonNull(net, "net");
        if (step < 0) {
            throw new IllegalArgumentException("step must be >= 0, got " + step);
        }
        requirePositive(batch, "batch");
        requirePositive(samples, "samples (K)");
        requireAlpha(alpha);
        int rows = product(batch, samples, "batch*samples");
        for (int l = 0; l < net.layers(); l++) {
            product(rows, net.size(l), "batch*samples*sizes[" + l + "]");
            // the native step pads each layer's outputs to a multiple of 8
            product(rows, net.size(l + 1) + 7, "batch*samples*sizes[" + (l + 1) + "]");
        }
        int count = net.parameterCount();
        requireArray(params, "params", count, "net.parameterCount()");
        requireArray(grads, "grads", count, "net.parameterCount()");
        requireArray(x, "x", product(batch, net.inputSize(), "batch*inputSize"), "batch*inputSize");
        if ((labels == null) == (y == null)) {
            throw new IllegalArgumentException("exactly one of labels (categorical) and y (Gaussian) must be given, got "
                    + (labels == null ? "neither" : "both"));
        }
        if (labels != null) {
            if (labels.length < batch) {
                throw new IllegalArgumentException("labels.length = " + labels.length + " but batch = " + batch
                        + " required");
            }
            for (int n = 0; n < batch; n++) {
                if (labels[n] < 0 || labels[n] >= net.outputSize()) {
                    throw new IllegalArgumentException("labels[" + n + "] = " + labels[n]
                            + " is outside [0, classes = " + net.outputSize() + ")");
                }
            }
        } else {
            requireArray(y, "y", product(batch, net.outputSize(), "batch*outputSize"), "batch*outputSize");
            if (!(Math.abs(logTau) <= MAX_ABS_LOG_TAU)) {
                throw new IllegalArgumentException("logTau must be in [-" + MAX_ABS_LOG_TAU + ", " + MAX_ABS_LOG_TAU
                        + "], got " + logTau);
            }
        }
        if (dLogTau != null && dLogTau.length < 1) {
            throw new IllegalArgumentException("dLogTau.length = 0 but 1 required");
        }
        if (grads == params || grads == x || grads == y || (dLogTau != null
                && (dLogTau == params || dLogTau == x || dLogTau == y || dLogTau == grads))) {
            throw new IllegalArgumentException("grads and dLogTau must not share an array with params, x, y or each other");
        }
        if (net.noise() == Dropout.Noise.CONCRETE) {
            if (dropLogits == null || dDropLogits == null) {
                throw new IllegalArgumentException("a CONCRETE network's step needs dropLogits and dDropLogits (one per layer),"
                        + " got " + (dropLogits == null ? "no dropLogits" : "no dDropLogits"));
            }
            requireArray(dropLogits, "dropLogits", net.layers(), "layers");
            requireArray(dDropLogits, "dDropLogits", net.layers(), "layers");
            for (int l = 0; l < net.layers(); l++) {
                String bad = ConcreteMask.invalidLogit(dropLogits[l]);
                if (bad != null) {
                    throw new IllegalArgumentException("dropLogits[" + l + "]: " + bad);
                }
            }
            for (float[] other : new float[][]{params, x, y, grads, dLogTau, dropLogits}) {
                if (dDropLogits == other) {
                    throw new IllegalArgumentException("dDropLogits must not share an array with params, x, y, grads,"
                            + " dLogTau or dropLogits");
                }
            }
        } else if (dropLogits != null || dDropLogits != null) {
            throw new IllegalArgumentException("dropLogits and dDropLogits are for CONCRETE networks only, got noise "
                    + net.noise());
        }
        return denseStepK(net, seed, step, params, dropLogits, batch, samples, x, labels, y, logTau, alpha, grads,
                dLogTau, dDropLogits);
    }

    /**
     * The reference step: the per-layer kernels and the loss, in order, on buffers of this call. A backend
     * with a fused step overrides it.
     */
    protected double denseStepK(DenseStack net, long seed, int step, float[] params, float[] dropLogits, int batch,
                                int samples, float[] x, int[] labels, float[] y, float logTau, float alpha,
                                float[] grads, float[] dLogTau, float[] dDropLogits) {
        if (net.noise() == Dropout.Noise.CONCRETE) {
            return concreteStep(net, seed, step, params, dropLogits, batch, samples, x, labels, y, logTau, alpha, grads,
                    dLogTau, dDropLogits);
        }
        int layers = net.layers();
        int rows = batch * samples;
        float[][] z = new float[layers][];
        float[][] dz = new float[layers][];
        for (int l = 0; l < layers; l++) {
            z[l] = new float[rows * net.size(l + 1)];
            dz[l] = new float[rows * net.size(l + 1)];
        }
        for (int l = 0; l < layers; l++) {
            int in = net.size(l);
            int out = net.size(l + 1);
            dropoutMatmulForwardK(layerDropout(net, seed, step, l), batch, samples, l == 0, in, out,
                    l == 0 ? FloatView.of(x, 0, batch * in) : FloatView.of(z[l - 1]),
                    FloatView.of(params, net.weightOffset(l), in * out),
                    FloatView.of(params, net.biasOffset(l), out), net.activation(l), FloatView.of(z[l]));
        }
        int top = layers - 1;
        double loss = stepLoss(net, batch, samples, z[top], labels, y, logTau, alpha, dz[top], dLogTau);
        for (int l = top; l >= 0; l--) {
            int in = net.size(l);
            int out = net.size(l + 1);
            dropoutMatmulBackwardK(layerDropout(net, seed, step, l), batch, samples, l == 0, in, out,
                    l == 0 ? FloatView.of(x, 0, batch * in) : FloatView.of(z[l - 1]),
                    FloatView.of(params, net.weightOffset(l), in * out), FloatView.of(z[l]), net.activation(l),
                    FloatView.of(dz[l]), FloatView.of(grads, net.weightOffset(l), in * out),
                    FloatView.of(grads, net.biasOffset(l), out), l == 0 ? null : FloatView.of(dz[l - 1]));
        }
        return loss;
    }

    /**
     * The reference step of concrete dropout: each layer's mask ({@link #concreteMaskK}) multiplied into its input,
     * the dropout-free products, the loss, and backward with every layer's input gradient, from which the logits'
     * gradients follow.
     */
    private double concreteStep(DenseStack net, long seed, int step, float[] params, float[] dropLogits, int batch,
                                int samples, float[] x, int[] labels, float[] y, float logTau, float alpha,
                                float[] grads, float[] dLogTau, float[] dDropLogits) {
        int layers = net.layers();
        int rows = batch * samples;
        float[][] mask = new float[layers][];
        float[][] u = new float[layers][];
        float[][] z = new float[layers][];
        float[][] dz = new float[layers][];
        for (int l = 0; l < layers; l++) {
            int in = net.size(l);
            int out = net.size(l + 1);
            mask[l] = new float[rows * in];
            u[l] = new float[rows * in];
            z[l] = new float[rows * out];
            dz[l] = new float[rows * out];
            concreteMaskK(seed, step, l, dropLogits[l], 0, rows, in, FloatView.of(mask[l]));
            for (int r = 0; r < rows; r++) {
                for (int d = 0; d < in; d++) {
                    float a = l == 0 ? x[(r / samples) * in + d] : z[l - 1][r * in + d];
                    u[l][r * in + d] = a * mask[l][r * in + d];
                }
            }
            dropoutMatmulForwardK(Dropout.none(), rows, 1, false, in, out, FloatView.of(u[l]),
                    FloatView.of(params, net.weightOffset(l), in * out), FloatView.of(params, net.biasOffset(l), out),
                    net.activation(l), FloatView.of(z[l]));
        }
        int top = layers - 1;
        double loss = stepLoss(net, batch, samples, z[top], labels, y, logTau, alpha, dz[top], dLogTau);
        for (int l = top; l >= 0; l--) {
            int in = net.size(l);
            int out = net.size(l + 1);
            float[] du = new float[rows * in];
            dropoutMatmulBackwardK(Dropout.none(), rows, 1, false, in, out, FloatView.of(u[l]),
                    FloatView.of(params, net.weightOffset(l), in * out), FloatView.of(z[l]), net.activation(l),
                    FloatView.of(dz[l]), FloatView.of(grads, net.weightOffset(l), in * out),
                    FloatView.of(grads, net.biasOffset(l), out), FloatView.of(du));
            double p = ConcreteMask.rate(dropLogits[l]);
            double sum = 0;
            for (int r = 0; r < rows; r++) {
                for (int d = 0; d < in; d++) {
                    int i = r * in + d;
                    float a = l == 0 ? x[(r / samples) * in + d] : z[l - 1][i];
                    double m = mask[l][i];
                    double relaxed = 1.0 - m * (1.0 - p);
                    sum += (double) du[i] * a * (m * (p - relaxed / ConcreteMask.TEMPERATURE));
                }
            }
            dDropLogits[l] = (float) sum;
            if (l > 0) {
                for (int i = 0; i < rows * in; i++) {
                    dz[l - 1][i] = du[i] * mask[l][i];
                }
            }
        }
        return loss;
    }

    /** The reference step's loss on the top layer's outputs f, its gradient into df. */
    private double stepLoss(DenseStack net, int batch, int samples, float[] f, int[] labels, float[] y, float logTau,
                            float alpha, float[] df, float[] dLogTau) {
        int outputs = net.outputSize();
        return labels != null
                ? alphaLossCategoricalK(batch, samples, outputs, FloatView.of(f), labels, alpha, null, FloatView.of(df))
                : alphaLossGaussianK(batch, samples, outputs, FloatView.of(f), FloatView.of(y, 0, batch * outputs),
                        logTau, alpha, null, FloatView.of(df), dLogTau == null ? null : FloatView.of(dLogTau, 0, 1));
    }

    private static Dropout layerDropout(DenseStack net, long seed, int step, int layer) {
        float p = net.dropout(layer);
        return p == 0f ? Dropout.none() : new Dropout(seed, step, layer, p, net.noise());
    }

    // ---- the backend's kernels: called only with arguments checked as above ----

    protected abstract void dropoutMaskK(Dropout dropout, int rowOffset, int rows, int cols, FloatView mask);

    /** {@link #concreteMask} on checked arguments. */
    protected abstract void concreteMaskK(long seed, int step, int layer, float logit, int rowOffset, int rows, int cols,
                                          FloatView mask);

    protected abstract void dropoutMatmulForwardK(Dropout dropout, int batch, int samples, boolean sharedInput,
                                                  int in, int out, FloatView a, FloatView w, FloatView bias,
                                                  Activation activation, FloatView z);

    protected abstract void dropoutMatmulBackwardK(Dropout dropout, int batch, int samples, boolean sharedInput,
                                                   int in, int out, FloatView a, FloatView w, FloatView z,
                                                   Activation activation, FloatView dz, FloatView dw, FloatView db,
                                                   FloatView da);

    protected abstract void conv2dForwardK(ConvShape shape, int images, FloatView x, FloatView w, FloatView bias,
                                           Activation activation, FloatView z);

    protected abstract void conv2dBackwardK(ConvShape shape, int images, FloatView x, FloatView w, FloatView z,
                                            Activation activation, FloatView dz, FloatView dw, FloatView db,
                                            FloatView dx);

    protected abstract void maxPool2dForwardK(int images, int height, int width, int channels, int size, FloatView x,
                                              FloatView y);

    protected abstract void maxPool2dBackwardK(int images, int height, int width, int channels, int size,
                                               FloatView x, FloatView dy, FloatView dx);

    protected abstract double alphaLossCategoricalK(int batch, int samples, int classes, FloatView logits,
                                                    int[] labels, float alpha, FloatView lossPerPoint,
                                                    FloatView dlogits);

    protected abstract double alphaLossGaussianK(int batch, int samples, int dims, FloatView f, FloatView y,
                                                 float logTau, float alpha, FloatView lossPerPoint, FloatView df,
                                                 FloatView dLogTau);

    // ---- checks ----

    /**
     * Positive sizes, and every matrix size of the layer fits in an int. That includes (B·K)×D even for a
     * shared input: a backend may materialise the masked input before its matrix product.
     */
    private static void requireLayerSizes(int batch, int samples, int in, int out) {
        requirePositive(batch, "batch");
        requirePositive(samples, "samples (K)");
        requirePositive(in, "in");
        requirePositive(out, "out");
        int rows = product(batch, samples, "batch*samples");
        product(rows, in, "batch*samples*in");
        product(rows, out, "batch*samples*out");
        product(in, out, "in*out");
    }

    private static int inputSize(int batch, int samples, boolean sharedInput, int in) {
        return (sharedInput ? batch : batch * samples) * in;
    }

    /**
     * No output shares memory with an input or with another output: the kernels read inputs while they
     * write outputs, so an alias would give silently wrong numbers (and on the native path, in an order that
     * depends on the tiling).
     */
    private static void requireDisjoint(String[] outNames, FloatView[] outs, int[] outSizes, String[] inNames,
                                        FloatView[] ins, int[] inSizes) {
        for (int i = 0; i < outs.length; i++) {
            if (outs[i] == null) {
                continue;
            }
            for (int j = 0; j < ins.length; j++) {
                if (outs[i].overlaps(outSizes[i], ins[j], inSizes[j])) {
                    throw new IllegalArgumentException(outNames[i] + " and " + inNames[j] + " share memory: an output"
                            + " must not alias an input (give " + outNames[i] + " its own buffer)");
                }
            }
            for (int j = i + 1; j < outs.length; j++) {
                if (outs[i].overlaps(outSizes[i], outs[j], outSizes[j])) {
                    throw new IllegalArgumentException(outNames[i] + " and " + outNames[j] + " share memory: two"
                            + " outputs must not alias each other");
                }
            }
        }
    }

    /** The layer input (and its gradient) is B×D when shared across the K samples, else (B·K)×D. */
    private static void requireInput(FloatView a, String name, int batch, int samples, boolean sharedInput, int in) {
        if (sharedInput) {
            requireLength(a, name, product(batch, in, "batch*in"), "batch*in");
        } else {
            requireLength(a, name, product(product(batch, samples, "batch*samples"), in, "batch*samples*in"),
                    "batch*samples*in");
        }
    }

    private static void requireAlpha(float alpha) {
        // Written so that NaN fails too.
        if (!(alpha >= 0f && alpha < Float.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException("alpha must be finite and >= 0, got " + alpha);
        }
    }

    private static void requirePositive(int value, String name) {
        if (value < 1) {
            throw new IllegalArgumentException(name + " must be >= 1, got " + value);
        }
    }

    private static void requireNonNull(Object value, String name) {
        if (value == null) {
            throw new IllegalArgumentException(name + " must not be null");
        }
    }

    private static void requireLength(FloatView view, String name, int required, String shape) {
        requireNonNull(view, name);
        if (view.length() < required) {
            throw new IllegalArgumentException(name + ".length = " + view.length() + " but " + shape + " = "
                    + required + " required");
        }
    }

    /** {@code x*y}, or an exception naming the product when it does not fit in an int (arrays are int-indexed). */
    private static void requireArray(float[] array, String name, int required, String shape) {
        requireNonNull(array, name);
        if (array.length < required) {
            throw new IllegalArgumentException(name + ".length = " + array.length + " but " + shape + " = " + required
                    + " required");
        }
    }

    private static int product(int x, int y, String name) {
        long p = (long) x * y;
        if (p > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " = " + x + "*" + y + " = " + p + " overflows int");
        }
        return (int) p;
    }

    private static int sum(int x, int y, String name) {
        long s = (long) x + y;
        if (s > Integer.MAX_VALUE) {
            throw new IllegalArgumentException(name + " = " + x + "+" + y + " = " + s + " overflows int");
        }
        return (int) s;
    }
}

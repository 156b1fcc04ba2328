package io.github.alphadrop.kernels;

/**
 * The three kernels of one alpha-dropout training step. One interface, two backends: {@link JavaKernels}
 * (the readable reference, always available) and {@link NativeKernels} (C++ on OpenBLAS). Arguments are
 * checked once, in {@link AbstractKernels}, before any backend code (or native code) runs.
 *
 * <h2>Layout</h2>
 * All matrices are row-major floats: each kernel takes them as {@link FloatView}s (part of a heap array,
 * a JavaCPP {@code FloatPointer}, a {@code FloatBuffer}) or, for convenience, as whole {@code float[]}s
 * from index 0. Element 0 of a view is the matrix's first element. A minibatch has {@code batch} datapoints
 * (B) and {@code samples} MC dropout samples (K) each; sample rows are ordered {@code r = n*K + k}.
 * A dense layer maps {@code in} (D) inputs to {@code out} (H) outputs with weights {@code w} of shape
 * D×H and bias of length H.
 *
 * <h2>Dropout masks</h2>
 * The multiplier for element (r, d) of a layer's input is {@code 0} or {@link Dropout#scale()}, decided
 * by a Philox4x32-10 counter-based generator (see {@link Philox#draw}): key = (low, high 32 bits of seed);
 * draws are {@link Dropout#bits()} = b bits wide (1 for p = 0.5, 16 unless p is a multiple of 1/256), so
 * one 128-bit output gives n = 128 / b draws; counter = (d / n, r, layer, step), and the draw of column d
 * is bits {@code [j·b, (j+1)·b)} of the output, j = d % n, from bit 0 of word 0; the element is kept iff
 * draw {@code >= }{@link Dropout#threshold()}. The mask row index is always the output row {@code r},
 * also when the input is shared across the K samples.
 */
public interface Kernels {

    /** A short name for logs and benchmark tables, e.g. {@code "java"} or {@code "native"}. */
    String name();

    /** What runs, for people: the name and, for the native backend, its ISA and threads. */
    default String describe() {
        return name();
    }

    /**
     * Writes the dropout multipliers (0 or 1/(1-p)) for rows {@code [rowOffset, rowOffset + rows)} and
     * columns {@code [0, cols)} into {@code mask} (rows×cols). Used by tests and by callers that need the
     * mask itself; the matmul kernels generate the same values on the fly.
     */
    void dropoutMask(Dropout dropout, int rowOffset, int rows, int cols, float[] mask);

    /** {@link #dropoutMask(Dropout, int, int, int, float[])} on a view. */
    void dropoutMask(Dropout dropout, int rowOffset, int rows, int cols, FloatView mask);

    /**
     * Writes concrete dropout's relaxed masks ({@link ConcreteMask}) of layer {@code layer} with drop logit
     * {@code logit} for rows {@code [rowOffset, rowOffset + rows)} and columns {@code [0, cols)} into {@code mask}
     * (rows×cols, row-major). Every backend gives the same floats.
     */
    void concreteMask(long seed, int step, int layer, float logit, int rowOffset, int rows, int cols, FloatView mask);

    /**
     * Forward of a dense layer with dropout on its input, for K samples per datapoint:
     * {@code z[r,:] = act((m[r,:] ⊙ a[row(r),:]) w + bias)}, r = n*K + k.
     *
     * @param sharedInput if true {@code a} is B×D and row n serves the K rows n*K..n*K+K-1 (never copied
     *                    K times); if false {@code a} is (B·K)×D
     * @param bias        length H, or null for no bias
     * @param z           output, (B·K)×H, overwritten
     */
    void dropoutMatmulForward(Dropout dropout, int batch, int samples, boolean sharedInput, int in, int out,
                              float[] a, float[] w, float[] bias, Activation activation, float[] z);

    /** {@link #dropoutMatmulForward(Dropout, int, int, boolean, int, int, float[], float[], float[], Activation, float[])} on views. */
    void dropoutMatmulForward(Dropout dropout, int batch, int samples, boolean sharedInput, int in, int out,
                              FloatView a, FloatView w, FloatView bias, Activation activation, FloatView z);

    /**
     * Backward of {@link #dropoutMatmulForward}. Given {@code dz}, the loss gradient with respect to the
     * layer's (post-activation) output z, writes the gradients of weights, bias and input.
     * When the activation is not {@link Activation#IDENTITY}, {@code dz} is overwritten in place with the
     * gradient with respect to the pre-activation (computed from {@code z}).
     *
     * @param z  the forward output (post-activation), (B·K)×H; may be null for IDENTITY
     * @param dw output D×H, overwritten: {@code (m ⊙ a)ᵀ dzPre}, summed over all B·K rows
     * @param db output length H, overwritten with column sums of dzPre; may be null
     * @param da output, overwritten; may be null when not needed. Shared input: B×D,
     *           {@code da[n] = Σ_k (dzPre[n,k] wᵀ) ⊙ m[n,k]}; otherwise (B·K)×D, {@code (dzPre wᵀ) ⊙ m}
     */
    void dropoutMatmulBackward(Dropout dropout, int batch, int samples, boolean sharedInput, int in, int out,
                               float[] a, float[] w, float[] z, Activation activation, float[] dz,
                               float[] dw, float[] db, float[] da);

    /** {@link #dropoutMatmulBackward(Dropout, int, int, boolean, int, int, float[], float[], float[], Activation, float[], float[], float[], float[])} on views. */
    void dropoutMatmulBackward(Dropout dropout, int batch, int samples, boolean sharedInput, int in, int out,
                               FloatView a, FloatView w, FloatView z, Activation activation, FloatView dz,
                               FloatView dw, FloatView db, FloatView da);

    /**
     * A 2-D convolution, stride 1, on {@code images} NHWC images: {@code z = act(conv(x, w) + bias)}, with the
     * geometry and weight layout of {@code shape}. Like a dense layer on the patches of x, without dropout.
     *
     * @param x    images × shape.inputSize()
     * @param w    shape.taps() × filters
     * @param bias filters, or null
     * @param z    images × shape.outputSize(), overwritten
     */
    void conv2dForward(ConvShape shape, int images, FloatView x, FloatView w, FloatView bias, Activation activation,
                       FloatView z);

    /**
     * Backward of {@link #conv2dForward}: given {@code dz} (the gradient with respect to z; overwritten with
     * the pre-activation gradient unless the activation is the identity), writes dw, db (may be null) and
     * dx (may be null: the first layer needs no input gradient).
     */
    void conv2dBackward(ConvShape shape, int images, FloatView x, FloatView w, FloatView z, Activation activation,
                        FloatView dz, FloatView dw, FloatView db, FloatView dx);

    /**
     * {@code size × size} max pooling with stride {@code size} on {@code images} NHWC images of
     * {@code height × width × channels}; a trailing row or column that does not fill a window is dropped.
     * The first of equal maxima wins its window; a NaN wins it, so NaN propagates.
     *
     * @param y images × (height / size) × (width / size) × channels, overwritten
     */
    void maxPool2dForward(int images, int height, int width, int channels, int size, FloatView x, FloatView y);

    /** Backward of {@link #maxPool2dForward}: dx (overwritten) gets each dy at its window's winner in x. */
    void maxPool2dBackward(int images, int height, int width, int channels, int size, FloatView x, FloatView dy,
                           FloatView dx);

    /**
     * Alpha-divergence loss for classification. {@code ll[n,k] = log softmax(logits[n,k])[labels[n]]};
     * {@code L_n = -(1/α)(logsumexp_k(α ll[n,k]) - log K)}, with α = 0 computed exactly as
     * {@code -mean_k ll[n,k]}. Writes {@code dlogits[n,k] = w[n,k](softmax(logits[n,k]) - onehot) / B},
     * {@code w[n,:] = softmax_k(α ll[n,:])}, so that dlogits is the gradient of the batch mean.
     *
     * @param logits    (B·K)×C
     * @param labels    length B, each in [0, C)
     * @param lossPerPoint output length B (L_n), or null
     * @param dlogits   output (B·K)×C, or null to skip the gradient
     * @return the batch mean of L_n
     */
    double alphaLossCategorical(int batch, int samples, int classes, float[] logits, int[] labels, float alpha,
                                float[] lossPerPoint, float[] dlogits);

    /** {@link #alphaLossCategorical(int, int, int, float[], int[], float, float[], float[])} on views. */
    double alphaLossCategorical(int batch, int samples, int classes, FloatView logits, int[] labels, float alpha,
                                FloatView lossPerPoint, FloatView dlogits);

    /**
     * Alpha-divergence loss for regression with a Gaussian likelihood of precision τ = exp(logTau):
     * {@code ll[n,k] = -τ/2 ||y[n] - f[n,k]||² + D/2 (logTau - log 2π)}, same L_n as the categorical case.
     *
     * @param f       predictions (B·K)×D
     * @param y       targets B×D
     * @param df      output (B·K)×D, gradient of the batch-mean loss w.r.t. f, or null
     * @param dLogTau output of length >= 1: element 0 receives the gradient w.r.t. logTau, or null
     * @return the batch mean of L_n
     */
    double alphaLossGaussian(int batch, int samples, int dims, float[] f, float[] y, float logTau, float alpha,
                             float[] lossPerPoint, float[] df, float[] dLogTau);

    /** {@link #alphaLossGaussian(int, int, int, float[], float[], float, float, float[], float[], float[])} on views. */
    double alphaLossGaussian(int batch, int samples, int dims, FloatView f, FloatView y, float logTau, float alpha,
                             FloatView lossPerPoint, FloatView df, FloatView dLogTau);

    /**
     * One training step of a dense network in one call: for every layer l, exactly
     * {@link #dropoutMatmulForward} with {@code new Dropout(seed, step, l, net.dropout(l), net.noise())} (the
     * first layer's input x shared by the K samples), then {@link #alphaLossCategorical} (labels) or
     * {@link #alphaLossGaussian} (y), then {@link #dropoutMatmulBackward} down to layer 0, without an input
     * gradient. Equal to those calls up to summation order; the native backend runs them fused, drawing each
     * mask once (see {@link #prefersDenseStep}).
     *
     * @param params  the parameters, packed as {@link DenseStack} says, length {@code net.parameterCount()}
     * @param x       batch × inputSize
     * @param labels  class labels (length {@code >= batch}, each in [0, outputSize)), or null
     * @param y       Gaussian targets batch × outputSize, or null; exactly one of labels and y is given
     * @param logTau  the Gaussian likelihood's log precision (unused with labels)
     * @param grads   output, length {@code net.parameterCount()}: the gradient of the batch-mean loss, packed
     * @param dLogTau output of length {@code >= 1} for the gradient w.r.t. logTau (Gaussian), or null
     * @return the batch mean of the loss
     */
    double denseStep(DenseStack net, long seed, int step, float[] params, int batch, int samples, float[] x,
                     int[] labels, float[] y, float logTau, float alpha, float[] grads, float[] dLogTau);

    /**
     * {@link #denseStep(DenseStack, long, int, float[], int, int, float[], int[], float[], float, float, float[],
     * float[])} for any noise of a {@link DenseStack}, concrete dropout included. With
     * {@link Dropout.Noise#CONCRETE}, layer l's input is multiplied by the relaxed masks of {@link #concreteMask}
     * with logit {@code dropLogits[l]} (the rates in {@code net} are not read), the products are the dropout-free
     * kernels', and {@code dDropLogits[l]} receives d loss / d logit_l, the sum over the layer's input elements of
     * {@code dL/d(a ⊙ m) · a · dm/dρ} with {@code dm/dρ = m (p − z/t)}, z = 1 − m (1 − p). For the other noises
     * both arrays are null.
     *
     * @param dropLogits  per layer, concrete dropout's logits ρ_l (finite, rate below 1), or null
     * @param dDropLogits output of length {@code >= layers} for concrete dropout, or null
     */
    double denseStep(DenseStack net, long seed, int step, float[] params, float[] dropLogits, int batch, int samples,
                     float[] x, int[] labels, float[] y, float logTau, float alpha, float[] grads, float[] dLogTau,
                     float[] dDropLogits);

    /**
     * Whether {@link #denseStep} is this backend's faster way to train a network of this shape than the
     * per-layer kernels: on the native backend, networks small enough that a step is overhead-bound. It
     * depends only on the shape (never on the thread count), so a trainer that follows it gets the same
     * bits for any thread count. The Java reference composes its layer kernels either way: false.
     */
    default boolean prefersDenseStep(DenseStack net, int batch, int samples) {
        return false;
    }
}

package io.github.alphadrop.kernels;

import io.github.alphadrop.kernels.bindings.AlphaDropNative;

/**
 * The C++ backend: fused dropout-mask generation and K-way products on OpenBLAS (bytedeco 0.3.31), a
 * stable alpha-divergence loss, and one thread pool that owns all compute threads (OpenBLAS itself is
 * pinned to one thread inside it, so the two never oversubscribe the cores).
 *
 * <p>Arguments are checked in {@link AbstractKernels} before anything native runs. Arrays reach the
 * kernels without copies (JNI critical regions).
 */
public final class NativeKernels extends AbstractKernels {

    private static volatile Throwable loadFailure;
    private static volatile boolean loaded;

    /** A backend using {@code threads} compute threads (shared process-wide: the last setting wins). */
    public NativeKernels(int threads) {
        ensureLoaded();
        setThreads(threads);
    }

    /** A backend using all available processors. */
    public NativeKernels() {
        this(Runtime.getRuntime().availableProcessors());
    }

    /** True if the native libraries load on this machine; {@link #loadFailure()} says why not. */
    public static boolean isAvailable() {
        try {
            ensureLoaded();
            return true;
        } catch (UnsupportedOperationException e) {
            return false;
        }
    }

    /** Why the native libraries failed to load, or null. */
    public static Throwable loadFailure() {
        isAvailable();
        return loadFailure;
    }

    private static synchronized void ensureLoaded() {
        if (loaded) {
            return;
        }
        if (loadFailure == null) {
            try {
                AlphaDropNative.load();
                loaded = true;
                return;
            } catch (Throwable t) {
                loadFailure = t;
            }
        }
        throw new UnsupportedOperationException("the native AlphaDrop kernels could not be loaded: " + loadFailure, loadFailure);
    }

    /** Sets the number of compute threads (>= 1). */
    public static void setThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        ensureLoaded();
        AlphaDropNative.set_threads(threads);
    }

    public static int threads() {
        ensureLoaded();
        return AlphaDropNative.threads();
    }

    /** What {@code openblas_get_config()} reports for the OpenBLAS the kernels are linked to. */
    public static String openblasConfig() {
        ensureLoaded();
        return AlphaDropNative.openblas_config();
    }

    /** The native library's version. */
    public static String version() {
        ensureLoaded();
        return AlphaDropNative.version();
    }

    @Override
    public String name() {
        return "native";
    }

    @Override
    protected void dropoutMaskK(Dropout d, int rowOffset, int rows, int cols, float[] mask) {
        AlphaDropNative.dropout_mask(d.seed(), d.step(), d.layer(), d.p(), rowOffset, rows, cols, mask);
    }

    @Override
    protected void dropoutMatmulForwardK(Dropout d, int batch, int samples, boolean sharedInput, int in, int out,
                                         float[] a, float[] w, float[] bias, Activation activation, float[] z) {
        AlphaDropNative.dropout_matmul_forward(d.seed(), d.step(), d.layer(), d.p(), batch, samples, sharedInput,
                in, out, a, w, bias, activation.code, z);
    }

    @Override
    protected void dropoutMatmulBackwardK(Dropout d, int batch, int samples, boolean sharedInput, int in, int out,
                                          float[] a, float[] w, float[] z, Activation activation, float[] dz,
                                          float[] dw, float[] db, float[] da) {
        AlphaDropNative.dropout_matmul_backward(d.seed(), d.step(), d.layer(), d.p(), batch, samples, sharedInput,
                in, out, a, w, z, activation.code, dz, dw, db, da);
    }

    @Override
    protected double alphaLossCategoricalK(int batch, int samples, int classes, float[] logits, int[] labels,
                                           float alpha, float[] lossPerPoint, float[] dlogits) {
        return AlphaDropNative.alpha_loss_categorical(batch, samples, classes, logits, labels, alpha, lossPerPoint,
                dlogits);
    }

    @Override
    protected double alphaLossGaussianK(int batch, int samples, int dims, float[] f, float[] y, float logTau,
                                        float alpha, float[] lossPerPoint, float[] df, float[] dLogTau) {
        return AlphaDropNative.alpha_loss_gaussian(batch, samples, dims, f, y, logTau, alpha, lossPerPoint, df,
                dLogTau);
    }
}

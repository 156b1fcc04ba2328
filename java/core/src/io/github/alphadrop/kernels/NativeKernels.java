package io.github.alphadrop.kernels;

import io.github.alphadrop.kernels.bindings.AlphaDropNative;
import io.github.alphadrop.kernels.bindings.AlphaDropNative.Engine;

import java.lang.ref.Cleaner;
import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * The C++ backend: fused dropout-mask generation and K-way products (own micro-kernels per ISA, OpenBLAS
 * from bytedeco for the rest), a stable alpha-divergence loss.
 *
 * <p>Each instance owns a native engine: a thread pool of its own (OpenBLAS is pinned to one thread inside
 * it, so the two never oversubscribe the cores) and the kernel table of one {@link Isa}, chosen once at
 * construction. Instances are independent: two of them run kernels at the same time without waiting for
 * each other; one instance runs one kernel at a time. Results are bit-identical for any thread count
 * within one ISA, and between {@link Isa#AVX2} and {@link Isa#AVX512} (the same summation order per
 * output); {@link Isa#BASELINE} sums through OpenBLAS in another order and agrees within the tolerance of
 * the kernel tests.
 *
 * <p>Arguments are checked in {@link AbstractKernels} before anything native runs. Arrays reach the
 * kernels without copies (JNI critical regions). {@link #close()} frees the engine at once; an instance
 * that is never closed frees it when it becomes unreachable.
 */
public final class NativeKernels extends AbstractKernels implements AutoCloseable {

    private static final Cleaner CLEANER = Cleaner.create();
    private static volatile Throwable loadFailure;
    private static volatile boolean loaded;

    /** The engine and its lifecycle, kept apart from the instance so the cleaner can free it. */
    private static final class EngineState implements Runnable {
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        Engine engine;

        @Override
        public void run() {
            lock.writeLock().lock();
            try {
                if (engine != null) {
                    AlphaDropNative.engine_destroy(engine);
                    engine = null;
                }
            } finally {
                lock.writeLock().unlock();
            }
        }
    }

    private final EngineState state = new EngineState();
    private final Cleaner.Cleanable cleanable;
    private final Isa isa;
    private final int threads;

    /**
     * A backend of {@code threads} compute threads (capped at the available processors, with a warning on
     * stderr) running the kernels of {@code isa}.
     *
     * @throws UnsupportedOperationException if the native library does not load, or this CPU cannot run
     *                                       {@code isa} (the message says which features are missing)
     */
    public NativeKernels(int threads, Isa isa) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        if (isa == null) {
            throw new IllegalArgumentException("isa must not be null");
        }
        ensureLoaded();
        Isa best = bestIsa();
        if (best == null || isa.compareTo(best) > 0) {
            throw new UnsupportedOperationException("this CPU cannot run the " + isa.label() + " kernels: "
                    + AlphaDropNative.cpu_isa_report());
        }
        this.threads = capThreads(threads);
        this.isa = isa;
        SparseMode sparse = SparseMode.fromProperty();
        state.engine = AlphaDropNative.engine_create(this.threads, isa.code);
        cleanable = CLEANER.register(this, state);
        AlphaDropNative.engine_set_sparse_mode(state.engine, sparse.ordinal());
    }

    /** A backend of {@code threads} compute threads on the {@link #defaultIsa() default ISA}. */
    public NativeKernels(int threads) {
        this(threads, defaultIsa());
    }

    /** A backend using all available processors on the {@link #defaultIsa() default ISA}. */
    public NativeKernels() {
        this(Runtime.getRuntime().availableProcessors());
    }

    private static int capThreads(int threads) {
        int cores = Runtime.getRuntime().availableProcessors();
        if (threads > cores) {
            System.err.println("alphadrop: " + threads + " threads requested, capped at the " + cores
                    + " available processors (more threads than cores only slow the kernels down)");
            return cores;
        }
        return threads;
    }

    /** True if the native libraries load on this machine; {@link #loadFailure()} says why not. */
    public static boolean isAvailable() {
        try {
            ensureLoaded();
            return bestIsa() != null;
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

    /** The highest ISA level this CPU and OS support, or null if not even the baseline. */
    public static Isa bestIsa() {
        ensureLoaded();
        int code = AlphaDropNative.cpu_best_isa();
        return code < 0 ? null : Isa.fromCode(code);
    }

    /** Why {@link #bestIsa()} is what it is: the CPU features found and, per higher level, what is missing. */
    public static String isaReport() {
        ensureLoaded();
        return AlphaDropNative.cpu_isa_report();
    }

    /**
     * The ISA a backend gets when none is given: the best the CPU supports, capped by {@link Isa#PROPERTY} or
     * {@link Isa#ENV}.
     *
     * @throws IllegalArgumentException      if the cap is not a level name
     * @throws UnsupportedOperationException if the cap names a level this CPU cannot run
     */
    public static Isa defaultIsa() {
        Isa best = bestIsa();
        if (best == null) {
            throw new UnsupportedOperationException("this CPU cannot run even the baseline kernels: " + isaReport());
        }
        Isa requested = Isa.requested();
        if (requested == null) {
            return best;
        }
        if (requested.compareTo(best) > 0) {
            throw new UnsupportedOperationException(requested.label() + " kernels were asked for (" + Isa.PROPERTY
                    + " / " + Isa.ENV + ") but this CPU cannot run them: " + isaReport());
        }
        return requested;
    }

    /** Why {@link #defaultIsa()} chose what it did, in one line. */
    public static String defaultIsaReason() {
        Isa requested = Isa.requested();
        if (requested == null) {
            return "the best level this CPU supports (" + isaReport() + ")";
        }
        return "capped by " + (System.getProperty(Isa.PROPERTY) != null ? "system property " + Isa.PROPERTY
                : "environment variable " + Isa.ENV) + " = " + requested.label() + " (" + isaReport() + ")";
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

    /** The ISA whose kernels this backend runs. */
    public Isa isa() {
        return isa;
    }

    /** This backend's compute threads (after the cap at the available processors). */
    public int threads() {
        return threads;
    }

    /** The dense micro-kernel this backend runs, named by tile and ISA (or {@code openblas_sgemm}). */
    public String gemmUkernel() {
        Engine e = acquire();
        try {
            return AlphaDropNative.engine_gemm_ukernel(e);
        } finally {
            release();
        }
    }

    /** The vector path of this backend's dropout-mask generator. */
    public String maskEmitter() {
        Engine e = acquire();
        try {
            return AlphaDropNative.engine_mask_emitter(e);
        } finally {
            release();
        }
    }

    /**
     * Measures this ISA's single-thread FMA throughput in GFLOP/s (the peak its kernels are compared with),
     * running for about {@code seconds} (in (0, 60]).
     */
    public double fmaPeakGflops(double seconds) {
        if (!(seconds > 0 && seconds <= 60)) {
            throw new IllegalArgumentException("seconds must be in (0, 60], got " + seconds);
        }
        Engine e = acquire();
        try {
            return AlphaDropNative.engine_fma_peak_gflops(e, seconds);
        } finally {
            release();
        }
    }

    /** How the dense layers treat terms whose masked input is zero (dropped, a zero input, a ReLU zero). */
    public enum SparseMode {
        /** Per call, from the estimated density of the masked input and the layer's shape (the default). */
        AUTO,
        /** Always the dense products. */
        NEVER,
        /** Always skip the zero terms. */
        ALWAYS;

        /** The system property that sets the mode of new backends: auto, never or always. */
        public static final String PROPERTY = "alphadrop.sparse";

        static SparseMode fromProperty() {
            String v = System.getProperty(PROPERTY);
            if (v == null || v.isBlank()) {
                return AUTO;
            }
            for (SparseMode m : values()) {
                if (m.name().equalsIgnoreCase(v.trim())) {
                    return m;
                }
            }
            throw new IllegalArgumentException("system property " + PROPERTY + " must be auto, never or always, got '" + v + "'");
        }
    }

    /** Sets how this backend's dense layers treat zero terms (results agree up to summation order). */
    public void setSparseMode(SparseMode mode) {
        if (mode == null) {
            throw new IllegalArgumentException("mode must not be null");
        }
        Engine e = acquire();
        try {
            AlphaDropNative.engine_set_sparse_mode(e, mode.ordinal());
        } finally {
            release();
        }
    }

    public SparseMode sparseMode() {
        Engine e = acquire();
        try {
            return SparseMode.values()[AlphaDropNative.engine_sparse_mode(e)];
        } finally {
            release();
        }
    }

    /** How many calls took each path since this backend was created. */
    public record PathCounts(long denseForward, long sparseForward, long denseDw, long sparseDw) {
    }

    public PathCounts pathCounts() {
        Engine e = acquire();
        try {
            return new PathCounts(AlphaDropNative.engine_path_count(e, 0), AlphaDropNative.engine_path_count(e, 1),
                    AlphaDropNative.engine_path_count(e, 2), AlphaDropNative.engine_path_count(e, 3));
        } finally {
            release();
        }
    }

    /** Frees the native engine and its threads; later calls throw {@link IllegalStateException}. */
    @Override
    public void close() {
        cleanable.clean();
    }

    private Engine acquire() {
        state.lock.readLock().lock();
        if (state.engine == null) {
            state.lock.readLock().unlock();
            throw new IllegalStateException("this NativeKernels was closed");
        }
        return state.engine;
    }

    private void release() {
        state.lock.readLock().unlock();
    }

    @Override
    public String name() {
        return "native";
    }

    /** e.g. {@code native (avx512, 2 threads)}. */
    @Override
    public String describe() {
        return "native (" + isa.label() + ", " + threads + (threads == 1 ? " thread)" : " threads)");
    }

    @Override
    public String toString() {
        String mode;
        try {
            mode = sparseMode() == SparseMode.AUTO ? "" : ", sparse " + sparseMode().name().toLowerCase(java.util.Locale.ROOT);
        } catch (IllegalStateException closed) {
            mode = ", closed";
        }
        return "native(" + isa.label() + ", " + threads + (threads == 1 ? " thread" : " threads") + mode + ")";
    }

    @Override
    protected void dropoutMaskK(Dropout d, int rowOffset, int rows, int cols, float[] mask) {
        Engine e = acquire();
        try {
            AlphaDropNative.dropout_mask(e, d.seed(), d.step(), d.layer(), d.p(), rowOffset, rows, cols, mask);
        } finally {
            release();
        }
    }

    @Override
    protected void dropoutMatmulForwardK(Dropout d, int batch, int samples, boolean sharedInput, int in, int out,
                                         float[] a, float[] w, float[] bias, Activation activation, float[] z) {
        Engine e = acquire();
        try {
            AlphaDropNative.dropout_matmul_forward(e, d.seed(), d.step(), d.layer(), d.p(), batch, samples,
                    sharedInput, in, out, a, w, bias, activation.code, z);
        } finally {
            release();
        }
    }

    @Override
    protected void dropoutMatmulBackwardK(Dropout d, int batch, int samples, boolean sharedInput, int in, int out,
                                          float[] a, float[] w, float[] z, Activation activation, float[] dz,
                                          float[] dw, float[] db, float[] da) {
        Engine e = acquire();
        try {
            AlphaDropNative.dropout_matmul_backward(e, d.seed(), d.step(), d.layer(), d.p(), batch, samples,
                    sharedInput, in, out, a, w, z, activation.code, dz, dw, db, da);
        } finally {
            release();
        }
    }

    @Override
    protected double alphaLossCategoricalK(int batch, int samples, int classes, float[] logits, int[] labels,
                                           float alpha, float[] lossPerPoint, float[] dlogits) {
        Engine e = acquire();
        try {
            return AlphaDropNative.alpha_loss_categorical(e, batch, samples, classes, logits, labels, alpha,
                    lossPerPoint, dlogits);
        } finally {
            release();
        }
    }

    @Override
    protected double alphaLossGaussianK(int batch, int samples, int dims, float[] f, float[] y, float logTau,
                                        float alpha, float[] lossPerPoint, float[] df, float[] dLogTau) {
        Engine e = acquire();
        try {
            return AlphaDropNative.alpha_loss_gaussian(e, batch, samples, dims, f, y, logTau, alpha, lossPerPoint,
                    df, dLogTau);
        } finally {
            release();
        }
    }
}

package io.github.alphadrop.kernels;

import io.github.alphadrop.kernels.NativeBinding.Engine;
import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;

import java.lang.ref.Cleaner;
import java.util.concurrent.locks.ReentrantLock;
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
 * <p>Arguments are checked in {@link AbstractKernels} before anything native runs, and a failure inside
 * native code arrives as a {@link NativeKernelException} with the native message.
 *
 * <h2>Memory</h2>
 * Views of native memory ({@link FloatView#of(org.bytedeco.javacpp.FloatPointer)}, direct buffers) reach
 * the kernels as they are. Heap arrays are copied into this instance's staging memory and back, in chunks
 * short enough that no call holds the JVM's garbage collector for more than a fraction of a millisecond:
 * no JNI critical region is ever entered, so other threads of the host allocate and collect while a kernel
 * runs. The staging memory grows to the largest call's heap arguments and is kept for reuse. Hot loops
 * that care about the copies keep their matrices in native memory.
 *
 * <p>{@link #close()} frees the engine and the staging memory at once; an instance that is never closed
 * frees them when it becomes unreachable.
 */
public final class NativeKernels extends AbstractKernels implements AutoCloseable {

    private static final Cleaner CLEANER = Cleaner.create();
    private static volatile Throwable loadFailure;
    private static volatile boolean loaded;

    /** The engine and its lifecycle, kept apart from the instance so the cleaner can free it. */
    private static final class EngineState implements Runnable {
        /** Read: a call is using the engine; write: closing it. */
        final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();
        /** One kernel call at a time: the staging memory is shared by all calls of this instance. */
        final ReentrantLock callLock = new ReentrantLock();
        final StagingArea staging = new StagingArea();
        Engine engine;

        @Override
        public void run() {
            lock.writeLock().lock();
            try {
                if (engine != null) {
                    NativeBinding.engine_destroy(engine);
                    engine = null;
                }
                staging.close();
            } finally {
                lock.writeLock().unlock();
            }
        }
    }

    private final EngineState state = new EngineState();
    private volatile boolean fusedDenseSteps = denseStepFromProperty();
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
                    + NativeBinding.cpu_isa_report());
        }
        this.threads = capThreads(threads);
        this.isa = isa;
        SparseMode sparse = SparseMode.fromProperty();
        state.engine = NativeBinding.engine_create(this.threads, isa.code);
        cleanable = CLEANER.register(this, state);
        NativeBinding.engine_set_sparse_mode(state.engine, sparse.ordinal());
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
                NativeBinding.load();
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
        int code = NativeBinding.cpu_best_isa();
        return code < 0 ? null : Isa.fromCode(code);
    }

    /** Why {@link #bestIsa()} is what it is: the CPU features found and, per higher level, what is missing. */
    public static String isaReport() {
        ensureLoaded();
        return NativeBinding.cpu_isa_report();
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
        return NativeBinding.openblas_config();
    }

    /** The native library's version. */
    public static String version() {
        ensureLoaded();
        return NativeBinding.version();
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
            return NativeBinding.engine_gemm_ukernel(e);
        } finally {
            release();
        }
    }

    /** The vector path of this backend's dropout-mask generator. */
    public String maskEmitter() {
        Engine e = acquire();
        try {
            return NativeBinding.engine_mask_emitter(e);
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
            return NativeBinding.engine_fma_peak_gflops(e, seconds);
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
            NativeBinding.engine_set_sparse_mode(e, mode.ordinal());
        } finally {
            release();
        }
    }

    public SparseMode sparseMode() {
        Engine e = acquire();
        try {
            return SparseMode.values()[NativeBinding.engine_sparse_mode(e)];
        } finally {
            release();
        }
    }

    /**
     * Multiply-adds of one forward pass (B·K rows) up to which {@link #prefersDenseStep} takes the fused step:
     * there a step is mask generation and per-call overhead more than arithmetic, and the fused step, which
     * runs on one thread, beats the per-layer kernels even when they have two (docs/performance.md).
     */
    public static final long DENSE_STEP_MAX_MULTIPLY_ADDS = 1L << 20;

    /** The system property that turns the fused dense step off for new backends: auto (default) or never. */
    public static final String DENSE_STEP_PROPERTY = "alphadrop.denseStep";

    private static boolean denseStepFromProperty() {
        String v = System.getProperty(DENSE_STEP_PROPERTY);
        if (v == null || v.isBlank() || v.trim().equalsIgnoreCase("auto")) {
            return true;
        }
        if (v.trim().equalsIgnoreCase("never")) {
            return false;
        }
        throw new IllegalArgumentException("system property " + DENSE_STEP_PROPERTY + " must be auto or never, got '" + v
                + "'");
    }

    /** Whether {@link #prefersDenseStep} may answer true (a fused step for small networks). */
    public void setFusedDenseSteps(boolean enabled) {
        fusedDenseSteps = enabled;
    }

    public boolean fusedDenseSteps() {
        return fusedDenseSteps;
    }

    /** Small networks: forward multiply-adds of the B·K rows at most {@link #DENSE_STEP_MAX_MULTIPLY_ADDS}. */
    @Override
    public boolean prefersDenseStep(DenseStack net, int batch, int samples) {
        return fusedDenseSteps && net != null && batch > 0 && samples > 0
                && net.multiplyAdds((long) batch * samples) <= DENSE_STEP_MAX_MULTIPLY_ADDS;
    }

    /** The row GEMM of the fused dense step on this ISA, e.g. {@code f32_rowgemm_6x16_avx2}. */
    public String rowGemmUkernel() {
        Engine e = acquire();
        try {
            return NativeBinding.engine_rowgemm_ukernel(e);
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
            return new PathCounts(NativeBinding.engine_path_count(e, 0), NativeBinding.engine_path_count(e, 1),
                    NativeBinding.engine_path_count(e, 2), NativeBinding.engine_path_count(e, 3));
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

    /** Takes the engine for one kernel call: the engine stays alive and the staging memory is this call's. */
    private StagingArea beginCall() {
        acquire();
        state.callLock.lock();
        return state.staging;
    }

    private void endCall() {
        state.callLock.unlock();
        release();
    }

    /** Bytes of staging memory this instance holds for heap arguments (0 once closed). */
    public long stagingBytes() {
        beginCall();
        try {
            return state.staging.bytes();
        } finally {
            endCall();
        }
    }

    /** Calls native code that throws {@code message}: lets tests check how a native failure arrives. */
    static void failInNative(String message) {
        ensureLoaded();
        try {
            NativeBinding.fail_with(message);
        } catch (RuntimeException e) {
            throw NativeKernelException.of("fail_with", e);
        }
    }

    @Override
    protected void dropoutMaskK(Dropout d, int rowOffset, int rows, int cols, FloatView mask) {
        StagingArea s = beginCall();
        try {
            int n = rows * cols;
            FloatPointer m = s.output(0, mask, n);
            try {
                NativeBinding.dropout_mask(state.engine, d.seed(), d.step(), d.layer(), d.p(), d.noise().code, rowOffset, rows, cols, m);
            } catch (RuntimeException e) {
                throw NativeKernelException.of("dropout_mask", e);
            }
            s.store(0, mask, n);
        } finally {
            endCall();
        }
    }

    @Override
    protected void concreteMaskK(long seed, int step, int layer, float logit, int rowOffset, int rows, int cols,
                                 FloatView mask) {
        StagingArea s = beginCall();
        try {
            int n = rows * cols;
            FloatPointer m = s.output(0, mask, n);
            try {
                NativeBinding.concrete_mask(state.engine, seed, step, layer, ConcreteMask.logitFactor(logit),
                        ConcreteMask.scale(logit), rowOffset, rows, cols, m);
            } catch (RuntimeException e) {
                throw NativeKernelException.of("concrete_mask", e);
            }
            s.store(0, mask, n);
        } finally {
            endCall();
        }
    }

    @Override
    protected void dropoutMatmulForwardK(Dropout d, int batch, int samples, boolean sharedInput, int in, int out,
                                         FloatView a, FloatView w, FloatView bias, Activation activation,
                                         FloatView z) {
        StagingArea s = beginCall();
        try {
            int rows = batch * samples;
            FloatPointer pa = s.input(0, a, (sharedInput ? batch : rows) * in);
            FloatPointer pw = s.input(1, w, in * out);
            FloatPointer pb = s.input(2, bias, out);
            FloatPointer pz = s.output(3, z, rows * out);
            try {
                NativeBinding.dropout_matmul_forward(state.engine, d.seed(), d.step(), d.layer(), d.p(), d.noise().code, batch,
                        samples, sharedInput, in, out, pa, pw, pb, activation.code, pz);
            } catch (RuntimeException e) {
                throw NativeKernelException.of("dropout_matmul_forward", e);
            }
            s.store(3, z, rows * out);
        } finally {
            endCall();
        }
    }

    @Override
    protected void dropoutMatmulBackwardK(Dropout d, int batch, int samples, boolean sharedInput, int in, int out,
                                          FloatView a, FloatView w, FloatView z, Activation activation,
                                          FloatView dz, FloatView dw, FloatView db, FloatView da) {
        StagingArea s = beginCall();
        try {
            int rows = batch * samples;
            int inputSize = (sharedInput ? batch : rows) * in;
            FloatPointer pa = s.input(0, a, inputSize);
            FloatPointer pw = s.input(1, w, in * out);
            FloatPointer pz = s.input(2, z, rows * out);
            FloatPointer pdz = s.input(3, dz, rows * out);
            FloatPointer pdw = s.output(4, dw, in * out);
            FloatPointer pdb = s.output(5, db, out);
            FloatPointer pda = s.output(6, da, inputSize);
            try {
                NativeBinding.dropout_matmul_backward(state.engine, d.seed(), d.step(), d.layer(), d.p(), d.noise().code, batch,
                        samples, sharedInput, in, out, pa, pw, pz, activation.code, pdz, pdw, pdb, pda);
            } catch (RuntimeException e) {
                throw NativeKernelException.of("dropout_matmul_backward", e);
            }
            if (activation != Activation.IDENTITY) {
                s.store(3, dz, rows * out);
            }
            s.store(4, dw, in * out);
            s.store(5, db, out);
            s.store(6, da, inputSize);
        } finally {
            endCall();
        }
    }

    @Override
    protected void conv2dForwardK(ConvShape c, int images, FloatView x, FloatView w, FloatView bias,
                                  Activation activation, FloatView z) {
        StagingArea s = beginCall();
        try {
            int zSize = images * c.outputSize();
            FloatPointer px = s.input(0, x, images * c.inputSize());
            FloatPointer pw = s.input(1, w, c.taps() * c.filters());
            FloatPointer pb = s.input(2, bias, c.filters());
            FloatPointer pz = s.output(3, z, zSize);
            try {
                NativeBinding.conv2d_forward(state.engine, images, c.height(), c.width(), c.channels(), c.kernelH(),
                        c.kernelW(), c.filters(), c.padTop(), c.padLeft(), c.outHeight(), c.outWidth(), px, pw, pb,
                        activation.code, pz);
            } catch (RuntimeException e) {
                throw NativeKernelException.of("conv2d_forward", e);
            }
            s.store(3, z, zSize);
        } finally {
            endCall();
        }
    }

    @Override
    protected void conv2dBackwardK(ConvShape c, int images, FloatView x, FloatView w, FloatView z,
                                   Activation activation, FloatView dz, FloatView dw, FloatView db, FloatView dx) {
        StagingArea s = beginCall();
        try {
            int zSize = images * c.outputSize(), xSize = images * c.inputSize(), wSize = c.taps() * c.filters();
            FloatPointer px = s.input(0, x, xSize);
            FloatPointer pw = s.input(1, w, wSize);
            FloatPointer pz = s.input(2, z, zSize);
            FloatPointer pdz = s.input(3, dz, zSize);
            FloatPointer pdw = s.output(4, dw, wSize);
            FloatPointer pdb = s.output(5, db, c.filters());
            FloatPointer pdx = s.output(6, dx, xSize);
            try {
                NativeBinding.conv2d_backward(state.engine, images, c.height(), c.width(), c.channels(), c.kernelH(),
                        c.kernelW(), c.filters(), c.padTop(), c.padLeft(), c.outHeight(), c.outWidth(), px, pw, pz,
                        activation.code, pdz, pdw, pdb, pdx);
            } catch (RuntimeException e) {
                throw NativeKernelException.of("conv2d_backward", e);
            }
            if (activation != Activation.IDENTITY) {
                s.store(3, dz, zSize);
            }
            s.store(4, dw, wSize);
            s.store(5, db, c.filters());
            s.store(6, dx, xSize);
        } finally {
            endCall();
        }
    }

    @Override
    protected void maxPool2dForwardK(int images, int height, int width, int channels, int size, FloatView x,
                                     FloatView y) {
        StagingArea s = beginCall();
        try {
            int in = images * height * width * channels, out = images * (height / size) * (width / size) * channels;
            FloatPointer px = s.input(0, x, in);
            FloatPointer py = s.output(1, y, out);
            try {
                NativeBinding.maxpool2d_forward(state.engine, images, height, width, channels, size, px, py);
            } catch (RuntimeException e) {
                throw NativeKernelException.of("maxpool2d_forward", e);
            }
            s.store(1, y, out);
        } finally {
            endCall();
        }
    }

    @Override
    protected void maxPool2dBackwardK(int images, int height, int width, int channels, int size, FloatView x,
                                      FloatView dy, FloatView dx) {
        StagingArea s = beginCall();
        try {
            int in = images * height * width * channels, out = images * (height / size) * (width / size) * channels;
            FloatPointer px = s.input(0, x, in);
            FloatPointer pdy = s.input(1, dy, out);
            FloatPointer pdx = s.output(2, dx, in);
            try {
                NativeBinding.maxpool2d_backward(state.engine, images, height, width, channels, size, px, pdy, pdx);
            } catch (RuntimeException e) {
                throw NativeKernelException.of("maxpool2d_backward", e);
            }
            s.store(2, dx, in);
        } finally {
            endCall();
        }
    }

    @Override
    protected double alphaLossCategoricalK(int batch, int samples, int classes, FloatView logits, int[] labels,
                                           float alpha, FloatView lossPerPoint, FloatView dlogits) {
        StagingArea s = beginCall();
        try {
            int size = batch * samples * classes;
            FloatPointer pl = s.input(0, logits, size);
            FloatPointer ploss = s.output(1, lossPerPoint, batch);
            FloatPointer pd = s.output(2, dlogits, size);
            double mean;
            try {
                mean = NativeBinding.alpha_loss_categorical(state.engine, batch, samples, classes, pl,
                        s.ints(labels, batch), alpha, ploss, pd);
            } catch (RuntimeException e) {
                throw NativeKernelException.of("alpha_loss_categorical", e);
            }
            s.store(1, lossPerPoint, batch);
            s.store(2, dlogits, size);
            return mean;
        } finally {
            endCall();
        }
    }

    @Override
    protected double alphaLossGaussianK(int batch, int samples, int dims, FloatView f, FloatView y, float logTau,
                                        float alpha, FloatView lossPerPoint, FloatView df, FloatView dLogTau) {
        StagingArea s = beginCall();
        try {
            int size = batch * samples * dims;
            FloatPointer pf = s.input(0, f, size);
            FloatPointer py = s.input(1, y, batch * dims);
            FloatPointer ploss = s.output(2, lossPerPoint, batch);
            FloatPointer pdf = s.output(3, df, size);
            FloatPointer ptau = s.output(4, dLogTau, 1);
            double mean;
            try {
                mean = NativeBinding.alpha_loss_gaussian(state.engine, batch, samples, dims, pf, py, logTau, alpha,
                        ploss, pdf, ptau);
            } catch (RuntimeException e) {
                throw NativeKernelException.of("alpha_loss_gaussian", e);
            }
            s.store(2, lossPerPoint, batch);
            s.store(3, df, size);
            s.store(4, dLogTau, 1);
            return mean;
        } finally {
            endCall();
        }
    }

    @Override
    protected double denseStepK(DenseStack net, long seed, int step, float[] params, float[] dropLogits, int batch,
                                int samples, float[] x, int[] labels, float[] y, float logTau, float alpha,
                                float[] grads, float[] dLogTau, float[] dDropLogits) {
        int layers = net.layers();
        int[] widths = net.sizesView();
        float[] rates = net.dropoutView();
        int count = net.parameterCount();
        StagingArea s = beginCall();
        try {
            IntPointer sizes = s.ints(1, widths, layers + 1);
            IntPointer activations = s.ints(0, net.activationCodes(), layers);
            FloatPointer pDropout = s.input(0, FloatView.of(rates), layers);
            FloatPointer pParams = s.input(1, FloatView.of(params), count);
            FloatPointer pX = s.input(2, FloatView.of(x), batch * net.inputSize());
            FloatPointer pY = y == null ? null : s.input(3, FloatView.of(y), batch * net.outputSize());
            FloatPointer pGrads = s.output(4, FloatView.of(grads), count);
            FloatPointer pTau = dLogTau == null ? null : s.output(5, FloatView.of(dLogTau), 1);
            DoublePointer pConcrete = null;
            FloatPointer pDLogits = null;
            if (dropLogits != null) {
                double[] perLayer = new double[3 * layers];
                for (int l = 0; l < layers; l++) {
                    perLayer[3 * l] = ConcreteMask.logitFactor(dropLogits[l]);
                    perLayer[3 * l + 1] = ConcreteMask.scale(dropLogits[l]);
                    perLayer[3 * l + 2] = ConcreteMask.rate(dropLogits[l]);
                }
                pConcrete = s.doubles(perLayer, perLayer.length);
                pDLogits = s.output(6, FloatView.of(dDropLogits), layers);
            }
            double loss;
            try {
                loss = NativeBinding.dense_step(state.engine, seed, step, net.noise().code, layers, sizes, pDropout,
                        activations, pParams, batch, samples, pX, labels == null ? null : s.ints(2, labels, batch),
                        pY, logTau, alpha, pGrads, pTau, pConcrete, pDLogits);
            } catch (RuntimeException e) {
                throw NativeKernelException.of("dense_step", e);
            }
            s.store(4, FloatView.of(grads), count);
            if (dLogTau != null) {
                s.store(5, FloatView.of(dLogTau), 1);
            }
            if (dDropLogits != null) {
                s.store(6, FloatView.of(dDropLogits), layers);
            }
            return loss;
        } finally {
            endCall();
        }
    }
}

package io.github.alphadrop.kernels.bindings;

import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.CriticalRegion;
import org.bytedeco.javacpp.annotation.Namespace;
import org.bytedeco.javacpp.annotation.Opaque;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of {@code native/include/alphadrop/kernels.h}. Not for direct use: call
 * {@link io.github.alphadrop.kernels.NativeKernels}, which validates every argument before it gets here.
 *
 * <p>Arrays are passed with {@link CriticalRegion}: the JVM hands the kernels the array memory itself
 * (no copy in and out per call), so the hot path can use plain {@code float[]}. The kernels never call
 * back into the JVM while they hold it.
 */
@Platform(include = "alphadrop/kernels.h", link = "alphadrop_kernels")
@Namespace("alphadrop")
public final class AlphaDropNative {

    static {
        // Bind to the bytedeco OpenBLAS (0.3.31) before our library, so that libopenblas.so.0 is already
        // in the process when libalphadrop_kernels.so is loaded and no system BLAS can be picked instead.
        Loader.load(org.bytedeco.openblas.global.openblas_nolapack.class);
        Loader.load();
    }

    private AlphaDropNative() {
    }

    /** Forces class initialisation, i.e. loads the native libraries; throws if they cannot be loaded. */
    public static void load() {
        // the static initializer did the work
    }

    /** An {@code alphadrop::Engine}: a thread pool and one ISA's kernel table. */
    @Opaque
    public static final class Engine extends Pointer {
        public Engine() {
            super((Pointer) null);
        }

        public Engine(Pointer p) {
            super(p);
        }
    }

    public static native @Cast("const char*") String version();

    public static native @Cast("const char*") String openblas_config();

    public static native int cpu_best_isa();

    public static native @Cast("const char*") String cpu_isa_report();

    public static native Engine engine_create(int threads, int isa);

    public static native void engine_destroy(Engine engine);

    public static native int engine_threads(@Const Engine engine);

    public static native int engine_isa(@Const Engine engine);

    public static native @Cast("const char*") String engine_gemm_ukernel(@Const Engine engine);

    public static native int engine_gemm_mr(@Const Engine engine);

    public static native int engine_gemm_nr(@Const Engine engine);

    public static native @Cast("const char*") String engine_mask_emitter(@Const Engine engine);

    public static native double engine_fma_peak_gflops(@Const Engine engine, double seconds);

    public static native void engine_set_sparse_mode(Engine engine, int mode);

    public static native int engine_sparse_mode(@Const Engine engine);

    public static native long engine_path_count(@Const Engine engine, int which);

    @CriticalRegion
    public static native void dropout_mask(Engine engine, long seed, int step, int layer, float p,
                                           int rowOffset, int rows, int cols, float[] mask);

    @CriticalRegion
    public static native void dropout_matmul_forward(Engine engine, long seed, int step, int layer, float p,
                                                     int batch, int samples, boolean sharedInput, int in, int out,
                                                     @Const float[] a, @Const float[] w, @Const float[] bias,
                                                     int activation, float[] z);

    @CriticalRegion
    public static native void dropout_matmul_backward(Engine engine, long seed, int step, int layer, float p,
                                                      int batch, int samples, boolean sharedInput, int in, int out,
                                                      @Const float[] a, @Const float[] w, @Const float[] z,
                                                      int activation, float[] dz, float[] dw, float[] db,
                                                      float[] da);

    @CriticalRegion
    public static native double alpha_loss_categorical(Engine engine, int batch, int samples, int classes,
                                                       @Const float[] logits, @Const int[] labels, float alpha,
                                                       float[] lossPerPoint, float[] dlogits);

    @CriticalRegion
    public static native double alpha_loss_gaussian(Engine engine, int batch, int samples, int dims,
                                                    @Const float[] f, @Const float[] y, float logTau, float alpha,
                                                    float[] lossPerPoint, float[] df, float[] dLogTau);
}

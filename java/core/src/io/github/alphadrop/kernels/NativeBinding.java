package io.github.alphadrop.kernels;

import org.bytedeco.javacpp.DoublePointer;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.IntPointer;
import org.bytedeco.javacpp.Loader;
import org.bytedeco.javacpp.Pointer;
import org.bytedeco.javacpp.annotation.Cast;
import org.bytedeco.javacpp.annotation.Const;
import org.bytedeco.javacpp.annotation.Namespace;
import org.bytedeco.javacpp.annotation.Opaque;
import org.bytedeco.javacpp.annotation.Platform;

/**
 * JavaCPP binding of {@code native/include/alphadrop/kernels.h}. Package-private on purpose: nothing
 * outside {@link NativeKernels} can call it, and NativeKernels checks every argument (sizes, view lengths,
 * a live engine) before it gets here, so no input from outside reaches native code unchecked.
 *
 * <p>Every buffer is a native pointer: off-heap views as they are, heap arrays through NativeKernels'
 * staging memory. No function takes a Java array, so no call pins one or holds the garbage collector
 * (JNI critical regions are not used).
 */
@Platform(include = "alphadrop/kernels.h", link = "alphadrop_kernels")
@Namespace("alphadrop")
final class NativeBinding {

    static {
        // Bind to the bytedeco OpenBLAS (0.3.31) before our library, so that libopenblas.so.0 is already
        // in the process when libalphadrop_kernels.so is loaded and no system BLAS can be picked instead.
        Loader.load(org.bytedeco.openblas.global.openblas_nolapack.class);
        Loader.load();
    }

    private NativeBinding() {
    }

    /** Forces class initialisation, i.e. loads the native libraries; throws if they cannot be loaded. */
    static void load() {
        // the static initializer did the work
    }

    /** An {@code alphadrop::Engine}: a thread pool and one ISA's kernel table. */
    @Opaque
    static final class Engine extends Pointer {
        Engine() {
            super((Pointer) null);
        }

        Engine(Pointer p) {
            super(p);
        }
    }

    static native @Cast("const char*") String version();

    static native void fail_with(@Cast("const char*") String message);

    static native @Cast("const char*") String openblas_config();

    static native int cpu_best_isa();

    static native @Cast("const char*") String cpu_isa_report();

    static native Engine engine_create(int threads, int isa);

    static native void engine_destroy(Engine engine);

    static native int engine_threads(@Const Engine engine);

    static native int engine_isa(@Const Engine engine);

    static native @Cast("const char*") String engine_gemm_ukernel(@Const Engine engine);

    static native int engine_gemm_mr(@Const Engine engine);

    static native int engine_gemm_nr(@Const Engine engine);

    static native @Cast("const char*") String engine_mask_emitter(@Const Engine engine);

    static native double engine_fma_peak_gflops(@Const Engine engine, double seconds);

    static native void engine_set_sparse_mode(Engine engine, int mode);

    static native int engine_sparse_mode(@Const Engine engine);

    static native long engine_path_count(@Const Engine engine, int which);

    static native void dropout_mask(Engine engine, long seed, int step, int layer, float p, int noise, int rowOffset, int rows,
                                    int cols, FloatPointer mask);

    static native void concrete_mask(Engine engine, long seed, int step, int layer, double logitFactor, double scale,
                                     int rowOffset, int rows, int cols, FloatPointer mask);

    static native void dropout_matmul_forward(Engine engine, long seed, int step, int layer, float p, int noise, int batch,
                                              int samples, boolean sharedInput, int in, int out,
                                              @Const FloatPointer a, @Const FloatPointer w, @Const FloatPointer bias,
                                              int activation, FloatPointer z);

    static native void dropout_matmul_backward(Engine engine, long seed, int step, int layer, float p, int noise, int batch,
                                               int samples, boolean sharedInput, int in, int out,
                                               @Const FloatPointer a, @Const FloatPointer w, @Const FloatPointer z,
                                               int activation, FloatPointer dz, FloatPointer dw, FloatPointer db,
                                               FloatPointer da);

    static native void conv2d_forward(Engine engine, int images, int height, int width, int channels, int kernelH,
                                      int kernelW, int filters, int padTop, int padLeft, int outH, int outW,
                                      @Const FloatPointer x, @Const FloatPointer w, @Const FloatPointer bias,
                                      int activation, FloatPointer z);

    static native void conv2d_backward(Engine engine, int images, int height, int width, int channels, int kernelH,
                                       int kernelW, int filters, int padTop, int padLeft, int outH, int outW,
                                       @Const FloatPointer x, @Const FloatPointer w, @Const FloatPointer z,
                                       int activation, FloatPointer dz, FloatPointer dw, FloatPointer db,
                                       FloatPointer dx);

    static native void maxpool2d_forward(Engine engine, int images, int height, int width, int channels, int size,
                                         @Const FloatPointer x, FloatPointer y);

    static native void maxpool2d_backward(Engine engine, int images, int height, int width, int channels, int size,
                                          @Const FloatPointer x, @Const FloatPointer dy, FloatPointer dx);

    static native double alpha_loss_categorical(Engine engine, int batch, int samples, int classes,
                                                @Const FloatPointer logits, @Const IntPointer labels, float alpha,
                                                FloatPointer lossPerPoint, FloatPointer dlogits);

    static native double alpha_loss_gaussian(Engine engine, int batch, int samples, int dims, @Const FloatPointer f,
                                             @Const FloatPointer y, float logTau, float alpha,
                                             FloatPointer lossPerPoint, FloatPointer df, FloatPointer dLogTau);

    static native double dense_step(Engine engine, long seed, int step, int noise, int layers, @Const IntPointer sizes,
                                    @Const FloatPointer dropout, @Const IntPointer activations,
                                    @Const FloatPointer params, int batch, int samples, @Const FloatPointer x,
                                    @Const IntPointer labels, @Const FloatPointer y, float logTau, float alpha,
                                    FloatPointer grads, FloatPointer dLogTau, @Const DoublePointer concrete,
                                    FloatPointer dLogits);

    static native @Cast("const char*") String engine_rowgemm_ukernel(@Const Engine engine);
}

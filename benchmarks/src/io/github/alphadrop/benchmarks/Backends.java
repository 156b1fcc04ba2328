package io.github.alphadrop.benchmarks;

import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.kernels.NativeKernels;
import org.bytedeco.openblas.global.openblas_nolapack;

import java.util.SplittableRandom;

/** Backend construction and test data shared by the benchmark states. */
final class Backends {

    private Backends() {
    }

    static Kernels java() {
        return new JavaKernels();
    }

    /**
     * The native backend with exactly {@code threads} compute threads, or an exception that says why not and
     * what to run instead. A benchmark without the native library must stop in its setup with this message
     * rather than fall back to Java (the table would then silently compare Java with Java).
     */
    static Kernels nativeKernels(int threads) {
        if (!NativeKernels.isAvailable()) {
            throw new IllegalStateException("native backend unavailable: " + NativeKernels.loadFailure()
                    + "\n  Build the library with its C++ kernels (root: mvn install -DskipTests, without"
                    + " -Djavacpp.skip), or select only the java and sgemm benchmarks, e.g. benchmarks/run 'Java|Sgemm'",
                    NativeKernels.loadFailure());
        }
        NativeKernels kernels = new NativeKernels(threads);
        // Read back (threads above the core count are capped) so a row labelled threads=2 really used two.
        if (kernels.threads() != threads) {
            throw new IllegalStateException("asked the native backend for " + threads + " threads, it has "
                    + kernels.threads());
        }
        return kernels;
    }

    /**
     * Sets OpenBLAS's own thread count for the sgemm baseline. The native kernels pin OpenBLAS to one thread
     * and parallelise themselves, so the baseline must set OpenBLAS to the thread count the kernels are given
     * for the comparison to be like for like. Fails if OpenBLAS does not take the setting (e.g. a build with a
     * lower thread limit), since the row would otherwise be mislabelled.
     */
    static void openblasThreads(int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        openblas_nolapack.blas_set_num_threads(threads);
        int actual = openblas_nolapack.blas_get_num_threads();
        if (actual != threads) {
            throw new IllegalStateException("asked OpenBLAS for " + threads + " threads, it reports " + actual);
        }
    }

    /**
     * {@code n} uniform values in [-scale, scale) from a fixed seed, so that every run and every backend
     * multiplies the same numbers (values do not change float timing, but identical inputs remove a doubt).
     */
    static float[] uniform(long seed, int n, float scale) {
        SplittableRandom random = new SplittableRandom(seed);
        float[] x = new float[n];
        for (int i = 0; i < n; i++) {
            x[i] = (float) ((random.nextDouble() * 2.0 - 1.0) * scale);
        }
        return x;
    }
}

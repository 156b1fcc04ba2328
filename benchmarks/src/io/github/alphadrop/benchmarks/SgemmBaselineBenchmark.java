package io.github.alphadrop.benchmarks;

import io.github.alphadrop.kernels.JavaKernels;
import org.bytedeco.javacpp.FloatPointer;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

import static org.bytedeco.openblas.global.openblas_nolapack.CblasNoTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasRowMajor;
import static org.bytedeco.openblas.global.openblas_nolapack.CblasTrans;
import static org.bytedeco.openblas.global.openblas_nolapack.cblas_sgemm;

/**
 * The unfused baseline: plain OpenBLAS sgemm on an input that is already masked and already expanded to
 * (B·K)×D, i.e. only the matrix products the fused kernels have to do, with no mask generation, no bias,
 * no activation and no K-way sharing. A fused/sgemm ratio near 1 therefore means the fusion is close to free.
 *
 * <ul>
 *   <li>forward: Z = A W, (B·K)×D times D×H</li>
 *   <li>backward: dW = Aᵀ dZ, and for hidden layers also dA = dZ Wᵀ. First layers skip dA because the fused
 *       backward is benchmarked as training calls it there, with no input gradient (see {@link LayerShape}).</li>
 * </ul>
 *
 * Operands live in native memory ({@link FloatPointer}) so that the calls pass pointers: JavaCPP's
 * {@code float[]} overloads copy the arrays in and out around every call, which would charge the baseline for
 * copies that the fused kernels (JNI critical regions) do not make. OpenBLAS's thread count is the
 * {@code threads} parameter, matching the native kernels' thread count in {@link DropoutMatmulBenchmark}.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class SgemmBaselineBenchmark {

    @State(Scope.Benchmark)
    public static class Gemm {

        @Param({LayerShape.FIRST_100, LayerShape.FIRST_1000, LayerShape.HIDDEN_100, LayerShape.HIDDEN_1000})
        public String shape;

        /** OpenBLAS threads; the native kernels' run with the same value is the row it is compared with. */
        @Param({"1", "2"})
        public int threads;

        LayerShape s;
        int rows;
        FloatPointer a;
        FloatPointer w;
        FloatPointer z;
        FloatPointer dz;
        FloatPointer dw;
        FloatPointer da;

        @Setup(Level.Trial)
        public void setup() {
            Backends.openblasThreads(threads);
            s = LayerShape.parse(shape);
            rows = s.rows();
            int in = s.in();
            int out = s.out();

            // The same input the fused kernel sees, expanded to one row per sample and masked the same way.
            // Zeros do not make sgemm faster, but this keeps the two benchmarks' operands identical.
            float[] input = Backends.uniform(1, s.inputRows() * in, 1f);
            float[] mask = new float[rows * in];
            new JavaKernels().dropoutMask(s.dropout(), 0, rows, in, mask);
            float[] masked = new float[rows * in];
            for (int r = 0; r < rows; r++) {
                int inputRow = s.first() ? r / LayerShape.SAMPLES : r;
                for (int d = 0; d < in; d++) {
                    masked[r * in + d] = mask[r * in + d] * input[inputRow * in + d];
                }
            }

            a = new FloatPointer(masked);
            w = new FloatPointer(Backends.uniform(2, in * out, (float) (1.0 / Math.sqrt(in))));
            z = new FloatPointer((long) rows * out);
            dz = new FloatPointer(Backends.uniform(4, rows * out, 1f));
            dw = new FloatPointer((long) in * out);
            da = s.inputGradient() ? new FloatPointer((long) rows * in) : null;
        }

        @TearDown(Level.Trial)
        public void tearDown() {
            // Native buffers are freed here rather than left to JavaCPP's GC-driven deallocator, so that a
            // long run over many shapes does not accumulate them.
            for (FloatPointer p : new FloatPointer[] {a, w, z, dz, dw, da}) {
                if (p != null) {
                    p.close();
                }
            }
        }
    }

    @Benchmark
    public void forward(Gemm g) {
        LayerShape s = g.s;
        // Z[rows×H] = A[rows×D] · W[D×H]
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, g.rows, s.out(), s.in(),
                1f, g.a, s.in(), g.w, s.out(), 0f, g.z, s.out());
    }

    @Benchmark
    public void backward(Gemm g) {
        LayerShape s = g.s;
        // dW[D×H] = Aᵀ[D×rows] · dZ[rows×H]
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, s.in(), s.out(), g.rows,
                1f, g.a, s.in(), g.dz, s.out(), 0f, g.dw, s.out());
        if (g.da != null) {
            // dA[rows×D] = dZ[rows×H] · Wᵀ[H×D]
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, g.rows, s.in(), s.out(),
                    1f, g.dz, s.out(), g.w, s.out(), 0f, g.da, s.in());
        }
    }
}

package io.github.alphadrop.benchmarks;

import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.kernels.Kernels;
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
import org.openjdk.jmh.annotations.Warmup;

import java.util.concurrent.TimeUnit;

/**
 * The fused dropout + matmul kernels, forward and backward, one training-step layer per call
 * (B = 128, K = 10, p = 0.5, ReLU with bias as in the library's hidden layers; see {@link LayerShape}).
 *
 * <p>The two backends have their own states because their parameter sets differ: the native one is run with
 * 1 and 2 threads, the Java reference is single-threaded, so a threads parameter would only run it twice.
 * The Java methods also get fewer iterations: a 1000x1000 backward takes over a second there.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class DropoutMatmulBenchmark {

    /** Inputs, weights and output buffers of one layer; filled once per trial. */
    @State(Scope.Benchmark)
    public abstract static class Layer {

        @Param({LayerShape.FIRST_100, LayerShape.FIRST_1000, LayerShape.HIDDEN_100, LayerShape.HIDDEN_1000})
        public String shape;

        LayerShape s;
        Kernels kernels;
        Dropout dropout;
        float[] a;
        float[] w;
        float[] bias;
        float[] z;
        float[] dz;
        float[] dw;
        float[] db;
        float[] da;

        void init(Kernels backend) {
            kernels = backend;
            s = LayerShape.parse(shape);
            dropout = s.dropout();
            a = Backends.uniform(1, s.inputRows() * s.in(), 1f);
            w = Backends.uniform(2, s.in() * s.out(), (float) (1.0 / Math.sqrt(s.in())));
            bias = Backends.uniform(3, s.out(), 0.1f);
            z = new float[s.rows() * s.out()];
            dz = Backends.uniform(4, s.rows() * s.out(), 1f);
            dw = new float[s.in() * s.out()];
            db = new float[s.out()];
            da = s.inputGradient() ? new float[s.inputRows() * s.in()] : null;
            // Backward reads the forward output z (the ReLU derivative is taken from it), so compute a real one.
            forward();
        }

        float[] forward() {
            kernels.dropoutMatmulForward(dropout, LayerShape.BATCH, LayerShape.SAMPLES, s.first(), s.in(), s.out(),
                    a, w, bias, Activation.RELU, z);
            return z;
        }

        float[] backward() {
            // dz is overwritten with dz ⊙ [z > 0]; doing that again is a no-op on the values, so every call
            // does the same work on the same data without restoring dz.
            kernels.dropoutMatmulBackward(dropout, LayerShape.BATCH, LayerShape.SAMPLES, s.first(), s.in(), s.out(),
                    a, w, z, Activation.RELU, dz, dw, db, da);
            return dw;
        }
    }

    @State(Scope.Benchmark)
    public static class JavaLayer extends Layer {
        @Setup(Level.Trial)
        public void setup() {
            init(Backends.java());
        }
    }

    @State(Scope.Benchmark)
    public static class NativeLayer extends Layer {
        /** Compute threads of the native backend; compare with the sgemm baseline at the same count. */
        @Param({"1", "2"})
        public int threads;

        @Setup(Level.Trial)
        public void setup() {
            init(Backends.nativeKernels(threads));
        }
    }

    @Benchmark
    public float[] forwardNative(NativeLayer layer) {
        return layer.forward();
    }

    @Benchmark
    public float[] backwardNative(NativeLayer layer) {
        return layer.backward();
    }

    @Benchmark
    @Warmup(iterations = 2, time = 1)
    @Measurement(iterations = 3, time = 2)
    public float[] forwardJava(JavaLayer layer) {
        return layer.forward();
    }

    @Benchmark
    @Warmup(iterations = 2, time = 1)
    @Measurement(iterations = 3, time = 2)
    public float[] backwardJava(JavaLayer layer) {
        return layer.backward();
    }
}

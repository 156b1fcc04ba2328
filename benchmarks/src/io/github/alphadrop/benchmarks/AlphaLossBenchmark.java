package io.github.alphadrop.benchmarks;

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

import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

/**
 * The categorical alpha-divergence loss with its gradient, as one training step calls it:
 * B = 128 datapoints, K = 10 samples, C = 10 classes, α = 0.5. Backends have separate states for the same
 * reason as in {@link DropoutMatmulBenchmark}: only the native one has a thread count.
 */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
public class AlphaLossBenchmark {

    static final int CLASSES = 10;
    static final float ALPHA = 0.5f;

    @State(Scope.Benchmark)
    public abstract static class Loss {
        Kernels kernels;
        float[] logits;
        int[] labels;
        float[] lossPerPoint;
        float[] dlogits;

        void init(Kernels backend) {
            kernels = backend;
            int rows = LayerShape.BATCH * LayerShape.SAMPLES;
            // Spread like the logits of a half-trained net, so the log-sum-exps are not all at one value.
            logits = Backends.uniform(5, rows * CLASSES, 4f);
            labels = new int[LayerShape.BATCH];
            SplittableRandom random = new SplittableRandom(6);
            for (int n = 0; n < labels.length; n++) {
                labels[n] = random.nextInt(CLASSES);
            }
            lossPerPoint = new float[LayerShape.BATCH];
            dlogits = new float[rows * CLASSES];
        }

        double run() {
            return kernels.alphaLossCategorical(LayerShape.BATCH, LayerShape.SAMPLES, CLASSES, logits, labels, ALPHA,
                    lossPerPoint, dlogits);
        }
    }

    @State(Scope.Benchmark)
    public static class JavaLoss extends Loss {
        @Setup(Level.Trial)
        public void setup() {
            init(Backends.java());
        }
    }

    @State(Scope.Benchmark)
    public static class NativeLoss extends Loss {
        @Param({"1", "2"})
        public int threads;

        @Setup(Level.Trial)
        public void setup() {
            init(Backends.nativeKernels(threads));
        }
    }

    @Benchmark
    public double categoricalJava(JavaLoss loss) {
        return loss.run();
    }

    @Benchmark
    public double categoricalNative(NativeLoss loss) {
        return loss.run();
    }
}

package io.github.alphadrop.benchmarks;

import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.Dropout;
import io.github.alphadrop.kernels.FloatView;
import io.github.alphadrop.kernels.NativeKernels;
import org.bytedeco.javacpp.FloatPointer;

import java.util.Arrays;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How long a host thread that allocates waits while another thread runs a large native kernel: the
 * drop-in-backend question "does scoring with AlphaDrop freeze my server's GC?".
 *
 * <p>One thread loops a 1000-wide dropout forward (B·K = 12,800 rows, D = 784, H = 1000) on heap arrays;
 * another allocates small arrays as fast as it can (keeping a ring of them alive so young collections
 * happen) and records the longest gap between two consecutive allocations. The same allocator runs alone
 * first, for the reference, then beside the kernel loop on heap arrays and on FloatPointer views. A kernel
 * that holds a JNI critical region blocks every collection while it runs, so the allocator stalls for
 * about a kernel call each time the young generation fills (what the kernels did before 2026-12-02).
 *
 * <pre>
 *   java -Xmx1g -Xmn64m -cp benchmarks/target/benchmarks.jar io.github.alphadrop.benchmarks.GcPauseProbe [seconds] [threads]
 * </pre>
 * Prints one JSON line per phase (alone, with the kernel loop).
 */
public final class GcPauseProbe {

    private GcPauseProbe() {
    }

    public static void main(String[] args) throws Exception {
        double seconds = args.length > 0 ? Double.parseDouble(args[0]) : 10;
        int threads = args.length > 1 ? Integer.parseInt(args[1]) : 1;
        System.out.println(measure("allocator alone", seconds, null, false));
        try (NativeKernels kernels = new NativeKernels(threads)) {
            System.out.println(measure("allocator + native forward loop on heap arrays (" + kernels.describe() + ")",
                    seconds, kernels, false));
            System.out.println(measure("allocator + native forward loop on FloatPointer views (" + kernels.describe()
                    + ")", seconds, kernels, true));
        }
    }

    private static String measure(String phase, double seconds, NativeKernels kernels, boolean offHeap)
            throws InterruptedException {
        AtomicBoolean stop = new AtomicBoolean();
        long[] kernelCalls = {0};
        long[] kernelNanos = {0};
        Thread kernelThread = null;
        if (kernels != null) {
            int batch = 1280, samples = 10, in = 784, out = 1000;
            float[] a = random(batch * in, 1);
            float[] w = random(in * out, 2);
            float[] bias = new float[out];
            float[] z = new float[batch * samples * out];
            FloatView va = offHeap ? FloatView.of(new FloatPointer(a)) : FloatView.of(a);
            FloatView vw = offHeap ? FloatView.of(new FloatPointer(w)) : FloatView.of(w);
            FloatView vb = offHeap ? FloatView.of(new FloatPointer(bias)) : FloatView.of(bias);
            FloatView vz = offHeap ? FloatView.of(new FloatPointer(z.length)) : FloatView.of(z);
            kernelThread = new Thread(() -> {
                int step = 0;
                while (!stop.get()) {
                    long t0 = System.nanoTime();
                    kernels.dropoutMatmulForward(new Dropout(42, step++, 0, 0.5f), batch, samples, true, in, out,
                            va, vw, vb, Activation.RELU, vz);
                    kernelNanos[0] += System.nanoTime() - t0;
                    kernelCalls[0]++;
                }
            }, "kernel-loop");
            kernelThread.start();
            Thread.sleep(500);
        }
        Object[] ring = new Object[4096];
        long allocations = 0;
        long maxGap = 0;
        long[] gaps = new long[1 << 20];
        int gapCount = 0;
        long start = System.nanoTime();
        long end = start + (long) (seconds * 1e9);
        long last = start;
        while (true) {
            ring[(int) (allocations & (ring.length - 1))] = new long[64];
            allocations++;
            long now = System.nanoTime();
            long gap = now - last;
            last = now;
            if (gap > 100_000) {
                // Only gaps above 0.1 ms are kept: the tail is what matters.
                if (gapCount < gaps.length) {
                    gaps[gapCount++] = gap;
                }
            }
            maxGap = Math.max(maxGap, gap);
            if (now >= end) {
                break;
            }
        }
        double elapsed = (last - start) / 1e9;
        stop.set(true);
        if (kernelThread != null) {
            kernelThread.join();
        }
        Arrays.sort(gaps, 0, gapCount);
        long over1ms = Arrays.stream(gaps, 0, gapCount).filter(g -> g > 1_000_000).count();
        return String.format(Locale.ROOT,
                "{\"phase\":\"%s\",\"seconds\":%.1f,\"allocations_per_s\":%.0f,\"max_gap_ms\":%.2f,"
                        + "\"gaps_over_1ms\":%d,\"kernel_calls\":%d,\"kernel_ms_per_call\":%.1f}",
                phase, elapsed, allocations / elapsed, maxGap / 1e6, over1ms, kernelCalls[0],
                kernelCalls[0] == 0 ? 0.0 : kernelNanos[0] / 1e6 / kernelCalls[0]);
    }

    private static float[] random(int n, long seed) {
        java.util.Random r = new java.util.Random(seed);
        float[] v = new float[n];
        for (int i = 0; i < n; i++) {
            v[i] = (float) r.nextGaussian() * 0.05f;
        }
        return v;
    }
}

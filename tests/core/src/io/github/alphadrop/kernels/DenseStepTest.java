package io.github.alphadrop.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The fused training step of small dense networks ({@link Kernels#denseStep}): the native step of every ISA
 * level against the pure-Java reference, which composes the per-layer kernels and the loss; its gradient
 * against finite differences of its own loss; bit-identity for any thread count and between avx2 and avx512.
 */
class DenseStepTest {

    private static final Activation R = Activation.RELU;
    private static final Activation T = Activation.TANH;
    private static final Activation I = Activation.IDENTITY;

    /** A network, a batch, and whether its targets are class labels (else Gaussian targets). */
    record Case(String name, DenseStack net, int batch, int samples, boolean categorical) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        Dropout.Noise b = Dropout.Noise.BERNOULLI;
        Dropout.Noise g = Dropout.Noise.GAUSSIAN;
        List<Case> list = new ArrayList<>();
        // the UCI model: 16-bit masks (p = 0.05), one output column
        list.add(new Case("uci 13-50-1", new DenseStack(new int[]{13, 50, 1}, new float[]{0.05f, 0.05f}, b,
                new Activation[]{R, I}), 32, 10, false));
        // one-bit masks, widths off the 8-column padding and past one 16-column tile, a dropout-free layer
        list.add(new Case("classifier 5-20-17-3", new DenseStack(new int[]{5, 20, 17, 3}, new float[]{0.5f, 0f, 0.25f},
                b, new Activation[]{R, T, I}), 7, 3, true));
        list.add(new Case("gaussian noise 9-24-2", new DenseStack(new int[]{9, 24, 2}, new float[]{0.1f, 0.3f}, g,
                new Activation[]{T, I}), 6, 4, false));
        // a single layer: the one-output path on the shared input
        list.add(new Case("linear 4-1", new DenseStack(new int[]{4, 1}, new float[]{0.2f}, b, new Activation[]{I}),
                5, 2, false));
        list.add(new Case("one sample 3-8-4", new DenseStack(new int[]{3, 8, 4}, new float[]{0f, 0f}, b,
                new Activation[]{R, I}), 9, 1, true));
        // rows in several tiles (the native step runs about 40 rows at a time, whole datapoints): 30 points of 3
        list.add(new Case("tiled 6-12-1", new DenseStack(new int[]{6, 12, 1}, new float[]{0.05f, 0.1f}, b,
                new Activation[]{R, I}), 30, 3, false));
        // an input wider than 16 Philox counters (128 columns) of 16-bit draws
        list.add(new Case("wide input 137-9-1", new DenseStack(new int[]{137, 9, 1}, new float[]{0.05f, 0.05f}, b,
                new Activation[]{R, I}), 5, 2, false));
        return list;
    }

    static Stream<Arguments> nativeCases() {
        return Backends.supportedIsas().stream().flatMap(isa -> cases().stream().map(c -> Arguments.of(isa, c)));
    }

    /** Inputs, targets and parameters of one case. */
    record Problem(float[] params, float[] x, int[] labels, float[] y) {
    }

    private static Problem problem(Case c, long seed) {
        return problem(c.net(), c.batch(), c.categorical(), seed);
    }

    /** Random parameters (scaled by 1/sqrt(fan-in)), inputs, and labels or Gaussian targets. */
    static Problem problem(DenseStack net, int batch, boolean categorical, long seed) {
        Random random = new Random(seed);
        float[] params = new float[net.parameterCount()];
        for (int l = 0; l < net.layers(); l++) {
            double scale = 1.0 / Math.sqrt(net.size(l));
            for (int i = net.weightOffset(l); i < net.biasOffset(l); i++) {
                params[i] = (float) (random.nextGaussian() * scale);
            }
            for (int i = net.biasOffset(l); i < net.biasOffset(l) + net.size(l + 1); i++) {
                params[i] = (float) (0.1 * random.nextGaussian());
            }
        }
        float[] x = new float[batch * net.inputSize()];
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) random.nextGaussian();
        }
        int[] labels = null;
        float[] y = null;
        if (categorical) {
            labels = new int[batch];
            for (int n = 0; n < labels.length; n++) {
                labels[n] = random.nextInt(net.outputSize());
            }
        } else {
            y = new float[batch * net.outputSize()];
            for (int i = 0; i < y.length; i++) {
                y[i] = (float) random.nextGaussian();
            }
        }
        return new Problem(params, x, labels, y);
    }

    private record Step(double loss, float[] grads, float dLogTau) {
    }

    private static Step step(Kernels kernels, Case c, Problem p, float[] params, float alpha) {
        float[] grads = new float[c.net().parameterCount()];
        float[] dLogTau = new float[1];
        double loss = kernels.denseStep(c.net(), 0x5EEDL, 17, params, c.batch(), c.samples(), p.x(), p.labels(), p.y(),
                0.3f, alpha, grads, c.categorical() ? null : dLogTau);
        return new Step(loss, grads, dLogTau[0]);
    }

    @ParameterizedTest
    @MethodSource("nativeCases")
    void nativeStepEqualsTheReferenceComposition(Isa isa, Case c) {
        Problem p = problem(c, 11);
        try (NativeKernels kernels = new NativeKernels(1, isa)) {
            for (float alpha : new float[]{0f, 0.5f, 1f}) {
                Step expected = step(new JavaKernels(), c, p, p.params(), alpha);
                Step got = step(kernels, c, p, p.params(), alpha);
                String what = isa.label() + " " + c + " alpha " + alpha;
                assertEquals(expected.loss(), got.loss(), 1e-5 * Math.max(1, Math.abs(expected.loss())), what + " loss");
                double scale = 0;
                for (float g : expected.grads()) {
                    scale = Math.max(scale, Math.abs(g));
                }
                for (int i = 0; i < expected.grads().length; i++) {
                    assertEquals(expected.grads()[i], got.grads()[i], 1e-5 * scale + 1e-7, what + " grads[" + i + "]");
                }
                assertEquals(expected.dLogTau(), got.dLogTau(), 1e-5 * Math.max(1, Math.abs(expected.dLogTau())),
                        what + " dLogTau");
            }
        }
    }

    @ParameterizedTest
    @MethodSource("nativeCases")
    void gradientMatchesFiniteDifferences(Isa isa, Case c) {
        Problem p = problem(c, 23);
        float alpha = 0.5f;
        try (NativeKernels kernels = new NativeKernels(1, isa)) {
            Step base = step(kernels, c, p, p.params(), alpha);
            float[] params = p.params().clone();
            Random pick = new Random(5);
            for (int trial = 0; trial < 12; trial++) {
                int i = pick.nextInt(params.length);
                float saved = params[i];
                float h = 1e-2f;
                params[i] = saved + h;
                double plus = step(kernels, c, p, params, alpha).loss();
                params[i] = saved - h;
                double minus = step(kernels, c, p, params, alpha).loss();
                params[i] = saved;
                double fd = (plus - minus) / (2.0 * h);
                // a ReLU kink inside [-h, h] can bend the difference; the tolerance covers the curvature only
                assertEquals(fd, base.grads()[i], 2e-3 + 2e-2 * Math.abs(fd),
                        isa.label() + " " + c + " d loss / d params[" + i + "]");
            }
        }
    }

    @Test
    void bitIdenticalForAnyThreadCountAndBetweenAvx2AndAvx512() {
        List<Isa> isas = Backends.supportedIsas();
        for (Case c : cases()) {
            Problem p = problem(c, 31);
            Step avx2 = null;
            for (Isa isa : isas) {
                Step one;
                Step two;
                try (NativeKernels k1 = new NativeKernels(1, isa); NativeKernels k2 = new NativeKernels(2, isa)) {
                    one = step(k1, c, p, p.params(), 0.5f);
                    two = step(k2, c, p, p.params(), 0.5f);
                }
                assertEquals(one.loss(), two.loss(), 0.0, isa.label() + " " + c + " loss, 1 vs 2 threads");
                assertArrayEquals(one.grads(), two.grads(), 0f, isa.label() + " " + c + " grads, 1 vs 2 threads");
                if (isa == Isa.AVX2) {
                    avx2 = one;
                } else if (isa == Isa.AVX512 && avx2 != null) {
                    assertEquals(avx2.loss(), one.loss(), 0.0, c + " loss, avx2 vs avx512");
                    assertArrayEquals(avx2.grads(), one.grads(), 0f, c + " grads, avx2 vs avx512");
                }
            }
        }
    }

    @Test
    void nativeBackendFusesSmallNetworksOnly() {
        DenseStack uci = cases().get(0).net();
        DenseStack fashion = new DenseStack(new int[]{784, 100, 100, 10}, new float[]{0.5f, 0.5f, 0.5f},
                Dropout.Noise.BERNOULLI, new Activation[]{R, R, I});
        assertFalse(new JavaKernels().prefersDenseStep(uci, 32, 10), "the reference always composes its kernels");
        try (NativeKernels one = new NativeKernels(1); NativeKernels two = new NativeKernels(2)) {
            assertTrue(one.prefersDenseStep(uci, 32, 10));
            assertTrue(two.prefersDenseStep(uci, 32, 10), "the choice must not depend on the thread count");
            assertFalse(one.prefersDenseStep(fashion, 128, 10));
            one.setFusedDenseSteps(false);
            assertFalse(one.prefersDenseStep(uci, 32, 10));
        }
    }

    @Test
    void badArgumentsAreNamed() {
        Case c = cases().get(1);
        Problem p = problem(c, 3);
        DenseStack net = c.net();
        for (Kernels k : Backends.all().toList()) {
            float[] grads = new float[net.parameterCount()];
            IllegalArgumentException both = assertThrows(IllegalArgumentException.class, () -> k.denseStep(net, 1, 0,
                    p.params(), c.batch(), c.samples(), p.x(), p.labels(), new float[c.batch() * 3], 0f, 0.5f, grads, null));
            assertTrue(both.getMessage().contains("exactly one of labels"), both.getMessage());
            IllegalArgumentException shortParams = assertThrows(IllegalArgumentException.class, () -> k.denseStep(net, 1,
                    0, new float[3], c.batch(), c.samples(), p.x(), p.labels(), null, 0f, 0.5f, grads, null));
            assertTrue(shortParams.getMessage().startsWith("params.length = 3"), shortParams.getMessage());
            int[] bad = p.labels().clone();
            bad[2] = 3;
            IllegalArgumentException label = assertThrows(IllegalArgumentException.class, () -> k.denseStep(net, 1, 0,
                    p.params(), c.batch(), c.samples(), p.x(), bad, null, 0f, 0.5f, grads, null));
            assertTrue(label.getMessage().contains("labels[2] = 3"), label.getMessage());
            assertThrows(IllegalArgumentException.class, () -> k.denseStep(net, 1, 0, p.params(), c.batch(),
                    c.samples(), p.x(), p.labels(), null, 0f, 0.5f, p.params(), null), "grads aliasing params");
        }
        IllegalArgumentException deep = assertThrows(IllegalArgumentException.class, () -> new DenseStack(new int[]{3},
                new float[0], Dropout.Noise.BERNOULLI, new Activation[0]));
        assertTrue(deep.getMessage().startsWith("sizes must hold 2"), deep.getMessage());
        IllegalArgumentException noise = assertThrows(IllegalArgumentException.class, () -> new DenseStack(
                new int[]{3, 2}, new float[]{0.1f}, Dropout.Noise.DROPCONNECT, new Activation[]{I}));
        assertTrue(noise.getMessage().contains("got DROPCONNECT"), noise.getMessage());
        IllegalArgumentException rate = assertThrows(IllegalArgumentException.class, () -> new DenseStack(
                new int[]{3, 2}, new float[]{1f}, Dropout.Noise.BERNOULLI, new Activation[]{I}));
        assertTrue(rate.getMessage().contains("dropout[0] must be in [0, 1), got 1.0"), rate.getMessage());
    }
}

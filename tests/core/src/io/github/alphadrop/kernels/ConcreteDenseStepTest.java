package io.github.alphadrop.kernels;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
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
 * Concrete dropout's fused training step ({@link Kernels#denseStep} with {@link Dropout.Noise#CONCRETE}): every
 * native ISA against the Java reference (its per-layer kernels and masks), the weights' and the logits' gradients
 * against finite differences on both backends, the limit of a vanishing rate against the dropout-free step, and
 * misuse named.
 */
class ConcreteDenseStepTest {

    private static final Activation R = Activation.RELU;
    private static final Activation T = Activation.TANH;
    private static final Activation I = Activation.IDENTITY;
    private static final Dropout.Noise C = Dropout.Noise.CONCRETE;

    record Case(String name, DenseStack net, float[] logits, int batch, int samples, boolean categorical) {
        @Override
        public String toString() {
            return name;
        }
    }

    static List<Case> cases() {
        List<Case> list = new ArrayList<>();
        // the UCI model (one output: the dot-product forward and the dW^T row), rates 0.1 and 0.4
        list.add(new Case("uci 13-50-1", new DenseStack(new int[]{13, 50, 1}, new float[]{0.1f, 0.1f}, C,
                new Activation[]{R, I}), new float[]{-2.2f, -0.4f}, 8, 10, false));
        // smooth (tanh) classifier, widths off the 8-column padding and past a 16-column tile and 64-column batch
        list.add(new Case("classifier 70-20-17-3", new DenseStack(new int[]{70, 20, 17, 3}, new float[]{0.2f, 0.2f, 0.2f},
                C, new Activation[]{T, T, I}), new float[]{-1.0f, 0.3f, -3.0f}, 5, 3, true));
        // a single layer, K = 1
        list.add(new Case("linear 4-2", new DenseStack(new int[]{4, 2}, new float[]{0.3f}, C, new Activation[]{I}),
                new float[]{-0.8f}, 6, 1, false));
        return list;
    }

    static Stream<Arguments> nativeCases() {
        return Backends.supportedIsas().stream().flatMap(isa -> cases().stream().map(c -> Arguments.of(isa, c)));
    }

    private static DenseStepTest.Problem problem(Case c, long seed) {
        return DenseStepTest.problem(c.net(), c.batch(), c.categorical(), seed);
    }

    private record Step(double loss, float[] grads, float[] dLogits, float dLogTau) {
    }

    private static Step step(Kernels kernels, Case c, DenseStepTest.Problem p, float[] params, float[] logits, float alpha) {
        float[] grads = new float[c.net().parameterCount()];
        float[] dLogits = new float[c.net().layers()];
        float[] dLogTau = new float[1];
        double loss = kernels.denseStep(c.net(), 0x5EEDL, 17, params, logits, c.batch(), c.samples(), p.x(), p.labels(),
                p.y(), 0.3f, alpha, grads, c.categorical() ? null : dLogTau, dLogits);
        return new Step(loss, grads, dLogits, dLogTau[0]);
    }

    private static void assertClose(float[] expected, float[] actual, double relative, String what) {
        double scale = 0;
        for (float g : expected) {
            scale = Math.max(scale, Math.abs(g));
        }
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], actual[i], relative * scale + 1e-7, what + "[" + i + "]");
        }
    }

    @ParameterizedTest
    @MethodSource("nativeCases")
    void nativeStepEqualsTheJavaReference(Isa isa, Case c) {
        DenseStepTest.Problem p = problem(c, 11);
        try (NativeKernels kernels = new NativeKernels(1, isa)) {
            for (float alpha : new float[]{0f, 0.5f, 1f}) {
                Step expected = step(new JavaKernels(), c, p, p.params(), c.logits(), alpha);
                Step got = step(kernels, c, p, p.params(), c.logits(), alpha);
                String what = isa.label() + " " + c + " alpha " + alpha;
                assertEquals(expected.loss(), got.loss(), 1e-5 * Math.max(1, Math.abs(expected.loss())), what + " loss");
                assertClose(expected.grads(), got.grads(), 1e-5, what + " grads");
                assertClose(expected.dLogits(), got.dLogits(), 1e-4, what + " dLogits");
                assertEquals(expected.dLogTau(), got.dLogTau(), 1e-5 * Math.max(1, Math.abs(expected.dLogTau())),
                        what + " dLogTau");
            }
        }
    }

    static Stream<Arguments> everyBackendCase() {
        return Stream.concat(Stream.of((Kernels) new JavaKernels()), Backends.supportedIsas().stream()
                        .map(isa -> (Kernels) new NativeKernels(1, isa)))
                .flatMap(k -> cases().stream().map(c -> Arguments.of(k, c)));
    }

    /** The logits' gradients (the rates move the masks) and some weights', by central differences. */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("everyBackendCase")
    void gradientsMatchFiniteDifferences(Kernels kernels, Case c) {
        DenseStepTest.Problem p = problem(c, 23);
        float alpha = 0.5f;
        Step base = step(kernels, c, p, p.params(), c.logits(), alpha);
        float[] logits = c.logits().clone();
        for (int l = 0; l < logits.length; l++) {
            float saved = logits[l];
            float h = 1e-2f;
            logits[l] = saved + h;
            double plus = step(kernels, c, p, p.params(), logits, alpha).loss();
            logits[l] = saved - h;
            double minus = step(kernels, c, p, p.params(), logits, alpha).loss();
            logits[l] = saved;
            double fd = (plus - minus) / (2.0 * h);
            assertEquals(fd, base.dLogits()[l], 2e-3 + 3e-2 * Math.abs(fd),
                    kernels.name() + " " + c + " d loss / d logit[" + l + "]");
        }
        float[] params = p.params().clone();
        Random pick = new Random(5);
        for (int trial = 0; trial < 8; trial++) {
            int i = pick.nextInt(params.length);
            float saved = params[i];
            float h = 1e-2f;
            params[i] = saved + h;
            double plus = step(kernels, c, p, params, c.logits(), alpha).loss();
            params[i] = saved - h;
            double minus = step(kernels, c, p, params, c.logits(), alpha).loss();
            params[i] = saved;
            double fd = (plus - minus) / (2.0 * h);
            assertEquals(fd, base.grads()[i], 2e-3 + 2e-2 * Math.abs(fd),
                    kernels.name() + " " + c + " d loss / d params[" + i + "]");
        }
    }

    /**
     * A logit of -80 makes every mask exactly 1 (e^(-10ρ) overflows, the rate is 2e-35): the step is then the
     * dropout-free network's, computed by the Bernoulli step with p = 0, and the logits' gradients vanish.
     */
    @ParameterizedTest(autoCloseArguments = false)
    @MethodSource("everyBackendCase")
    void aVanishingRateIsTheDropoutFreeStep(Kernels kernels, Case c) {
        DenseStepTest.Problem p = problem(c, 31);
        float[] logits = new float[c.net().layers()];
        java.util.Arrays.fill(logits, -80f);
        Step concrete = step(kernels, c, p, p.params(), logits, 0.5f);
        DenseStack plain = new DenseStack(c.net().sizes(), new float[c.net().layers()], Dropout.Noise.BERNOULLI,
                c.net().activations());
        float[] grads = new float[plain.parameterCount()];
        double loss = kernels.denseStep(plain, 0x5EEDL, 17, p.params(), c.batch(), c.samples(), p.x(), p.labels(), p.y(),
                0.3f, 0.5f, grads, null);
        assertEquals(loss, concrete.loss(), 1e-6 * Math.max(1, Math.abs(loss)), kernels.name() + " " + c + " loss");
        assertClose(grads, concrete.grads(), 1e-5, kernels.name() + " " + c + " grads");
        for (float g : concrete.dLogits()) {
            assertEquals(0f, g, 1e-20f, kernels.name() + " " + c + " dLogits " + java.util.Arrays.toString(concrete.dLogits()));
        }
    }

    @Test
    void oneAndTwoThreadsGiveTheSameBits() {
        Case c = cases().get(0);
        DenseStepTest.Problem p = problem(c, 3);
        for (Isa isa : Backends.supportedIsas()) {
            try (NativeKernels one = new NativeKernels(1, isa); NativeKernels two = new NativeKernels(2, isa)) {
                Step a = step(one, c, p, p.params(), c.logits(), 0.5f);
                Step b = step(two, c, p, p.params(), c.logits(), 0.5f);
                assertEquals(a.loss(), b.loss(), 0.0, isa.label());
                assertArrayEquals(a.grads(), b.grads(), 0f, isa.label());
                assertArrayEquals(a.dLogits(), b.dLogits(), 0f, isa.label());
            }
        }
    }

    @Test
    void misuseIsNamed() {
        Case c = cases().get(0);
        DenseStepTest.Problem p = problem(c, 3);
        DenseStack bernoulli = new DenseStack(new int[]{13, 50, 1}, new float[]{0.1f, 0.1f}, Dropout.Noise.BERNOULLI,
                new Activation[]{R, I});
        for (Kernels k : Backends.all().toList()) {
            float[] grads = new float[c.net().parameterCount()];
            float[] dLogits = new float[2];
            IllegalArgumentException none = assertThrows(IllegalArgumentException.class, () -> k.denseStep(c.net(), 1L, 0,
                    p.params(), c.batch(), c.samples(), p.x(), null, p.y(), 0f, 0.5f, grads, null));
            assertTrue(none.getMessage().contains("needs dropLogits and dDropLogits"), none.getMessage());
            IllegalArgumentException extra = assertThrows(IllegalArgumentException.class, () -> k.denseStep(bernoulli, 1L, 0,
                    p.params(), c.logits(), c.batch(), c.samples(), p.x(), null, p.y(), 0f, 0.5f, grads, null, dLogits));
            assertTrue(extra.getMessage().contains("for CONCRETE networks only, got noise BERNOULLI"), extra.getMessage());
            IllegalArgumentException nan = assertThrows(IllegalArgumentException.class, () -> k.denseStep(c.net(), 1L, 0,
                    p.params(), new float[]{-1f, Float.NaN}, c.batch(), c.samples(), p.x(), null, p.y(), 0f, 0.5f, grads,
                    null, dLogits));
            assertTrue(nan.getMessage().startsWith("dropLogits[1]: ") && nan.getMessage().contains("got NaN"),
                    nan.getMessage());
            IllegalArgumentException shortLogits = assertThrows(IllegalArgumentException.class, () -> k.denseStep(c.net(),
                    1L, 0, p.params(), new float[]{-1f}, c.batch(), c.samples(), p.x(), null, p.y(), 0f, 0.5f, grads, null,
                    dLogits));
            assertTrue(shortLogits.getMessage().contains("dropLogits"), shortLogits.getMessage());
            IllegalArgumentException alias = assertThrows(IllegalArgumentException.class, () -> k.denseStep(c.net(), 1L, 0,
                    p.params(), c.logits(), c.batch(), c.samples(), p.x(), null, p.y(), 0f, 0.5f, grads, null, grads));
            assertTrue(alias.getMessage().contains("dDropLogits must not share"), alias.getMessage());
        }
        IllegalArgumentException dropConnect = assertThrows(IllegalArgumentException.class, () -> new DenseStack(
                new int[]{3, 2}, new float[]{0.1f}, Dropout.Noise.DROPCONNECT, new Activation[]{I}));
        assertTrue(dropConnect.getMessage().contains("got DROPCONNECT"), dropConnect.getMessage());
    }
}

package io.github.alphadrop.kernels;

import java.util.stream.Stream;

/**
 * The backends every kernel test runs against: the pure-Java reference and the native kernels of every
 * ISA level this machine supports, each forced in turn (a level the CPU lacks is left out; {@link
 * IsaCoverageTest} says which ran). The native backend must load in this build (it is part of it), so a
 * load failure fails the tests loudly.
 *
 * <p>One instance serves several parameterised cases, so the tests that use these say
 * {@code autoCloseArguments = false} (JUnit would close a {@link NativeKernels} after its first case); the
 * engines are freed when the instances become unreachable.
 */
final class Backends {

    private Backends() {
    }

    static Stream<Kernels> all() {
        return Stream.concat(Stream.of(new JavaKernels()), natives(2));
    }

    /**
     * One native backend of {@code threads} threads per ISA level this CPU supports, on the dense path, and
     * for every level with its own micro-kernel a second one forced onto the sparse path (zero terms skipped).
     */
    static Stream<NativeKernels> natives(int threads) {
        return supportedIsas().stream().flatMap(isa -> {
            NativeKernels dense = new NativeKernels(threads, isa);
            dense.setSparseMode(NativeKernels.SparseMode.NEVER);
            if (isa == Isa.BASELINE) {
                return Stream.of(dense);
            }
            NativeKernels sparse = new NativeKernels(threads, isa);
            sparse.setSparseMode(NativeKernels.SparseMode.ALWAYS);
            return Stream.of(dense, sparse);
        });
    }

    static java.util.List<Isa> supportedIsas() {
        Isa best = NativeKernels.bestIsa();
        return java.util.Arrays.stream(Isa.values()).filter(isa -> isa.compareTo(best) <= 0).toList();
    }
}

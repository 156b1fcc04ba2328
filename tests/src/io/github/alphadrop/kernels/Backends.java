package io.github.alphadrop.kernels;

import java.util.stream.Stream;

/**
 * The backends every kernel test runs against: the pure-Java reference and the native kernels. The
 * native backend must load in this build (it is part of it), so a load failure fails the tests loudly.
 */
final class Backends {

    private Backends() {
    }

    static Stream<Kernels> all() {
        return Stream.of(new JavaKernels(), new NativeKernels(2));
    }
}

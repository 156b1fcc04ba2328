package io.github.alphadrop.kernels;

import java.util.stream.Stream;

/** The backends every kernel test runs against; the native backend joins here once it builds. */
final class Backends {

    private Backends() {
    }

    static Stream<Kernels> all() {
        return Stream.of(new JavaKernels());
    }
}

package io.github.alphadrop.kernels;

import java.util.stream.Stream;

/** Public entry to the backends under test, for tests outside this package. */
public final class TestBackends {

    private TestBackends() {
    }

    public static Stream<Kernels> all() {
        return Backends.all();
    }
}

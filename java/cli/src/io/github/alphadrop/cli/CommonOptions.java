package io.github.alphadrop.cli;

import io.github.alphadrop.kernels.Backend;
import io.github.alphadrop.kernels.Kernels;
import picocli.CommandLine.Option;

/** Options every command takes. */
final class CommonOptions {

    @Option(names = "--json", description = "Print one JSON object on stdout (snake_case keys) and no progress bar.")
    boolean json;

    @Option(names = "--verbose", description = "Print stack traces on errors.")
    boolean verbose;

    @Option(names = "--threads", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "Compute threads (default: all ${sys:alphadrop.cores:-available} cores). One pool owns them; OpenBLAS runs single-threaded inside it.")
    Integer threads;

    @Option(names = "--backend", paramLabel = "native|java|auto", defaultValue = "auto",
            description = "Kernel backend (default: ${DEFAULT-VALUE}: native when it loads, else the pure-Java reference).")
    String backend;

    Kernels kernels() {
        int n = threads == null ? Backend.defaultThreads() : threads;
        return Backend.create(backend, n);
    }

    /** Human-readable output goes to stdout only without --json. */
    void say(String format, Object... args) {
        if (!json) {
            System.out.printf(java.util.Locale.ROOT, format + "%n", args);
        }
    }
}

package io.github.alphadrop.kernels;

import java.util.Locale;

/**
 * Chooses a {@link Kernels} backend by name: {@code native} (C++ on OpenBLAS) or {@code java} (the pure-Java
 * reference). {@code auto} takes native when it loads and says on stderr why it fell back otherwise.
 * The system property {@code alphadrop.backend} overrides {@code auto}.
 */
public final class Backend {

    private Backend() {
    }

    /**
     * @param name    {@code native}, {@code java} or {@code auto}
     * @param threads compute threads for the native backend (the Java backend is single-threaded)
     */
    public static Kernels create(String name, int threads) {
        if (threads < 1) {
            throw new IllegalArgumentException("threads must be >= 1, got " + threads);
        }
        String choice = name == null ? "auto" : name.toLowerCase(Locale.ROOT);
        if (choice.equals("auto")) {
            choice = System.getProperty("alphadrop.backend", "auto").toLowerCase(Locale.ROOT);
        }
        switch (choice) {
            case "native":
                return new NativeKernels(threads);
            case "java":
                return new JavaKernels();
            case "auto":
                if (NativeKernels.isAvailable()) {
                    return new NativeKernels(threads);
                }
                System.err.println("alphadrop: native kernels unavailable (" + NativeKernels.loadFailure()
                        + "); using the pure-Java backend");
                return new JavaKernels();
            default:
                throw new IllegalArgumentException("backend must be native, java or auto, got '" + name + "'");
        }
    }

    /** The default thread count: all available processors. */
    public static int defaultThreads() {
        return Runtime.getRuntime().availableProcessors();
    }
}

package io.github.alphadrop.kernels;

import java.util.Locale;

/**
 * The instruction-set levels the native kernels are compiled for; an engine runs the kernels of exactly
 * one. Ordered: a CPU that runs a level runs every lower one.
 */
public enum Isa {
    /** x86-64-v2 (SSE4.2, no AVX): runs on any x86-64 CPU; products through OpenBLAS. */
    BASELINE(0),
    /** AVX2 + FMA (x86-64-v3): own 6x16 micro-kernel. */
    AVX2(1),
    /** AVX-512 F, BW, VL, DQ, CD (x86-64-v4): own 14x32 micro-kernel. */
    AVX512(2);

    /** The environment variable that caps the ISA of the default native backend. */
    public static final String ENV = "ALPHADROP_ISA";
    /** The system property that does the same (and wins over the environment variable). */
    public static final String PROPERTY = "alphadrop.isa";

    /** The code shared with {@code native/include/alphadrop/kernels.h}. */
    final int code;

    Isa(int code) {
        this.code = code;
    }

    /** The lower-case name used by {@link #ENV}, {@link #PROPERTY} and {@code alphadrop info}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    static Isa fromCode(int code) {
        for (Isa isa : values()) {
            if (isa.code == code) {
                return isa;
            }
        }
        throw new IllegalStateException("unknown ISA code " + code + " from the native library");
    }

    /**
     * Parses {@code baseline}, {@code avx2} or {@code avx512} (any case); {@code what} names the source in the
     * error, e.g. {@code "ALPHADROP_ISA"}.
     */
    public static Isa parse(String value, String what) {
        String v = value.trim().toLowerCase(Locale.ROOT);
        for (Isa isa : values()) {
            if (isa.label().equals(v)) {
                return isa;
            }
        }
        throw new IllegalArgumentException(what + " must be baseline, avx2, avx512 or auto, got '" + value + "'");
    }

    /**
     * The cap asked for through {@link #PROPERTY} or, without it, {@link #ENV}; null when neither is set (or
     * set to {@code auto}): then the best level the CPU supports is used.
     */
    public static Isa requested() {
        String property = System.getProperty(PROPERTY);
        if (property != null && !property.isBlank()) {
            return property.trim().equalsIgnoreCase("auto") ? null : parse(property, "system property " + PROPERTY);
        }
        String env = System.getenv(ENV);
        if (env != null && !env.isBlank()) {
            return env.trim().equalsIgnoreCase("auto") ? null : parse(env, "environment variable " + ENV);
        }
        return null;
    }
}

package io.github.alphadrop.kernels;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.*;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Which ISA the native engine runs, checked against what Linux says the CPU has, and the override that
 * caps it. The kernel tests themselves run under every supported ISA through {@link Backends}.
 */
class IsaCoverageTest {

    @AfterEach
    void clearProperty() {
        System.clearProperty(Isa.PROPERTY);
    }

    /** The CPU flags Linux reports, or null off Linux. */
    private static Set<String> cpuFlags() throws IOException {
        Path cpuinfo = Path.of("/proc/cpuinfo");
        if (!Files.isReadable(cpuinfo)) {
            return null;
        }
        return Files.readAllLines(cpuinfo).stream().filter(l -> l.startsWith("flags")).findFirst()
                .map(l -> Arrays.stream(l.substring(l.indexOf(':') + 1).trim().split("\\s+")).collect(Collectors.toSet()))
                .orElse(null);
    }

    @Test
    void bestIsaAgreesWithTheKernelsView() throws IOException {
        Set<String> flags = cpuFlags();
        assumeTrue(flags != null, "no /proc/cpuinfo flags line to compare with");
        // LZCNT ("abm") is not asked of /proc/cpuinfo: an AMD Zen 5 guest listed no "abm" while CPUID reported
        // LZCNT (and the CPU executes it); every AVX2 CPU has it.
        boolean avx2 = flags.containsAll(Set.of("avx", "avx2", "fma", "bmi1", "bmi2", "f16c", "movbe"));
        boolean avx512 = avx2 && flags.containsAll(Set.of("avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"));
        Isa expected = avx512 ? Isa.AVX512 : avx2 ? Isa.AVX2 : Isa.BASELINE;
        assertEquals(expected, NativeKernels.bestIsa(), NativeKernels.isaReport());
        assertTrue(NativeKernels.isaReport().startsWith(expected.label()), NativeKernels.isaReport());
    }

    @ParameterizedTest
    @EnumSource(Isa.class)
    void eachLevelRunsItsOwnMicroKernel(Isa isa) {
        assumeTrue(isa.compareTo(NativeKernels.bestIsa()) <= 0,
                () -> "this CPU has no " + isa.label() + ": " + NativeKernels.isaReport());
        String expected = switch (isa) {
            case BASELINE -> "openblas_sgemm";
            case AVX2 -> "f32_gemm_6x16_avx2";
            case AVX512 -> "f32_gemm_14x32_avx512";
        };
        try (NativeKernels kernels = new NativeKernels(1, isa)) {
            assertEquals(isa, kernels.isa());
            assertEquals(expected, kernels.gemmUkernel());
            String emitter = switch (isa) {
                case BASELINE -> "philox4x32_10_x16_portable";
                case AVX2 -> "philox4x32_10_x16_avx2";
                case AVX512 -> "philox4x32_10_x16_avx512";
            };
            assertEquals(emitter, kernels.maskEmitter());
            assertTrue(kernels.fmaPeakGflops(0.02) > 0);
        }
    }

    @Test
    void aLevelTheCpuLacksIsAClearError() {
        Isa best = NativeKernels.bestIsa();
        assumeTrue(best != Isa.AVX512, "this CPU runs every level, so none can be refused");
        Isa above = Isa.values()[best.ordinal() + 1];
        UnsupportedOperationException e = assertThrows(UnsupportedOperationException.class,
                () -> new NativeKernels(1, above));
        assertTrue(e.getMessage().contains(above.label()), e.getMessage());
        System.setProperty(Isa.PROPERTY, above.label());
        e = assertThrows(UnsupportedOperationException.class, NativeKernels::defaultIsa);
        assertTrue(e.getMessage().contains(above.label()) && e.getMessage().contains(Isa.ENV), e.getMessage());
    }

    @Test
    void thePropertyCapsTheDefaultIsa() {
        System.setProperty(Isa.PROPERTY, "baseline");
        assertEquals(Isa.BASELINE, NativeKernels.defaultIsa());
        try (NativeKernels kernels = new NativeKernels(1)) {
            assertEquals(Isa.BASELINE, kernels.isa());
        }
        assertTrue(NativeKernels.defaultIsaReason().contains(Isa.PROPERTY), NativeKernels.defaultIsaReason());
        System.setProperty(Isa.PROPERTY, "AUTO");
        assertEquals(NativeKernels.bestIsa(), NativeKernels.defaultIsa());
        System.setProperty(Isa.PROPERTY, "avx9");
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, NativeKernels::defaultIsa);
        assertTrue(e.getMessage().contains(Isa.PROPERTY) && e.getMessage().contains("'avx9'"), e.getMessage());
    }
}

package io.github.alphadrop.cli;

import io.github.alphadrop.kernels.Backend;
import io.github.alphadrop.kernels.Isa;
import io.github.alphadrop.kernels.NativeKernels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import io.github.alphadrop.kernels.CpuModel;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code alphadrop info}: which native code runs on this machine, and why. */
@Command(name = "info", mixinStandardHelpOptions = true,
        footer = {"", "Examples:", "  ./alphadrop info", "  ./alphadrop info --json --peak"},
        description = "Print the library version, the CPU, the ISA the native kernels run and why, the thread count and the OpenBLAS build.")
final class InfoCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Option(names = "--peak", description = "Also measure the single-thread FMA peak (GFLOP/s) of the chosen ISA (1 s).")
    boolean peak;

    @Override
    public Integer call() {
        int n = common.threads == null ? Backend.defaultThreads() : common.threads;
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("version", new Main.Version().getVersion()[0].replace("alphadrop ", ""));
        m.put("cpu", CpuModel.describe());
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("native_available", NativeKernels.isAvailable());
        if (!NativeKernels.isAvailable()) {
            m.put("native_error", String.valueOf(NativeKernels.loadFailure()));
        } else {
            m.put("native_version", NativeKernels.version());
            m.put("best_isa", NativeKernels.bestIsa().label());
            String override = System.getProperty(Isa.PROPERTY) != null ? System.getProperty(Isa.PROPERTY) : System.getenv(Isa.ENV);
            m.put("isa_override", override);
            try (NativeKernels kernels = new NativeKernels(n)) {
                m.put("isa", kernels.isa().label());
                m.put("isa_reason", NativeKernels.defaultIsaReason());
                m.put("threads", kernels.threads());
                m.put("gemm_ukernel", kernels.gemmUkernel());
                m.put("mask_emitter", kernels.maskEmitter());
                m.put("rowgemm_ukernel", kernels.rowGemmUkernel());
                m.put("fused_dense_steps", kernels.fusedDenseSteps());
                if (peak) {
                    m.put("fma_peak_gflops_per_core", kernels.fmaPeakGflops(1.0));
                }
            }
            m.put("openblas", NativeKernels.openblasConfig());
        }
        if (common.json) {
            System.out.println(Json.write(m));
        } else {
            m.forEach((k, v) -> System.out.printf(java.util.Locale.ROOT, "%-26s %s%n", k,
                    v instanceof Double d ? String.format(java.util.Locale.ROOT, "%.1f", d) : v));
        }
        return 0;
    }

}

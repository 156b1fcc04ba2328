package io.github.alphadrop.kernels;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/** The CPU a measurement ran on, as every reported figure names it. */
public final class CpuModel {

    private CpuModel() {
    }

    /**
     * "model name (family F, model M)" of the first CPU in /proc/cpuinfo, or the JVM's os.arch where there is
     * none. A virtual machine's model name (e.g. a bare "AMD EPYC") does not tell Zen 4 (AVX-512 on 256-bit
     * units, family 25) from Zen 5 (512-bit units, family 26); family and model do.
     */
    public static String describe() {
        try {
            Path cpuinfo = Path.of("/proc/cpuinfo");
            if (Files.isReadable(cpuinfo)) {
                return describe(Files.readAllLines(cpuinfo));
            }
        } catch (IOException | RuntimeException e) {
            // informative only: fall back below
        }
        return System.getProperty("os.arch");
    }

    static String describe(List<String> cpuinfo) {
        String name = null, family = null, model = null;
        for (String line : cpuinfo) {
            String value = line.substring(line.indexOf(':') + 1).trim();
            if (name == null && line.startsWith("model name")) {
                name = value;
            } else if (family == null && line.startsWith("cpu family")) {
                family = value;
            } else if (model == null && line.matches("^model\\s*:.*")) {
                model = value;
            }
        }
        if (name == null) {
            return System.getProperty("os.arch");
        }
        return family == null || model == null ? name : name + " (family " + family + ", model " + model + ")";
    }
}

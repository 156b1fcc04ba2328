package io.github.alphadrop.benchmarks;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Peak resident memory of this process, from Linux's {@code /proc/self/status}.
 *
 * <p>{@link #reset()} writes 5 to {@code /proc/self/clear_refs}, which resets the kernel's high-water mark
 * (VmHWM) to the current resident size. Resetting just before a timed section makes VmHWM afterwards the peak
 * of that section: it still counts everything resident at its start (the loaded data, the JVM's heap), but not
 * the transient peaks of data loading or warmup. The PyTorch peer measures the same way, so the two numbers
 * compare like for like.
 */
final class PeakMemory {

    private static final Path STATUS = Path.of("/proc/self/status");
    private static final Path CLEAR_REFS = Path.of("/proc/self/clear_refs");

    private PeakMemory() {
    }

    /** Resets the high-water mark; false if the kernel or a sandbox does not allow it (VmHWM is then the process peak). */
    static boolean reset() {
        try {
            Files.writeString(CLEAR_REFS, "5");
            return true;
        } catch (IOException | SecurityException e) {
            return false;
        }
    }

    /** VmHWM in MiB, or NaN when there is no {@code /proc} (not Linux). */
    static double peakMib() {
        return field("VmHWM:");
    }

    /** VmRSS in MiB, or NaN when there is no {@code /proc}. */
    static double currentMib() {
        return field("VmRSS:");
    }

    private static double field(String name) {
        try {
            for (String line : Files.readAllLines(STATUS)) {
                if (line.startsWith(name)) {
                    // "VmHWM:    123456 kB"
                    String[] parts = line.substring(name.length()).trim().split("\\s+");
                    return Long.parseLong(parts[0]) / 1024.0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // fall through: reported as NaN, which the JSON writes as null
        }
        return Double.NaN;
    }
}

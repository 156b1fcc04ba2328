package io.github.alphadrop.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * A one-line progress bar with ETA on stderr, shown only when the process has a terminal and output is
 * not JSON, so pipes and logs stay clean.
 */
final class Progress {

    private final PrintStream out;
    private final boolean enabled;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private long lastDraw;

    Progress(String label, long total, boolean json) {
        this.out = System.err;
        this.enabled = !json && System.console() != null && total > 0;
        this.label = label;
        this.total = total;
    }

    /** Reports that {@code done} of {@code total} units are finished, with an optional note (e.g. the loss). */
    void update(long done, String note) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        if (done < total && now - lastDraw < 100_000_000L) {
            return; // at most ten redraws a second
        }
        lastDraw = now;
        double elapsed = (now - start) / 1e9;
        double fraction = Math.min(1.0, (double) done / total);
        double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : Double.NaN;
        int width = 30;
        int filled = (int) Math.round(fraction * width);
        String bar = "#".repeat(filled) + "-".repeat(width - filled);
        out.printf(Locale.ROOT, "\r%s [%s] %3.0f%% %s ETA %s%s", label, bar, 100 * fraction,
                time(elapsed), Double.isNaN(eta) ? "?" : time(eta), note == null ? "" : "  " + note);
        out.flush();
    }

    /** Ends the bar's line. */
    void finish() {
        if (enabled) {
            update(total, null);
            out.println();
        }
    }

    private static String time(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}

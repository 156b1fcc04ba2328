package io.github.alphadrop.cli;

import java.io.PrintStream;
import java.util.Locale;

/**
 * Progress with ETA on stderr, never with {@code --json}. On a terminal it is a one-line bar redrawn in
 * place; without one (output to a log file, a CI job) it is a plain line every half minute, so long runs
 * still show that they are alive without filling the log with carriage returns.
 */
final class Progress {

    private final PrintStream out;
    private final boolean enabled;
    private final boolean terminal;
    private final String label;
    private final long total;
    private final long start = System.nanoTime();
    private long lastDraw;

    Progress(String label, long total, boolean json) {
        this.out = System.err;
        this.enabled = !json && total > 0;
        this.terminal = System.console() != null;
        this.lastDraw = terminal ? 0 : start; // in a log, the first line comes after the first interval
        this.label = label;
        this.total = total;
    }

    /** Reports that {@code done} of {@code total} units are finished, with an optional note (e.g. the loss). */
    void update(long done, String note) {
        update(done, () -> note);
    }

    /** As {@link #update(long, String)}, the note built only when a line is drawn (callers per training step). */
    void update(long done, java.util.function.Supplier<String> note) {
        if (!enabled) {
            return;
        }
        long now = System.nanoTime();
        long interval = terminal ? 100_000_000L : 30_000_000_000L; // ten redraws a second, or a line per 30 s
        if (done < total && now - lastDraw < interval) {
            return;
        }
        if (!terminal && done >= total) {
            return; // the caller's own summary line follows
        }
        lastDraw = now;
        String text = note.get();
        double elapsed = (now - start) / 1e9;
        double fraction = Math.min(1.0, (double) done / total);
        double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : Double.NaN;
        int width = 30;
        int filled = (int) Math.round(fraction * width);
        String bar = "#".repeat(filled) + "-".repeat(width - filled);
        out.printf(Locale.ROOT, "%s%s [%s] %3.0f%% %s ETA %s%s%s", terminal ? "\r" : "", label, bar, 100 * fraction,
                time(elapsed), Double.isNaN(eta) ? "?" : time(eta), text == null ? "" : "  " + text,
                terminal ? "" : System.lineSeparator());
        out.flush();
    }

    /** Ends the bar's line. */
    void finish() {
        if (enabled && terminal) {
            update(total, (String) null);
            out.println();
        }
    }

    private static String time(double seconds) {
        long s = Math.round(seconds);
        return s >= 3600 ? String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, s / 60 % 60, s % 60)
                : String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
}

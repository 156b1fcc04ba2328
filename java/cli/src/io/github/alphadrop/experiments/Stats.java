package io.github.alphadrop.experiments;

/** The summary statistics of a benchmark table: mean and standard error over splits. */
public final class Stats {

    private Stats() {
    }

    /** Arithmetic mean; NaN for no values. */
    public static double mean(double[] values) {
        if (values.length == 0) {
            return Double.NaN;
        }
        double sum = 0;
        for (double v : values) {
            sum += v;
        }
        return sum / values.length;
    }

    /**
     * Standard error of the mean, {@code s / sqrt(n)} with the sample standard deviation {@code s}
     * (divisor n - 1). NaN for fewer than two values: one split says nothing about the spread, and
     * printing 0 would claim a precision we do not have. (PBP-style scripts divide by n instead; over
     * 20 splits that is a factor sqrt(19/20) = 0.97, below the table's rounding in most rows.)
     */
    public static double standardError(double[] values) {
        int n = values.length;
        if (n < 2) {
            return Double.NaN;
        }
        double m = mean(values);
        double ss = 0;
        for (double v : values) {
            double d = v - m;
            ss += d * d; // two passes: no cancellation when |mean| >> spread (naval's RMSE ~ 0.001)
        }
        return Math.sqrt(ss / (n - 1)) / Math.sqrt(n);
    }
}

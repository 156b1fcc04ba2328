package io.github.alphadrop.experiments;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The published yardstick: Li &amp; Gal (2017), Table 1 (negative test log-likelihood) and Table 2 (test
 * RMSE) for dropout with α = 0, 0.5 and 1, as transcribed in issue 5. Where that transcription gives no
 * standard error the value is NaN (not 0: we do not know it).
 */
public final class PaperResults {

    /** The α values the paper reports. */
    public static final float[] ALPHAS = {0f, 0.5f, 1f};

    /** How far above the paper's test NLL (nats) a result still matches it. */
    public static final double NLL_MARGIN = 0.15;

    /** How far above the paper's test RMSE (a fraction of it) a result still matches it. */
    public static final double RMSE_MARGIN = 0.10;

    /**
     * One line per set: folder name, short name, then for α = 0, 0.5, 1 the NLL as {@code mean±se}, then
     * likewise the RMSE. Kept as text so it can be checked against the paper line by line.
     */
    private static final String TABLE = """
            bostonHousing              boston   2.42±.05 2.38±.06 2.50±.10  2.85±.19 2.97±.19 3.04±.17
            concrete                   concrete 2.98±.02 2.88±.02 2.96±.03  4.92±.13 4.62±.12 4.76±.15
            kin8nm                     kin8nm   -0.83    -1.03    -1.10     0.09     0.09     0.08
            naval-propulsion-plant     naval    -2.80    -2.80    -2.80     0.01     0.01     0.01
            power-plant                power    2.79±.01 2.78±.01 2.76      4.04±.04 4.01±.04 3.98±.04
            protein-tertiary-structure protein  2.87     2.87     2.86      4.28±.02 4.28±.04 4.23±.01
            wine-quality-red           wine     0.92±.01 0.92±.01 0.95±.02  0.61±.01 0.62±.01 0.63±.01
            """;

    /**
     * The paper's numbers for one set.
     *
     * @param set   the folder name
     * @param label the paper's short name
     * @param nll   NLL per α of {@link #ALPHAS}
     * @param nllSe its standard error (NaN where not printed)
     * @param rmse  RMSE per α
     * @param rmseSe its standard error (NaN where not printed)
     */
    public record Row(String set, String label, double[] nll, double[] nllSe, double[] rmse, double[] rmseSe) {

        public Row {
            nll = nll.clone();
            nllSe = nllSe.clone();
            rmse = rmse.clone();
            rmseSe = rmseSe.clone();
        }

        /** Index into the arrays for {@code alpha}, or -1 if the paper has no column for it. */
        /** The acceptance rule: test NLL within 0.15 nats of the paper's, or lower. */
        public boolean nllHolds(int column, double ours) {
            return ours <= nll[column] + NLL_MARGIN;
        }

        /** The acceptance rule: test RMSE within 10 % of the paper's, or lower. */
        public boolean rmseHolds(int column, double ours) {
            return ours <= rmse[column] * (1 + RMSE_MARGIN);
        }

        public static int column(float alpha) {
            for (int i = 0; i < ALPHAS.length; i++) {
                if (ALPHAS[i] == alpha) {
                    return i;
                }
            }
            return -1;
        }
    }

    private static final Map<String, Row> ROWS = parse();

    private PaperResults() {
    }

    /**
     * The paper's row for a set, looked up by folder name or short name (case-insensitive); empty for a
     * set the paper did not run.
     */
    public static Optional<Row> forSet(String name) {
        return name == null ? Optional.empty() : Optional.ofNullable(ROWS.get(name.toLowerCase(Locale.ROOT)));
    }

    private static Map<String, Row> parse() {
        Map<String, Row> rows = new HashMap<>();
        for (String line : TABLE.strip().split("\n")) {
            String[] f = line.trim().split("\\s+");
            if (f.length != 8) {
                throw new IllegalStateException("paper table line needs 8 fields: " + line);
            }
            double[][] nll = cells(f, 2);
            double[][] rmse = cells(f, 5);
            Row row = new Row(f[0], f[1], nll[0], nll[1], rmse[0], rmse[1]);
            rows.put(f[0].toLowerCase(Locale.ROOT), row);
            rows.put(f[1].toLowerCase(Locale.ROOT), row);
        }
        return Map.copyOf(rows);
    }

    /** Three {@code mean[±se]} cells from {@code f[from]}: {means, standard errors}. */
    private static double[][] cells(String[] f, int from) {
        double[][] out = new double[2][3];
        for (int i = 0; i < 3; i++) {
            String[] parts = f[from + i].split("±");
            out[0][i] = Double.parseDouble(parts[0]);
            out[1][i] = parts.length > 1 ? Double.parseDouble(parts[1]) : Double.NaN;
        }
        return out;
    }
}

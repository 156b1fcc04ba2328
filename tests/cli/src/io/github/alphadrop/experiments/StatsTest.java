package io.github.alphadrop.experiments;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Summary statistics against values worked out by hand. */
class StatsTest {

    @Test
    void meanAndStandardErrorByHand() {
        double[] v = {1, 2, 3, 4};
        assertEquals(2.5, Stats.mean(v));
        // deviations ±1.5, ±0.5: squares sum to 5; sample variance 5/3; se = sqrt(5/3)/sqrt(4) = 0.6454972...
        assertEquals(0.6454972243679028, Stats.standardError(v), 1e-15);
        assertEquals(0.0, Stats.standardError(new double[]{7, 7, 7}));
    }

    @Test
    void standardErrorOfOneValueIsUnknownNotZero() {
        assertTrue(Double.isNaN(Stats.standardError(new double[]{3})));
        assertTrue(Double.isNaN(Stats.mean(new double[0])));
    }

    @Test
    void noCancellationForLargeMeans() {
        // E[x²] - E[x]² would lose everything here; the two-pass form keeps it.
        double[] v = {1e9 + 1, 1e9 + 2, 1e9 + 3, 1e9 + 4};
        assertEquals(0.6454972243679028, Stats.standardError(v), 1e-9);
    }

    @Test
    void summaryGroupsByAlpha() {
        List<SplitResult> results = List.of(
                result(0.5f, 0, 2.0, 3.0, 10),
                result(0f, 0, 2.5, 3.5, 20),
                result(0.5f, 1, 2.2, 2.0, 30),
                result(0.5f, 2, 2.4, 1.0, 50),
                result(0f, 1, 2.7, 3.9, 40));
        List<UciSummary> rows = UciSummary.of(results);
        assertEquals(2, rows.size());
        UciSummary a0 = rows.get(0);
        assertEquals(0f, a0.alpha());
        assertEquals(2, a0.splits());
        assertEquals(2.6, a0.nllMean(), 1e-12);
        assertEquals(0.1, a0.nllSe(), 1e-12); // two values: half their distance
        assertEquals(3.7, a0.rmseMean(), 1e-12);
        assertEquals(0.2, a0.rmseSe(), 1e-12);
        assertEquals(30, a0.secondsPerSplit(), 1e-12);
        UciSummary a5 = rows.get(1);
        assertEquals(0.5f, a5.alpha());
        assertEquals(3, a5.splits());
        assertEquals(2.2, a5.nllMean(), 1e-12);
        // nll 2.0, 2.2, 2.4: deviations ±0.2, 0: sample variance 0.08/2 = 0.04; se = 0.2/sqrt(3)
        assertEquals(0.2 / Math.sqrt(3), a5.nllSe(), 1e-12);
        assertEquals(2.0, a5.rmseMean(), 1e-12);
        assertEquals(1 / Math.sqrt(3), a5.rmseSe(), 1e-12); // rmse 3, 2, 1: sample variance 1
        assertEquals(30, a5.secondsPerSplit(), 1e-12);
    }

    private static SplitResult result(float alpha, int split, double nll, double rmse, double seconds) {
        return new SplitResult("t", split, alpha, 0.05f, new double[0], 10, 5, rmse, nll, 1, 0, seconds, seconds, new float[0], Double.NaN);
    }
}

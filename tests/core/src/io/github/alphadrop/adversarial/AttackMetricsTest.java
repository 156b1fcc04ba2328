package io.github.alphadrop.adversarial;

import io.github.alphadrop.predict.ClassPredictions;
import org.junit.jupiter.api.Test;

import java.util.SplittableRandom;

import static org.junit.jupiter.api.Assertions.*;

class AttackMetricsTest {

    @Test
    void rocAucOfHandComputedCases() {
        assertEquals(1.0, AttackMetrics.rocAuc(new double[]{0.1, 0.2}, new double[]{0.3, 0.9}), 0);
        assertEquals(0.0, AttackMetrics.rocAuc(new double[]{0.5, 0.6}, new double[]{0.1, 0.2}), 0);
        assertEquals(0.5, AttackMetrics.rocAuc(new double[]{0, 0, 0}, new double[]{0, 0}), 0, "all tied");
        // Positive 0.4 against the negatives: beats 0.1 and 0.35, ties 0.4, loses to 0.8 -> 2.5 of 4;
        // positive 0.9 beats all four -> 4. AUC = 6.5 / 8.
        assertEquals(0.8125, AttackMetrics.rocAuc(new double[]{0.1, 0.4, 0.35, 0.8}, new double[]{0.4, 0.9}), 1e-15);
        // One positive tied with one of two negatives, above the other: (1 + 0.5) / 2.
        assertEquals(0.75, AttackMetrics.rocAuc(new double[]{1, 2}, new double[]{2}), 1e-15);
        assertThrows(IllegalArgumentException.class, () -> AttackMetrics.rocAuc(new double[0], new double[]{1}));
        assertThrows(IllegalArgumentException.class, () -> AttackMetrics.rocAuc(new double[]{Double.NaN}, new double[]{1}));
    }

    @Test
    void rocAucAgreesWithCountingEveryPairOnHeavilyTiedData() {
        SplittableRandom r = new SplittableRandom(5);
        double[] neg = new double[57];
        double[] pos = new double[31];
        for (int i = 0; i < neg.length; i++) {
            neg[i] = r.nextInt(6);
        }
        for (int i = 0; i < pos.length; i++) {
            pos[i] = r.nextInt(8);
        }
        double pairs = 0;
        for (double p : pos) {
            for (double q : neg) {
                pairs += p > q ? 1 : p == q ? 0.5 : 0;
            }
        }
        assertEquals(pairs / (pos.length * neg.length), AttackMetrics.rocAuc(neg, pos), 1e-12);
    }

    @Test
    void meanAndStandardError() {
        AttackMetrics.MeanSe m = AttackMetrics.meanSe(new float[]{1, 2, 3, 4});
        assertEquals(2.5, m.mean(), 1e-12);
        assertEquals(Math.sqrt(5.0 / 3) / 2, m.se(), 1e-12);
        assertEquals(0, AttackMetrics.meanSe(new float[]{7}).se());
    }

    /**
     * Seven inputs: four at confidence 0.95 with three right (bin 15, gap 0.2), two at 0.5 with one right
     * (bin 8, gap 0), one wrong at 0.3 (bin 5, gap 0.3). ECE = (4·0.2 + 2·0 + 1·0.3) / 7 = 1.1 / 7.
     */
    @Test
    void expectedCalibrationErrorOfAHandComputedCase() {
        double[] conf = {0.95, 0.95, 0.95, 0.95, 0.5, 0.5, 0.3};
        boolean[] hit = {true, true, true, false, true, false, false};
        AttackMetrics.Calibration c = AttackMetrics.calibration(conf, hit, 15);
        assertEquals(1.1 / 7, c.ece(), 1e-12);
        assertEquals(15, c.bins().length);
        AttackMetrics.Bin top = c.bins()[14];
        assertEquals(4, top.count());
        assertEquals(0.75, top.accuracy(), 1e-12);
        assertEquals(0.95, top.confidence(), 1e-12);
        assertEquals(2, c.bins()[7].count());
        assertEquals(1, c.bins()[4].count());
        assertEquals(0, c.bins()[0].count());
        assertTrue(Double.isNaN(c.bins()[0].accuracy()));
        assertEquals(14.0 / 15, top.lower(), 1e-12);
        assertEquals(1.0, top.upper(), 1e-12);
        // Confidence 1 falls in the last bin, 0 in the first.
        assertEquals(1, AttackMetrics.calibration(new double[]{1.0}, new boolean[]{true}, 15).bins()[14].count());
        assertEquals(1, AttackMetrics.calibration(new double[]{0.0}, new boolean[]{false}, 15).bins()[0].count());
    }

    @Test
    void calibrationFromPredictionsUsesTheLargestMeanProbability() {
        // Two inputs, three classes: predicted 1 (0.7, right) and 0 (0.6, wrong).
        float[] probs = {0.2f, 0.7f, 0.1f, 0.6f, 0.3f, 0.1f};
        ClassPredictions p = new ClassPredictions(2, 3, 1, probs, new float[6], new float[2], new float[2], new float[2]);
        AttackMetrics.Calibration c = AttackMetrics.calibration(p, new int[]{1, 2}, 15);
        assertEquals((Math.abs(1 - 0.7f) + Math.abs(0 - 0.6f)) / 2, c.ece(), 1e-7);
    }

    @Test
    void measureFillsTargetColumnsOnlyForTargetedAttacks() {
        float[] probs = {0.9f, 0.1f, 0.3f, 0.7f};
        ClassPredictions clean = new ClassPredictions(2, 2, 1, probs, new float[4], new float[]{0.1f, 0.2f},
                new float[2], new float[]{0f, 0f});
        ClassPredictions adv = new ClassPredictions(2, 2, 1, new float[]{0.2f, 0.8f, 0.4f, 0.6f}, new float[4],
                new float[]{0.5f, 0.6f}, new float[2], new float[]{0f, 0f});
        AttackRow row = AttackMetrics.measure("m", "targeted", 0.3, 3, clean, adv, new int[]{0, 1}, 1);
        assertEquals(0.5, row.accuracy(), 0);
        assertEquals(1.0, row.targetRate(), 0);
        assertEquals((0.8 + 0.6) / 2, row.targetProb(), 1e-6);
        assertEquals(0.55, row.entropy(), 1e-6);
        assertEquals(1.0, row.aucEntropy(), 0);
        assertEquals(0.5, row.aucMi(), 0);
        AttackRow untargeted = AttackMetrics.measure("m", "fgsm", 0.3, -1, clean, adv, new int[]{0, 1}, -1);
        assertTrue(Double.isNaN(untargeted.targetRate()));
        assertNull(untargeted.values()[3], "no step for fgsm");
        assertNull(untargeted.values()[5], "no target rate for fgsm");
        assertEquals(AttackRow.COLUMNS.length, row.values().length);
    }
}

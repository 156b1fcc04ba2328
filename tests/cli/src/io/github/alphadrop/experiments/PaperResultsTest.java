package io.github.alphadrop.experiments;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PaperResultsTest {

    @Test
    void tableIsReadable() {
        PaperResults.Row boston = PaperResults.forSet("bostonHousing").orElseThrow();
        assertEquals("boston", boston.label());
        assertArrayEquals(new double[]{2.42, 2.38, 2.50}, boston.nll());
        assertArrayEquals(new double[]{0.05, 0.06, 0.10}, boston.nllSe());
        assertArrayEquals(new double[]{2.85, 2.97, 3.04}, boston.rmse());
        assertArrayEquals(new double[]{0.19, 0.19, 0.17}, boston.rmseSe());
        PaperResults.Row power = PaperResults.forSet("POWER").orElseThrow();
        assertEquals("power-plant", power.set());
        assertEquals(2.76, power.nll()[2]);
        assertTrue(Double.isNaN(power.nllSe()[2]), "no standard error printed: unknown");
        assertEquals(-1.10, PaperResults.forSet("kin8nm").orElseThrow().nll()[2]);
        assertEquals(0.01, PaperResults.forSet("naval-propulsion-plant").orElseThrow().rmse()[0]);
        assertEquals(4.23, PaperResults.forSet("protein-tertiary-structure").orElseThrow().rmse()[2]);
        assertEquals(0.63, PaperResults.forSet("wine-quality-red").orElseThrow().rmse()[2]);
        assertEquals(2.88, PaperResults.forSet("concrete").orElseThrow().nll()[1]);
        assertTrue(PaperResults.forSet("yacht").isEmpty());
        assertEquals(1, PaperResults.Row.column(0.5f));
        assertEquals(-1, PaperResults.Row.column(0.25f));
    }

    @Test
    void theAcceptanceRuleIsNllWithin015NatsAndRmseWithin10Percent() {
        PaperResults.Row boston = PaperResults.forSet("bostonHousing").orElseThrow();
        // alpha = 0.5: paper NLL 2.38, RMSE 2.97.
        assertTrue(boston.nllHolds(1, 2.38 + 0.149) && boston.nllHolds(1, 1.0));
        assertTrue(!boston.nllHolds(1, 2.38 + 0.151));
        assertTrue(boston.rmseHolds(1, 2.97 * 1.099) && !boston.rmseHolds(1, 2.97 * 1.101));
        // Negative NLLs (kin8nm at alpha = 1: -1.10): "within 0.15" is still additive.
        PaperResults.Row kin = PaperResults.forSet("kin8nm").orElseThrow();
        assertTrue(kin.nllHolds(2, -0.96) && !kin.nllHolds(2, -0.94));
    }
}

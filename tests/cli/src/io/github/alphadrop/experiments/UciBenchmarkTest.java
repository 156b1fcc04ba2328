package io.github.alphadrop.experiments;

import io.github.alphadrop.data.SharedData;
import io.github.alphadrop.data.TrainTest;
import io.github.alphadrop.data.UciLoader;
import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.Dropout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/** The benchmark protocol on the 48-row fixture (seconds) and one real split (skipped when absent). */
class UciBenchmarkTest {

    /** tests/resources/io/github/alphadrop/experiments/uci-toy: 3 features, target ~ U(0,10)-scale, 2 splits. */
    static Path toy() {
        URL url = UciBenchmarkTest.class.getResource("/io/github/alphadrop/experiments/uci-toy");
        assertNotNull(url, "missing fixture uci-toy (see make_uci_toy.py)");
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Small enough for a test: a few hundred minibatches per run. */
    static UciSettings small() {
        return UciSettings.forSet("uci-toy").toBuilder().hidden(16).epochs(40).testSamples(200).batchSize(8)
                .learningRate(1e-2).dropout(0.05f).build();
    }

    @Test
    void protocolOnTinySplitsGivesOriginalUnitMetrics() throws Exception {
        UciBenchmark bench = UciBenchmark.open(toy(), small(), new float[]{0f, 1f}, new int[]{0, 1});
        assertEquals("uci-toy", bench.set());
        assertEquals(4, bench.tasks());
        AtomicLong work = new AtomicLong();
        List<SplitResult> finished = Collections.synchronizedList(new ArrayList<>());
        List<SplitResult> results = bench.run(1, JavaKernels::new, new UciBenchmark.Listener() {
            @Override
            public void progress(long units) {
                work.addAndGet(units);
            }

            @Override
            public void finished(SplitResult result) {
                finished.add(result);
            }
        });
        assertEquals(4, results.size());
        assertEquals(4, finished.size());
        assertEquals(bench.totalWork(), work.get(), "progress units add up to the announced total");
        // Ordered by alpha, then split.
        assertEquals(List.of(0f, 0f, 1f, 1f), results.stream().map(SplitResult::alpha).toList());
        assertEquals(List.of(0, 1, 0, 1), results.stream().map(SplitResult::split).toList());

        // The target spans tens of units: a model evaluated in normalised units would report an RMSE
        // near or below 1 and a NLL near 1; in original units both are clearly larger.
        double targetStd = std(bench.firstSplit().test().targets());
        for (SplitResult r : results) {
            assertEquals(38, r.trainSize());
            assertEquals(10, r.testSize());
            assertEquals(0.05f, r.dropout());
            assertEquals(0, r.validationNll().length);
            assertTrue(Double.isFinite(r.nll()) && Double.isFinite(r.rmse()), r.toString());
            assertTrue(r.rmse() > 1 && r.rmse() < targetStd, "learned something, original units: " + r);
            assertTrue(r.nll() > 2 && r.nll() < 8, "NLL in original units: " + r);
            assertTrue(r.noiseStd() > 0.1 && r.noiseStd() < 3 * targetStd, r.toString());
        }

        List<UciSummary> summary = UciSummary.of(results);
        assertEquals(2, summary.size());
        assertEquals(0f, summary.get(0).alpha());
        assertEquals(2, summary.get(0).splits());
        assertEquals((results.get(0).nll() + results.get(1).nll()) / 2, summary.get(0).nllMean(), 1e-12);
        assertEquals(Math.abs(results.get(0).rmse() - results.get(1).rmse()) / 2, summary.get(0).rmseSe(), 1e-12,
                "with two values the standard error is half their distance");
    }

    @Test
    void metricsFollowTheTargetsUnits(@TempDir Path tmp) throws Exception {
        // The same data with the target in units ten times smaller (y * 10): after standardisation the
        // network sees the same numbers (up to float rounding), so the RMSE must scale by 10 and the
        // NLL per point shift by log 10, which is what mapping back to original units means.
        Path scaled = tmp.resolve("uci-toy");
        Files.createDirectories(scaled);
        try (var files = Files.list(toy())) {
            for (Path f : files.toList()) {
                Files.copy(f, scaled.resolve(f.getFileName().toString()));
            }
        }
        List<String> rows = new ArrayList<>();
        for (String line : Files.readAllLines(toy().resolve("data.txt"))) {
            String[] v = line.trim().split("\\s+");
            v[2] = Double.toString(Double.parseDouble(v[2]) * 10);
            rows.add(String.join(" ", v));
        }
        Files.write(scaled.resolve("data.txt"), rows);
        UciSettings s = small().toBuilder().epochs(10).build();
        SplitResult a = UciBenchmark.open(toy(), s, new float[]{0.5f}, new int[]{0}).run(1, JavaKernels::new, null).get(0);
        SplitResult b = UciBenchmark.open(scaled, s, new float[]{0.5f}, new int[]{0}).run(1, JavaKernels::new, null).get(0);
        assertEquals(10 * a.rmse(), b.rmse(), 1e-3 * b.rmse());
        assertEquals(a.nll() + Math.log(10), b.nll(), 1e-3);
        assertEquals(10 * a.noiseStd(), b.noiseStd(), 1e-3 * b.noiseStd());
    }

    @Test
    void resultsDoNotDependOnTheNumberOfWorkers() throws Exception {
        UciSettings s = small().toBuilder().epochs(10).build();
        float[] alphas = {0f, 0.5f};
        List<SplitResult> one = UciBenchmark.open(toy(), s, alphas, new int[]{0, 1}).run(1, JavaKernels::new, null);
        List<SplitResult> two = UciBenchmark.open(toy(), s, alphas, new int[]{0, 1}).run(2, JavaKernels::new, null);
        assertEquals(one.size(), two.size());
        for (int i = 0; i < one.size(); i++) {
            SplitResult a = one.get(i);
            SplitResult b = two.get(i);
            assertEquals(a.split(), b.split());
            assertEquals(a.alpha(), b.alpha());
            // Bit-identical, not merely close: same seeds, same arithmetic, whichever thread ran it.
            assertEquals(a.rmse(), b.rmse(), 0.0);
            assertEquals(a.nll(), b.nll(), 0.0);
            assertEquals(a.noiseStd(), b.noiseStd(), 0.0);
            assertEquals(a.finalLoss(), b.finalLoss(), 0.0);
        }
        // And the alphas really differ (the test would be vacuous if alpha were ignored).
        assertTrue(one.get(0).finalLoss() != one.get(2).finalLoss());
    }

    @Test
    void dropoutGridIsChosenOnValidationPart() throws Exception {
        UciSettings s = small().toBuilder().epochs(10).dropout(0.01f, 0.3f).validateFraction(0.25).build();
        UciBenchmark bench = UciBenchmark.open(toy(), s, new float[]{0.5f}, new int[]{1});
        AtomicLong work = new AtomicLong();
        SplitResult r = bench.run(1, JavaKernels::new, new UciBenchmark.Listener() {
            @Override
            public void progress(long units) {
                work.addAndGet(units);
            }
        }).get(0);
        assertEquals(bench.totalWork(), work.get(), "the ETA's total counts the candidates' fits too");
        double[] v = r.validationNll();
        assertEquals(2, v.length);
        assertTrue(Double.isFinite(v[0]) && Double.isFinite(v[1]), r.toString());
        assertEquals(v[0] <= v[1] ? 0.01f : 0.3f, r.dropout(), "the rate with the lower validation NLL wins");
        assertEquals(38, r.trainSize(), "the final model trains on the whole training split");
    }

    @Test
    void failureNamesSplitAndAlpha() throws Exception {
        // Adam moves every weight by about lr per step: with 1e30 the first forward pass overflows.
        UciSettings s = small().toBuilder().epochs(2).learningRate(1e30).build();
        UciBenchmark bench = UciBenchmark.open(toy(), s, new float[]{0.5f}, new int[]{1});
        IllegalStateException e = assertThrows(IllegalStateException.class,
                () -> bench.run(1, JavaKernels::new, null));
        assertTrue(e.getMessage().startsWith("uci-toy split 1, alpha 0.5: training diverged"), e.getMessage());

        IllegalStateException noBackend = assertThrows(IllegalStateException.class, () -> bench.run(1, () -> {
            throw new UnsupportedOperationException("native kernels unavailable");
        }, null));
        assertTrue(noBackend.getMessage().contains("split 1, alpha 0.5")
                && noBackend.getMessage().contains("native kernels unavailable"), noBackend.getMessage());
    }

    @Test
    void badArgumentsAreRejectedBeforeTraining() {
        UciSettings s = small();
        assertThrows(IllegalArgumentException.class, () -> UciBenchmark.open(toy(), s, new float[]{-1f}, new int[]{0}));
        assertThrows(IllegalArgumentException.class, () -> UciBenchmark.open(toy(), s, new float[]{0f, 0f}, new int[]{0}));
        IllegalArgumentException split = assertThrows(IllegalArgumentException.class,
                () -> UciBenchmark.open(toy(), s, new float[]{0f}, new int[]{2}));
        assertTrue(split.getMessage().contains("split 2 is out of range [0, 2)"), split.getMessage());
    }

    @Test
    void rawSplitNormalisedIsWhatTheLoaderGives() throws IOException {
        TrainTest raw = UciLoader.loadRaw(toy(), 0);
        TrainTest norm = UciLoader.load(toy(), 0);
        assertTrue(raw.normalization().isEmpty());
        assertArrayEquals(norm.train().features(), raw.normalized().train().features());
        assertArrayEquals(norm.test().targets(), raw.normalized().test().targets());
    }

    @Test
    void settingsFollowTheProtocolPerSet() {
        UciSettings boston = UciSettings.forSet("bostonHousing");
        assertEquals(50, boston.hidden());
        assertEquals(500, boston.epochs());
        assertEquals(10, boston.trainSamples());
        assertEquals(32, boston.batchSize());
        assertEquals(1e-3, boston.learningRate());
        assertEquals(10_000, boston.testSamples());
        UciSettings protein = UciSettings.forSet(UciSettings.PROTEIN);
        assertEquals(100, protein.hidden());
        assertEquals(100, protein.epochs());
        // One protocol for every set: the dropout rate chosen from the same grid on 20 % of each training split.
        for (String set : List.of("bostonHousing", "concrete", "energy", "kin8nm", "naval-propulsion-plant",
                "power-plant", UciSettings.PROTEIN, "wine-quality-red", "yacht", "some-new-set")) {
            UciSettings s = UciSettings.forSet(set);
            assertTrue(s.selectsDropout(), set + " chooses its dropout on validation data");
            assertArrayEquals(new float[]{0.005f, 0.01f, 0.05f, 0.1f}, s.dropoutRates(), set);
            assertEquals(0.2, s.validateFraction(), set);
        }
        UciSettings.defaultDropoutGrid()[0] = 0.9f;
        assertArrayEquals(new float[]{0.005f, 0.01f, 0.05f, 0.1f}, UciSettings.forSet("x").dropoutRates(),
                "the default grid cannot be changed through its copy");
        // Concrete dropout learns its rates from one start on every set, with no grid of rates, and chooses its
        // entropy weight on the validation part; no other noise takes an entropy weight.
        for (String set : List.of("bostonHousing", "kin8nm", UciSettings.PROTEIN, "some-new-set")) {
            UciSettings concrete = UciSettings.forSet(set, Dropout.Noise.CONCRETE);
            assertArrayEquals(new float[]{0.1f}, concrete.dropoutRates(), set);
            assertArrayEquals(new double[]{1, 10, 100}, concrete.dropoutRegularisers(), set);
            assertTrue(concrete.selectsDropout(), set + " chooses its entropy weight on validation data");
            assertEquals(3, concrete.candidates().size(), set);
            assertArrayEquals(new double[0], UciSettings.forSet(set, Dropout.Noise.GAUSSIAN).dropoutRegularisers(), set);
        }
        UciSettings.defaultConcreteEntropyGrid()[0] = 1000;
        assertArrayEquals(new double[]{1, 10, 100}, UciSettings.forSet("x", Dropout.Noise.CONCRETE).dropoutRegularisers(),
                "the default entropy grid cannot be changed through its copy");
        // N(0,1) prior: KL/N = (1-p)/(2N) per datapoint.
        assertEquals(0.95 / 900, boston.weightDecayFor(0.05f, 450), 1e-12);
        assertEquals(1e-4, boston.toBuilder().weightDecay(1e-4).build().weightDecayFor(0.05f, 450));
        assertThrows(IllegalArgumentException.class, () -> boston.toBuilder().dropout(1f).build());
        assertThrows(IllegalArgumentException.class, () -> boston.toBuilder().validateFraction(1).build());
    }

    @Test
    void realBostonHousingOneSplitFewEpochs() throws Exception {
        Optional<Path> dir = SharedData.resolve("uci/bostonHousing");
        assumeTrue(dir.isPresent(), () -> "real data not found: " + SharedData.location().resolve("uci/bostonHousing")
                + " (set -D" + SharedData.PROPERTY + "=DIR to point at the shared data folder)");
        UciSettings s = UciSettings.forSet("bostonHousing").toBuilder().epochs(5).testSamples(500).dropout(0.05f)
                .build();
        SplitResult r = UciBenchmark.open(dir.get(), s, new float[]{0.5f}, new int[]{0}).run(1, JavaKernels::new, null)
                .get(0);
        assertEquals(506, r.trainSize() + r.testSize());
        // House prices have std ~9 k$; five epochs already get well below that but not to the paper's ~3.
        assertTrue(r.rmse() > 2 && r.rmse() < 9, r.toString());
        assertTrue(r.nll() > 2 && r.nll() < 5, r.toString());
    }

    private static double std(float[] v) {
        double m = 0;
        for (float x : v) {
            m += x;
        }
        m /= v.length;
        double s = 0;
        for (float x : v) {
            s += (x - m) * (x - m);
        }
        return Math.sqrt(s / v.length);
    }
}

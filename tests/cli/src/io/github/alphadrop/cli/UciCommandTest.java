package io.github.alphadrop.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** {@code alphadrop uci} on the 48-row fixture: JSON shape, CSV, table, and one-line errors. */
class UciCommandTest {

    @TempDir
    Path dir;

    static String toy() throws URISyntaxException {
        return "uci:" + Path.of(UciCommandTest.class.getResource("/io/github/alphadrop/experiments/uci-toy").toURI());
    }

    /** Options that make a run take a fraction of a second. */
    private static final String[] QUICK = {"--epochs", "5", "--hidden", "8", "--test-samples", "50", "--backend", "java"};

    private static String[] args(String... first) {
        return Stream.concat(Stream.of(first), Stream.of(QUICK)).toArray(String[]::new);
    }

    @Test
    void jsonAndCsv() throws Exception {
        Path csv = dir.resolve("results.csv");
        CliTest.Run r = CliTest.run(args("uci", "--data", toy(), "--alpha", "0,1", "--splits", "0-1", "--threads", "2",
                "--json", "--out", csv.toString()));
        assertEquals(0, r.code(), r.err());
        String json = r.out().trim();
        assertTrue(json.startsWith("{\"set\":\"uci-toy\",\"results\":[{\"alpha\":0,\"splits\":2,\"nll_mean\":"), json);
        assertFalse(json.contains("\n"), json);
        for (String key : new String[]{"\"nll_se\":", "\"rmse_mean\":", "\"rmse_se\":", "\"seconds_per_split\":",
                "{\"alpha\":1,\"splits\":2,"}) {
            assertTrue(json.contains(key), key + " missing in " + json);
        }
        List<String> lines = Files.readAllLines(csv);
        assertEquals(5, lines.size(), "header and one row per split and alpha: " + lines);
        assertTrue(lines.get(0).startsWith("set,split,alpha,dropout,"), lines.get(0));
        assertTrue(lines.get(1).startsWith("uci-toy,0,0.0,"), lines.get(1));
        assertTrue(lines.get(4).startsWith("uci-toy,1,1.0,"), lines.get(4));
        // The default protocol on any set: the rate chosen from 0.005, 0.01, 0.05, 0.1 on 20 % of the training split,
        // the one with the lowest validation NLL, then trained on the whole split (38 rows).
        List<Float> grid = List.of(0.005f, 0.01f, 0.05f, 0.1f);
        for (String line : lines.subList(1, lines.size())) {
            String[] cells = line.split(",", -1);
            assertEquals("38", cells[4], "trained on the whole training split: " + line);
            String[] validation = cells[12].split(";");
            assertEquals(4, validation.length, "one validation NLL per rate of the default grid: " + line);
            int best = 0;
            for (int i = 1; i < validation.length; i++) {
                if (Double.parseDouble(validation[i]) < Double.parseDouble(validation[best])) {
                    best = i;
                }
            }
            assertEquals(grid.get(best), Float.parseFloat(cells[3]), "the rate with the lowest validation NLL: " + line);
        }
        try (Stream<Path> files = Files.list(dir)) {
            assertEquals(List.of(csv), files.toList(), "no temporary files left behind");
        }
    }

    @Test
    void concreteDropoutLearnsItsRatesAndWritesThem() throws Exception {
        Path csv = dir.resolve("concrete.csv");
        CliTest.Run r = CliTest.run(args("uci", "--data", toy(), "--alpha", "0.5", "--splits", "0", "--noise", "concrete",
                "--out", csv.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("learned dropout (concrete), mean over splits: layer 0 "), r.out());
        List<String> lines = Files.readAllLines(csv);
        assertTrue(lines.get(0).endsWith(",validation_nll,learned_dropout,dropout_regulariser"), lines.get(0));
        assertTrue(lines.get(1).startsWith("uci-toy,0,0.5,0.1,"), "starts from 0.1: " + lines.get(1));
        String[] learned = lines.get(1).split(",", -1)[13].split(";");
        assertEquals(2, learned.length, lines.get(1));
        for (String p : learned) {
            double rate = Double.parseDouble(p);
            assertTrue(rate > 0 && rate < 1 && rate != 0.1f, "a learned rate: " + lines.get(1));
        }
        // By default the entropy weight is chosen from 1, 10, 100 on the validation part: the lowest NLL wins.
        assertTrue(r.out().contains("entropy weight chosen on validation: C="), r.out());
        String[] defaultValidation = lines.get(1).split(",", -1)[12].split(";");
        assertEquals(3, defaultValidation.length, "one validation NLL per default entropy weight: " + lines.get(1));
        int lowest = 0;
        for (int i = 1; i < 3; i++) {
            if (Double.parseDouble(defaultValidation[i]) < Double.parseDouble(defaultValidation[lowest])) {
                lowest = i;
            }
        }
        String defaultRow = lines.get(1);
        assertEquals(new double[]{1, 10, 100}[lowest], Double.parseDouble(defaultRow.substring(defaultRow.lastIndexOf(',') + 1)),
                0, "the default weight with the lowest validation NLL: " + defaultRow);
        CliTest.Run zero = CliTest.run(args("uci", "--data", toy(), "--splits", "0", "--noise", "concrete", "--dropout", "0"));
        assertEquals(1, zero.code(), zero.out());
        assertTrue(zero.err().contains("concrete dropout") && zero.err().contains("got 0.0"), zero.err());
        CliTest.Run grid = CliTest.run(args("uci", "--data", toy(), "--alpha", "0.5", "--splits", "0", "--noise", "concrete",
                "--dropout-regulariser", "1,10", "--validate", "0.25", "--out", csv.toString()));
        assertEquals(0, grid.code(), grid.err());
        assertTrue(grid.out().contains("entropy weight chosen on validation: C="), grid.out());
        assertFalse(grid.out().contains("dropout chosen on validation"), "one rate, nothing chosen: " + grid.out());
        String row = Files.readAllLines(csv).get(1);
        String[] validation = row.split(",", -1)[12].split(";");
        assertEquals(2, validation.length, "one validation NLL per entropy weight: " + row);
        double chosen = Double.parseDouble(row.substring(row.lastIndexOf(',') + 1));
        double best = Double.parseDouble(validation[0]) <= Double.parseDouble(validation[1]) ? 1 : 10;
        assertEquals(best, chosen, 0, "the weight with the lower validation NLL: " + row);
        CliTest.Run entropy = CliTest.run(args("uci", "--data", toy(), "--splits", "0", "--dropout-regulariser", "0.1"));
        assertEquals(1, entropy.code(), entropy.out());
        assertTrue(entropy.err().contains("needs --noise concrete, got --noise bernoulli"), entropy.err());
    }

    @Test
    void tableWithOneSplitHasNoStandardError() throws Exception {
        CliTest.Run r = CliTest.run(args("uci", "--data", toy(), "--alpha", "0.5", "--splits", "1",
                "--dropout", "0.01,0.1", "--validate", "0.25"));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("test NLL"), r.out());
        assertTrue(r.out().contains("the paper has no row for this set"), r.out());
        assertTrue(r.out().contains("dropout chosen on validation: p="), r.out());
        String row = r.out().lines().filter(l -> l.startsWith("0.5 ")).findFirst().orElseThrow();
        assertFalse(row.contains("±") || row.contains("+-"), "one split: no spread to report: " + row);
    }

    /** A folder of sets runs each set in turn, then prints one table in the paper's layout for all of them. */
    @Test
    void folderOfSetsRunsEverySet() throws Exception {
        Path sets = dir.resolve("sets");
        Path toy = Path.of(toy().substring("uci:".length()));
        for (String name : new String[]{"setB", "setA"}) {
            Path target = Files.createDirectories(sets.resolve(name));
            try (Stream<Path> files = Files.list(toy)) {
                for (Path f : files.toList()) {
                    Files.copy(f, target.resolve(f.getFileName()));
                }
            }
        }
        Files.createDirectories(sets.resolve("not-a-set"));
        Path csv = dir.resolve("all.csv");
        CliTest.Run r = CliTest.run(args("uci", "--data", "uci:" + sets, "--alpha", "0,1", "--splits", "0",
                "--out", csv.toString()));
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("2 sets in") && r.out().contains("setA, setB"), r.out());
        List<String> table = r.out().lines().filter(l -> l.startsWith("|")).toList();
        assertEquals(4, table.size(), "header, rule and one line per set: " + r.out());
        assertTrue(table.get(0).startsWith("| set | NLL α=0 | NLL α=1 | RMSE α=0 | RMSE α=1 |"), table.get(0));
        assertTrue(table.get(2).startsWith("| setA |") && table.get(3).startsWith("| setB |"), r.out());
        List<String> rows = Files.readAllLines(csv);
        assertEquals(5, rows.size(), "header and 2 sets x 2 alphas: " + rows);
        assertEquals(2, rows.stream().filter(l -> l.startsWith("setA,")).count(), rows.toString());
        assertEquals(2, rows.stream().filter(l -> l.startsWith("setB,")).count(), rows.toString());

        CliTest.Run json = CliTest.run(args("uci", "--data", "uci:" + sets, "--alpha", "0", "--splits", "0", "--json"));
        assertEquals(0, json.code(), json.err());
        assertTrue(json.out().trim().startsWith("{\"sets\":[{\"set\":\"setA\",\"results\":[{\"alpha\":0,"), json.out());

        assertOneLine(CliTest.run(args("uci", "--data", "uci:" + sets.resolve("not-a-set"))), "no data.txt");
    }

    @Test
    void badInputExitsWithOneLine() throws Exception {
        assertOneLine(CliTest.run(args("uci", "--data", toy(), "--splits", "5")), "splits '5'");
        assertOneLine(CliTest.run(args("uci", "--data", toy(), "--splits", "1-x")), "'x' is not a split index");
        assertOneLine(CliTest.run(args("uci", "--data", "digits")), "must be uci:DIR");
        assertOneLine(CliTest.run(args("uci", "--data", "uci:" + dir.resolve("nope"))), "nope");
        assertOneLine(CliTest.run(args("uci", "--data", toy(), "--alpha", "-1")), "alpha");
        assertOneLine(CliTest.run(args("uci", "--data", toy(), "--weight-decay", "lots")), "--weight-decay");
        assertOneLine(CliTest.run(args("uci", "--data", toy(), "--out", dir.resolve("missing/r.csv").toString())),
                "does not exist");
    }

    /** Exit 1 (failed while running) or 2 (bad command line, then a "Try --help" line), one line naming it. */
    private static void assertOneLine(CliTest.Run r, String expected) {
        assertTrue(r.code() == 1 || r.code() == 2, "exit " + r.code() + ": " + r.out() + r.err());
        String[] lines = r.err().trim().split("\n");
        assertEquals(r.code() == 2 ? 2 : 1, lines.length, "expected one line (and a --help hint for exit 2): " + r.err());
        assertTrue(lines[0].startsWith("alphadrop: ") && lines[0].contains(expected), "expected '" + expected + "' in: " + lines[0]);
    }
}

package io.github.alphadrop.cli;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.imageio.ImageIO;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static org.junit.jupiter.api.Assertions.*;

/** {@code alphadrop attack} end to end on the embedded digits with a tiny model. */
class AttackCommandTest {

    @TempDir
    static Path dir;

    static Path model;

    @BeforeAll
    static void trainTinyModel() {
        model = dir.resolve("tiny.adm");
        CliTest.Run train = CliTest.run("train", "--data", "digits", "--out", model.toString(), "--epochs", "4",
                "--hidden", "24", "--samples", "2", "--dropout", "0.2", "--lr", "1e-2", "--backend", "java", "--json");
        assertEquals(0, train.code(), train.err());
    }

    @Test
    void writesMetricsPlotsAndIndexForBothAttacks() throws Exception {
        Path out = dir.resolve("report");
        CliTest.Run r = CliTest.run("attack", "--model", model.toString(), "--model", model + ":deterministic",
                "--data", "digits", "--method", "both", "--eps", "0:0.3:0.1", "--steps", "6", "--step-size", "0.05",
                "--test-samples", "3", "--limit", "40", "--out", out.toString(), "--backend", "java", "--json");
        assertEquals(0, r.code(), r.err());
        String json = r.out().trim();
        assertTrue(json.startsWith("{") && json.endsWith("}") && !json.contains("\n"), json);
        for (String key : new String[]{"\"rows\":[", "\"models\":[", "\"ece\":", "\"reliability\":[", "\"eps\":[0,0.1,0.2,0.3]",
                "\"name\":\"tiny\"", "\"name\":\"tiny (deterministic)\"", "\"auc_entropy\":", "\"target_rate\":null",
                "\"files\":[", "\"targeted_inputs\":"}) {
            assertTrue(json.contains(key), key + " missing in " + json);
        }

        List<String> csv = Files.readAllLines(out.resolve("metrics.csv"));
        assertEquals("model,method,eps,step,accuracy,target_rate,target_prob,entropy,entropy_se,mutual_information,"
                + "mutual_information_se,auc_entropy,auc_mi", csv.get(0));
        // Two models × (4 ε + steps 0..6).
        assertEquals(1 + 2 * (4 + 7), csv.size(), String.join("\n", csv));
        assertTrue(csv.get(1).startsWith("tiny,fgsm,0,,"), "first row: first model, ε = 0, no step: " + csv.get(1));
        assertTrue(csv.get(1).endsWith(",0.5,0.5"), "ε = 0 cannot be told from the clean inputs: " + csv.get(1));
        assertTrue(csv.stream().anyMatch(l -> l.startsWith("tiny (deterministic),targeted,0.3,6,")), "last targeted row");
        for (String line : csv.subList(1, csv.size())) {
            assertEquals(13, line.split(",", -1).length, line);
        }
        String metricsJson = Files.readString(out.resolve("metrics.json"));
        assertTrue(metricsJson.contains("\"rows\":[") && metricsJson.contains("\"mutual_information_se\":"));

        String[] pngs = {"accuracy.png", "entropy.png", "mutual_information.png", "detection.png", "examples_fgsm.png",
                "targeted_probability.png", "targeted_entropy.png", "targeted_mutual_information.png",
                "targeted_detection.png", "examples_targeted.png", "reliability.png"};
        String html = Files.readString(out.resolve("index.html"));
        for (String png : pngs) {
            BufferedImage img = ImageIO.read(out.resolve(png).toFile());
            assertNotNull(img, png + " is not a readable PNG");
            assertTrue(img.getWidth() >= 300 && img.getHeight() >= 200, png + " is too small");
            assertTrue(html.contains("<img src=\"" + png + "\""), "index.html does not show " + png);
        }
        assertTrue(html.contains("href=\"metrics.csv\"") && html.contains("href=\"metrics.json\""));
        assertTrue(html.contains("tiny (deterministic)") && html.contains("<table>"));
        assertFalse(html.contains("http://") || html.contains("https://") || html.contains("<script"),
                "the page must be readable offline");
    }

    @Test
    void fgsmOnlyWritesNoTargetedFiles() throws Exception {
        Path out = dir.resolve("fgsm-only");
        CliTest.Run r = CliTest.run("attack", "--model", model.toString(), "--data", "digits", "--eps", "0,0.25",
                "--test-samples", "2", "--limit", "12", "--examples", "1", "--out", out.toString(), "--backend", "java");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("index.html"), r.out());
        assertTrue(Files.exists(out.resolve("accuracy.png")) && Files.exists(out.resolve("examples_fgsm.png")));
        assertFalse(Files.exists(out.resolve("targeted_probability.png")));
        assertEquals(3, Files.readAllLines(out.resolve("metrics.csv")).size());
    }

    @Test
    void badArgumentsExitWithOneLineNamingTheProblem() throws Exception {
        String out = dir.resolve("bad").toString();
        assertFails("--eps", "attack", "--model", model.toString(), "--data", "digits", "--eps", "0:x:1", "--out", out,
                "--backend", "java");
        assertFails("--method", "attack", "--model", model.toString(), "--data", "digits", "--method", "pgd", "--out", out,
                "--backend", "java");
        assertFails("missing.adm", "attack", "--model", dir.resolve("missing.adm").toString(), "--data", "digits",
                "--out", out, "--backend", "java");
        assertFails("--target-class", "attack", "--model", model.toString(), "--data", "digits", "--method", "targeted",
                "--target-class", "12", "--out", out, "--backend", "java");
        // The old spelling of the target class is now the CSV target column: the error names the new one.
        assertFails("--target-class", "attack", "--model", model.toString(), "--data", "digits", "--method", "targeted",
                "--target", "3", "--out", out, "--backend", "java");
        // T was --samples here; --samples is K now, and a command that does not train says so.
        assertFails("--test-samples", "attack", "--model", model.toString(), "--data", "digits", "--samples", "3",
                "--out", out, "--backend", "java");
        assertFails("--steps", "attack", "--model", model.toString(), "--data", "digits", "--method", "targeted",
                "--steps", "0", "--out", out, "--backend", "java");
        Path csv = dir.resolve("wide.csv");
        StringBuilder rows = new StringBuilder();
        for (int i = 0; i < 30; i++) {
            rows.append(i).append(',').append(i * 3).append(',').append(i % 2).append('\n');
        }
        Files.writeString(csv, rows);
        // A regression set (csv: defaults to one) cannot be attacked: rejected before any model is run.
        assertFails("classification set", "attack", "--model", model.toString(), "--data", "csv:" + csv, "--out", out, "--backend", "java");
    }

    @Test
    void epsRangesAndModelNames() {
        double[] grid = AttackCommand.parseEps("0:0.5:0.02");
        assertEquals(26, grid.length);
        assertEquals(0.06, grid[3], 0);
        assertEquals(0.5, grid[25], 0);
        assertArrayEquals(new double[]{0, 0.1, 0.25}, AttackCommand.parseEps("0, 0.1,0.25"));
        assertThrows(IllegalArgumentException.class, () -> AttackCommand.parseEps("0:0.5:0"));
        assertThrows(IllegalArgumentException.class, () -> AttackCommand.parseEps("-0.1"));
        List<ModelOptions.Model> m = ModelOptions.parse(List.of("a/alpha.adm", "b/alpha.adm",
                "c/det.adm:deterministic"), false);
        assertEquals(List.of("alpha", "alpha #2", "det (deterministic)"), m.stream().map(ModelOptions.Model::name).toList());
        assertTrue(m.get(2).deterministic() && !m.get(0).deterministic());
        assertEquals(Path.of("c/det.adm"), m.get(2).path());
        assertTrue(ModelOptions.parse(List.of("x.adm"), true).get(0).deterministic());
    }

    /** Exit 1 (failed while running) or 2 (bad command line, then a "Try --help" line), one line naming it. */
    private static void assertFails(String expected, String... args) {
        CliTest.Run r = CliTest.run(args);
        assertTrue(r.code() == 1 || r.code() == 2, "exit " + r.code() + ": " + r.out() + r.err());
        String[] lines = r.err().trim().split("\n");
        assertEquals(r.code() == 2 ? 2 : 1, lines.length, "expected one line (and a --help hint for exit 2): " + r.err());
        assertTrue(lines[0].startsWith("alphadrop: ") && lines[0].contains(expected), "expected '" + expected + "' in: " + lines[0]);
    }
}

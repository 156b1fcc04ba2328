package io.github.alphadrop.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.junit.jupiter.api.Assertions.*;

class CliTest {

    @TempDir
    Path dir;

    /** Exit code, stdout and stderr of one command-line run. */
    record Run(int code, String out, String err) {
    }

    static Run run(String... args) {
        PrintStream oldOut = System.out;
        PrintStream oldErr = System.err;
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
            int code = Main.run(args);
            return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } finally {
            System.setOut(oldOut);
            System.setErr(oldErr);
        }
    }

    @Test
    void infoReportsTheIsaAndHonoursTheOverride() {
        Run info = run("info", "--json");
        assertEquals(0, info.code(), info.err());
        String json = info.out().trim();
        String best = io.github.alphadrop.kernels.NativeKernels.bestIsa().label();
        assertTrue(json.contains("\"best_isa\":\"" + best + "\"") && json.contains("\"isa\":\"" + best + "\""), json);
        assertTrue(json.contains("\"openblas\":\"OpenBLAS 0.3.31"), json);
        System.setProperty("alphadrop.isa", "baseline");
        try {
            Run capped = run("info", "--json", "--threads", "1");
            assertEquals(0, capped.code(), capped.err());
            assertTrue(capped.out().contains("\"isa\":\"baseline\"") && capped.out().contains("\"gemm_ukernel\":\"openblas_sgemm\"")
                    && capped.out().contains("\"rowgemm_ukernel\":\"f32_rowgemm_portable\"")
                    && capped.out().contains("\"threads\":1"), capped.out());
            System.setProperty("alphadrop.isa", "sse9");
            Run bad = run("info");
            assertEquals(1, bad.code());
            assertTrue(bad.err().contains("alphadrop.isa") && bad.err().contains("'sse9'"), bad.err());
        } finally {
            System.clearProperty("alphadrop.isa");
        }
    }

    @Test
    void trainThenEvaluateWithJson() {
        Path model = dir.resolve("digits.adm");
        Run train = run("train", "--data", "digits", "--out", model.toString(), "--epochs", "10", "--hidden", "32",
                "--samples", "3", "--dropout", "0.1", "--lr", "1e-2", "--backend", "java", "--json");
        assertEquals(0, train.code(), train.err());
        String json = train.out().trim();
        assertTrue(json.startsWith("{") && json.endsWith("}") && !json.contains("\n"), json);
        for (String key : new String[]{"\"epochs\":10", "\"final_loss\":", "\"seconds_per_epoch\":", "\"seconds\":"}) {
            assertTrue(json.contains(key), key + " missing in " + json);
        }
        assertTrue(Files.exists(model));

        Run eval = run("evaluate", "--model", model.toString(), "--data", "digits", "--test-samples", "5", "--backend",
                "java", "--json");
        assertEquals(0, eval.code(), eval.err());
        for (String key : new String[]{"\"accuracy\":", "\"log_likelihood\":", "\"mean_entropy\":",
                "\"mean_mutual_information\":", "\"test_samples\":5", "\"seconds\":"}) {
            assertTrue(eval.out().contains(key), key + " missing in " + eval.out());
        }
        double accuracy = Double.parseDouble(eval.out().replaceAll(".*\"accuracy\":([0-9.Ee+-]+).*\\s*", "$1"));
        assertTrue(accuracy > 0.5, "ten epochs on digits should beat chance (0.1) by far, got " + accuracy);
    }

    @Test
    void badInputExitsNonZeroWithOneLineNamingTheProblem() {
        Run unknownScheme = run("train", "--data", "nope:x", "--out", dir.resolve("m").toString(), "--backend", "java");
        assertEquals(1, unknownScheme.code());
        assertOneLine(unknownScheme.err(), "nope:x");

        Run missingModel = run("evaluate", "--model", dir.resolve("missing.adm").toString(), "--data", "digits",
                "--backend", "java");
        assertEquals(1, missingModel.code());
        assertOneLine(missingModel.err(), "missing.adm");

        Run badAlpha = run("train", "--data", "digits", "--out", dir.resolve("m").toString(), "--alpha", "-1",
                "--backend", "java");
        // A value the option rejects is a bad command line: exit 2, the problem, then a --help hint.
        assertEquals(2, badAlpha.code());
        assertTrue(badAlpha.err().startsWith("alphadrop: Invalid value for option '--alpha'")
                && badAlpha.err().contains("must be a finite number >= 0, got -1"), badAlpha.err());

        for (String hidden : new String[]{",", "0", "10,,5", ""}) {
            Run bad = run("train", "--data", "digits", "--out", dir.resolve("m").toString(), "--hidden", hidden);
            assertEquals(2, bad.code(), "--hidden '" + hidden + "' must not silently drop the hidden layers");
            assertTrue(bad.err().contains("'--hidden'"), bad.err());
        }

        Run unknownOption = run("train", "--data", "digits", "--out", dir.resolve("m").toString(), "--bogus");
        assertEquals(2, unknownOption.code());
        assertTrue(unknownOption.err().contains("--bogus"), unknownOption.err());
    }

    @Test
    void dataWhoseWidthDoesNotMatchTheModelIsRejected() throws Exception {
        Path model = dir.resolve("digits.adm");
        assertEquals(0, run("train", "--data", "digits", "--out", model.toString(), "--epochs", "1", "--hidden", "8",
                "--samples", "1", "--backend", "java", "--json").code());
        Path csv = dir.resolve("small.csv");
        StringBuilder rows = new StringBuilder("a,b,label\n");
        for (int i = 0; i < 20; i++) {
            rows.append(i).append(',').append(i % 3).append(',').append(i % 2).append('\n');
        }
        Files.writeString(csv, rows);
        Run r = run("evaluate", "--model", model.toString(), "--data", "csv:" + csv, "--task", "classification",
                "--backend", "java");
        assertEquals(1, r.code());
        assertOneLine(r.err(), "2 features but the model expects 64");
    }

    @Test
    void verboseShowsTheStackTrace() {
        Run r = run("evaluate", "--model", dir.resolve("missing.adm").toString(), "--data", "digits", "--verbose");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("\tat "), r.err());
    }

    private static void assertOneLine(String err, String expected) {
        String trimmed = err.trim();
        assertFalse(trimmed.contains("\n"), "expected one line, got: " + err);
        assertTrue(trimmed.startsWith("alphadrop: "), err);
        assertTrue(trimmed.contains(expected), "expected '" + expected + "' in: " + err);
    }
}

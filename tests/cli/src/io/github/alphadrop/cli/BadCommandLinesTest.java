package io.github.alphadrop.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;

import static io.github.alphadrop.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Hostile command lines: each is one line that names the argument, the value or the file, never a trace. */
class BadCommandLinesTest {

    @TempDir
    Path dir;

    private static void assertOneLine(String[] expected, String... args) {
        CliTest.Run r = run(args);
        assertEquals(1, r.code(), String.join(" ", args) + ": " + r.err());
        String err = r.err().trim();
        assertFalse(err.contains("\n") || err.contains("\tat "), "one line, no stack trace: " + err);
        for (String e : expected) {
            assertTrue(err.contains(e), "'" + err + "' should contain '" + e + "'");
        }
    }

    @Test
    void sizesTooLargeForAnArrayOrTheHeapAreNamed() {
        String out = dir.resolve("m.adm").toString();
        assertOneLine(new String[]{"layer 0 (64 x 1000000000)", "more than one Java array holds"},
                "train", "--data", "digits", "--out", out, "--hidden", "1000000000", "--epochs", "1");
        assertOneLine(new String[]{"has 2250000010 parameters", "heap"},
                "train", "--data", "digits", "--out", out, "--hidden", "30000000", "--epochs", "1");
    }

    @Test
    void aTestSampleCountThatWouldRunForHoursIsRefused() {
        CliTest.Run r = run("evaluate", "--model", "x.adm", "--data", "digits", "--test-samples", "100000000");
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("'--test-samples'") && r.err().contains("at most 1000000, got 100000000"), r.err());
    }

    @Test
    void devicesFoldersAndMissingFilesAreNamed() throws Exception {
        Path model = dir.resolve("m.adm");
        assertEquals(0, run("train", "--data", "digits", "--out", model.toString(), "--epochs", "1", "--hidden", "4").code());
        if (Files.exists(Path.of("/dev/zero"))) {
            assertOneLine(new String[]{"/dev/zero", "not a regular file"}, "evaluate", "--model", "/dev/zero", "--data", "digits");
            assertOneLine(new String[]{"/dev/zero", "not a regular file"},
                    "train", "--data", "csv:/dev/zero", "--out", model.toString());
        }
        assertOneLine(new String[]{dir.toString(), "is a folder, not a model file"},
                "evaluate", "--model", dir.toString(), "--data", "digits");
        // Refused before training, not after it.
        CliTest.Run r = run("train", "--data", "digits", "--out", dir.toString(), "--epochs", "1");
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--out " + dir + " is a folder") && !r.out().contains("training"), r.out() + r.err());
        assertOneLine(new String[]{"--out " + dir + " is a folder"},
                "predict", "--model", model.toString(), "--data", "csv:" + model, "--out", dir.toString());
        assertOneLine(new String[]{dir.toString(), "no IDX images file for part 'train'", "looked for"},
                "train", "--data", "idx:" + dir, "--out", model.toString());
        assertOneLine(new String[]{"missing.adm"}, "evaluate", "--model", dir.resolve("missing.adm").toString(),
                "--data", "digits");
    }
}

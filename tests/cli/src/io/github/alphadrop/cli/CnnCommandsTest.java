package io.github.alphadrop.cli;

import io.github.alphadrop.io.ModelFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import static io.github.alphadrop.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.*;

/** {@code --arch cnn}: train, evaluate, predict and attack on a CNN; its option errors named. */
class CnnCommandsTest {

    @TempDir
    Path dir;

    @Test
    void aCnnTrainsAndEveryCommandTakesIt() throws Exception {
        Path model = dir.resolve("cnn.adm");
        CliTest.Run train = run("train", "--data", "digits", "--arch", "cnn", "--conv", "8", "--hidden", "32",
                "--dropout", "0.2", "--lr", "3e-3", "--epochs", "12", "--samples", "4", "--out", model.toString(), "--json");
        assertEquals(0, train.code(), train.err());
        ModelFile.Saved saved = ModelFile.load(model);
        assertNull(saved.model(), "a network, not an MLP");
        assertEquals("Network[conv2d(64->288), maxpool2d(288->72), dense(72->32, p 0.2), dense(32->10, p 0.2)]",
                saved.network().toString());
        assertEquals(4, saved.settings().samples());
        // With checkpoints: the same model (checkpoints do not change a run), and none left once it is saved.
        Path again = dir.resolve("again.adm");
        assertEquals(0, run("train", "--data", "digits", "--arch", "cnn", "--conv", "8", "--hidden", "32", "--dropout",
                "0.2", "--lr", "3e-3", "--epochs", "12", "--samples", "4", "--checkpoint-every", "5", "--out",
                again.toString()).code());
        assertArrayEquals(Files.readAllBytes(model), Files.readAllBytes(again));
        assertFalse(Files.exists(dir.resolve("again.adm.ckpt")));

        CliTest.Run eval = run("evaluate", "--model", model.toString(), "--data", "digits", "--test-samples", "20", "--json");
        assertEquals(0, eval.code(), eval.err());
        double accuracy = Double.parseDouble(eval.out().replaceAll("(?s).*\"accuracy\":([0-9.]+).*", "$1"));
        assertTrue(accuracy > 0.9, "CNN accuracy on the digits " + accuracy + ": " + eval.out());

        Path csv = dir.resolve("x.csv");
        StringBuilder b = new StringBuilder();
        for (int r = 0; r < 3; r++) {
            for (int c = 0; c < 64; c++) {
                b.append(c == 0 ? "" : ",").append((r * 7 + c) % 16);
            }
            b.append('\n');
        }
        Files.writeString(csv, b.toString());
        Path predictions = dir.resolve("p.csv");
        CliTest.Run predict = run("predict", "--model", model.toString(), "--data", "csv:" + csv, "--out",
                predictions.toString(), "--test-samples", "5");
        assertEquals(0, predict.code(), predict.err());
        List<String> lines = Files.readAllLines(predictions);
        assertEquals(4, lines.size(), "header and 3 rows: " + lines);
        assertTrue(lines.get(0).startsWith("row,predicted,p_0"), lines.get(0));

        Path report = dir.resolve("report");
        CliTest.Run attack = run("attack", "--model", model.toString(), "--model", model + ":deterministic", "--data",
                "digits", "--limit", "30", "--test-samples", "5", "--steps", "4", "--out", report.toString(), "--json");
        assertEquals(0, attack.code(), attack.err());
        assertTrue(Files.exists(report.resolve("metrics.json")) && Files.exists(report.resolve("index.html")));
    }

    @Test
    void cnnOptionErrorsAreNamed() {
        String out = dir.resolve("m.adm").toString();
        CliTest.Run r = run("train", "--data", "digits", "--conv", "8", "--out", out);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("--conv is for --arch cnn"), r.err());
        r = run("train", "--data", "digits", "--arch", "cnn", "--conv", "8,0", "--out", out);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("each filter count must be >= 1, got '8,0'"), r.err());
        r = run("train", "--data", "digits", "--arch", "cnn", "--input-shape", "8x8", "--out", out);
        assertEquals(2, r.code(), r.err());
        assertTrue(r.err().contains("must be HxWxC"), r.err());
        r = run("train", "--data", "digits", "--arch", "cnn", "--input-shape", "4x4x2", "--epochs", "1", "--out", out);
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("--input-shape 4x4x2 holds 32 values but the data have 64 features"), r.err());
        r = run("train", "--data", "digits", "--arch", "cnn", "--conv", "4,4,4,4", "--epochs", "1", "--out", out);
        assertEquals(1, r.code(), r.err());
        assertTrue(r.err().contains("too small for 4 3x3 convolutions"), r.err());
        assertFalse(Files.exists(Path.of(out)), "nothing written");
    }
}

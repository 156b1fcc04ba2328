package io.github.alphadrop.cli;

import io.github.alphadrop.data.Normalization;
import io.github.alphadrop.io.ModelFile;
import io.github.alphadrop.model.Likelihood;
import io.github.alphadrop.model.Mlp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;

import static io.github.alphadrop.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PredictCommandTest {

    @TempDir
    Path dir;

    private static final int WIDTH = 6;

    private Path classifier() throws IOException {
        Mlp net = Mlp.builder(WIDTH).hidden(16).output(3).dropout(0.3f).build();
        net.initialize(3L);
        Path file = dir.resolve("c.adm");
        ModelFile.save(file, net, null, null);
        return file;
    }

    private Path csv(String name, int rows, boolean withLabel, String header) throws IOException {
        Random r = new Random(11);
        StringBuilder b = new StringBuilder();
        if (header != null) {
            b.append(header).append('\n');
        }
        for (int i = 0; i < rows; i++) {
            for (int c = 0; c < WIDTH; c++) {
                b.append(c == 0 ? "" : ",").append((float) r.nextGaussian());
            }
            if (withLabel) {
                b.append(',').append(i % 3);
            }
            b.append('\n');
        }
        Path file = dir.resolve(name);
        Files.writeString(file, b.toString());
        return file;
    }

    @Test
    void classifierRowsHoldAProbabilityVectorItsArgmaxAndUncertainty() throws IOException {
        Path model = classifier();
        Path out = dir.resolve("preds.csv");
        CliTest.Run r = run("predict", "--model", model.toString(), "--data", "csv:" + csv("x.csv", 25, false, null),
                "--out", out.toString(), "--test-samples", "30", "--threads", "1");
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals("row,predicted,p_0,p_1,p_2,entropy,mutual_information", lines.get(0));
        assertEquals(26, lines.size());
        for (int i = 1; i < lines.size(); i++) {
            String[] f = lines.get(i).split(",");
            assertEquals(i - 1, Integer.parseInt(f[0]));
            double[] p = {Double.parseDouble(f[2]), Double.parseDouble(f[3]), Double.parseDouble(f[4])};
            assertEquals(1.0, p[0] + p[1] + p[2], 1e-5, lines.get(i));
            int argmax = p[0] >= p[1] && p[0] >= p[2] ? 0 : p[1] >= p[2] ? 1 : 2;
            assertEquals(argmax, Integer.parseInt(f[1]), lines.get(i));
            double entropy = Double.parseDouble(f[5]);
            double mi = Double.parseDouble(f[6]);
            double h = 0;
            for (double q : p) {
                h -= q > 0 ? q * Math.log(q) : 0;
            }
            assertEquals(h, entropy, 1e-4, "entropy is H of the mean probabilities: " + lines.get(i));
            assertTrue(mi >= -1e-6 && mi <= entropy + 1e-6, "0 <= MI <= H: " + lines.get(i));
        }
    }

    @Test
    void aTargetColumnIsLeftOutAndAHeaderIsSkipped() throws IOException {
        Path model = classifier();
        Path plain = dir.resolve("plain.csv");
        Path labelled = dir.resolve("labelled.csv");
        assertEquals(0, run("predict", "--model", model.toString(), "--data", "csv:" + csv("a.csv", 9, false, null),
                "--out", plain.toString(), "--test-samples", "7").code());
        CliTest.Run r = run("predict", "--model", model.toString(), "--data",
                "csv:" + csv("b.csv", 9, true, "a,b,c,d,e,f,label"), "--out", labelled.toString(), "--test-samples", "7", "--json");
        assertEquals(0, r.code(), r.err());
        assertTrue(r.out().contains("\"rows\":9") && r.out().contains("\"task\":\"classification\""), r.out());
        assertEquals(Files.readAllLines(plain), Files.readAllLines(labelled), "same inputs, same seed: same predictions");
    }

    @Test
    void badWidthAndNonFiniteValuesAreClearErrorsAndNoFileIsLeft() throws IOException {
        Path model = classifier();
        Path out = dir.resolve("never.csv");
        Path narrow = dir.resolve("narrow.csv");
        Files.writeString(narrow, "1,2,3\n4,5,6\n");
        CliTest.Run r = run("predict", "--model", model.toString(), "--data", "csv:" + narrow, "--out", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("found 3 column(s)") && r.err().contains("takes 6 inputs"), r.err());
        Path nan = dir.resolve("nan.csv");
        Files.writeString(nan, "1,2,3,4,5,6\n1,2,NaN,4,5,6\n");
        r = run("predict", "--model", model.toString(), "--data", "csv:" + nan, "--out", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("line 2") && r.err().contains("not a finite number"), r.err());
        assertFalse(Files.exists(out));
        try (var files = Files.list(dir)) {
            assertTrue(files.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "no temporary file left");
        }
        r = run("predict", "--model", model.toString(), "--data", "csv:" + nan, "--test-fraction", "0.2", "--out",
                out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("--test-fraction") && r.err().contains("do not apply"), r.err());
        r = run("predict", "--model", model.toString(), "--data", "digits", "--out", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("csv:FILE, idx:DIR or idx:FILE"), r.err());
    }

    @Test
    void idxImagesWithoutLabels() throws IOException {
        Mlp net = Mlp.builder(4).hidden(8).output(2).dropout(0.2f).build();
        net.initialize(5L);
        Path model = dir.resolve("img.adm");
        ModelFile.save(model, net, null, null);
        Path images = dir.resolve("images-idx3-ubyte");
        try (DataOutputStream o = new DataOutputStream(Files.newOutputStream(images))) {
            o.writeInt(0x00000803);
            o.writeInt(3);
            o.writeInt(2);
            o.writeInt(2);
            for (int i = 0; i < 12; i++) {
                o.writeByte(i * 20);
            }
        }
        Path out = dir.resolve("img.csv");
        CliTest.Run r = run("predict", "--model", model.toString(), "--data", "idx:" + images, "--out", out.toString());
        assertEquals(0, r.code(), r.err());
        assertEquals(4, Files.readAllLines(out).size());
        r = run("predict", "--model", classifier().toString(), "--data", "idx:" + images, "--out", out.toString());
        assertEquals(1, r.code());
        assertTrue(r.err().contains("2x2 = 4 pixels") && r.err().contains("takes 6 inputs"), r.err());
    }

    @Test
    void regressionGivesMeanAndStdInTheDataUnits() throws IOException {
        Mlp net = Mlp.builder(2).hidden(8).output(1).dropout(0.1f).likelihood(Likelihood.gaussian(4.0, false)).build();
        net.initialize(9L);
        // Targets were scaled by std 10 around 100: the CSV must show data units.
        Normalization scaling = Normalization.of(new double[]{0, 0}, new double[]{1, 1}, new double[]{100}, new double[]{10});
        Path model = dir.resolve("reg.adm");
        ModelFile.save(model, net, null, scaling);
        Path in = dir.resolve("reg.csv");
        Files.writeString(in, "0.5,-1\n2,0.25\n");
        Path out = dir.resolve("reg-out.csv");
        CliTest.Run r = run("predict", "--model", model.toString(), "--data", "csv:" + in, "--out", out.toString(),
                "--test-samples", "50");
        assertEquals(0, r.code(), r.err());
        List<String> lines = Files.readAllLines(out);
        assertEquals("row,mean,std,entropy,mutual_information", lines.get(0));
        for (String line : lines.subList(1, lines.size())) {
            String[] f = line.split(",");
            double mean = Double.parseDouble(f[1]);
            double std = Double.parseDouble(f[2]);
            assertTrue(Math.abs(mean - 100) < 100, "mean in data units near 100: " + line);
            // Predictive std >= the noise std in data units: 10 / sqrt(tau = 4) = 5.
            assertTrue(std >= 5 - 1e-3, "std includes the noise 1/sqrt(tau), in data units: " + line);
            assertEquals(0.5 * Math.log(2 * Math.PI * Math.E * std * std), Double.parseDouble(f[3]), 1e-3, line);
            assertTrue(Double.parseDouble(f[4]) >= 0, line);
        }
    }
}

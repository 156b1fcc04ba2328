package io.github.alphadrop.cli;

import io.github.alphadrop.io.ModelFile;
import io.github.alphadrop.kernels.Dropout;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;

import static io.github.alphadrop.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.*;

/** {@code train --noise}: each noise trains, is saved in the model and evaluated; misuse is named. */
class NoiseOptionTest {

    @TempDir
    Path dir;

    @Test
    void gaussianDropoutTrainsSavesAndEvaluates() throws Exception {
        Path model = dir.resolve("g.adm");
        CliTest.Run train = run("train", "--data", "digits", "--noise", "gaussian", "--hidden", "64", "--dropout", "0.2",
                "--epochs", "40", "--samples", "4", "--out", model.toString());
        assertEquals(0, train.code(), train.err());
        ModelFile.Saved saved = ModelFile.load(model);
        assertEquals(Dropout.Noise.GAUSSIAN, saved.model().noise());
        assertTrue(saved.model().describe().contains("dropout 0.2 gaussian"), saved.model().describe());
        assertEvaluatesAbove(model, 20, 0.9, "accuracy with Gaussian dropout");
    }

    @Test
    void dropConnectTrainsAndIsSaved() throws Exception {
        Path model = dir.resolve("dc.adm");
        CliTest.Run train = run("train", "--data", "digits", "--noise", "dropconnect", "--hidden", "64", "--dropout",
                "0.2", "--epochs", "40", "--samples", "4", "--out", model.toString());
        assertEquals(0, train.code(), train.err());
        assertEquals(Dropout.Noise.DROPCONNECT, ModelFile.load(model).model().noise());
        assertEvaluatesAbove(model, 20, 0.9, "accuracy with DropConnect");
    }

    @Test
    void concreteDropoutLearnsItsRatesAndReportsThem() throws Exception {
        Path model = dir.resolve("cc.adm");
        CliTest.Run train = run("train", "--data", "digits", "--noise", "concrete", "--hidden", "64", "--dropout",
                "0.2", "--epochs", "30", "--samples", "4", "--json", "--out", model.toString());
        assertEquals(0, train.code(), train.err());
        ModelFile.Saved saved = ModelFile.load(model);
        assertEquals(Dropout.Noise.CONCRETE, saved.model().noise());
        String rates = train.out().replaceAll("(?s).*\"learned_dropout\":\\[([^\\]]*)\\].*", "$1");
        String[] each = rates.split(",");
        assertEquals(2, each.length, train.out());
        for (int l = 0; l < 2; l++) {
            assertEquals(saved.model().dropout(l), Double.parseDouble(each[l]), 1e-6, "layer " + l + ": " + train.out());
            assertNotEquals(0.2, Double.parseDouble(each[l]), 1e-4, "the rate was learned: " + train.out());
        }
        assertEvaluatesAbove(model, 20, 0.9, "accuracy with concrete dropout");
    }

    @Test
    void aConcreteCnnLearnsItsRatesAndReportsThem() throws Exception {
        Path model = dir.resolve("concrete-cnn.adm");
        CliTest.Run train = run("train", "--data", "digits", "--arch", "cnn", "--conv", "8", "--hidden", "32",
                "--noise", "concrete", "--dropout", "0.2", "--lr", "3e-3", "--epochs", "12", "--samples", "4", "--json",
                "--out", model.toString());
        assertEquals(0, train.code(), train.err());
        io.github.alphadrop.network.Network net = ModelFile.load(model).network();
        assertTrue(net.toString().contains("dense(72->32, concrete dropout), dense(32->10, concrete dropout)"),
                net.toString());
        String[] rates = train.out().replaceAll("(?s).*\"learned_dropout\":\\[([^\\]]*)\\].*", "$1").split(",");
        assertEquals(2, rates.length, train.out());
        for (int l = 0; l < 2; l++) {
            float saved = net.layers().get(2 + l).dropout();
            assertEquals(saved, Double.parseDouble(rates[l]), 1e-6, "layer " + l + ": " + train.out());
            assertNotEquals(0.2, saved, 1e-4, "the rate was learned: " + train.out());
        }
        assertEvaluatesAbove(model, 10, 0.9, "accuracy of a concrete-dropout CNN");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"gaussian", "dropconnect"})
    void aCnnTrainsWithTheNoiseAndIsSaved(String noise) throws Exception {
        Path model = dir.resolve(noise + "-cnn.adm");
        CliTest.Run train = run("train", "--data", "digits", "--arch", "cnn", "--conv", "8", "--hidden", "32",
                "--noise", noise, "--dropout", "0.2", "--lr", "3e-3", "--epochs", "12", "--samples", "4", "--out",
                model.toString());
        assertEquals(0, train.code(), train.err());
        io.github.alphadrop.network.Network net = ModelFile.load(model).network();
        assertTrue(net.toString().contains("dense(72->32, p 0.2 " + noise + "), dense(32->10, p 0.2 " + noise + ")"),
                net.toString());
        assertEvaluatesAbove(model, 10, 0.9, "accuracy of a CNN with " + noise + " noise");
    }

    /** {@code evaluate} of the saved model on the digits, T passes, has accuracy above {@code least}. */
    private static void assertEvaluatesAbove(Path model, int passes, double least, String what) {
        CliTest.Run eval = run("evaluate", "--model", model.toString(), "--data", "digits", "--test-samples",
                Integer.toString(passes), "--json");
        assertEquals(0, eval.code(), eval.err());
        double accuracy = Double.parseDouble(eval.out().replaceAll("(?s).*\"accuracy\":([0-9.]+).*", "$1"));
        assertTrue(accuracy > least, what + " " + accuracy + ": " + eval.out());
    }

    @Test
    void misuseIsNamed() {
        CliTest.Run unknown = run("train", "--data", "digits", "--noise", "bayesian", "--out",
                dir.resolve("x.adm").toString());
        assertEquals(2, unknown.code());
        assertTrue(unknown.err().contains("--noise") && unknown.err().contains("bernoulli, gaussian, dropconnect, concrete"),
                unknown.err());
        CliTest.Run zero = run("train", "--data", "digits", "--noise", "concrete", "--dropout", "0", "--epochs", "1",
                "--out", dir.resolve("z.adm").toString());
        assertNotEquals(0, zero.code());
        assertTrue(zero.err().contains("concrete dropout") && zero.err().contains("dropout[0] = 0.0"), zero.err());
        CliTest.Run cnn = run("train", "--data", "digits", "--arch", "cnn", "--noise", "concrete", "--dropout", "0",
                "--epochs", "1", "--out", dir.resolve("c.adm").toString());
        assertNotEquals(0, cnn.code());
        assertTrue(cnn.err().contains("concrete dropout") && cnn.err().contains("got 0.0"), cnn.err());
        assertFalse(java.nio.file.Files.exists(dir.resolve("c.adm")), "no model written");
    }
}

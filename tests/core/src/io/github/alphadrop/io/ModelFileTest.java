package io.github.alphadrop.io;

import io.github.alphadrop.data.Normalization;
import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.model.Likelihood;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.predict.McPredictive;
import io.github.alphadrop.train.TinyProblems;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

import static org.junit.jupiter.api.Assertions.*;

class ModelFileTest {

    @TempDir
    Path dir;

    private static Mlp model() {
        return Mlp.builder(4).hidden(6, 5).output(3).activation(Activation.TANH).dropoutPerLayer(0.1f, 0.5f, 0.25f)
                .seed(8).build();
    }

    @Test
    void saveThenLoadGivesIdenticalPredictions() throws IOException {
        Mlp original = model();
        TrainingSettings settings = new TrainingSettings(0.5f, 10, 3, 32, 1e-6, 42, "adam(lr=0.001)", "digits");
        Path file = dir.resolve("m.adm");
        ModelFile.save(file, original, settings, null);
        ModelFile.Saved loaded = ModelFile.load(file);
        assertEquals(settings, loaded.settings());
        assertNull(loaded.scaling());
        assertEquals(original.describe(), loaded.model().describe());
        float[] x = TinyProblems.blobs(20, 1).x();
        float[] a = new McPredictive(original, new JavaKernels(), 7, 3, false).predictClasses(x).meanProbs();
        float[] b = new McPredictive(loaded.model(), new JavaKernels(), 7, 3, false).predictClasses(x).meanProbs();
        assertArrayEquals(a, b, 0f);
        try (var files = Files.list(dir)) {
            assertEquals(1, files.count(), "no temporary file is left behind");
        }
    }

    @Test
    void gaussianModelKeepsTauAndScaling() throws IOException {
        Mlp m = Mlp.builder(2).hidden(3).output(1).likelihood(Likelihood.gaussian(2.0, true)).build();
        m.logTauHolder()[0] = 1.25f;
        Normalization scaling = Normalization.of(new double[]{1, 2}, new double[]{3, 4}, new double[]{5}, new double[]{6});
        Path file = dir.resolve("g.adm");
        ModelFile.save(file, m, null, scaling);
        ModelFile.Saved loaded = ModelFile.load(file);
        assertEquals(1.25f, loaded.model().logTau());
        assertFalse(loaded.model().likelihood().isCategorical());
        assertArrayEquals(new double[]{3, 4}, loaded.scaling().featureStd());
        assertArrayEquals(new double[]{6}, loaded.scaling().targetStd());
    }

    @Test
    void truncatedCorruptedAndUnknownVersionFilesFailClearly() throws IOException {
        Path file = dir.resolve("m.adm");
        ModelFile.save(file, model(), null, null);
        byte[] bytes = Files.readAllBytes(file);

        Path truncated = dir.resolve("truncated.adm");
        Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
        assertMessage(truncated, "truncated or corrupted");

        byte[] flipped = bytes.clone();
        flipped[bytes.length / 2] ^= 0x10;
        Path corrupted = dir.resolve("corrupted.adm");
        Files.write(corrupted, flipped);
        assertMessage(corrupted, "checksum");

        byte[] future = bytes.clone();
        ByteBuffer.wrap(future, 8, 4).putInt(99);
        Path newer = dir.resolve("newer.adm");
        Files.write(newer, future);
        assertMessage(newer, "version 99");

        Path other = dir.resolve("other.adm");
        Files.writeString(other, "hello, this is not a model file at all");
        assertMessage(other, "not an AlphaDrop model");

        assertThrows(java.nio.file.NoSuchFileException.class, () -> ModelFile.load(dir.resolve("missing.adm")));
    }

    @Test
    void aFailedSaveLeavesTheExistingFileIntact() throws IOException {
        Path file = dir.resolve("m.adm");
        ModelFile.save(file, model(), null, null);
        byte[] before = Files.readAllBytes(file);
        // A directory cannot be the temporary file's parent when it is a file: the save must fail cleanly.
        Path blocked = file.resolve("child.adm");
        assertThrows(IOException.class, () -> ModelFile.save(blocked, model(), null, null));
        assertArrayEquals(before, Files.readAllBytes(file));
    }

    @Test
    void bytesAndStreamsRoundTripAndBadBytesFailTyped() throws IOException {
        Mlp model = model();
        TrainingSettings settings = new TrainingSettings(0.5f, 10, 3, 32, 1e-4, 7L, "adam", "digits");
        byte[] bytes = ModelFile.encode(model, settings, null);
        Path file = dir.resolve("same.adm");
        ModelFile.save(file, model, settings, null);
        assertArrayEquals(Files.readAllBytes(file), bytes, "encode gives exactly the file's bytes");

        ModelFile.Saved fromBytes = ModelFile.decode(bytes);
        java.io.ByteArrayOutputStream sink = new java.io.ByteArrayOutputStream();
        ModelFile.encode(model, settings, null, sink);
        ModelFile.Saved fromStream = ModelFile.decode(new java.io.ByteArrayInputStream(sink.toByteArray()));
        for (ModelFile.Saved loaded : new ModelFile.Saved[]{fromBytes, fromStream}) {
            assertEquals(settings, loaded.settings());
            for (int l = 0; l < model.layers(); l++) {
                assertArrayEquals(model.weights(l), loaded.model().weights(l));
                assertArrayEquals(model.biases(l), loaded.model().biases(l));
            }
        }

        ModelFileException e = assertThrows(ModelFileException.class,
                () -> ModelFile.decode(Arrays.copyOf(bytes, bytes.length - 3)));
        assertTrue(e.getMessage().startsWith("model bytes: "), e.getMessage());
        assertTrue(e instanceof io.github.alphadrop.AlphaDropException);
        IllegalArgumentException nullBytes = assertThrows(IllegalArgumentException.class,
                () -> ModelFile.decode((byte[]) null));
        assertTrue(nullBytes.getMessage().contains("bytes"), nullBytes.getMessage());
    }

    @Test
    void savesKeepPermissionsAndRemoveWhatAKilledSaveLeft() throws IOException {
        Path file = dir.resolve("p.adm");
        ModelFile.save(file, model(), null, null);
        assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)),
                "a new model file is readable like any other file, not 0600");
        Files.setPosixFilePermissions(file, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw----"));
        Path leftover = dir.resolve("p.adm123456789.tmp");
        Files.write(leftover, new byte[0]);
        Files.setLastModifiedTime(leftover, java.nio.file.attribute.FileTime.fromMillis(System.currentTimeMillis() - 3_600_000));
        Path inFlight = dir.resolve("p.adm987654321.tmp");
        Files.write(inFlight, new byte[0]);
        Path otherModel = dir.resolve("q.adm123.tmp");
        Files.write(otherModel, new byte[0]);
        Files.setLastModifiedTime(otherModel, java.nio.file.attribute.FileTime.fromMillis(0));
        ModelFile.save(file, model(), null, null);
        assertEquals("rw-rw----", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)),
                "a save keeps the file's permissions");
        assertFalse(Files.exists(leftover), "an old leftover of this model's save is removed");
        assertTrue(Files.exists(inFlight), "a recent one may be another save in flight: kept");
        assertTrue(Files.exists(otherModel), "another model's leftovers are not this save's business");
    }

    private static void assertMessage(Path file, String expected) {
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.load(file));
        assertTrue(e.getMessage().contains(expected), e.getMessage());
        assertTrue(e.getMessage().contains(file.toString()), "message should name the file: " + e.getMessage());
    }
}

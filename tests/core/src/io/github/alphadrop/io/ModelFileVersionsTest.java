package io.github.alphadrop.io;

import io.github.alphadrop.data.Digits;
import io.github.alphadrop.data.TrainTest;
import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.NativeKernels;
import io.github.alphadrop.layers.Conv2D;
import io.github.alphadrop.model.Likelihood;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.network.ConvLayer;
import io.github.alphadrop.network.DenseLayer;
import io.github.alphadrop.network.Network;
import io.github.alphadrop.network.PoolLayer;
import io.github.alphadrop.predict.ClassPredictions;
import io.github.alphadrop.predict.McPredictive;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayInputStream;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.*;

/**
 * Version 3 of the model file (tagged layers, each dropout with its noise) for networks and MLPs, and the
 * older versions still read: {@code digits-mlp-v1.adm} was written by the version-1 code (a 64-24-10 tanh MLP,
 * p = 0.1, trained on the embedded digits), {@code digits-mlp-v2.adm} by the version-2 code (64-24-10 relu,
 * p = 0.1, {@code alphadrop train --data digits --hidden 24 --dropout 0.1 --epochs 40 --seed 3}); both are
 * kept as fixtures.
 */
class ModelFileVersionsTest {

    @TempDir
    Path dir;

    private static byte[] fixture() throws IOException {
        return fixture("digits-mlp-v1.adm");
    }

    private static byte[] fixture(String name) throws IOException {
        try (InputStream in = ModelFileVersionsTest.class.getResourceAsStream(name)) {
            assertNotNull(in, "fixture " + name + " on the test class path");
            return in.readAllBytes();
        }
    }

    /** The version-1 layout read by hand, independently of ModelFile: widths, activation, dropout, weights. */
    private static Mlp readVersion1ByHand(byte[] bytes) throws IOException {
        DataInputStream in = new DataInputStream(new ByteArrayInputStream(bytes));
        in.skipNBytes(8);
        assertEquals(1, in.readInt(), "fixture version");
        int[] sizes = new int[in.readInt()];
        for (int i = 0; i < sizes.length; i++) {
            sizes[i] = in.readInt();
        }
        assertArrayEquals(new int[]{64, 24, 10}, sizes);
        assertEquals(2, in.readInt(), "tanh");
        float[] p = {in.readFloat(), in.readFloat()};
        assertEquals(0, in.readInt(), "categorical");
        in.readBoolean();
        in.readFloat();
        in.readFloat();
        in.readFloat();
        in.readInt();
        in.readInt();
        in.readInt();
        in.readDouble();
        in.readLong();
        in.readUTF();
        in.readUTF();
        assertFalse(in.readBoolean(), "no scaling");
        Mlp m = Mlp.builder(64).hidden(24).output(10).activation(Activation.TANH).dropoutPerLayer(p).build();
        for (int l = 0; l < 2; l++) {
            for (float[] a : new float[][]{m.weights(l), m.biases(l)}) {
                for (int i = 0; i < a.length; i++) {
                    a[i] = in.readFloat();
                }
            }
        }
        assertEquals(4, in.available(), "only the checksum left");
        return m;
    }

    @Test
    void aVersion1FileLoadsAndPredictsAsBefore() throws IOException {
        byte[] bytes = fixture();
        Mlp byHand = readVersion1ByHand(bytes);
        ModelFile.Saved saved = ModelFile.decode(bytes);
        assertNull(saved.network());
        Mlp loaded = saved.model();
        assertEquals(Activation.TANH, loaded.activation());
        assertEquals(0.1f, loaded.dropout(0));
        TrainTest digits = Digits.load();
        float[] x = digits.test().features();
        ClassPredictions want = new McPredictive(byHand, new JavaKernels(), 10, 3, false).predictClasses(x);
        ClassPredictions got = new McPredictive(loaded, new JavaKernels(), 10, 3, false).predictClasses(x);
        assertArrayEquals(want.meanProbs(), got.meanProbs());
        assertTrue(got.accuracy(digits.test().labels()) > 0.9, "the fixture is a trained model: accuracy "
                + got.accuracy(digits.test().labels()));
        // Saved again it is the current version, and reads back to the same model.
        byte[] again = ModelFile.encode(loaded, saved.settings(), null);
        assertEquals(ModelFile.VERSION, ByteBuffer.wrap(again, 8, 4).getInt());
        Mlp reloaded = ModelFile.decode(again).model();
        for (int l = 0; l < 2; l++) {
            assertArrayEquals(byHand.weights(l), reloaded.weights(l));
            assertArrayEquals(byHand.biases(l), reloaded.biases(l));
        }
        assertEquals(saved.settings(), ModelFile.decode(again).settings());
    }

    @Test
    void aVersion2FileLoadsAsABernoulliModelAndSavesAsTheCurrentVersion() throws IOException {
        byte[] bytes = fixture("digits-mlp-v2.adm");
        assertEquals(ModelFile.VERSION_2, ByteBuffer.wrap(bytes, 8, 4).getInt(), "fixture version");
        Mlp loaded = ModelFile.decode(bytes).model();
        assertEquals("64-24-10 relu, dropout 0.1, categorical", loaded.describe());
        assertEquals(io.github.alphadrop.kernels.Dropout.Noise.BERNOULLI, loaded.noise());
        TrainTest digits = Digits.load();
        ClassPredictions p = new McPredictive(loaded, new JavaKernels(), 10, 3, false)
                .predictClasses(digits.test().features());
        assertTrue(p.accuracy(digits.test().labels()) > 0.9, "the fixture is a trained model: accuracy "
                + p.accuracy(digits.test().labels()));
        byte[] again = ModelFile.encode(loaded, null, null);
        assertEquals(4, ByteBuffer.wrap(again, 8, 4).getInt());
        assertEquals(bytes.length + 2 * Integer.BYTES, ModelFile.encode(loaded, ModelFile.decode(bytes).settings(),
                null).length, "versions 3 and 4 add one noise code per layer (and a logit only for concrete dropout)");
        ClassPredictions back = new McPredictive(ModelFile.decode(again).model(), new JavaKernels(), 10, 3, false)
                .predictClasses(digits.test().features());
        assertArrayEquals(p.meanProbs(), back.meanProbs());
    }

    @Test
    void theNoiseKindRoundTrips() {
        Mlp m = Mlp.builder(5).hidden(4).output(3).dropout(0.3f).noise(io.github.alphadrop.kernels.Dropout.Noise.GAUSSIAN)
                .seed(2).build();
        Mlp back = ModelFile.decode(ModelFile.encode(m, null, null)).model();
        assertEquals(io.github.alphadrop.kernels.Dropout.Noise.GAUSSIAN, back.noise());
        assertEquals("5-4-3 relu, dropout 0.3 gaussian, categorical", back.describe());
        assertArrayEquals(m.weights(1), back.weights(1));
        Mlp dc = Mlp.builder(5).hidden(4).output(3).dropout(0.3f).noise(io.github.alphadrop.kernels.Dropout.Noise.DROPCONNECT)
                .seed(2).build();
        assertEquals(io.github.alphadrop.kernels.Dropout.Noise.DROPCONNECT,
                ModelFile.decode(ModelFile.encode(dc, null, null)).model().noise());
    }

    @Test
    void concreteDropoutNeedsVersion4() {
        Mlp m = Mlp.builder(5).hidden(4).output(3).dropout(0.3f).noise(io.github.alphadrop.kernels.Dropout.Noise.CONCRETE)
                .seed(2).build();
        byte[] bytes = ModelFile.encode(m, null, null);
        assertEquals(io.github.alphadrop.kernels.Dropout.Noise.CONCRETE, ModelFile.decode(bytes).model().noise());
        byte[] asVersion3 = bytes.clone();
        ByteBuffer.wrap(asVersion3).putInt(8, 3);
        assertMessage(assertThrows(ModelFileException.class, () -> ModelFile.decode(withChecksum(asVersion3))),
                "noise code 3 (concrete) in a version 3 file");
    }

    @Test
    void gaussianMlpsRoundTripInVersion2() {
        Mlp m = Mlp.builder(3).hidden().output(2).likelihood(Likelihood.gaussian(4.0, true)).seed(3).build();
        m.logTauHolder()[0] = 0.7f;
        Mlp back = ModelFile.decode(ModelFile.encode(m, null, null)).model();
        assertEquals(m.describe(), back.describe());
        assertEquals(0.7f, back.logTau());
        assertArrayEquals(m.weights(0), back.weights(0));
    }

    static Network cnn(long seed) {
        return cnn(seed, io.github.alphadrop.kernels.Dropout.Noise.BERNOULLI);
    }

    static Network cnn(long seed, io.github.alphadrop.kernels.Dropout.Noise noise) {
        ConvLayer c1 = new ConvLayer(9, 8, 2, 3, 4, Conv2D.Padding.SAME, Activation.RELU);
        ConvLayer c2 = new ConvLayer(9, 8, 4, 2, 3, Conv2D.Padding.VALID, Activation.TANH);
        PoolLayer pool = new PoolLayer(8, 7, 3, 2);
        DenseLayer hidden = new DenseLayer(pool.outputSize(), 7, Activation.RELU, 0.3f, 5, noise);
        DenseLayer out = new DenseLayer(7, 4, Activation.IDENTITY, 0.5f, 2, noise);
        Network net = new Network(List.of(c1, c2, pool, hidden, out));
        net.initialize(seed);
        // Non-zero biases, so that a bias written in the wrong place would show.
        SplittableRandom r = new SplittableRandom(seed);
        for (float[] p : net.parameters()) {
            for (int i = 0; i < p.length; i++) {
                p[i] += (float) (0.1 * r.nextGaussian());
            }
        }
        return net;
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.EnumSource(value = io.github.alphadrop.kernels.Dropout.Noise.class,
            names = {"BERNOULLI", "GAUSSIAN", "DROPCONNECT", "CONCRETE"})
    void aCnnSavedAndLoadedPredictsIdentically(io.github.alphadrop.kernels.Dropout.Noise noise) throws IOException {
        Network net = cnn(4, noise);
        TrainingSettings settings = new TrainingSettings(0.5f, 10, 3, 32, 1e-6, 42, "adam(lr=0.001)", "idx:x");
        Path file = dir.resolve("cnn.adm");
        ModelFile.save(file, net, settings, null);
        ModelFile.Saved saved = ModelFile.load(file);
        assertNull(saved.model());
        Network back = saved.network();
        assertEquals(noise, back.layers().get(3).noise());
        assertEquals(noise, back.layers().get(4).noise());
        assertEquals(settings, saved.settings());
        assertEquals(net.toString(), back.toString());
        assertEquals(72 * 2, saved.inputSize());
        assertEquals(4, saved.outputSize());
        for (int i = 0; i < net.parameters().size(); i++) {
            assertArrayEquals(net.parameters().get(i), back.parameters().get(i), "parameter array " + i);
        }
        float[] x = new float[5 * net.inputSize()];
        SplittableRandom r = new SplittableRandom(1);
        for (int i = 0; i < x.length; i++) {
            x[i] = (float) r.nextDouble();
        }
        try (NativeKernels k = new NativeKernels(2)) {
            for (boolean deterministic : new boolean[]{false, true}) {
                float[] want = new McPredictive(net, k, 20, 9, deterministic).predictClasses(x).meanProbs();
                float[] got = new McPredictive(back, k, 20, 9, deterministic).predictClasses(x).meanProbs();
                assertArrayEquals(want, got, "deterministic " + deterministic);
            }
        }
    }

    private static byte[] withChecksum(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer.wrap(bytes, bytes.length - 4, 4).putInt((int) crc.getValue());
        return bytes;
    }

    @Test
    void corruptNetworkFilesAreNamed() {
        Network net = cnn(5);
        byte[] bytes = ModelFile.encode(net, null, null);
        long parameterBytes = net.parameters().stream().mapToLong(p -> p.length).sum() * Float.BYTES;
        // Layers: count, conv (tag + 7 ints), conv, pool (tag + 4 ints), dense (tag, 3 ints, float, noise, id) x 2.
        int layers = (int) (bytes.length - 4 - parameterBytes - (4 + 2 * 32 + 20 + 2 * 28));
        assertEquals(5, ByteBuffer.wrap(bytes).getInt(layers), "layer count where the layout says");
        int firstDenseNoise = layers + 4 + 2 * 32 + 20 + 20;

        byte[] badNoise = bytes.clone();
        ByteBuffer.wrap(badNoise).putInt(firstDenseNoise, 7);
        assertMessage(assertThrows(ModelFileException.class, () -> ModelFile.decode(withChecksum(badNoise))),
                "noise code 7");
        byte[] dropConnectNetwork = bytes.clone();
        ByteBuffer.wrap(dropConnectNetwork).putInt(firstDenseNoise, 2);
        assertEquals(io.github.alphadrop.kernels.Dropout.Noise.DROPCONNECT,
                ModelFile.decode(withChecksum(dropConnectNetwork)).network().layers().get(3).noise());
        byte[] gaussianNetwork = bytes.clone();
        ByteBuffer.wrap(gaussianNetwork).putInt(firstDenseNoise, 1);
        assertEquals(io.github.alphadrop.kernels.Dropout.Noise.GAUSSIAN,
                ModelFile.decode(withChecksum(gaussianNetwork)).network().layers().get(3).noise());

        byte[] badTag = withChecksum(bytes.clone());
        ByteBuffer.wrap(badTag).putInt(layers + 4 + 32 + 32, 9);
        withChecksum(badTag);
        assertMessage(assertThrows(ModelFileException.class, () -> ModelFile.decode(badTag)), "layer tag 9 of layer 2");

        byte[] badPadding = bytes.clone();
        ByteBuffer.wrap(badPadding).putInt(layers + 4 + 24, 7);
        assertMessage(assertThrows(ModelFileException.class, () -> ModelFile.decode(withChecksum(badPadding))),
                "padding code 7");

        byte[] badChain = bytes.clone();
        // The second conv takes 4 channels; 5 breaks the chain and the parameter count.
        ByteBuffer.wrap(badChain).putInt(layers + 4 + 32 + 12, 5);
        assertMessage(assertThrows(ModelFileException.class, () -> ModelFile.decode(withChecksum(badChain))),
                "parameters", "bytes follow");

        byte[] future = bytes.clone();
        ByteBuffer.wrap(future).putInt(8, 5);
        assertMessage(assertThrows(ModelFileException.class, () -> ModelFile.decode(withChecksum(future))),
                "version 5 is not supported", "reads versions 1 to 4");

        net.parameters().get(0)[1] = Float.NaN;
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ModelFile.encode(net, null, null)),
                "parameter array 0 holds NaN at 1");
    }

    private static void assertMessage(Throwable e, String... parts) {
        for (String part : parts) {
            assertTrue(e.getMessage().contains(part), "message '" + e.getMessage() + "' should contain '" + part + "'");
        }
    }
}

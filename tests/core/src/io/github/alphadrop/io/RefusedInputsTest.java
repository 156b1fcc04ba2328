package io.github.alphadrop.io;

import io.github.alphadrop.data.Normalization;
import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.kernels.NativeKernels;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.predict.McPredictive;
import io.github.alphadrop.train.AlphaDivergence;
import io.github.alphadrop.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Non-finite numbers and impossible sizes are refused with a message naming the place, not answered. */
class RefusedInputsTest {

    @TempDir
    Path dir;

    private static Mlp model() {
        Mlp m = Mlp.builder(3).hidden(4).output(2).dropout(0.2f).build();
        m.initialize(1L);
        return m;
    }

    private static void assertMessage(Throwable e, String... parts) {
        for (String p : parts) {
            assertTrue(e.getMessage().contains(p), "'" + e.getMessage() + "' should contain '" + p + "'");
        }
    }

    @Test
    void nanOrInfiniteInputsAndWeightsAreRefusedOnBothBackends() {
        for (Kernels k : new Kernels[]{new JavaKernels(), new NativeKernels(1)}) {
            Mlp m = model();
            float[] x = {0, 1, 2, 3, 4, Float.NaN};
            McPredictive p = new McPredictive(m, k, 5, 0, false);
            assertMessage(assertThrows(IllegalArgumentException.class, () -> p.predictClasses(x)),
                    "inputs[row 1, column 2] = NaN");
            float[] inf = {0, Float.POSITIVE_INFINITY, 2};
            Trainer t = Trainer.builder(k).objective(new AlphaDivergence(0.5f, 2)).epochs(1).build();
            assertMessage(assertThrows(IllegalArgumentException.class, () -> t.fit(m, inf, new int[]{1})),
                    "inputs[row 0, column 1] = Infinity");
            m.weights(1)[3] = Float.NaN;
            assertMessage(assertThrows(IllegalArgumentException.class, () -> p.predictClasses(new float[]{1, 2, 3})),
                    "layer 1 weights", "NaN");
        }
    }

    private static byte[] withChecksum(byte[] bytes) {
        CRC32 crc = new CRC32();
        crc.update(bytes, 0, bytes.length - 4);
        ByteBuffer.wrap(bytes, bytes.length - 4, 4).putInt((int) crc.getValue());
        return bytes;
    }

    @Test
    void aCraftedFileWithHugeWidthsIsRejectedBeforeAllocating() {
        byte[] bytes = ModelFile.encode(model(), null, null);
        // Version 2 ends with the layer list (count, then per dense layer tag, in, out, activation, dropout,
        // mask id: 24 bytes), the 3*4+4 + 4*2+2 parameters and the checksum.
        int layers = bytes.length - 4 - 26 * Float.BYTES - (4 + 2 * 24);
        ByteBuffer b = ByteBuffer.wrap(bytes);
        b.putInt(layers + 12, 1 << 24).putInt(layers + 32, 1 << 24);
        assertRejectedAtOnce(withChecksum(bytes));
    }

    @Test
    void aCraftedVersion1FileWithHugeWidthsIsRejectedBeforeAllocating() throws Exception {
        byte[] bytes;
        try (var in = RefusedInputsTest.class.getResourceAsStream("digits-mlp-v1.adm")) {
            bytes = in.readAllBytes();
        }
        // magic (8), version (4), boundary count (4), then the widths 64, 24, 10.
        ByteBuffer.wrap(bytes).putInt(16, 1 << 24).putInt(20, 1 << 24);
        assertRejectedAtOnce(withChecksum(bytes));
    }

    private static void assertRejectedAtOnce(byte[] bytes) {
        long start = System.nanoTime();
        ModelFileException e = assertThrows(ModelFileException.class, () -> ModelFile.decode(bytes));
        assertMessage(e, "need", "parameters", "bytes follow");
        assertTrue(System.nanoTime() - start < 1_000_000_000L, "rejected at once, not after allocating");
    }

    @Test
    void nanWeightsInAFileAreACorruptModel() {
        Mlp m = model();
        byte[] bytes = ModelFile.encode(m, null, null);
        // The last float before the checksum is the last bias of the last layer.
        ByteBuffer.wrap(bytes).putFloat(bytes.length - 8, Float.NaN);
        assertMessage(assertThrows(ModelFileException.class, () -> ModelFile.decode(withChecksum(bytes))),
                "layer 1 biases", "NaN");
    }

    @Test
    void aModelThatSavesMustLoad() throws Exception {
        Mlp m = model();
        Normalization wrongWidth = Normalization.of(new double[]{0, 0}, new double[]{1, 1}, new double[0], new double[0]);
        Path file = dir.resolve("m.adm");
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ModelFile.save(file, m, null, wrongWidth)),
                "scaling has 2 features", "takes 3 inputs");
        m.biases(0)[0] = Float.NEGATIVE_INFINITY;
        assertMessage(assertThrows(IllegalArgumentException.class, () -> ModelFile.save(file, m, null, null)),
                "layer 0 biases");
        assertFalse(Files.exists(file), "nothing written");
    }
}

package io.github.alphadrop.data;

import static io.github.alphadrop.data.Fixtures.assertContains;
import static io.github.alphadrop.data.Fixtures.assertMalformed;
import static io.github.alphadrop.data.Fixtures.path;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class IdxLoaderTest {

    private static final float[] TRAIN_PIXELS = {
        0f, 51 / 255f, 102 / 255f, 153 / 255f, 204 / 255f, 1f,
        1f, 0f, 0f, 0f, 0f, 1f,
        1 / 255f, 2 / 255f, 3 / 255f, 4 / 255f, 5 / 255f, 6 / 255f};

    @Test
    void loadsRawTrainAndGzippedTestParts() throws Exception {
        TrainTest tt = IdxLoader.load(path("idx/ok"));
        Dataset train = tt.train();
        assertEquals("ok/train", train.name());
        assertEquals(3, train.size());
        assertEquals(6, train.featureDim());
        assertArrayEquals(TRAIN_PIXELS, train.features(), 0);
        assertArrayEquals(new int[] {0, 2, 1}, train.labels());
        Dataset test = tt.test();
        assertEquals(2, test.size());
        assertArrayEquals(new int[] {3, 0}, test.labels());
        assertEquals(10 / 255f, test.feature(0, 0), 0);
        // Train's largest label is 2, test's is 3: both end up with 4 classes.
        assertEquals(4, train.classes());
        assertEquals(4, test.classes());
    }

    @Test
    void detectsGzipByContentNotByNameAndAcceptsDottedNames() throws Exception {
        // dotted/: gzip data named without .gz and raw data named .gz
        Dataset train = IdxLoader.load(path("idx/dotted"), "train");
        assertArrayEquals(TRAIN_PIXELS, train.features(), 0);
        assertArrayEquals(new int[] {0, 2, 1}, train.labels());
        assertEquals(2, IdxLoader.load(path("idx/dotted"), "t10k").size());
    }

    @Test
    void readsImageHeader() throws Exception {
        IdxLoader.Images im = IdxLoader.readImages(path("idx/ok/t10k-images-idx3-ubyte.gz"));
        assertEquals(2, im.count());
        assertEquals(2, im.rows());
        assertEquals(3, im.cols());
    }

    @Test
    void aCorruptLabelByteIsAnErrorNotA256ClassSet(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir)
            throws Exception {
        java.nio.file.Path images = dir.resolve("images");
        java.nio.file.Path labels = dir.resolve("labels");
        try (java.io.DataOutputStream o = new java.io.DataOutputStream(java.nio.file.Files.newOutputStream(images))) {
            o.writeInt(IdxLoader.IMAGES_MAGIC);
            o.writeInt(20);
            o.writeInt(1);
            o.writeInt(1);
            o.write(new byte[20]);
        }
        byte[] ok = new byte[20];
        for (int i = 0; i < 20; i++) {
            ok[i] = (byte) (i % 10);
        }
        byte[] bad = ok.clone();
        bad[13] = (byte) 255;
        for (byte[] content : new byte[][]{ok, bad}) {
            try (java.io.DataOutputStream o = new java.io.DataOutputStream(java.nio.file.Files.newOutputStream(labels))) {
                o.writeInt(IdxLoader.LABELS_MAGIC);
                o.writeInt(20);
                o.write(content);
            }
            if (content == ok) {
                assertEquals(10, IdxLoader.load(images, labels, "ok").classes());
            } else {
                assertMalformed(() -> IdxLoader.load(images, labels, "bad"), "label 255 at item 13", "corrupt label");
            }
        }
    }

    @Test
    void countMismatchNamesBothFiles() {
        assertMalformed(() -> IdxLoader.load(path("idx/mismatch"), "train"),
                "count mismatch", "3 images", "2 labels", "train-images-idx3-ubyte", "train-labels-idx1-ubyte");
    }

    @Test
    void missingFilesAndBadPartAreReported() {
        NoSuchFileException e = assertThrows(NoSuchFileException.class, () -> IdxLoader.load(path("idx/mismatch"), "t10k"));
        assertContains(e.getMessage(), "t10k-images-idx3-ubyte.gz", "looked for");
        assertThrows(NoSuchFileException.class, () -> IdxLoader.load(path("idx/ok").resolve("nope")));
        assertThrows(IllegalArgumentException.class, () -> IdxLoader.load(path("idx/ok"), "test"));
    }

    @Test
    void badMagicIsNamed() {
        Path labelsAsImages = path("idx/bad/labels-magic-in-images");
        MalformedDataException e = assertMalformed(() -> IdxLoader.readImages(labelsAsImages),
                "bad magic number 0x00000801", "expected 0x00000803", "labels file");
        assertEquals(labelsAsImages.toString(), e.source());
        assertMalformed(() -> IdxLoader.readImages(path("idx/bad/random-magic")), "bad magic number 0x12345678");
        assertMalformed(() -> IdxLoader.readImages(path("idx/bad/float-type")), "bad magic", "data type 0x0d");
        assertMalformed(() -> IdxLoader.readLabels(path("idx/ok/train-images-idx3-ubyte")),
                "bad magic number 0x00000803", "expected 0x00000801", "images file");
    }

    @Test
    void truncationAndTrailingBytesAreNamed() {
        assertMalformed(() -> IdxLoader.readImages(path("idx/bad/truncated-header")), "truncated", "header");
        assertMalformed(() -> IdxLoader.readImages(path("idx/bad/truncated-images")),
                "truncated", "3 images", "ends after 15 bytes", "truncated-images");
        assertMalformed(() -> IdxLoader.readImages(path("idx/bad/truncated-images.gz")),
                "truncated-images.gz", "truncated");
        assertMalformed(() -> IdxLoader.readImages(path("idx/bad/trailing-images")), "extra bytes", "3 images");
        assertMalformed(() -> IdxLoader.readLabels(path("idx/bad/truncated-labels")), "truncated", "3 labels");
        assertMalformed(() -> IdxLoader.readImages(path("idx/bad/not-gzip.gz")), "not-gzip.gz", "gzip");
    }
}

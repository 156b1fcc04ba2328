package io.github.alphadrop.data;

import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reads the IDX format of MNIST and Fashion-MNIST: a big-endian header (magic number, then one
 * 32-bit size per dimension) followed by unsigned bytes.
 * <ul>
 *   <li>images: magic {@code 0x00000803} (unsigned bytes, 3 dimensions), then count, rows, columns;
 *       pixels are scaled to {@code [0, 1]} by {@code value / 255};</li>
 *   <li>labels: magic {@code 0x00000801} (unsigned bytes, 1 dimension), then count.</li>
 * </ul>
 * Files may be raw or gzip-compressed; compression is recognised by the gzip magic bytes, not by the
 * {@code .gz} extension. Problems with the content raise a {@link MalformedDataException} naming the
 * file and what is wrong (bad magic, truncated data, trailing bytes, count mismatch).
 *
 * <p>{@link #load(Path, String)} finds the files of one part in a folder by their standard names. The
 * MNIST and Fashion-MNIST distributions (including Debian's {@code dataset-fashion-mnist} in
 * {@code /usr/share/datasets/fashion-mnist}) use {@code train-images-idx3-ubyte.gz}; some mirrors use a
 * dot, {@code train-images.idx3-ubyte}; both are accepted, with or without {@code .gz}.
 */
public final class IdxLoader {

    /** Magic number of an IDX file of unsigned bytes with 3 dimensions (images). */
    public static final int IMAGES_MAGIC = 0x00000803;
    /** Magic number of an IDX file of unsigned bytes with 1 dimension (labels). */
    public static final int LABELS_MAGIC = 0x00000801;

    private IdxLoader() {
    }

    /**
     * The content of an IDX image file.
     *
     * @param count  number of images
     * @param rows   image height in pixels
     * @param cols   image width in pixels
     * @param pixels {@code count × rows × cols} values in {@code [0, 1]}, image-major then row-major
     */
    public record Images(int count, int rows, int cols, float[] pixels) {
    }

    /**
     * Loads both parts of a folder: {@code train} as the training set, {@code t10k} as the test set.
     *
     * @throws NoSuchFileException     if the folder or one of the four files is missing
     * @throws MalformedDataException  if a file's content is wrong
     */
    public static TrainTest load(Path dir) throws IOException {
        return new TrainTest(load(dir, "train"), load(dir, "t10k"));
    }

    /**
     * Loads one part ({@code "train"} or {@code "t10k"}) of an MNIST-style folder. The dataset is named
     * {@code <folder name>/<part>}, has {@code rows × cols} features and {@code max label + 1} classes.
     *
     * @throws IllegalArgumentException if {@code part} is neither {@code "train"} nor {@code "t10k"}
     * @throws NoSuchFileException      if the folder or the images or labels file is missing
     * @throws MalformedDataException   if a file's content is wrong or the counts disagree
     */
    public static Dataset load(Path dir, String part) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (!"train".equals(part) && !"t10k".equals(part)) {
            throw new IllegalArgumentException("IDX part must be \"train\" or \"t10k\", got \"" + part + "\"");
        }
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not a folder (expected an MNIST-style IDX folder)");
        }
        Path images = find(dir, part, "images", "idx3");
        Path labels = find(dir, part, "labels", "idx1");
        Path folderName = dir.toAbsolutePath().normalize().getFileName();
        String name = (folderName != null ? folderName.toString() : dir.toString()) + "/" + part;
        return load(images, labels, name);
    }

    /**
     * The images of one part ({@code "train"} or {@code "t10k"}) of an MNIST-style folder, without labels.
     *
     * @throws NoSuchFileException    if the folder or the images file is missing
     * @throws MalformedDataException if the file's content is wrong
     */
    public static Images readImages(Path dir, String part) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (!"train".equals(part) && !"t10k".equals(part)) {
            throw new IllegalArgumentException("IDX part must be \"train\" or \"t10k\", got \"" + part + "\"");
        }
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not a folder (expected an MNIST-style IDX folder)");
        }
        return readImages(find(dir, part, "images", "idx3"));
    }

    /** The first existing file among the accepted names of one part and kind. */
    private static Path find(Path dir, String part, String kind, String idxType) throws NoSuchFileException {
        List<String> tried = new ArrayList<>();
        for (String sep : new String[] {"-", "."}) {
            String base = part + "-" + kind + sep + idxType + "-ubyte";
            for (String candidate : new String[] {base, base + ".gz"}) {
                Path p = dir.resolve(candidate);
                if (Files.isRegularFile(p)) {
                    return p;
                }
                tried.add(candidate);
            }
        }
        throw new NoSuchFileException(dir.toString(), null,
                "no IDX " + kind + " file for part '" + part + "'; looked for " + String.join(", ", tried));
    }

    /**
     * Loads an images file and a labels file as one classification set.
     *
     * @throws MalformedDataException if either file is malformed or their counts differ
     */
    public static Dataset load(Path imagesFile, Path labelsFile, String name) throws IOException {
        Images images = readImages(imagesFile);
        int[] labels = readLabels(labelsFile);
        if (images.count() != labels.length) {
            throw new MalformedDataException(imagesFile.toString(), "count mismatch: " + images.count()
                    + " images but " + labels.length + " labels in " + labelsFile);
        }
        int max = -1;
        int maxAt = -1;
        for (int i = 0; i < labels.length; i++) {
            if (labels[i] > max) {
                max = labels[i];
                maxAt = i;
            }
        }
        // The class count is max + 1: one corrupt label byte (255) would silently make a 256-class model.
        // Real label files use most of 0..max, so fewer than half of them in use means a bad label.
        long used = java.util.Arrays.stream(labels).distinct().count();
        if (max > 0 && used * 2 < max + 1) {
            throw new MalformedDataException(labelsFile.toString(), "label " + max + " at item " + maxAt + " leaves most of"
                    + " classes 0.." + max + " unused (only " + used + " distinct labels): a corrupt label?");
        }
        return Dataset.classification(name, images.pixels(), images.rows() * images.cols(), labels, Math.max(1, max + 1));
    }

    /**
     * Reads an IDX image file (raw or gzip), scaling pixels to {@code [0, 1]}.
     *
     * @throws MalformedDataException on a bad magic number, bad dimensions, truncated or trailing data
     */
    public static Images readImages(Path file) throws IOException {
        String src = file.toString();
        try (DataInputStream in = new DataInputStream(DataFiles.open(file))) {
            int[] header = readHeader(in, src, IMAGES_MAGIC, 3);
            int count = header[0];
            int rows = header[1];
            int cols = header[2];
            if (rows < 1 || cols < 1) {
                throw new MalformedDataException(src, "bad image size " + rows + "×" + cols + " in header");
            }
            int perImage = rows * cols; // both < 2^31 and checked below against the array limit
            long total = (long) count * rows * cols;
            if ((long) rows * cols > Integer.MAX_VALUE - 8 || total > Integer.MAX_VALUE - 8) {
                throw new MalformedDataException(src, "header declares " + count + " images of " + rows + "×"
                        + cols + " pixels, too many for one array");
            }
            // Read the bytes as they arrive instead of trusting the header with one huge allocation (a
            // corrupt count should give "truncated", not an OutOfMemoryError; readNBytes grows its buffer
            // with the data), and convert to floats once at the end: peak memory is the float array plus
            // one byte per pixel, not two generations of float arrays.
            byte[] raw = in.readNBytes((int) total);
            if (raw.length < total) {
                long have = raw.length;
                throw new MalformedDataException(src, "truncated: header declares " + count + " images of "
                        + rows + "×" + cols + " (" + total + " pixel bytes) but the data ends after " + have
                        + " bytes (image " + (have / perImage + 1) + " of " + count + " is incomplete)");
            }
            float[] pixels = new float[(int) total];
            for (int i = 0; i < pixels.length; i++) {
                pixels[i] = (raw[i] & 0xff) / 255f;
            }
            raw = null; // let it go before anything else is allocated
            requireEnd(in, src, count + " images");
            return new Images(count, rows, cols, pixels);
        } catch (IOException e) {
            throw DataFiles.describe(src, e);
        }
    }

    /**
     * Reads an IDX label file (raw or gzip): one unsigned byte per label.
     *
     * @throws MalformedDataException on a bad magic number, truncated or trailing data
     */
    public static int[] readLabels(Path file) throws IOException {
        String src = file.toString();
        try (DataInputStream in = new DataInputStream(DataFiles.open(file))) {
            int count = readHeader(in, src, LABELS_MAGIC, 1)[0];
            if (count > Integer.MAX_VALUE - 8) {
                throw new MalformedDataException(src, "header declares " + count + " labels, too many for one array");
            }
            // readNBytes(len) allocates as data arrives, so a corrupt count cannot exhaust memory.
            byte[] raw = in.readNBytes(count);
            if (raw.length < count) {
                throw new MalformedDataException(src, "truncated: header declares " + count
                        + " labels but the data ends after " + raw.length);
            }
            requireEnd(in, src, count + " labels");
            int[] labels = new int[count];
            for (int i = 0; i < count; i++) {
                labels[i] = raw[i] & 0xff;
            }
            return labels;
        } catch (IOException e) {
            throw DataFiles.describe(src, e);
        }
    }

    /** Reads and checks the magic number, then returns the {@code dims} sizes. */
    private static int[] readHeader(DataInputStream in, String src, int expectedMagic, int dims) throws IOException {
        byte[] header = new byte[4 + 4 * dims];
        int got = in.readNBytes(header, 0, header.length);
        if (got >= 4) {
            int magic = bigEndianInt(header, 0);
            if (magic != expectedMagic) {
                throw new MalformedDataException(src, String.format(
                        "bad magic number 0x%08x (expected 0x%08x for an IDX %s file)%s", magic, expectedMagic,
                        expectedMagic == IMAGES_MAGIC ? "images" : "labels", magicHint(magic)));
            }
        }
        if (got < header.length) {
            throw new MalformedDataException(src, "truncated: the " + header.length
                    + "-byte IDX header ends after " + got + " bytes");
        }
        int[] sizes = new int[dims];
        for (int i = 0; i < dims; i++) {
            sizes[i] = bigEndianInt(header, 4 + 4 * i);
            if (sizes[i] < 0) {
                throw new MalformedDataException(src, "negative size " + sizes[i] + " for dimension " + i + " in header");
            }
        }
        return sizes;
    }

    /** A hint for the commonest mix-ups: images and labels swapped, or a non-byte IDX type. */
    private static String magicHint(int magic) {
        if (magic == IMAGES_MAGIC) {
            return "; this is an images file";
        }
        if (magic == LABELS_MAGIC) {
            return "; this is a labels file";
        }
        if ((magic >>> 16) == 0 && ((magic >>> 8) & 0xff) != 0x08) {
            return String.format("; IDX data type 0x%02x is not supported, only unsigned bytes (0x08)", (magic >>> 8) & 0xff);
        }
        return "";
    }

    /** A file longer than its header says is as suspicious as a short one (wrong header, concatenation). */
    private static void requireEnd(InputStream in, String src, String declared) throws IOException {
        if (in.read() != -1) {
            throw new MalformedDataException(src, "extra bytes after the " + declared + " declared in the header");
        }
    }

    private static int bigEndianInt(byte[] b, int off) {
        return ((b[off] & 0xff) << 24) | ((b[off + 1] & 0xff) << 16) | ((b[off + 2] & 0xff) << 8) | (b[off + 3] & 0xff);
    }
}

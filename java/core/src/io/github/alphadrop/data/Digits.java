package io.github.alphadrop.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;

/**
 * The embedded default data set: 1,797 handwritten digits of 8×8 pixels, 10 classes, small enough to
 * train on in seconds and shipped inside the jar, so examples and smoke tests need no download.
 *
 * <p>Attribution: UCI Machine Learning Repository, "Optical Recognition of Handwritten Digits"
 * (E. Alpaydin, C. Kaynak), the part distributed with scikit-learn; licence CC BY 4.0. See
 * {@code io/github/alphadrop/data/README-digits.txt} in the jar.
 *
 * <h2>Content</h2>
 * The resource {@value #RESOURCE} is a headerless gzipped CSV: each row is 64 pixel values in 0–16
 * (row-major) followed by the label 0–9. Features are the pixels divided by 16, so in {@code [0, 1]}.
 *
 * <h2>Fixed train/test split</h2>
 * {@link #load()} always returns the same split of {@value #TRAIN_SIZE} training and {@value #TEST_SIZE}
 * test rows, so results are comparable across runs and machines. It is
 * {@link TrainTest#holdOut(Dataset, int, long) TrainTest.holdOut(all(), 360, 2017L)}, that is:
 * <ol>
 *   <li>start from the identity permutation of the row numbers {@code 0..1796} (file order);</li>
 *   <li>with {@code rnd = new java.util.Random(2017L)}, for {@code i} from 1796 down to 1 swap positions
 *       {@code i} and {@code rnd.nextInt(i + 1)};</li>
 *   <li>the rows at the first 360 positions are the test set, the other 1,437 the training set; each
 *       part keeps its rows in file order.</li>
 * </ol>
 * No normalisation is applied (pixels are already in {@code [0, 1]}).
 */
public final class Digits {

    /** Classpath location of the data. */
    public static final String RESOURCE = "/io/github/alphadrop/data/digits.csv.gz";
    /** Number of rows in the file. */
    public static final int SIZE = 1797;
    /** Rows in the fixed training part. */
    public static final int TRAIN_SIZE = 1437;
    /** Rows in the fixed test part (about 20%). */
    public static final int TEST_SIZE = 360;
    /** Pixels per image (8×8). */
    public static final int FEATURES = 64;
    /** Digit classes 0–9. */
    public static final int CLASSES = 10;
    /** Seed of the fixed split's permutation (see the class comment). */
    public static final long SPLIT_SEED = 2017L;
    /** Largest raw pixel value; features are {@code raw / MAX_PIXEL}. */
    public static final float MAX_PIXEL = 16f;

    private Digits() {
    }

    /**
     * The fixed split: {@value #TRAIN_SIZE} training rows named {@code digits/train}, {@value #TEST_SIZE}
     * test rows named {@code digits/test}.
     *
     * @throws UncheckedIOException if the resource is missing or damaged (a packaging error)
     */
    public static TrainTest load() {
        return TrainTest.holdOut(all(), TEST_SIZE, SPLIT_SEED);
    }

    /**
     * All {@value #SIZE} rows in file order, named {@code digits}, pixels scaled to {@code [0, 1]}.
     *
     * @throws UncheckedIOException if the resource is missing or damaged (a packaging error)
     */
    public static Dataset all() {
        String src = "classpath:" + RESOURCE;
        try (InputStream in = Digits.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new UncheckedIOException(new IOException(src + " not found: the jar was built without its resources"));
            }
            Dataset raw = CsvLoader.read(in, src, "digits", "-1", CsvLoader.Task.CLASSIFICATION, CsvLoader.Header.ABSENT);
            if (raw.size() != SIZE || raw.featureDim() != FEATURES || raw.classes() != CLASSES) {
                throw new MalformedDataException(src, "expected " + SIZE + " rows of " + FEATURES
                        + " pixels and labels 0-9, got " + raw);
            }
            float[] pixels = raw.features();
            float[] scaled = new float[pixels.length];
            for (int i = 0; i < pixels.length; i++) {
                if (pixels[i] < 0 || pixels[i] > MAX_PIXEL) {
                    throw new MalformedDataException(src, "pixel " + pixels[i] + " of row " + (i / FEATURES + 1)
                            + " is outside 0-16");
                }
                scaled[i] = pixels[i] / MAX_PIXEL;
            }
            return Dataset.classification("digits", scaled, FEATURES, raw.labels(), CLASSES);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}

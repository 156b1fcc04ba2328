package io.github.alphadrop.data;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;

/**
 * A data set named on the command line, and how to load it as a {@link TrainTest}.
 *
 * <table>
 *   <caption>Accepted forms</caption>
 *   <tr><th>spec</th><th>train / test</th><th>normalised</th></tr>
 *   <tr><td>{@code digits}</td><td>the embedded {@link Digits} set and its fixed 1,437 / 360 split</td><td>no (pixels in [0,1])</td></tr>
 *   <tr><td>{@code idx:DIR}</td><td>{@code train-*} / {@code t10k-*} IDX files of an MNIST-style folder
 *       ({@link IdxLoader}), e.g. {@code idx:../shared/data/mnist-10k} or
 *       {@code idx:/usr/share/datasets/fashion-mnist}</td><td>no (pixels in [0,1])</td></tr>
 *   <tr><td>{@code uci:DIR}</td><td>split {@link Options#split()} (default 0) of a UCI folder
 *       ({@link UciLoader})</td><td>features and target, training statistics</td></tr>
 *   <tr><td>{@code csv:FILE}</td><td>{@link CsvLoader}; the test set is {@link Options#testFile()} if
 *       given, else a random {@link Options#testFraction()} (default {@value #DEFAULT_TEST_FRACTION}) of
 *       the rows held out with {@link TrainTest#holdOut(Dataset, double, long)} and
 *       {@link Options#seed()} (default {@value #DEFAULT_SEED})</td><td>features, and the target for
 *       regression, training statistics</td></tr>
 * </table>
 * The scheme is case-insensitive; everything after the first colon is the path, taken as is
 * (relative paths are relative to the working directory).
 *
 * <p>Options that do not apply to the spec's scheme (e.g. a split for {@code csv:}) are rejected rather
 * than ignored, so that a mistyped command line fails loudly.
 */
public final class DataSpec {

    /** The accepted forms, for help texts and error messages. */
    public static final String FORMS = "digits, idx:DIR, uci:DIR, csv:FILE";
    /** Held-out fraction for {@code csv:FILE} without a test file. */
    public static final double DEFAULT_TEST_FRACTION = 0.2;
    /** Seed of the random hold-out for {@code csv:FILE} without a test file. */
    public static final long DEFAULT_SEED = 2017L;

    /** The kind of source. */
    public enum Scheme {
        /** The embedded digits set. */
        DIGITS,
        /** An MNIST-style folder of IDX files. */
        IDX,
        /** A UCI regression folder with fixed splits. */
        UCI,
        /** A CSV file. */
        CSV
    }

    /**
     * Loading options; null components mean "not given" (the scheme's default). Start from
     * {@link #defaults()} and use the {@code with...} methods. Fits picocli's boxed option fields.
     *
     * @param split        UCI split number (default 0); {@code uci:} only
     * @param testFile     a separate CSV test file; {@code csv:} only, excludes {@code testFraction}
     * @param testFraction fraction of rows to hold out, in (0, 1); {@code csv:} only
     * @param seed         seed of the hold-out permutation; {@code csv:} only
     * @param target       target column name or index (default {@code -1}, the last); {@code csv:} only
     * @param task         classification or regression (default regression); {@code csv:} only
     */
    public record Options(Integer split, Path testFile, Double testFraction, Long seed, String target,
                          CsvLoader.Task task) {

        /** No option given. */
        public static Options defaults() {
            return new Options(null, null, null, null, null, null);
        }

        public Options withSplit(int value) {
            return new Options(value, testFile, testFraction, seed, target, task);
        }

        public Options withTestFile(Path value) {
            return new Options(split, value, testFraction, seed, target, task);
        }

        public Options withTestFraction(double value) {
            return new Options(split, testFile, value, seed, target, task);
        }

        public Options withSeed(long value) {
            return new Options(split, testFile, testFraction, value, target, task);
        }

        public Options withTarget(String value) {
            return new Options(split, testFile, testFraction, seed, value, task);
        }

        public Options withTask(CsvLoader.Task value) {
            return new Options(split, testFile, testFraction, seed, target, value);
        }
    }

    private final String text;
    private final Scheme scheme;
    private final Path path; // null for digits

    private DataSpec(String text, Scheme scheme, Path path) {
        this.text = text;
        this.scheme = scheme;
        this.path = path;
    }

    /**
     * Parses a spec such as {@code digits}, {@code idx:DIR}, {@code uci:DIR} or {@code csv:FILE}.
     * Does not touch the file system.
     *
     * @throws IllegalArgumentException for an unknown scheme or a missing path, naming the spec and the
     *                                  accepted forms
     */
    public static DataSpec parse(String spec) {
        Objects.requireNonNull(spec, "spec");
        String s = spec.strip();
        int colon = s.indexOf(':');
        String scheme = (colon < 0 ? s : s.substring(0, colon)).toLowerCase(Locale.ROOT);
        String rest = colon < 0 ? null : s.substring(colon + 1);
        switch (scheme) {
            case "digits":
                if (rest != null) {
                    throw new IllegalArgumentException("data spec \"" + spec + "\": digits takes no path; accepted forms: " + FORMS);
                }
                return new DataSpec(s, Scheme.DIGITS, null);
            case "idx":
                return new DataSpec(s, Scheme.IDX, requirePath(spec, rest, "idx:DIR"));
            case "uci":
                return new DataSpec(s, Scheme.UCI, requirePath(spec, rest, "uci:DIR"));
            case "csv":
                return new DataSpec(s, Scheme.CSV, requirePath(spec, rest, "csv:FILE"));
            default:
                throw new IllegalArgumentException("unknown data spec \"" + spec + "\"; accepted forms: " + FORMS);
        }
    }

    private static Path requirePath(String spec, String rest, String form) {
        if (rest == null || rest.isBlank()) {
            throw new IllegalArgumentException("data spec \"" + spec + "\" needs a path: " + form
                    + "; accepted forms: " + FORMS);
        }
        return Path.of(rest);
    }

    /** The kind of source. */
    public Scheme scheme() {
        return scheme;
    }

    /** The folder or file; empty for {@code digits}. */
    public Optional<Path> path() {
        return Optional.ofNullable(path);
    }

    /** Loads with default options ({@code uci:} split 0, {@code csv:} last column, regression, 20% held out). */
    public TrainTest load() throws IOException {
        return load(Options.defaults());
    }

    /**
     * Loads the train and test sets.
     *
     * @throws IllegalArgumentException if an option does not apply to this scheme or is out of range
     * @throws IOException              if a file is missing or malformed (see the loaders)
     */
    public TrainTest load(Options options) throws IOException {
        Objects.requireNonNull(options, "options");
        if (scheme != Scheme.UCI) {
            reject(options.split() != null, "a split number");
        }
        if (scheme != Scheme.CSV) {
            reject(options.testFile() != null, "a test file");
            reject(options.testFraction() != null, "a test fraction");
            reject(options.seed() != null, "a hold-out seed");
            reject(options.target() != null, "a target column");
            reject(options.task() != null, "a task");
        }
        switch (scheme) {
            case DIGITS:
                return Digits.load();
            case IDX:
                return IdxLoader.load(path);
            case UCI:
                return UciLoader.load(path, options.split() == null ? 0 : options.split());
            case CSV:
                return loadCsv(options);
            default:
                throw new AssertionError(scheme);
        }
    }

    private TrainTest loadCsv(Options o) throws IOException {
        if (o.testFile() != null && (o.testFraction() != null || o.seed() != null)) {
            throw new IllegalArgumentException(text + ": give either a test file or a test fraction (and seed), not both");
        }
        String target = o.target() == null ? "-1" : o.target();
        CsvLoader.Task task = o.task() == null ? CsvLoader.Task.REGRESSION : o.task();
        Dataset all = CsvLoader.load(path, target, task);
        TrainTest split;
        if (o.testFile() != null) {
            split = new TrainTest(all, CsvLoader.load(o.testFile(), target, task));
        } else {
            double fraction = o.testFraction() == null ? DEFAULT_TEST_FRACTION : o.testFraction();
            split = TrainTest.holdOut(all, fraction, o.seed() == null ? DEFAULT_SEED : o.seed());
        }
        return split.normalized();
    }

    private void reject(boolean given, String what) {
        if (given) {
            throw new IllegalArgumentException("data spec \"" + text + "\" does not take " + what
                    + " (split: uci: only; test file, test fraction, seed, target, task: csv: only)");
        }
    }

    /** The spec as written (trimmed). */
    @Override
    public String toString() {
        return text;
    }
}

package io.github.alphadrop.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Loads a UCI regression set in the layout of the MC-dropout / alpha-dropout experiments
 * ({@code ../shared/data/uci/<set>/}):
 * <ul>
 *   <li>{@code data.txt}: whitespace-separated numbers (spaces or tabs), one example per line; blank
 *       lines (e.g. a trailing one) are skipped and do not count as rows;</li>
 *   <li>{@code index_features.txt}, {@code index_target.txt}: 0-based column indices of the inputs and
 *       of the target(s);</li>
 *   <li>{@code index_train_<i>.txt}, {@code index_test_<i>.txt}: 0-based row indices of split {@code i};</li>
 *   <li>{@code n_splits.txt}: the number of splits.</li>
 * </ul>
 * Index files hold whitespace-separated numbers; integers written as floats by numpy's
 * {@code savetxt} ({@code 1.0000000e+00}) are accepted as long as they are whole.
 *
 * <p>The result is normalised as in those experiments: feature and target mean/std come from the
 * training rows of the split only and are applied to both parts; the {@link Normalization} (reachable
 * from {@link TrainTest#normalization()}) maps predictions, RMSE and log-likelihood back to original
 * units. Validation errors are {@link MalformedDataException}s naming the file, line and column.
 */
public final class UciLoader {

    private UciLoader() {
    }

    /**
     * Reads {@code n_splits.txt}.
     *
     * @throws NoSuchFileException    if it is missing
     * @throws MalformedDataException if it does not hold exactly one positive integer
     */
    public static int numSplits(Path dir) throws IOException {
        Path file = dir.resolve("n_splits.txt");
        int[] values = readIndices(file);
        if (values.length != 1 || values[0] < 1) {
            throw new MalformedDataException(file.toString(), "expected one positive integer (the number of splits), got "
                    + Arrays.toString(values));
        }
        return values[0];
    }

    /**
     * Loads split {@code split} of a UCI folder, normalised with the statistics of its training rows.
     * The sets are named {@code <folder>/split<i>/train} and {@code .../test}.
     *
     * @throws IllegalArgumentException if {@code split} is outside {@code [0, numSplits(dir))}
     * @throws NoSuchFileException      if the folder or one of its files is missing
     * @throws MalformedDataException   if a file is malformed or an index is out of range
     */
    public static TrainTest load(Path dir, int split) throws IOException {
        return loadRaw(dir, split).normalized();
    }

    /**
     * Split {@code split} of a UCI folder in original units, not normalised. For protocols that carve a
     * validation part out of the training rows and must fit the normalisation on what remains (so that
     * the validation rows do not leak into the statistics); everyone else wants {@link #load}.
     *
     * @throws IllegalArgumentException if {@code split} is outside {@code [0, numSplits(dir))}
     * @throws NoSuchFileException      if the folder or one of its files is missing
     * @throws MalformedDataException   if a file is malformed or an index is out of range
     */
    public static TrainTest loadRaw(Path dir, int split) throws IOException {
        Objects.requireNonNull(dir, "dir");
        if (!Files.isDirectory(dir)) {
            throw new NoSuchFileException(dir.toString(), null, "not a folder (expected a UCI set folder with data.txt)");
        }
        int splits = numSplits(dir);
        if (split < 0 || split >= splits) {
            throw new IllegalArgumentException("split " + split + " is out of range [0, " + splits + ") for " + dir);
        }
        Table data = readTable(dir.resolve("data.txt"));
        int[] featureCols = readColumns(dir.resolve("index_features.txt"), data.cols);
        int[] targetCols = readColumns(dir.resolve("index_target.txt"), data.cols);
        for (int t : targetCols) {
            for (int f : featureCols) {
                if (t == f) {
                    throw new MalformedDataException(dir.resolve("index_target.txt").toString(),
                            "column " + t + " is both a feature and a target");
                }
            }
        }
        Path trainFile = dir.resolve("index_train_" + split + ".txt");
        Path testFile = dir.resolve("index_test_" + split + ".txt");
        int[] trainRows = readRows(trainFile, data.rows);
        int[] testRows = readRows(testFile, data.rows);
        boolean[] inTrain = new boolean[data.rows];
        for (int r : trainRows) {
            inTrain[r] = true;
        }
        for (int r : testRows) {
            if (inTrain[r]) {
                // A row in both parts silently inflates test scores; refuse it.
                throw new MalformedDataException(testFile.toString(), "row " + r + " is also in " + trainFile.getFileName());
            }
        }

        Path folder = dir.toAbsolutePath().normalize().getFileName();
        String name = (folder != null ? folder.toString() : dir.toString()) + "/split" + split;
        Dataset train = select(data, trainRows, featureCols, targetCols, name + "/train");
        Dataset test = select(data, testRows, featureCols, targetCols, name + "/test");
        return new TrainTest(train, test);
    }

    private static Dataset select(Table data, int[] rows, int[] featureCols, int[] targetCols, String name) {
        float[] x = new float[rows.length * featureCols.length];
        float[] y = new float[rows.length * targetCols.length];
        for (int i = 0; i < rows.length; i++) {
            int base = rows[i] * data.cols;
            for (int j = 0; j < featureCols.length; j++) {
                x[i * featureCols.length + j] = data.values[base + featureCols[j]];
            }
            for (int j = 0; j < targetCols.length; j++) {
                y[i * targetCols.length + j] = data.values[base + targetCols[j]];
            }
        }
        return Dataset.regression(name, x, featureCols.length, y, targetCols.length);
    }

    /** A dense numeric table read from a whitespace-separated file. */
    private record Table(int rows, int cols, float[] values) {
    }

    private static Table readTable(Path file) throws IOException {
        String src = file.toString();
        float[] values = new float[1024];
        int count = 0;
        int cols = -1;
        int firstLine = 0;
        int rows = 0;
        try (BufferedReader in = reader(file)) {
            String line;
            int lineNo = 0;
            List<String> tokens = new ArrayList<>();
            while ((line = in.readLine()) != null) {
                lineNo++;
                tokenize(line, tokens);
                if (tokens.isEmpty()) {
                    continue; // blank line: numpy.loadtxt skips these too, so row indices still agree
                }
                if (cols < 0) {
                    cols = tokens.size();
                    firstLine = lineNo;
                } else if (tokens.size() != cols) {
                    throw new MalformedDataException(src, lineNo, 0, "ragged row: " + tokens.size()
                            + " values, but line " + firstLine + " has " + cols);
                }
                if (count + cols > values.length) {
                    values = Arrays.copyOf(values, Math.max(values.length * 2, count + cols));
                }
                for (int c = 0; c < cols; c++) {
                    Float v = DataFiles.parseFiniteFloat(tokens.get(c));
                    if (v == null) {
                        throw new MalformedDataException(src, lineNo, c + 1, "\"" + tokens.get(c) + "\" is not a finite number");
                    }
                    values[count++] = v;
                }
                rows++;
            }
        } catch (IOException e) {
            throw DataFiles.describe(src, e);
        }
        if (rows == 0) {
            throw new MalformedDataException(src, "no data rows");
        }
        return new Table(rows, cols, Arrays.copyOf(values, count));
    }

    /** Column indices, each in {@code [0, cols)}, at least one. */
    private static int[] readColumns(Path file, int cols) throws IOException {
        return readIndicesInRange(file, cols, "column index", "data.txt has " + cols + " columns");
    }

    /** Row indices, each in {@code [0, rows)}, at least one. */
    private static int[] readRows(Path file, int rows) throws IOException {
        return readIndicesInRange(file, rows, "row index", "data.txt has " + rows + " rows");
    }

    private static int[] readIndicesInRange(Path file, int limit, String what, String why) throws IOException {
        String src = file.toString();
        List<int[]> positions = new ArrayList<>(); // (line, column) of each value, for error messages
        int[] values = readIndices(file, positions);
        if (values.length == 0) {
            throw new MalformedDataException(src, "no indices");
        }
        for (int i = 0; i < values.length; i++) {
            if (values[i] >= limit) {
                int[] pos = positions.get(i);
                throw new MalformedDataException(src, pos[0], pos[1], what + " " + values[i]
                        + " is out of range [0, " + limit + ") (" + why + ")");
            }
        }
        return values;
    }

    private static int[] readIndices(Path file) throws IOException {
        return readIndices(file, new ArrayList<>());
    }

    /** All whitespace-separated non-negative whole numbers of a file; records where each one was. */
    private static int[] readIndices(Path file, List<int[]> positions) throws IOException {
        String src = file.toString();
        int[] values = new int[256];
        int count = 0;
        try (BufferedReader in = reader(file)) {
            String line;
            int lineNo = 0;
            List<String> tokens = new ArrayList<>();
            while ((line = in.readLine()) != null) {
                lineNo++;
                tokenize(line, tokens);
                for (int c = 0; c < tokens.size(); c++) {
                    int v = DataFiles.parseIndex(tokens.get(c));
                    if (v < 0) {
                        throw new MalformedDataException(src, lineNo, c + 1,
                                "\"" + tokens.get(c) + "\" is not a non-negative whole number");
                    }
                    if (count == values.length) {
                        values = Arrays.copyOf(values, count * 2);
                    }
                    values[count++] = v;
                    positions.add(new int[] {lineNo, c + 1});
                }
            }
        } catch (IOException e) {
            throw DataFiles.describe(src, e);
        }
        return Arrays.copyOf(values, count);
    }

    private static BufferedReader reader(Path file) throws IOException {
        return new BufferedReader(new InputStreamReader(DataFiles.open(file), StandardCharsets.UTF_8));
    }

    /** Splits on runs of spaces and tabs (and a stray '\r' from Windows line ends). */
    private static void tokenize(String line, List<String> out) {
        out.clear();
        int n = line.length();
        int i = 0;
        while (i < n) {
            while (i < n && isSpace(line.charAt(i))) {
                i++;
            }
            int start = i;
            while (i < n && !isSpace(line.charAt(i))) {
                i++;
            }
            if (i > start) {
                out.add(line.substring(start, i));
            }
        }
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\u000b';
    }
}

package io.github.alphadrop.data;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * Loads a numeric CSV file as a classification or regression set.
 *
 * <h2>Format</h2>
 * <ul>
 *   <li>Fields are separated by commas; spaces around a field are ignored; a field may be quoted with
 *       {@code "..."} ({@code ""} inside stands for one quote). Fields cannot span lines.</li>
 *   <li>UTF-8, optionally with a byte-order mark; optionally gzip-compressed (recognised by its magic
 *       bytes, whatever the file name).</li>
 *   <li>Blank lines are skipped. Every other row must have as many fields as the first.</li>
 *   <li>A header row is optional. With {@link Header#AUTO} the first non-blank row is a header if at
 *       least one of its fields is not a number.</li>
 *   <li>All cells must be finite decimal numbers ({@code NaN}, {@code Infinity} and empty cells are
 *       errors: this loader does not impute missing values).</li>
 * </ul>
 *
 * <h2>Target column</h2>
 * One column is the target, the others are the features in file order. It is chosen by header name,
 * or by 0-based index where a negative index counts from the end ({@code -1} = last column).
 *
 * <h2>Task</h2>
 * {@link Task#CLASSIFICATION}: the target must hold non-negative whole numbers ({@code 3} or
 * {@code 3.0}); {@code classes = max label + 1}. {@link Task#REGRESSION}: the target is a float,
 * {@code targetDims = 1}. No normalisation is applied here (see {@link Normalization}).
 *
 * <p>Every content error is a {@link MalformedDataException} naming the file, the line and the column.
 */
public final class CsvLoader {

    /** What the target column holds. */
    public enum Task {
        /** Non-negative integer class labels. */
        CLASSIFICATION,
        /** A real-valued target. */
        REGRESSION
    }

    /** Whether the first non-blank row is a header. */
    public enum Header {
        /** A header if at least one of its fields is not a number. */
        AUTO,
        /** Always a header. */
        PRESENT,
        /** Never a header: the first row is data. */
        ABSENT
    }

    private CsvLoader() {
    }

    /**
     * Loads {@code file} with header auto-detection.
     *
     * @param target a header name, or a 0-based column index as text ({@code "-1"} = last column); a
     *               header name is matched first (exactly, then ignoring case), the index second;
     *               null means the last column
     * @see #load(Path, String, Task, Header)
     */
    public static Dataset load(Path file, String target, Task task) throws IOException {
        return load(file, target, task, Header.AUTO);
    }

    /** Loads {@code file} with the target given by 0-based index (negative counts from the end). */
    public static Dataset load(Path file, int targetIndex, Task task) throws IOException {
        return load(file, Integer.toString(targetIndex), task, Header.AUTO);
    }

    /**
     * Loads {@code file}. The dataset is named after the file, without {@code .gz} and {@code .csv}.
     *
     * @throws java.nio.file.NoSuchFileException if the file does not exist
     * @throws MalformedDataException           on any content error, naming file, line and column
     * @throws IllegalArgumentException         if the target names no column
     */
    public static Dataset load(Path file, String target, Task task, Header header) throws IOException {
        Objects.requireNonNull(file, "file");
        String src = file.toString();
        try (InputStream in = DataFiles.open(file)) {
            return read(in, src, baseName(file), target, task, header);
        } catch (IOException e) {
            throw DataFiles.describe(src, e);
        }
    }

    /**
     * Rows of model inputs, for prediction: unlabelled data. A file with exactly {@code width} columns is
     * all features; one with {@code width + 1} columns has a target column too ({@code target}: a header
     * name or 0-based index, null = the last), which is left out. Every feature must be a finite number.
     *
     * @return {@code rows × width} features, row-major
     * @throws MalformedDataException if a cell is not a finite number, rows are ragged, or the column
     *                                count is neither {@code width} nor {@code width + 1}
     */
    public static float[] loadFeatures(Path file, int width, String target) throws IOException {
        Objects.requireNonNull(file, "file");
        if (width < 1) {
            throw new IllegalArgumentException("width must be >= 1, got " + width);
        }
        String src = file.toString();
        try (InputStream in = DataFiles.open(file)) {
            return readFeatures(in, src, width, target);
        } catch (IOException e) {
            throw DataFiles.describe(src, e);
        }
    }

    private static float[] readFeatures(InputStream stream, String source, int width, String target) throws IOException {
        BufferedReader in = new BufferedReader(new InputStreamReader(DataFiles.decompressIfGzip(stream),
                StandardCharsets.UTF_8));
        List<String> fields = new ArrayList<>();
        int cols = -1;
        int skip = -1;
        int firstLine = 0;
        String[] names = null;
        float[] x = new float[1024];
        int nx = 0;
        String line;
        int lineNo = 0;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                line = line.substring(1);
            }
            if (line.isBlank()) {
                continue;
            }
            split(line, source, lineNo, fields);
            if (cols < 0) {
                cols = fields.size();
                firstLine = lineNo;
                if (cols != width && cols != width + 1) {
                    throw new MalformedDataException(source, lineNo, 0, "found " + cols + " column(s) but the model takes "
                            + width + " inputs (give " + width + " feature columns, or " + (width + 1)
                            + " with a target column)");
                }
                boolean header = fields.stream().anyMatch(f -> !DataFiles.isNumber(f));
                if (header) {
                    names = fields.toArray(new String[0]);
                }
                skip = cols == width ? -1 : resolveTarget(target, names, cols, source);
                if (header) {
                    continue;
                }
            } else if (fields.size() != cols) {
                throw new MalformedDataException(source, lineNo, 0, "ragged row: " + fields.size()
                        + " fields, but line " + firstLine + " has " + cols);
            }
            if (nx + width > x.length) {
                x = Arrays.copyOf(x, Math.max(2 * x.length, nx + width));
            }
            for (int c = 0; c < cols; c++) {
                if (c == skip) {
                    continue;
                }
                String cell = fields.get(c);
                Float v = DataFiles.parseFiniteFloat(cell);
                if (v == null) {
                    throw cellError(source, lineNo, c, names, cell,
                            cell.isEmpty() ? "empty cell (missing values are not supported)" : "is not a finite number");
                }
                x[nx++] = v;
            }
        }
        if (nx == 0) {
            throw new MalformedDataException(source, cols < 0 ? "empty file: no rows" : "no data rows after the header");
        }
        return Arrays.copyOf(x, nx);
    }

    /** The file name without a trailing {@code .gz} and then {@code .csv}. */
    private static String baseName(Path file) {
        String n = file.getFileName().toString();
        if (n.toLowerCase().endsWith(".gz")) {
            n = n.substring(0, n.length() - 3);
        }
        if (n.toLowerCase().endsWith(".csv")) {
            n = n.substring(0, n.length() - 4);
        }
        return n;
    }

    /**
     * Reads CSV from a stream (which may be gzip) that the caller closes; {@code source} names it in
     * error messages. Used by {@link Digits} for the embedded resource.
     */
    static Dataset read(InputStream stream, String source, String name, String target, Task task, Header header)
            throws IOException {
        Objects.requireNonNull(task, "task");
        Objects.requireNonNull(header, "header");
        BufferedReader in = new BufferedReader(new InputStreamReader(DataFiles.decompressIfGzip(stream),
                StandardCharsets.UTF_8));

        List<String> fields = new ArrayList<>();
        String[] columnNames = null;
        int cols = -1;
        int firstLine = 0;
        int targetCol = -1;
        int rows = 0;
        float[] x = new float[1024];
        int nx = 0;
        float[] y = new float[256];
        int[] labels = new int[256];
        int maxLabel = -1;

        String line;
        int lineNo = 0;
        while ((line = in.readLine()) != null) {
            lineNo++;
            if (lineNo == 1 && !line.isEmpty() && line.charAt(0) == '\uFEFF') {
                line = line.substring(1); // byte-order mark written by some spreadsheet programs
            }
            if (line.isBlank()) {
                continue;
            }
            split(line, source, lineNo, fields);
            if (cols < 0) {
                // First non-blank row: fixes the column count, and is maybe a header.
                cols = fields.size();
                firstLine = lineNo;
                if (cols < 2) {
                    throw new MalformedDataException(source, lineNo, 0, "found " + cols
                            + " column(s); need at least one feature column and the target column");
                }
                boolean isHeader = switch (header) {
                    case PRESENT -> true;
                    case ABSENT -> false;
                    case AUTO -> fields.stream().anyMatch(f -> !DataFiles.isNumber(f));
                };
                if (isHeader) {
                    columnNames = fields.toArray(new String[0]);
                }
                targetCol = resolveTarget(target, columnNames, cols, source);
                if (isHeader) {
                    continue;
                }
            } else if (fields.size() != cols) {
                throw new MalformedDataException(source, lineNo, 0, "ragged row: " + fields.size()
                        + " fields, but line " + firstLine + " has " + cols);
            }

            if (nx + cols > x.length) {
                x = Arrays.copyOf(x, Math.max(2 * x.length, nx + cols));
            }
            if (rows == y.length) {
                y = Arrays.copyOf(y, 2 * rows);
                labels = Arrays.copyOf(labels, 2 * rows);
            }
            for (int c = 0; c < cols; c++) {
                String cell = fields.get(c);
                if (c == targetCol && task == Task.CLASSIFICATION) {
                    int label = DataFiles.parseIndex(cell);
                    if (label < 0) {
                        throw cellError(source, lineNo, c, columnNames, cell, "is not a class label (a non-negative whole number)");
                    }
                    labels[rows] = label;
                    maxLabel = Math.max(maxLabel, label);
                    continue;
                }
                Float v = DataFiles.parseFiniteFloat(cell);
                if (v == null) {
                    throw cellError(source, lineNo, c, columnNames, cell,
                            cell.isEmpty() ? "empty cell (missing values are not supported)" : "is not a finite number");
                }
                if (c == targetCol) {
                    y[rows] = v;
                } else {
                    x[nx++] = v;
                }
            }
            rows++;
        }
        if (rows == 0) {
            throw new MalformedDataException(source, cols < 0 ? "empty file: no rows" : "no data rows after the header");
        }
        float[] features = Arrays.copyOf(x, nx);
        if (task == Task.CLASSIFICATION) {
            return Dataset.classification(name, features, cols - 1, Arrays.copyOf(labels, rows), maxLabel + 1);
        }
        return Dataset.regression(name, features, cols - 1, Arrays.copyOf(y, rows), 1);
    }

    private static MalformedDataException cellError(String source, int lineNo, int col, String[] names,
                                                     String cell, String problem) {
        String shown = cell.isEmpty() ? "" : "\"" + cell + "\" ";
        String where = names != null ? " (column \"" + names[col] + "\")" : "";
        return new MalformedDataException(source, lineNo, col + 1, shown + problem + where);
    }

    /** The 0-based target column, from a header name or a (possibly negative) index. */
    private static int resolveTarget(String target, String[] names, int cols, String source) {
        if (target == null) {
            return cols - 1;
        }
        String t = target.trim();
        if (names != null) {
            for (int i = 0; i < cols; i++) {
                if (names[i].equals(t)) {
                    return i;
                }
            }
            int found = -1;
            for (int i = 0; i < cols; i++) {
                if (names[i].equalsIgnoreCase(t)) {
                    if (found >= 0) {
                        throw new IllegalArgumentException(source + ": target \"" + t
                                + "\" matches several columns ignoring case: " + String.join(", ", names));
                    }
                    found = i;
                }
            }
            if (found >= 0) {
                return found;
            }
        }
        int index;
        try {
            index = Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(source + ": target column \"" + t + "\" not found; "
                    + (names != null ? "columns are " + String.join(", ", names)
                    : "the file has no header, so give the target as a 0-based index (-1 = last)"));
        }
        if (index < -cols || index >= cols) {
            throw new IllegalArgumentException(source + ": target column index " + index + " is out of range for "
                    + cols + " columns (use 0.." + (cols - 1) + ", or -1..-" + cols + " from the end)");
        }
        return index < 0 ? cols + index : index;
    }

    /** Splits one CSV line into trimmed fields, honouring double quotes. */
    private static void split(String line, String source, int lineNo, List<String> out) throws MalformedDataException {
        out.clear();
        int n = line.length();
        int i = 0;
        while (true) {
            while (i < n && isBlank(line.charAt(i))) {
                i++;
            }
            StringBuilder field = new StringBuilder();
            if (i < n && line.charAt(i) == '"') {
                int open = i++;
                while (true) {
                    if (i >= n) {
                        throw new MalformedDataException(source, lineNo, out.size() + 1,
                                "unterminated quote opened at character " + (open + 1));
                    }
                    char c = line.charAt(i++);
                    if (c == '"') {
                        if (i < n && line.charAt(i) == '"') {
                            field.append('"');
                            i++;
                        } else {
                            break;
                        }
                    } else {
                        field.append(c);
                    }
                }
                while (i < n && isBlank(line.charAt(i))) {
                    i++;
                }
                if (i < n && line.charAt(i) != ',') {
                    throw new MalformedDataException(source, lineNo, out.size() + 1,
                            "unexpected text after a closing quote");
                }
                out.add(field.toString());
            } else {
                int start = i;
                while (i < n && line.charAt(i) != ',') {
                    i++;
                }
                out.add(line.substring(start, i).strip());
            }
            if (i >= n) {
                return;
            }
            i++; // skip the comma; a trailing comma yields a last, empty field
        }
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t' || c == '\r';
    }
}

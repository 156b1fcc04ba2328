package io.github.alphadrop.data;

import java.io.IOException;

/**
 * A data file exists and could be read, but its content is wrong: bad magic number, truncated data,
 * a non-numeric cell, a ragged row, an index out of range, counts that do not agree, and so on.
 *
 * <p>The message always starts with the source (a file path or a {@code classpath:} name) and, when
 * the problem sits on one line or in one cell, the 1-based line and column, so that a user can open
 * the file and go straight to it: {@code data.csv line 7, column 3: "abc" is not a number}.
 * The same facts are available as fields for callers and tests.
 */
public class MalformedDataException extends IOException {

    private static final long serialVersionUID = 1L;

    private final String source;
    private final int line;
    private final int column;

    /** A problem with the file as a whole (no line or column). */
    public MalformedDataException(String source, String problem) {
        this(source, 0, 0, problem, null);
    }

    /** A problem with the file as a whole, caused by a lower-level I/O error. */
    public MalformedDataException(String source, String problem, Throwable cause) {
        this(source, 0, 0, problem, cause);
    }

    /**
     * @param line   1-based line number, or 0 if not applicable
     * @param column 1-based column (field) number, or 0 if not applicable
     */
    public MalformedDataException(String source, int line, int column, String problem) {
        this(source, line, column, problem, null);
    }

    private MalformedDataException(String source, int line, int column, String problem, Throwable cause) {
        super(format(source, line, column, problem), cause);
        this.source = source;
        this.line = line;
        this.column = column;
    }

    private static String format(String source, int line, int column, String problem) {
        StringBuilder sb = new StringBuilder(source);
        if (line > 0) {
            sb.append(" line ").append(line);
            if (column > 0) {
                sb.append(", column ").append(column);
            }
        } else if (column > 0) {
            sb.append(" column ").append(column);
        }
        return sb.append(": ").append(problem).toString();
    }

    /** The file path or {@code classpath:} name of the offending source. */
    public String source() {
        return source;
    }

    /** 1-based line of the problem, or 0 if it concerns the whole file. */
    public int line() {
        return line;
    }

    /** 1-based column (field) of the problem, or 0 if not applicable. */
    public int column() {
        return column;
    }
}

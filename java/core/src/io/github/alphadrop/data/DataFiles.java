package io.github.alphadrop.data;

import java.io.BufferedInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/** Helpers shared by the loaders: opening (possibly gzipped) files and strict number parsing. */
final class DataFiles {

    private DataFiles() {
    }

    /** The two bytes every gzip member starts with (RFC 1952). */
    private static final int GZIP_MAGIC_0 = 0x1f;
    private static final int GZIP_MAGIC_1 = 0x8b;

    /** Opens a file, transparently decompressing it if it is gzip (see {@link #decompressIfGzip}). */
    static InputStream open(Path file) throws IOException {
        if (Files.isDirectory(file)) {
            throw new MalformedDataException(file.toString(), "is a folder, not a data file");
        }
        if (Files.exists(file) && !Files.isRegularFile(file)) {
            // A device such as /dev/zero would be read forever.
            throw new MalformedDataException(file.toString(), "is not a regular file");
        }
        return decompressIfGzip(Files.newInputStream(file));
    }

    /**
     * Wraps {@code in} in a {@link GZIPInputStream} if its first two bytes are the gzip magic, and
     * returns it buffered otherwise. Detection looks at the content, not at the file name, because
     * downloaded MNIST files are often decompressed by a browser but keep their {@code .gz} name
     * (or the reverse).
     */
    static InputStream decompressIfGzip(InputStream in) throws IOException {
        BufferedInputStream buffered = new BufferedInputStream(in, 1 << 16);
        buffered.mark(2);
        int b0 = buffered.read();
        int b1 = buffered.read();
        buffered.reset();
        if (b0 == GZIP_MAGIC_0 && b1 == GZIP_MAGIC_1) {
            return new BufferedInputStream(new GZIPInputStream(buffered, 1 << 16), 1 << 16);
        }
        return buffered;
    }

    /**
     * Turns a low-level read error into a {@link MalformedDataException} naming the source, so that
     * "Unexpected end of ZLIB input stream" becomes "FILE: truncated (...)". A missing file and an
     * exception that already names its source pass through unchanged.
     */
    static IOException describe(String source, IOException e) {
        if (e instanceof MalformedDataException || e instanceof NoSuchFileException) {
            return e;
        }
        if (e instanceof EOFException) {
            return new MalformedDataException(source, "truncated: unexpected end of data (" + e.getMessage() + ")", e);
        }
        if (e instanceof ZipException) {
            return new MalformedDataException(source, "corrupt gzip data: " + e.getMessage(), e);
        }
        return new MalformedDataException(source, "read failed: " + e, e);
    }

    /**
     * True if {@code s} is a plain decimal number: optional sign, digits with an optional decimal point
     * (at least one digit), optional exponent. Unlike {@link Float#parseFloat} this rejects
     * {@code "NaN"}, {@code "Infinity"}, hex floats and the Java suffixes {@code f}/{@code d}, which in a
     * data file are mistakes, not numbers.
     */
    static boolean isNumber(String s) {
        int n = s.length();
        int i = 0;
        if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
            i++;
        }
        int digits = 0;
        while (i < n && isDigit(s.charAt(i))) {
            i++;
            digits++;
        }
        if (i < n && s.charAt(i) == '.') {
            i++;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                digits++;
            }
        }
        if (digits == 0) {
            return false;
        }
        if (i < n && (s.charAt(i) == 'e' || s.charAt(i) == 'E')) {
            i++;
            if (i < n && (s.charAt(i) == '+' || s.charAt(i) == '-')) {
                i++;
            }
            int expDigits = 0;
            while (i < n && isDigit(s.charAt(i))) {
                i++;
                expDigits++;
            }
            if (expDigits == 0) {
                return false;
            }
        }
        return i == n;
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    /**
     * Parses a finite float, or returns null with no exception if {@code s} is not a plain decimal
     * number or overflows float; callers turn null into an error naming file, line and column.
     */
    static Float parseFiniteFloat(String s) {
        if (!isNumber(s)) {
            return null;
        }
        float v = Float.parseFloat(s);
        return Float.isFinite(v) ? v : null;
    }

    /**
     * Parses a non-negative integer that may be written as a float ({@code "3"}, {@code "3.0"},
     * {@code "3.0000000e+00"}), as numpy's {@code savetxt} writes index files. Returns -1 if
     * {@code s} is not such a number (negative, fractional, not a number, or above {@code Integer.MAX_VALUE}).
     */
    static int parseIndex(String s) {
        if (!isNumber(s)) {
            return -1;
        }
        double v = Double.parseDouble(s);
        if (!(v >= 0 && v <= Integer.MAX_VALUE) || v != Math.rint(v)) {
            return -1;
        }
        return (int) v;
    }
}

package io.github.alphadrop.io;

import io.github.alphadrop.AlphaDropException;

/**
 * Bytes that are not a valid AlphaDrop model: bad magic, an unsupported format version, a checksum
 * mismatch, truncation, or a size or code out of range. The message starts with the source's name (a
 * path, or what the caller called the bytes). Failing to read the bytes at all is an {@link java.io.IOException}.
 */
public class ModelFileException extends AlphaDropException {

    private static final long serialVersionUID = 1L;

    public ModelFileException(String message) {
        super(message);
    }

    public ModelFileException(String message, Throwable cause) {
        super(message, cause);
    }
}

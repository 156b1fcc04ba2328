package io.github.alphadrop;

/**
 * The root of the failures AlphaDrop itself reports: {@link io.github.alphadrop.kernels.NativeKernelException}
 * (the native kernels failed, with their message), {@link io.github.alphadrop.io.ModelFileException} (bytes
 * that are not a valid model file), {@link io.github.alphadrop.train.TrainingDivergedException} (a step's
 * loss or gradient was not finite). Unchecked, like the argument checks: those stay
 * {@link IllegalArgumentException}s naming the argument and its value; I/O failures stay
 * {@link java.io.IOException}s.
 */
public class AlphaDropException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    public AlphaDropException(String message) {
        super(message);
    }

    public AlphaDropException(String message, Throwable cause) {
        super(message, cause);
    }
}

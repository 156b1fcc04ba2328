package io.github.alphadrop.kernels;

import io.github.alphadrop.AlphaDropException;

/**
 * A native kernel failed: the C++ code threw (out of memory, an internal check). The message names the
 * native function and carries the native message; the JNI glue's exception is the cause. Arguments are
 * checked in Java before any native call, so a bad argument is an {@link IllegalArgumentException} instead.
 */
public class NativeKernelException extends AlphaDropException {

    private static final long serialVersionUID = 1L;

    private final String function;

    public NativeKernelException(String function, String nativeMessage, Throwable cause) {
        super("native " + function + " failed: " + nativeMessage, cause);
        this.function = function;
    }

    /** The native entry point that failed, e.g. {@code dropout_matmul_forward}. */
    public String function() {
        return function;
    }

    static NativeKernelException of(String function, RuntimeException fromJni) {
        String message = fromJni.getMessage();
        return new NativeKernelException(function, message == null ? fromJni.getClass().getName() : message, fromJni);
    }
}

package io.github.alphadrop.kernels;

/** Element-wise activation fused into {@link Kernels#dropoutMatmulForward}; codes are shared with the C++ kernels. */
public enum Activation {
    IDENTITY(0),
    RELU(1),
    TANH(2);

    /** The integer the native kernels use for this activation. */
    public final int code;

    Activation(int code) {
        this.code = code;
    }
}

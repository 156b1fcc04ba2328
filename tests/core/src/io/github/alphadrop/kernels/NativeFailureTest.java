package io.github.alphadrop.kernels;

import io.github.alphadrop.AlphaDropException;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A C++ exception arrives as a typed Java exception that carries the native message. */
class NativeFailureTest {

    @Test
    void aNativeExceptionBecomesNativeKernelExceptionWithItsMessage() {
        NativeKernelException e = assertThrows(NativeKernelException.class,
                () -> NativeKernels.failInNative("out of staging memory (test)"));
        assertEquals("fail_with", e.function());
        assertTrue(e.getMessage().contains("out of staging memory (test)"), e.getMessage());
        assertTrue(e.getMessage().contains("native fail_with failed"), e.getMessage());
        assertTrue(e instanceof AlphaDropException);
        assertTrue(e.getCause() != null, "the JNI glue's exception is kept as the cause");
    }

    @Test
    void theBindingIsNotPublicApi() {
        assertTrue(!java.lang.reflect.Modifier.isPublic(NativeBinding.class.getModifiers()),
                "NativeBinding must not be public: only NativeKernels, which checks every argument, may call it");
        for (java.lang.reflect.Method m : NativeBinding.class.getDeclaredMethods()) {
            assertTrue(!java.lang.reflect.Modifier.isPublic(m.getModifiers()), m + " is public");
        }
    }
}

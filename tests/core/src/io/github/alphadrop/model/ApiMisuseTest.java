package io.github.alphadrop.model;

import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.train.Trainer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Null or out-of-range arguments to the builders and the trainer are IllegalArgumentExceptions naming them, never an NPE. */
class ApiMisuseTest {

    private static void assertBad(Executable call, String fragment) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, call);
        assertTrue(e.getMessage().contains(fragment), "'" + e.getMessage() + "' should contain '" + fragment + "'");
    }

    @Test
    void nullsAndRangesNameTheArgument() {
        assertBad(() -> Mlp.builder(3).hidden((int[]) null), "hidden sizes must not be null");
        assertBad(() -> Mlp.builder(3).dropoutPerLayer((float[]) null), "dropoutPerLayer");
        assertBad(() -> Mlp.builder(0), "inputSize");
        assertBad(() -> Mlp.builder(3).hidden(4, -1), "hidden[1]");
        assertBad(() -> Mlp.builder(3).output(2).dropout(1f).build(), "dropout");
        assertBad(() -> Trainer.builder(new JavaKernels()).build().fit((Mlp) null, new float[3], new int[1]), "model must not be null");
        assertBad(() -> Trainer.builder(new JavaKernels()).build().fit((io.github.alphadrop.network.Network) null, new float[3], new int[1]), "network must not be null");
        assertBad(() -> Trainer.builder(new JavaKernels()).build().fit(null, new float[3], new float[1]), "model must not be null");
        assertBad(() -> Trainer.builder(null), "kernels must not be null");
    }
}

package io.github.alphadrop.spark;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The executor backend's thread count follows the task slots the master gives, capped at the processors. */
class ExecutorKernelsTest {

    @Test
    void taskSlotsOfLocalMasters() {
        assertEquals(1, ExecutorKernels.slotsOfMaster("local", 8));
        assertEquals(3, ExecutorKernels.slotsOfMaster("local[3]", 8));
        assertEquals(8, ExecutorKernels.slotsOfMaster("local[*]", 8));
        assertEquals(2, ExecutorKernels.slotsOfMaster("local[2, 4]", 8), "local[N, maxFailures]");
        assertEquals(8, ExecutorKernels.slotsOfMaster("local[64]", 8), "capped at the processors");
        assertEquals(8, ExecutorKernels.slotsOfMaster("spark://host:7077", 8), "a cluster without executor cores");
    }
}

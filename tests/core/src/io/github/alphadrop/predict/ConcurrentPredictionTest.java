package io.github.alphadrop.predict;

import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.kernels.NativeKernels;
import io.github.alphadrop.model.Mlp;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

/**
 * Eight threads predicting at once, sharing one model and one backend instance, each get exactly what a
 * sequential call gives: the backend serialises its calls and the predictor keeps its state per call.
 */
class ConcurrentPredictionTest {

    @Test
    void eightThreadsOnOneBackendGiveTheSequentialResults() throws Exception {
        Mlp model = Mlp.builder(12).hidden(32, 16).output(4).dropout(0.3f).build();
        model.initialize(4L);
        Random r = new Random(8);
        float[][] inputs = new float[8][];
        for (int t = 0; t < inputs.length; t++) {
            inputs[t] = new float[(20 + t) * 12];
            for (int i = 0; i < inputs[t].length; i++) {
                inputs[t][i] = (float) r.nextGaussian();
            }
        }
        try (NativeKernels nativeKernels = new NativeKernels(2)) {
            for (Kernels k : new Kernels[]{new JavaKernels(), nativeKernels}) {
                List<float[]> sequential = new ArrayList<>();
                for (float[] x : inputs) {
                    sequential.add(new McPredictive(model, k, 16, 3, false).predictClasses(x).meanProbs());
                }
                ExecutorService pool = Executors.newFixedThreadPool(8);
                try {
                    for (int round = 0; round < 3; round++) {
                        List<Future<float[]>> parallel = new ArrayList<>();
                        for (float[] x : inputs) {
                            parallel.add(pool.submit(() -> new McPredictive(model, k, 16, 3, false).predictClasses(x).meanProbs()));
                        }
                        for (int t = 0; t < inputs.length; t++) {
                            assertArrayEquals(sequential.get(t), parallel.get(t).get(), k + " thread " + t + " round " + round);
                        }
                    }
                } finally {
                    pool.shutdown();
                }
            }
        }
    }
}

package io.github.alphadrop.train;

import io.github.alphadrop.io.ModelFileException;
import io.github.alphadrop.kernels.JavaKernels;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.kernels.NativeKernels;
import io.github.alphadrop.model.Likelihood;
import io.github.alphadrop.model.Mlp;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Training stopped at a checkpoint and resumed ends with exactly the weights and losses of one run. */
class CheckpointTest {

    @TempDir
    Path dir;

    private static Mlp model(boolean regression) {
        Mlp m = Mlp.builder(regression ? 2 : 4).hidden(12).output(regression ? 1 : 3).dropout(0.2f)
                .likelihood(regression ? Likelihood.gaussian(1.0, true) : Likelihood.categorical()).build();
        m.initialize(5L);
        return m;
    }

    private static Trainer.Builder trainer(Kernels k, int epochs, Supplier<Optimizer> opt) {
        return Trainer.builder(k).objective(new AlphaDivergence(0.5f, 3)).batchSize(16).epochs(epochs).seed(9)
                .weightDecay(1e-4).optimizer(opt);
    }

    private static void assertSameModel(Mlp want, Mlp got, String what) {
        for (int l = 0; l < want.layers(); l++) {
            assertArrayEquals(want.weights(l), got.weights(l), what + " weights " + l);
            assertArrayEquals(want.biases(l), got.biases(l), what + " biases " + l);
        }
        assertEquals(want.logTau(), got.logTau(), 0.0, what + " log tau");
    }

    @Test
    void resumingAtACheckpointIsBitIdenticalToOneRun() throws Exception {
        TinyProblems.Classification blobs = TinyProblems.blobs(100, 1);
        TinyProblems.Regression sine = TinyProblems.sine(100, 2);
        try (NativeKernels nativeKernels = new NativeKernels(2)) {
            for (Kernels k : new Kernels[]{new JavaKernels(), nativeKernels}) {
                for (Supplier<Optimizer> opt : java.util.List.<Supplier<Optimizer>>of(() -> Optimizer.adam(1e-2),
                        () -> Optimizer.sgd(1e-2, 0.9))) {
                    for (boolean regression : new boolean[]{false, true}) {
                        String what = k + " " + opt.get().describe() + (regression ? " gaussian" : " categorical");
                        Mlp straight = model(regression);
                        TrainingResult all = regression ? trainer(k, 6, opt).build().fit(straight, sine.x(), sine.y())
                                : trainer(k, 6, opt).build().fit(straight, blobs.x(), blobs.labels());

                        Path file = dir.resolve("c.ckpt");
                        Mlp first = model(regression);
                        Trainer part = trainer(k, 4, opt).checkpoint(file, 2).build();
                        if (regression) {
                            part.fit(first, sine.x(), sine.y());
                        } else {
                            part.fit(first, blobs.x(), blobs.labels());
                        }
                        Checkpoint c = Checkpoint.read(file);
                        assertEquals(4, c.epochsDone(), what);

                        Mlp resumed = model(regression); // fresh weights: the checkpoint must replace them
                        Trainer rest = trainer(k, 6, opt).resumeFrom(c).build();
                        TrainingResult tail = regression ? rest.fit(resumed, sine.x(), sine.y())
                                : rest.fit(resumed, blobs.x(), blobs.labels());
                        assertSameModel(straight, resumed, what);
                        assertArrayEquals(all.epochLosses(), tail.epochLosses(), what + " losses");
                    }
                }
            }
        }
    }

    @Test
    void concreteDropoutResumesWithItsLearnedRates() throws Exception {
        TinyProblems.Classification blobs = TinyProblems.blobs(100, 1);
        java.util.function.Supplier<Mlp> fresh = () -> {
            Mlp m = Mlp.builder(4).hidden(12).output(3).dropout(0.2f)
                    .noise(io.github.alphadrop.kernels.Dropout.Noise.CONCRETE).build();
            m.initialize(5L);
            return m;
        };
        Kernels k = new JavaKernels();
        Mlp straight = fresh.get();
        trainer(k, 6, () -> Optimizer.adam(1e-2)).build().fit(straight, blobs.x(), blobs.labels());
        Path file = dir.resolve("concrete.ckpt");
        trainer(k, 4, () -> Optimizer.adam(1e-2)).checkpoint(file, 2).build().fit(fresh.get(), blobs.x(), blobs.labels());
        Mlp resumed = fresh.get();
        trainer(k, 6, () -> Optimizer.adam(1e-2)).resumeFrom(Checkpoint.read(file)).build()
                .fit(resumed, blobs.x(), blobs.labels());
        assertSameModel(straight, resumed, "concrete");
        assertArrayEquals(straight.dropLogits(), resumed.dropLogits(), "learned rates");
        assertTrue(straight.dropout(0) != 0.2f, "the rates moved: " + straight.describe());
    }

    @Test
    void aDamagedOrMismatchedCheckpointIsRefused() throws Exception {
        TinyProblems.Classification blobs = TinyProblems.blobs(50, 1);
        Path file = dir.resolve("c.ckpt");
        trainer(new JavaKernels(), 2, () -> Optimizer.adam(1e-2)).checkpoint(file, 1).build()
                .fit(model(false), blobs.x(), blobs.labels());
        byte[] bytes = Files.readAllBytes(file);
        Path cut = dir.resolve("cut.ckpt");
        Files.write(cut, java.util.Arrays.copyOf(bytes, bytes.length - 9));
        ModelFileException e = assertThrows(ModelFileException.class, () -> Checkpoint.read(cut));
        assertTrue(e.getMessage().contains("cut.ckpt") && e.getMessage().contains("checksum"), e.getMessage());

        Checkpoint c = Checkpoint.read(file);
        Mlp other = Mlp.builder(4).hidden(7).output(3).build();
        IllegalArgumentException mismatch = assertThrows(IllegalArgumentException.class,
                () -> trainer(new JavaKernels(), 4, () -> Optimizer.adam(1e-2)).resumeFrom(c).build()
                        .fit(other, blobs.x(), blobs.labels()));
        assertTrue(mismatch.getMessage().contains("is not this model's"), mismatch.getMessage());
    }
}

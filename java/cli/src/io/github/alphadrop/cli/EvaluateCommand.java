package io.github.alphadrop.cli;

import io.github.alphadrop.data.TrainTest;
import io.github.alphadrop.io.ModelFile;
import io.github.alphadrop.kernels.Kernels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code alphadrop evaluate}: MC-dropout predictive metrics of a saved model on a data set's test part. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        description = "Evaluate a saved model on the test part of a data set with T stochastic passes.")
final class EvaluateCommand implements Callable<Integer> {

    @Mixin
    DataOptions data;

    @Mixin
    CommonOptions common;

    @Option(names = "--model", required = true, paramLabel = "MODEL", description = "A model written by 'alphadrop train'.")
    Path model;

    @Option(names = "--samples", defaultValue = "100", description = "T, stochastic forward passes (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--deterministic", description = "Dropout off, one pass: the standard non-Bayesian network.")
    boolean deterministic;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of the prediction masks (default ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        if (samples < 1) {
            throw new IllegalArgumentException("--samples must be >= 1, got " + samples);
        }
        ModelFile.Saved saved = ModelFile.load(model);
        Kernels kernels = common.kernels();
        TrainTest sets = data.load();
        Map<String, Object> m = Workflows.evaluate(saved.model(), sets.test(), kernels, samples, deterministic, seed);
        if (common.json) {
            System.out.println(Json.write(m));
        } else {
            common.say("%s on %s (%d test examples), %s", model, data.spec, sets.test().size(),
                    deterministic ? "deterministic" : samples + " MC samples");
            m.forEach((k, v) -> common.say("  %-24s %s", k, v instanceof Double d ? String.format(java.util.Locale.ROOT, "%.4f", d) : v));
        }
        return 0;
    }
}

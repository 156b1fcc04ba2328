package io.github.alphadrop.cli;

import io.github.alphadrop.data.TrainTest;
import io.github.alphadrop.io.ModelFile;
import io.github.alphadrop.kernels.Kernels;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;

import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code alphadrop evaluate}: MC-dropout predictive metrics of a saved model on a data set's test part. */
@Command(name = "evaluate", mixinStandardHelpOptions = true,
        footer = {"", "Examples:", "  ./alphadrop train --data digits --out d.adm --epochs 50", "  ./alphadrop evaluate --model d.adm --data digits --test-samples 100"},
        description = "Evaluate a saved model on the test part of a data set with T stochastic passes.")
final class EvaluateCommand implements Callable<Integer> {

    @Mixin
    DataOptions data;

    @Mixin
    CommonOptions common;

    @Mixin
    ModelOptions models;

    @Mixin
    SampleOptions.Test passes = new SampleOptions.Test(100);

    @Mixin
    SampleOptions.NoTraining noTraining;

    @Mixin
    SeedOption seed;

    @Override
    public Integer call() throws Exception {
        ModelOptions.Model chosen = models.single();
        Path model = chosen.path();
        boolean deterministic = chosen.deterministic();
        int samples = passes.testSamples;
        ModelFile.Saved saved = ModelFile.load(model);
        Kernels kernels = common.kernels();
        TrainTest sets = data.load();
        Map<String, Object> m = Workflows.evaluate(saved, sets.test(), kernels, samples, deterministic, seed.seed);
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

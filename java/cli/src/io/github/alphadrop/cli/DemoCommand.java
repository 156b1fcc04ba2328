package io.github.alphadrop.cli;

import io.github.alphadrop.data.DataSpec;
import io.github.alphadrop.data.TrainTest;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.train.TrainingResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * {@code alphadrop demo}: on the embedded 8×8 digits, trains α = 0.5 and α = 0 (K = 10) and a deterministic
 * baseline (K = 1, α = 0, predicting with dropout off), and compares accuracy, test log-likelihood and
 * predictive entropy.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        footer = {"", "Examples:", "  ./alphadrop demo", "  ./alphadrop demo --epochs 30 --json"},
        description = "Train alpha = 0.5, alpha = 0 and a deterministic baseline on the embedded digits and compare them.")
final class DemoCommand implements Callable<Integer> {

    @Mixin
    CommonOptions common;

    @Mixin
    EpochsOption epochsOption;

    @Mixin
    SampleOptions.Test passes = new SampleOptions.Test(100);

    @Mixin
    SampleOptions.NoTraining noTraining;

    @Mixin
    SeedOption seed;

    @Override
    public Integer call() throws Exception {
        int epochs = epochsOption.orElse(150);
        Kernels kernels = common.kernels();
        TrainTest sets = DataSpec.parse("digits").load();
        common.say("AlphaDrop demo: 8x8 digits, %d train / %d test, MLP 64-100-100-10, dropout 0.2, %s backend",
                sets.train().size(), sets.test().size(), kernels.describe());
        record Variant(String name, float alpha, int k, boolean deterministic) {
        }
        List<Variant> variants = List.of(
                new Variant("alpha=0.5", 0.5f, 10, false),
                new Variant("alpha=0 (MC dropout)", 0f, 10, false),
                new Variant("deterministic", 0f, 1, true));
        List<Map<String, Object>> models = new ArrayList<>();
        for (Variant v : variants) {
            Workflows.TrainSpec spec = Workflows.TrainSpec.builder().alpha(v.alpha()).samples(v.k()).hidden(100, 100)
                    .dropout(0.2f).likelihood("categorical").epochs(epochs).seed(seed.seed).build();
            Mlp model = Workflows.buildModel(sets.train(), spec);
            TrainingResult r = Workflows.train(model, sets.train(), spec, kernels, common.json, v.name());
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("name", v.name());
            m.put("alpha", v.alpha());
            m.put("samples", v.k());
            m.put("final_loss", r.finalLoss());
            m.put("train_seconds", r.seconds());
            m.putAll(Workflows.evaluate(model, sets.test(), kernels, passes.testSamples, v.deterministic(), seed.seed));
            models.add(m);
        }
        if (common.json) {
            Map<String, Object> json = new LinkedHashMap<>();
            json.put("data", "digits");
            json.put("models", models);
            System.out.println(Json.write(json));
        } else {
            common.say("%n%-22s %9s %15s %13s %13s %9s", "model", "accuracy", "log-likelihood", "mean entropy",
                    "mutual info", "train s");
            for (Map<String, Object> m : models) {
                common.say("%-22s %9.4f %15.4f %13.4f %13.4f %9.1f", m.get("name"), m.get("accuracy"),
                        m.get("log_likelihood"), m.get("mean_entropy"), m.get("mean_mutual_information"),
                        m.get("train_seconds"));
            }
            common.say("%nHigher log-likelihood is better; the Bayesian models keep some uncertainty (entropy,"
                    + " mutual information) where the deterministic net has none of the epistemic kind.");
        }
        return 0;
    }

}

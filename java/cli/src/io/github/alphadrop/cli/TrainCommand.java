package io.github.alphadrop.cli;

import io.github.alphadrop.data.TrainTest;
import io.github.alphadrop.io.ModelFile;
import io.github.alphadrop.io.TrainingSettings;
import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.Kernels;
import io.github.alphadrop.model.Mlp;
import io.github.alphadrop.train.TrainingResult;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;

/** {@code alphadrop train}: trains a dropout BNN with the alpha objective on a data set's training part. */
@Command(name = "train", mixinStandardHelpOptions = true,
        description = "Train an MLP with dropout and the alpha-divergence objective on the training part of a data set.")
final class TrainCommand implements Callable<Integer> {

    @Mixin
    DataOptions data;

    @Mixin
    CommonOptions common;

    @Option(names = "--out", required = true, paramLabel = "MODEL", description = "Where to write the trained model.")
    Path out;

    @Option(names = "--alpha", defaultValue = "0.5", description = "Alpha of the objective; 0 is MC-dropout VI (default ${DEFAULT-VALUE}).")
    float alpha;

    @Option(names = "--samples", defaultValue = "10", description = "K, dropout samples per datapoint in training (default ${DEFAULT-VALUE}).")
    int samples;

    @Option(names = "--hidden", defaultValue = "100,100", description = "Hidden layer sizes, comma-separated (default ${DEFAULT-VALUE}).")
    String hidden;

    @Option(names = "--dropout", defaultValue = "0.5", description = "Drop probability before every dense layer, inputs included (default ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--activation", defaultValue = "relu", description = "relu or tanh (default ${DEFAULT-VALUE}).")
    String activation;

    @Option(names = "--epochs", defaultValue = "20", description = "Epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "128", description = "Minibatch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "1e-3", description = "Learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--optimizer", defaultValue = "adam", description = "adam or sgd (momentum 0.9) (default ${DEFAULT-VALUE}).")
    String optimizer;

    @Option(names = "--weight-decay", defaultValue = "1e-6", description = "wd in wd * sum ||W||^2 (default ${DEFAULT-VALUE}).")
    double weightDecay;

    @Option(names = "--seed", defaultValue = "0", description = "Seed of initialisation, shuffling and masks (default ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--likelihood", defaultValue = "auto",
            description = "categorical or gaussian (default: categorical for class labels, gaussian otherwise).")
    String likelihood;

    @Override
    public Integer call() throws Exception {
        Workflows.TrainSpec spec = spec(alpha, samples, hidden, dropout, activation, likelihood, epochs, batch, lr,
                optimizer, weightDecay, seed);
        Kernels kernels = common.kernels();
        TrainTest sets = data.load();
        Mlp model = Workflows.buildModel(sets.train(), spec);
        common.say("training %s on %s (%d examples), alpha %s, K %d, %s backend",
                model.describe(), data.spec, sets.train().size(), alpha, samples, kernels.describe());
        TrainingResult result = Workflows.train(model, sets.train(), spec, kernels, common.json, "train");
        TrainingSettings settings = new TrainingSettings(alpha, samples, epochs, batch, weightDecay, seed,
                optimizer + "(lr=" + lr + ")", data.spec);
        ModelFile.save(out, model, settings, sets.train().normalization().orElse(null));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("model", out.toString());
        json.put("epochs", result.epochs());
        json.put("final_loss", result.finalLoss());
        json.put("seconds_per_epoch", result.secondsPerEpoch());
        json.put("seconds", result.seconds());
        json.put("backend", kernels.name());
        if (kernels instanceof io.github.alphadrop.kernels.NativeKernels nk) {
            json.put("isa", nk.isa().label());
        }
        if (common.json) {
            System.out.println(Json.write(json));
        } else {
            common.say("final loss %.4f after %d epochs, %.2f s/epoch, %.1f s; model written to %s",
                    result.finalLoss(), result.epochs(), result.secondsPerEpoch(), result.seconds(), out);
        }
        return 0;
    }

    static Workflows.TrainSpec spec(float alpha, int samples, String hidden, float dropout, String activation,
                                    String likelihood, int epochs, int batch, double lr, String optimizer,
                                    double weightDecay, long seed) {
        Activation act = switch (activation.toLowerCase(java.util.Locale.ROOT)) {
            case "relu" -> Activation.RELU;
            case "tanh" -> Activation.TANH;
            default -> throw new IllegalArgumentException("--activation must be relu or tanh, got '" + activation + "'");
        };
        if (!optimizer.equalsIgnoreCase("adam") && !optimizer.equalsIgnoreCase("sgd")) {
            throw new IllegalArgumentException("--optimizer must be adam or sgd, got '" + optimizer + "'");
        }
        return new Workflows.TrainSpec(alpha, samples, Workflows.parseHidden(hidden), dropout, act, likelihood, epochs,
                batch, lr, optimizer, weightDecay, seed);
    }
}

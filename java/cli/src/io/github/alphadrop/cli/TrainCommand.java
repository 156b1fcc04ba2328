package io.github.alphadrop.cli;

import io.github.alphadrop.data.TrainTest;
import io.github.alphadrop.io.ModelFile;
import io.github.alphadrop.io.TrainingSettings;
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
        footer = {"", "Examples:", "  ./alphadrop train --data digits --out d.adm --epochs 200 --checkpoint-every 10 --resume d.adm.ckpt   (after a kill)", "  ./alphadrop train --data digits --out d.adm --alpha 0.5 --samples 10 --epochs 50", "  ./alphadrop train --data idx:/usr/share/datasets/fashion-mnist --out fm.adm --hidden 100,100 --epochs 20", "  ./alphadrop train --data idx:/usr/share/datasets/fashion-mnist --out cnn.adm --arch cnn --alpha 0.5 --epochs 20"},
        description = "Train an MLP or a CNN with dropout and the alpha-divergence objective on the training part of a data set.")
final class TrainCommand implements Callable<Integer> {

    @Mixin
    DataOptions data;

    @Mixin
    CommonOptions common;

    @Mixin
    OutOption outOption;

    @Mixin
    EpochsOption epochs;

    @Mixin
    NetworkOptions network;

    @Mixin
    TrainingOptions training;

    @Mixin
    ArchitectureOptions architecture;

    @Mixin
    SampleOptions.Training trainSamples;

    @Mixin
    SeedOption seed;

    @Option(names = "--checkpoint-every", paramLabel = "N", converter = Converters.PositiveInt.class,
            description = "Write a checkpoint to MODEL.ckpt after every N epochs (atomically; removed once the model is saved).")
    Integer checkpointEvery;

    @Option(names = "--resume", paramLabel = "CKPT",
            description = "Continue from a checkpoint written by --checkpoint-every, with the same options and data:"
                    + " the result is the uninterrupted run's, bit for bit.")
    Path resume;

    @Override
    public Integer call() throws Exception {
        Path out = outOption.required("train", "where to write the trained model");
        architecture.requireConsistent();

        io.github.alphadrop.train.Checkpoint from = resume == null ? null : io.github.alphadrop.train.Checkpoint.read(resume);
        Path checkpoint = checkpointEvery == null ? null : out.resolveSibling(out.getFileName() + ".ckpt");
        TrainTest sets = data.load();
        Workflows.TrainSpec spec = training.spec(network, epochs.orElse(20), trainSamples.samples, seed.seed,
                sets.train().size());
        Kernels kernels = common.kernels();
        if (architecture.isCnn()) {
            return trainCnn(out, sets, spec, kernels, from, checkpoint);
        }
        Mlp model = Workflows.buildModel(sets.train(), spec);
        common.say("training %s on %s (%d examples), alpha %s, K %d, %s backend",
                model.describe(), data.spec, sets.train().size(), spec.alpha(), spec.samples(), kernels.describe());
        if (from != null) {
            common.say("resuming from %s after epoch %d", resume, from.epochsDone());
        }
        TrainingResult result = Workflows.train(model, sets.train(), spec, kernels, common.json, "train", b -> {
            if (checkpoint != null) {
                b.checkpoint(checkpoint, checkpointEvery);
            }
            if (from != null) {
                b.resumeFrom(from);
            }
        });
        ModelFile.save(out, model, settings(spec), sets.train().normalization().orElse(null));
        if (checkpoint != null) {
            java.nio.file.Files.deleteIfExists(checkpoint); // the model it led to is saved
        }
        report(out, result, kernels, learnedRates(model));
        return 0;
    }

    private Integer trainCnn(Path out, TrainTest sets, Workflows.TrainSpec spec, Kernels kernels,
                             io.github.alphadrop.train.Checkpoint from, Path checkpoint) throws Exception {
        if (!sets.train().isClassification()) {
            throw new IllegalArgumentException("--arch cnn trains classifiers; " + data.spec + " is a regression set");
        }
        if (training.likelihood == TrainingOptions.LikelihoodName.gaussian) {
            throw new IllegalArgumentException("--arch cnn trains classifiers: --likelihood gaussian does not apply");
        }
        int[] hidden = network.hidden == null ? new int[]{100} : network.hidden.sizes();
        io.github.alphadrop.network.Network net = architecture.buildCnn(sets.train().featureDim(),
                sets.train().outputDim(), hidden, spec.dropout(), spec.activation(), spec.noise());
        net.initialize(spec.seed());
        common.say("training %s on %s (%d examples), alpha %s, K %d, %s backend", net, data.spec,
                sets.train().size(), spec.alpha(), spec.samples(), kernels.describe());
        if (from != null) {
            common.say("resuming from %s after epoch %d", resume, from.epochsDone());
        }
        TrainingResult result = Workflows.train(net, sets.train(), spec, kernels, common.json, "train", b -> {
            if (checkpoint != null) {
                b.checkpoint(checkpoint, checkpointEvery);
            }
            if (from != null) {
                b.resumeFrom(from);
            }
        });
        ModelFile.save(out, net, settings(spec), sets.train().normalization().orElse(null));
        if (checkpoint != null) {
            java.nio.file.Files.deleteIfExists(checkpoint); // the model it led to is saved
        }
        report(out, result, kernels, learnedRates(net));
        return 0;
    }

    /** The learned rates of a concrete dropout MLP per layer; null for another noise. */
    private static java.util.List<Double> learnedRates(Mlp model) {
        if (model.noise() != io.github.alphadrop.kernels.Dropout.Noise.CONCRETE) {
            return null;
        }
        java.util.List<Double> rates = new java.util.ArrayList<>();
        for (int l = 0; l < model.layers(); l++) {
            rates.add((double) model.dropout(l));
        }
        return rates;
    }

    /** The learned rates of a network's concrete dropout layers, in order; null if it learns none. */
    private static java.util.List<Double> learnedRates(io.github.alphadrop.network.Network net) {
        java.util.List<Double> rates = new java.util.ArrayList<>();
        for (io.github.alphadrop.network.Layer layer : net.layers()) {
            if (layer.noise() == io.github.alphadrop.kernels.Dropout.Noise.CONCRETE) {
                rates.add((double) layer.dropout());
            }
        }
        return rates.isEmpty() ? null : rates;
    }

    private TrainingSettings settings(Workflows.TrainSpec spec) {
        return new TrainingSettings(spec.alpha(), spec.samples(), spec.epochs(), spec.batch(), spec.weightDecay(),
                spec.seed(), spec.optimizer() + "(lr=" + spec.learningRate() + ")", data.spec);
    }

    /** @param learned the learned dropout rates per layer of a concrete dropout model, else null */
    private void report(Path out, TrainingResult result, Kernels kernels, java.util.List<Double> learned) {
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
        java.util.List<Double> rates = learned == null ? java.util.List.of() : learned;
        if (!rates.isEmpty()) {
            json.put("learned_dropout", rates);
        }
        if (common.json) {
            System.out.println(Json.write(json));
        } else {
            common.say("final loss %.4f after %d epochs, %.2f s/epoch, %.1f s; model written to %s",
                    result.finalLoss(), result.epochs(), result.secondsPerEpoch(), result.seconds(), out);
            if (!rates.isEmpty()) {
                common.say("learned dropout rates per layer (concrete): %s", rates);
            }
        }
    }
}

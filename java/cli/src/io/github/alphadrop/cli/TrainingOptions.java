package io.github.alphadrop.cli;

import io.github.alphadrop.kernels.Activation;
import picocli.CommandLine.Option;

/** How {@code train} trains: the objective's α, the network and the optimiser. Checked as parsed. */
final class TrainingOptions {

    /** The optimisers {@code --optimizer} names. */
    enum OptimizerName { adam, sgd }

    /** The likelihoods {@code --likelihood} names; auto follows the data (class labels or real targets). */
    enum LikelihoodName { auto, categorical, gaussian }

    /** The hidden activations {@code --activation} names. */
    enum ActivationName {
        relu(Activation.RELU), tanh(Activation.TANH);

        final Activation activation;

        ActivationName(Activation activation) {
            this.activation = activation;
        }
    }

    @Option(names = "--alpha", defaultValue = "0.5", paramLabel = "A", converter = Converters.NonNegativeFloat.class,
            description = "Alpha of the objective; 0 is MC-dropout VI, 1 the MC predictive likelihood (default ${DEFAULT-VALUE}).")
    float alpha;

    @Option(names = "--hidden", defaultValue = "100,100", paramLabel = "H1,H2,...", converter = Converters.HiddenSizes.class,
            description = "Hidden layer sizes, comma-separated (default ${DEFAULT-VALUE}).")
    Converters.Hidden hidden;

    @Option(names = "--dropout", defaultValue = "0.5", paramLabel = "P", converter = Converters.DropProbability.class,
            description = "Drop probability before every dense layer, inputs included (default ${DEFAULT-VALUE}).")
    float dropout;

    @Option(names = "--activation", defaultValue = "relu", paramLabel = "relu|tanh",
            description = "Hidden activation (default ${DEFAULT-VALUE}).")
    ActivationName activation;

    @Option(names = "--likelihood", defaultValue = "auto", paramLabel = "auto|categorical|gaussian",
            description = "Likelihood (default ${DEFAULT-VALUE}: categorical for class labels, gaussian otherwise).")
    LikelihoodName likelihood;

    @Option(names = "--epochs", defaultValue = "20", converter = Converters.PositiveInt.class,
            description = "Epochs (default ${DEFAULT-VALUE}).")
    int epochs;

    @Option(names = "--batch", defaultValue = "128", converter = Converters.PositiveInt.class,
            description = "Minibatch size (default ${DEFAULT-VALUE}).")
    int batch;

    @Option(names = "--lr", defaultValue = "1e-3", converter = Converters.PositiveDouble.class,
            description = "Learning rate (default ${DEFAULT-VALUE}).")
    double lr;

    @Option(names = "--optimizer", defaultValue = "adam", paramLabel = "adam|sgd",
            description = "adam, or sgd with momentum 0.9 (default ${DEFAULT-VALUE}).")
    OptimizerName optimizer;

    @Option(names = "--weight-decay", defaultValue = "1e-6", paramLabel = "WD", converter = Converters.NonNegativeDouble.class,
            description = "wd in wd * sum ||W||^2 (default ${DEFAULT-VALUE}).")
    double weightDecay;

    /** The spec with K = {@code samples} (from {@link SampleOptions.Training}: picocli does not nest mixins reliably). */
    Workflows.TrainSpec spec(int samples, long seed) {
        return new Workflows.TrainSpec(alpha, samples, hidden.sizes(), dropout, activation.activation, likelihood.name(),
                epochs, batch, lr, optimizer.name(), weightDecay, seed);
    }
}

package io.github.alphadrop.cli;

import io.github.alphadrop.kernels.Activation;
import io.github.alphadrop.kernels.Dropout;
import picocli.CommandLine.Option;

/** What only {@code train} sets: the activation, the likelihood and the optimiser. Checked as parsed. */
final class TrainingOptions {

    /** The optimisers {@code --optimizer} names. */
    enum OptimizerName { adam, sgd }

    /** The likelihoods {@code --likelihood} names; auto follows the data (class labels or real targets). */
    enum LikelihoodName { auto, categorical, gaussian }

    /** The dropout noises {@code --noise} names. */
    enum NoiseName {
        bernoulli(Dropout.Noise.BERNOULLI), gaussian(Dropout.Noise.GAUSSIAN), dropconnect(Dropout.Noise.DROPCONNECT),
        concrete(Dropout.Noise.CONCRETE);

        final Dropout.Noise noise;

        NoiseName(Dropout.Noise noise) {
            this.noise = noise;
        }
    }

    /** The hidden activations {@code --activation} names. */
    enum ActivationName {
        relu(Activation.RELU), tanh(Activation.TANH);

        final Activation activation;

        ActivationName(Activation activation) {
            this.activation = activation;
        }
    }

    @Option(names = "--activation", defaultValue = "relu", paramLabel = "relu|tanh",
            description = "Hidden activation (default ${DEFAULT-VALUE}).")
    ActivationName activation;

    @Option(names = "--likelihood", defaultValue = "auto", paramLabel = "auto|categorical|gaussian",
            description = "Likelihood (default ${DEFAULT-VALUE}: categorical for class labels, gaussian otherwise).")
    LikelihoodName likelihood;

    @Option(names = "--noise", defaultValue = "bernoulli", paramLabel = "bernoulli|gaussian|dropconnect|concrete",
            description = "Dropout noise: bernoulli (inputs kept or dropped, scaled by 1/(1-p)), gaussian (inputs multiplied"
                    + " by noise of mean 1 and variance p/(1-p)), dropconnect (weights kept or dropped, one mask per"
                    + " MC sample shared by the batch) or concrete (relaxed Bernoulli dropout whose rate each layer learns,"
                    + " starting from --dropout); the same p as --dropout; every dense layer, the CNN's too"
                    + " (default ${DEFAULT-VALUE}).")
    NoiseName noise;

    @Option(names = "--optimizer", defaultValue = "adam", paramLabel = "adam|sgd",
            description = "adam, or sgd with momentum 0.9 (default ${DEFAULT-VALUE}).")
    OptimizerName optimizer;

    /**
     * The spec from these, the shared network options and K = {@code samples} (the mixins are separate:
     * picocli does not nest them reliably). Weight decay auto is (1 - p) / (2N) for N training points.
     */
    Workflows.TrainSpec spec(NetworkOptions net, int epochs, int samples, long seed, int trainingPoints) {
        float alpha = NetworkOptions.single(net.alphas, 0.5f, "--alpha", "train");
        float dropout = NetworkOptions.single(net.dropout, 0.5f, "--dropout", "train");
        double wd = net.weightDecayOr(1e-6);
        if (Double.isNaN(wd)) {
            wd = (1 - dropout) / (2.0 * trainingPoints);
        }
        return Workflows.TrainSpec.builder().alpha(alpha).samples(samples)
                .hidden(net.hidden == null ? new int[]{100, 100} : net.hidden.sizes()).dropout(dropout)
                .activation(activation.activation).likelihood(likelihood.name())
                .epochs(epochs).batch(net.batch == null ? 128 : net.batch)
                .learningRate(net.lr == null ? 1e-3 : net.lr).optimizer(optimizer.name()).weightDecay(wd).seed(seed)
                .noise(noise.noise).build();
    }
}

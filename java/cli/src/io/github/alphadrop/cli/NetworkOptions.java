package io.github.alphadrop.cli;

import picocli.CommandLine.Option;

import java.util.List;

/**
 * The objective, network and optimiser settings that {@code train} and {@code uci} share, declared once.
 * Each command has its own defaults (an unset option is null here) and says what it accepts: {@code train}
 * takes one α and one drop probability; {@code uci} several α (one run each) and several drop
 * probabilities (a grid chosen on validation data), and one hidden layer.
 */
final class NetworkOptions {

    @Option(names = "--alpha", split = ",", paramLabel = "A", converter = Converters.NonNegativeFloat.class,
            description = "Alpha of the objective; 0 is MC-dropout VI, 1 the MC predictive likelihood"
                    + " (train: one value, default 0.5; uci: a list, default 0,0.5,1).")
    List<Float> alphas;

    @Option(names = "--hidden", paramLabel = "H1,H2,...", converter = Converters.HiddenSizes.class,
            description = "Hidden layer sizes (train: default 100,100; uci: one layer, default 50, 100 for protein).")
    Converters.Hidden hidden;

    @Option(names = "--dropout", split = ",", paramLabel = "P", converter = Converters.DropProbability.class,
            description = "Drop probability before every dense layer, inputs included (train: one value, default 0.5;"
                    + " uci: several values form a grid chosen on --validate; default 0.005,0.01,0.05,0.1 on every set).")
    List<Float> dropout;

    @Option(names = "--batch", paramLabel = "B", converter = Converters.PositiveInt.class,
            description = "Minibatch size (train: default 128; uci: default 32).")
    Integer batch;

    @Option(names = "--lr", paramLabel = "LR", converter = Converters.PositiveDouble.class,
            description = "Learning rate (default 1e-3).")
    Double lr;

    @Option(names = "--weight-decay", paramLabel = "auto|WD",
            description = "wd in wd * sum ||W||^2, or auto = (1-p)/(2N), the KL term of a N(0,1) prior"
                    + " (train: default 1e-6; uci: default auto).")
    String weightDecay;

    /** The one value of a list option that a command takes singly, or its default. */
    static float single(List<Float> values, float fallback, String option, String command) {
        if (values == null) {
            return fallback;
        }
        if (values.size() != 1) {
            throw new IllegalArgumentException(option + " takes one value in " + command + ", got " + values);
        }
        return values.get(0);
    }

    /** {@code --weight-decay} as a number, NaN for auto, or {@code fallback} when unset. */
    double weightDecayOr(double fallback) {
        if (weightDecay == null) {
            return fallback;
        }
        if (weightDecay.trim().equalsIgnoreCase("auto")) {
            return Double.NaN;
        }
        double v;
        try {
            v = Double.parseDouble(weightDecay.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("--weight-decay must be auto or a number >= 0, got '" + weightDecay + "'");
        }
        if (!(v >= 0) || Double.isInfinite(v)) {
            throw new IllegalArgumentException("--weight-decay must be auto or a finite number >= 0, got " + weightDecay);
        }
        return v;
    }
}

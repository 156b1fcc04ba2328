package io.github.alphadrop.cli;

import picocli.CommandLine.Option;

/** {@code --epochs}: passes over the training data; each command that trains has its own default. */
final class EpochsOption {

    @Option(names = "--epochs", paramLabel = "E", converter = Converters.PositiveInt.class,
            description = "Epochs (demo: default 150 per model; train: 20; uci: 500, 100 for protein).")
    Integer epochs;

    int orElse(int fallback) {
        return epochs == null ? fallback : epochs;
    }
}

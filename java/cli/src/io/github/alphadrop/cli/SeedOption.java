package io.github.alphadrop.cli;

import picocli.CommandLine.Option;

/** {@code --seed}: every random choice of a command (initial weights, batch order, dropout masks) follows it. */
final class SeedOption {

    @Option(names = "--seed", defaultValue = "0", paramLabel = "S",
            description = "Seed of every random choice: weights, batch order, dropout masks (default ${DEFAULT-VALUE}).")
    long seed;
}

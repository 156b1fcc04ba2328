package io.github.alphadrop.cli;

import io.github.alphadrop.data.CsvLoader;
import io.github.alphadrop.data.DataSpec;
import io.github.alphadrop.data.TrainTest;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.nio.file.Path;

/** Where the data come from: {@code --data SPEC} and the options some schemes take. */
final class DataOptions {

    @Option(names = "--data", required = true, paramLabel = "SPEC",
            description = "digits (embedded), idx:DIR, uci:DIR (with --split), csv:FILE (with --test-file or --test-fraction).")
    String spec;

    @Option(names = "--split", paramLabel = "I", description = "UCI split index (default 0).")
    Integer split;

    @Option(names = "--test-file", paramLabel = "FILE", description = "CSV: a separate test file.")
    Path testFile;

    @Option(names = "--test-fraction", paramLabel = "F", description = "CSV: fraction held out for testing (default 0.2).")
    Double testFraction;

    @Option(names = "--target", paramLabel = "COL", description = "CSV: target column name or index (default -1, the last).")
    String target;

    @Option(names = "--task", paramLabel = "classification|regression",
            description = "CSV: what the target is (default regression).")
    CsvLoader.Task task;

    TrainTest load() throws IOException {
        DataSpec.Options options = new DataSpec.Options(split, testFile, testFraction, null, target, task);
        return DataSpec.parse(spec).load(options);
    }
}

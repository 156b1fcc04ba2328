package io.github.alphadrop.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --out}: where a command writes its result; each command says what that is and whether it is needed. */
final class OutOption {

    @Option(names = "--out", paramLabel = "PATH",
            description = "Where the result goes: train the model file, predict the predictions CSV, attack the report"
                    + " folder (default attack-report), uci the results CSV (optional). Files are replaced atomically.")
    Path out;

    /** The path, or an error naming what the command writes there. */
    Path required(String command, String what) {
        if (out == null) {
            throw new IllegalArgumentException(command + " needs --out: " + what);
        }
        return out;
    }

    Path orElse(Path fallback) {
        return out == null ? fallback : out;
    }
}

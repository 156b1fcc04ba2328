package io.github.alphadrop.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;

/** {@code --out}: where a command writes its result; each command says what that is and whether it is needed. */
final class OutOption {

    @Option(names = "--out", paramLabel = "PATH",
            description = "Where the result goes: train the model file, predict the predictions CSV, attack the report"
                    + " folder (default attack-report), uci the results CSV (optional). Files are replaced atomically.")
    Path out;

    /** The path of a file to write, checked before any work: set, and not a folder. */
    Path required(String command, String what) {
        if (out == null) {
            throw new IllegalArgumentException(command + " needs --out: " + what);
        }
        if (java.nio.file.Files.isDirectory(out)) {
            throw new IllegalArgumentException("--out " + out + " is a folder; " + command + " writes a file there ("
                    + what + "): give its name");
        }
        return out;
    }

    Path orElse(Path fallback) {
        return out == null ? fallback : out;
    }
}

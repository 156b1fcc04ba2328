package io.github.alphadrop.cli;

import picocli.CommandLine.Option;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/** {@code --model MODEL[:deterministic]}: one model file, or several where a command compares them. */
final class ModelOptions {

    @Option(names = "--model", required = true, paramLabel = "MODEL[:deterministic]",
            description = "A model file written by 'alphadrop train'. ':deterministic' uses it with dropout off"
                    + " (one pass, the standard network). 'attack' takes several.")
    List<String> models;

    /** A model as named on the command line. */
    record Model(String name, Path path, boolean deterministic) {
    }

    /** The one model of a command that takes one. */
    Model single() {
        if (models.size() != 1) {
            throw new IllegalArgumentException("--model is given " + models.size() + " times; this command takes one");
        }
        return all(false).get(0);
    }

    /**
     * Every model, each deterministic if it says so or if {@code allDeterministic}. Names are the file stems,
     * made unique with {@code #2, #3, ...}.
     */
    List<Model> all(boolean allDeterministic) {
        return parse(models, allDeterministic);
    }

    static List<Model> parse(List<String> specs, boolean allDeterministic) {
        List<Model> out = new ArrayList<>();
        Set<String> names = new HashSet<>();
        String suffix = ":deterministic";
        for (String spec : specs) {
            boolean det = allDeterministic;
            String file = spec;
            if (spec.toLowerCase(Locale.ROOT).endsWith(suffix)) {
                det = true;
                file = spec.substring(0, spec.length() - suffix.length());
            }
            if (file.isBlank()) {
                throw new IllegalArgumentException("--model needs a file, got '" + spec + "'");
            }
            Path path = Path.of(file);
            String stem = path.getFileName().toString();
            int dot = stem.lastIndexOf('.');
            if (dot > 0) {
                stem = stem.substring(0, dot);
            }
            String name = stem + (det ? " (deterministic)" : "");
            String unique = name;
            for (int k = 2; !names.add(unique); k++) {
                unique = name + " #" + k;
            }
            out.add(new Model(unique, path, det));
        }
        return out;
    }
}

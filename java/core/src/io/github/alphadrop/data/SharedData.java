package io.github.alphadrop.data;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;

/**
 * Finds the project's shared real-data folder, for tests, benchmarks and examples (the library itself
 * never needs it). It is {@code ../shared/data} relative to the working directory (the project is
 * checked out beside {@code shared/}, and Maven runs tests from the project root), unless the system
 * property {@value #PROPERTY} names another folder. A fresh clone may not have it: callers must
 * handle {@link Optional#empty()} (tests skip with a reason).
 */
public final class SharedData {

    /** System property overriding the location, e.g. {@code -Dalphadrop.data=/data/alphadrop}. */
    public static final String PROPERTY = "alphadrop.data";

    private SharedData() {
    }

    /** Where the folder is looked for: the property's value if set, else {@code ../shared/data}. */
    public static Path location() {
        String prop = System.getProperty(PROPERTY);
        Path p = (prop != null && !prop.isBlank()) ? Path.of(prop) : Path.of("..", "shared", "data");
        return p.toAbsolutePath().normalize();
    }

    /** The shared data folder, if it exists. */
    public static Optional<Path> root() {
        Path p = location();
        return Files.isDirectory(p) ? Optional.of(p) : Optional.empty();
    }

    /** A file or folder inside the shared data folder (e.g. {@code "uci/bostonHousing"}), if it exists. */
    public static Optional<Path> resolve(String relative) {
        return root().map(r -> r.resolve(relative)).filter(Files::exists);
    }
}

package io.github.alphadrop.cli;

import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * README's Java example is the marked part of examples/.../QuickStart.java, which .ci/run compiles and
 * runs against the installed core artifact: the two must not drift apart.
 */
class ReadmeExampleTest {

    @Test
    void readmeShowsExactlyTheQuickStartThatCiRuns() throws IOException {
        Path root = Path.of(System.getProperty("user.dir")).resolve("../..").normalize();
        String readme = Files.readString(root.resolve("README.md"));
        String source = Files.readString(root.resolve("examples/src/main/java/example/QuickStart.java"));
        int begin = source.indexOf("// README:begin\n");
        int end = source.indexOf("        // README:end");
        assertTrue(begin >= 0 && end > begin, "QuickStart.java marks its README part");
        String marked = Arrays.stream(source.substring(begin + "// README:begin\n".length(), end).split("\n"))
                .map(line -> line.length() >= 8 ? line.substring(8) : line.strip())
                .collect(Collectors.joining("\n"));
        int block = readme.indexOf("```java\n");
        assertTrue(block >= 0, "README has a Java block");
        String shown = readme.substring(block + "```java\n".length(), readme.indexOf("\n```", block + 8));
        assertEquals(marked.strip(), shown.strip());
    }
}

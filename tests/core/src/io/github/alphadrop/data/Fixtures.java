package io.github.alphadrop.data;

import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.URISyntaxException;
import java.net.URL;
import java.nio.file.Path;
import org.junit.jupiter.api.function.Executable;

/** Test helpers: fixture paths (tests/resources/io/github/alphadrop/data, see make_fixtures.py). */
final class Fixtures {

    private Fixtures() {
    }

    /** A fixture file or folder, resolved through the test classpath. */
    static Path path(String relative) {
        URL url = Fixtures.class.getResource("/io/github/alphadrop/data/" + relative);
        assertNotNull(url, "missing fixture " + relative);
        try {
            return Path.of(url.toURI());
        } catch (URISyntaxException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Asserts a MalformedDataException whose message contains every given fragment. */
    static MalformedDataException assertMalformed(Executable call, String... fragments) {
        MalformedDataException e = assertThrows(MalformedDataException.class, call);
        assertContains(e.getMessage(), fragments);
        return e;
    }

    static void assertContains(String message, String... fragments) {
        for (String f : fragments) {
            assertTrue(message.contains(f), () -> "message \"" + message + "\" should contain \"" + f + "\"");
        }
    }
}

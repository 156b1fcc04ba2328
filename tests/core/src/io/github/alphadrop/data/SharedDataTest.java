package io.github.alphadrop.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class SharedDataTest {

    @Test
    void defaultIsSharedDataBesideTheProject() {
        String saved = System.getProperty(SharedData.PROPERTY);
        try {
            System.clearProperty(SharedData.PROPERTY);
            assertEquals(Path.of("").toAbsolutePath().getParent().resolve("shared/data"), SharedData.location());
        } finally {
            restore(saved);
        }
    }

    @Test
    void propertyOverridesTheLocation() {
        String saved = System.getProperty(SharedData.PROPERTY);
        try {
            Path fixtures = Fixtures.path("uci");
            System.setProperty(SharedData.PROPERTY, fixtures.toString());
            assertEquals(fixtures, SharedData.root().orElseThrow());
            assertEquals(fixtures.resolve("tiny"), SharedData.resolve("tiny").orElseThrow());
            assertTrue(SharedData.resolve("no-such-set").isEmpty());
            System.setProperty(SharedData.PROPERTY, fixtures.resolve("absent").toString());
            assertTrue(SharedData.root().isEmpty());
        } finally {
            restore(saved);
        }
    }

    private static void restore(String saved) {
        if (saved == null) {
            System.clearProperty(SharedData.PROPERTY);
        } else {
            System.setProperty(SharedData.PROPERTY, saved);
        }
    }
}

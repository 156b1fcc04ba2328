package io.github.alphadrop;

import org.junit.jupiter.api.Test;

import java.io.File;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Runs {@link FuzzMain} in a child JVM: a native crash (SIGSEGV, abort) then fails this test with the
 * child's output instead of killing the suite. Seeds are fixed, so a failure reproduces.
 */
class FuzzTest {

    /** Cases per seed; a few thousand run in well under a minute on 2 cores. */
    static final int CASES = 3000;

    @Test
    void everyPublicEntrySurvivesSeededGarbage() throws Exception {
        for (long seed : new long[]{1, 2}) {
            String java = System.getProperty("java.home") + File.separator + "bin" + File.separator + "java";
            List<String> command = List.of(java, "-Xmx1g", "-cp", System.getProperty("java.class.path"),
                    "-Dorg.bytedeco.javacpp.cachedir=" + System.getProperty("org.bytedeco.javacpp.cachedir",
                            System.getProperty("java.io.tmpdir")),
                    FuzzMain.class.getName(), Long.toString(seed), Integer.toString(CASES));
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            byte[] output = p.getInputStream().readAllBytes();
            assertTrue(p.waitFor(5, TimeUnit.MINUTES), "fuzz child did not finish");
            String text = new String(output, StandardCharsets.UTF_8);
            assertEquals(0, p.exitValue(), "fuzz child (seed " + seed + ") exited " + p.exitValue() + ":\n" + text);
            assertTrue(text.contains("fuzz: " + CASES + " cases"), text);
        }
    }
}

package io.github.alphadrop.cli;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;

import static io.github.alphadrop.cli.CliTest.run;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * {@code train --checkpoint-every 1} in a child JVM killed with SIGKILL at a random moment, then
 * {@code --resume}: the model file equals the uninterrupted run's byte for byte.
 */
class KillAndResumeTest {

    @TempDir
    Path dir;

    private List<String> trainArgs(Path out) {
        return List.of("train", "--data", "digits", "--out", out.toString(), "--epochs", "25", "--hidden", "48",
                "--samples", "4", "--backend", "native", "--threads", "1", "--seed", "3", "--json");
    }

    @Test
    void aKilledRunResumedFromItsCheckpointEqualsTheUninterruptedRun() throws Exception {
        Path whole = dir.resolve("whole.adm");
        CliTest.Run straight = run(trainArgs(whole).toArray(new String[0]));
        assertEquals(0, straight.code(), straight.err());
        byte[] want = Files.readAllBytes(whole);

        Random random = new Random(42);
        int resumed = 0;
        for (int attempt = 0; attempt < 4 && resumed < 2; attempt++) {
            Path out = dir.resolve("killed" + attempt + ".adm");
            Path checkpoint = dir.resolve("killed" + attempt + ".adm.ckpt");
            List<String> command = new ArrayList<>(List.of(System.getProperty("java.home") + File.separator + "bin"
                    + File.separator + "java", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
            command.addAll(trainArgs(out));
            command.addAll(List.of("--checkpoint-every", "1"));
            Process child = new ProcessBuilder(command).redirectErrorStream(true)
                    .redirectOutput(dir.resolve("child" + attempt + ".log").toFile()).start();
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (!Files.exists(checkpoint) && child.isAlive() && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            Thread.sleep(random.nextInt(400));
            child.destroyForcibly(); // SIGKILL: no shutdown hooks, no finally blocks
            child.waitFor(30, TimeUnit.SECONDS);
            if (!Files.exists(checkpoint)) {
                continue; // finished (and removed its checkpoint) before the kill: try another moment
            }
            CliTest.Run rest = run(withResume(trainArgs(out), checkpoint));
            assertEquals(0, rest.code(), rest.err());
            assertArrayEquals(want, Files.readAllBytes(out), "attempt " + attempt + ": resumed model differs");
            resumed++;
        }
        assertTrue(resumed >= 1, "no attempt was killed while training");
    }

    private static String[] withResume(List<String> args, Path checkpoint) {
        List<String> a = new ArrayList<>(args);
        a.addAll(List.of("--checkpoint-every", "1", "--resume", checkpoint.toString()));
        return a.toArray(new String[0]);
    }
}

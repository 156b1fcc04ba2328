package io.github.alphadrop.io;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFileAttributeView;
import java.nio.file.attribute.PosixFilePermission;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Replacing a file so that a reader, a crash or a kill sees the old file or the new one, never a torn one:
 * the content goes to a temporary file beside the target, is flushed to disk, and is renamed over it. The
 * new file keeps the old one's permissions (a new file gets rw-r--r--, not the temporary file's 0600), and
 * leftovers of an earlier killed replace of the same name, older than {@link #STALE}, are removed first.
 */
public final class AtomicFiles {

    /** How old a leftover temporary file must be before it is removed (a replace in flight is younger). */
    public static final Duration STALE = Duration.ofMinutes(1);

    /** Writes the new content into the temporary file it is given. */
    @FunctionalInterface
    public interface Content {
        void writeTo(Path temporary) throws IOException;
    }

    private AtomicFiles() {
    }

    /** Replaces {@code target} with {@code bytes}. */
    public static void write(Path target, byte[] bytes) throws IOException {
        replace(target, tmp -> {
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE, StandardOpenOption.TRUNCATE_EXISTING)) {
                ByteBuffer buf = ByteBuffer.wrap(bytes);
                while (buf.hasRemaining()) {
                    ch.write(buf);
                }
            }
        });
    }

    /** Replaces {@code target} with what {@code content} writes; the target's folder must exist. */
    public static void replace(Path target, Content content) throws IOException {
        Path absolute = target.toAbsolutePath();
        Path dir = absolute.getParent();
        String name = absolute.getFileName().toString();
        removeStale(dir, name);
        Path tmp = Files.createTempFile(dir, name, ".tmp");
        try {
            keepPermissions(absolute, tmp);
            content.writeTo(tmp);
            try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
                ch.force(true);
            }
            try {
                Files.move(tmp, absolute, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } catch (AtomicMoveNotSupportedException e) {
                Files.move(tmp, absolute, StandardCopyOption.REPLACE_EXISTING); // e.g. some network file systems
            }
        } finally {
            Files.deleteIfExists(tmp);
        }
    }

    private static void removeStale(Path dir, String name) throws IOException {
        if (dir == null || !Files.isDirectory(dir)) {
            return;
        }
        Pattern leftover = Pattern.compile(Pattern.quote(name) + "\\d+\\.tmp");
        long cutoff = System.currentTimeMillis() - STALE.toMillis();
        try (Stream<Path> files = Files.list(dir)) {
            for (Path p : (Iterable<Path>) files::iterator) {
                if (leftover.matcher(p.getFileName().toString()).matches()
                        && Files.getLastModifiedTime(p).toMillis() < cutoff) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static void keepPermissions(Path target, Path tmp) throws IOException {
        if (!Files.getFileStore(tmp).supportsFileAttributeView(PosixFileAttributeView.class)) {
            return;
        }
        Set<PosixFilePermission> permissions = Files.exists(target) ? Files.getPosixFilePermissions(target)
                : PosixFilePermissions.fromString("rw-r--r--");
        Files.setPosixFilePermissions(tmp, permissions);
    }
}

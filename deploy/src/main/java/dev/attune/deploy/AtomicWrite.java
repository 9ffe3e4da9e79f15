package dev.attune.deploy;

import dev.attune.AttuneException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Writes a file whole or not at all: under a hidden temporary name in the target's directory, then
 * moved into place in one atomic rename, so a reader (or a registry) never sees half a package.
 */
final class AtomicWrite {
    private AtomicWrite() {
    }

    /** Writes the content of a file to the temporary path it is given. */
    @FunctionalInterface
    interface Content {
        void writeTo(Path tmp) throws IOException;
    }

    /**
     * Writes {@code target} atomically, creating its directory if needed.
     *
     * @param what how messages name the file, such as {@code "package"}
     * @throws AttuneException when it cannot be written (nothing is left behind)
     */
    static void write(Path target, Content content, String what) {
        Path dir = target.toAbsolutePath().getParent();
        Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            Files.createDirectories(dir);
            content.writeTo(tmp);
            try (var channel = java.nio.channels.FileChannel.open(tmp, java.nio.file.StandardOpenOption.WRITE)) {
                channel.force(true); // on disk before the rename makes it visible
            }
            Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            throw new AttuneException("could not write the " + what + " " + target.toAbsolutePath() + ": " + e, e);
        } finally {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException ignored) {
                // the write's own outcome is the one to report
            }
        }
    }
}

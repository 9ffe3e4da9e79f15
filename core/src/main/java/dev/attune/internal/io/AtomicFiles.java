package dev.attune.internal.io;

import java.io.IOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.UUID;

/**
 * Writes a file whole or not at all: the content goes to a temporary name in the target's directory,
 * which is then moved over the target in one atomic step (a plain rename where the file system has
 * no atomic one). A failed write leaves the target as it was and no temporary file behind. Used for
 * model files, checkpoints, safetensors and adapter files, and reports.
 */
public final class AtomicFiles {
    private AtomicFiles() {
    }

    /** Writes the content of a file to the path it is given. */
    @FunctionalInterface
    public interface Writer {
        /** Writes the whole file at {@code file}, a fresh path that does not exist yet. */
        void write(Path file) throws IOException;
    }

    /**
     * Creates the target's directory if needed, has {@code writer} write a temporary file beside the
     * target and moves it into place.
     *
     * @throws IOException when the directory, the file or the move fails (the temporary file is deleted)
     */
    public static void write(Path target, Writer writer) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        Files.createDirectories(dir);
        // A fresh name in the target directory, so the final move is atomic; created with the process's
        // default permissions (createTempFile would make it owner-only).
        Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        try {
            writer.write(tmp);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                // A file system without atomic renames: the temporary file is complete, so the target is
                // still never half-written.
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException | RuntimeException | Error e) {
            try {
                Files.deleteIfExists(tmp);
            } catch (IOException suppressed) {
                e.addSuppressed(suppressed); // the original failure is the one to report
            }
            throw e;
        }
    }
}

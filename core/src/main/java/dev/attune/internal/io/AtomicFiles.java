package dev.attune.internal.io;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.DirectoryStream;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

/**
 * Writes files whole or not at all: to a hidden temporary name beside the target, then moved into
 * place (one atomic rename; a plain one where the file system has none). Model files, checkpoints,
 * safetensors, adapter files and reports are written through it. Every write first removes the temporary files that dead writes (a process killed mid-write)
 * left in the directory, and says plainly why a directory cannot be made or a file cannot be written.
 */
public final class AtomicFiles {
    /** Attune's temporary names: {@code .<file name>.<random UUID>.tmp}. */
    private static final Pattern TEMPORARY = Pattern.compile(
            "\\..+\\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\\.tmp");
    /**
     * How long a temporary file must have gone unmodified before it counts as left by a dead write. A
     * live write keeps its file's modification time fresh as it streams bytes; another process's write
     * in the same directory is invisible otherwise, so the rule is age, with a wide margin.
     */
    public static final Duration ABANDONED_AFTER = Duration.ofMinutes(10);
    /** The temporary files this process is writing now: never removed, however old they look. */
    private static final Set<Path> WRITING = ConcurrentHashMap.newKeySet();

    private AtomicFiles() {
    }

    /** Writes a file's content to the path it is given. */
    @FunctionalInterface
    public interface Content {
        /** Writes the whole file at {@code file}, a fresh path. */
        void writeTo(Path file) throws IOException;
    }

    /**
     * Writes {@code target} atomically, creating its directory if needed.
     *
     * @throws IOException whose message says what failed in words (not a bare path)
     */
    public static void write(Path target, Content content) throws IOException {
        Path dir = target.toAbsolutePath().getParent();
        createDirectories(dir);
        removeAbandoned(dir);
        Path tmp = dir.resolve("." + target.getFileName() + "." + UUID.randomUUID() + ".tmp");
        WRITING.add(tmp);
        try {
            content.writeTo(tmp);
            try {
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                // A file system without atomic renames: the temporary file is complete, so the target is
                // still never half-written.
                Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING);
            }
        } catch (IOException e) {
            throw new IOException(describe(e), e);
        } finally {
            try {
                Files.deleteIfExists(tmp); // moved into place, or the write failed first
            } catch (IOException ignored) {
                // the write's own outcome is the one to report
            }
            WRITING.remove(tmp);
        }
    }

    /** Creates a directory and its parents, naming the ancestor that is a file when there is one. */
    public static void createDirectories(Path dir) throws IOException {
        for (Path p = dir; p != null; p = p.getParent()) {
            if (Files.exists(p)) {
                if (!Files.isDirectory(p)) {
                    throw new IOException("cannot create directory " + p + ": a file of that name exists; write under"
                            + " another directory, or move that file away");
                }
                break;
            }
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IOException("cannot create directory " + dir + ": " + describe(e), e);
        }
    }

    /** Removes Attune's temporary files in {@code dir} that no write of this process owns and that are stale. */
    private static void removeAbandoned(Path dir) {
        Instant cutoff = Instant.now().minus(ABANDONED_AFTER);
        try (DirectoryStream<Path> files = Files.newDirectoryStream(dir, p -> TEMPORARY.matcher(p.getFileName().toString()).matches())) {
            for (Path p : files) {
                try {
                    if (!WRITING.contains(p) && Files.isRegularFile(p)
                            && Files.getLastModifiedTime(p).toInstant().isBefore(cutoff)) {
                        Files.deleteIfExists(p);
                    }
                } catch (IOException ignored) {
                    // another process removed it first, or may not: the new write does not depend on it
                }
            }
        } catch (IOException ignored) {
            // an unlistable directory fails the write itself, with its own message
        }
    }

    /**
     * An I/O failure in words. The JDK's file-system exceptions often carry only the path as their
     * message ({@code NoSuchFileException: /x}); this names what happened to it.
     */
    public static String describe(IOException e) {
        if (e instanceof NoSuchFileException n) {
            return "no such file or directory: " + n.getFile();
        }
        if (e instanceof AccessDeniedException a) {
            return "permission denied: " + a.getFile();
        }
        if (e instanceof FileAlreadyExistsException f) {
            return f.getFile() + " already exists";
        }
        if (e instanceof DirectoryNotEmptyException d) {
            return d.getFile() + " is a directory that is not empty";
        }
        if (e instanceof FileSystemException f && f.getReason() == null) {
            return e.getClass().getSimpleName() + " on " + f.getFile();
        }
        return e.getMessage() != null ? e.getMessage() : e.toString();
    }
}

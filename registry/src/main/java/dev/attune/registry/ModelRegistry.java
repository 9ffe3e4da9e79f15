package dev.attune.registry;

import dev.attune.AttuneException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * A registry of model versions: each version is an artifact file stored under its SHA-256 with the
 * metrics and provenance given at registration, and may stand in a {@link Stage}. Every change is
 * written to an audit log with who made it, when and why.
 *
 * <pre>{@code
 * ModelRegistry registry = ModelRegistry.sqlite(Path.of("registry"));
 * ModelVersion v = registry.register(Path.of("model.zip"), Registration.of("credit").withMetric("f1_macro", 0.71),
 *         Change.by("alice", "first model"));
 * registry.promote("credit", v.version(), Stage.PRODUCTION, Change.by("alice", "passed review"));
 * }</pre>
 *
 * <p>Artifacts live in {@code <artifact folder>/<model>/<sha256>}. A registration copies the file to a
 * temporary name in that folder while hashing it, then, holding the model's lock in the database,
 * moves it into place and commits the version's row: a version never exists without its file, and a
 * process killed half-way leaves at most an unreferenced file, never a half version. Registering the
 * same bytes again under the same model returns the existing version.
 *
 * <p>Safe to use from several threads and several processes at once: each call is one database
 * transaction. Methods throw {@link AttuneException} when the database or the artifact folder cannot
 * be read or written.
 */
public final class ModelRegistry implements AutoCloseable {
    /** The database file of a SQLite registry, in its folder. */
    public static final String SQLITE_FILE = "registry.db";
    /** The artifact folder of a SQLite registry, in its folder. */
    public static final String ARTIFACTS = "artifacts";
    private static final String INCOMING = ".incoming-";

    private final RegistryStore store;
    private final Path artifacts;
    private final Clock clock = Clock.systemUTC();

    private ModelRegistry(RegistryStore store, Path artifacts) {
        this.store = store;
        this.artifacts = artifacts;
    }

    /**
     * The embedded registry in {@code dir}: the SQLite database {@code registry.db} and the
     * {@code artifacts} folder side by side, created when missing.
     *
     * @throws AttuneException when the folder or database cannot be created or opened
     */
    public static ModelRegistry sqlite(Path dir) {
        Objects.requireNonNull(dir, "dir");
        try {
            Files.createDirectories(dir.resolve(ARTIFACTS));
        } catch (IOException e) {
            throw new AttuneException("cannot create the registry folder " + dir + ": " + e.getMessage(), e);
        }
        return new ModelRegistry(RegistryStore.sqlite(dir.resolve(SQLITE_FILE), false), dir.resolve(ARTIFACTS));
    }

    /**
     * The existing embedded registry in {@code dir}, opened read-only: listing, showing and verifying
     * work; every change fails with an {@link AttuneException} and leaves nothing behind.
     *
     * @throws AttuneException when there is no registry in {@code dir}
     */
    public static ModelRegistry sqliteReadOnly(Path dir) {
        Objects.requireNonNull(dir, "dir");
        return new ModelRegistry(RegistryStore.sqlite(dir.resolve(SQLITE_FILE), true), dir.resolve(ARTIFACTS));
    }

    /**
     * A team's registry: metadata on the PostgreSQL server at {@code jdbcUrl}
     * ({@code jdbc:postgresql://host:port/database}), migrated when needed, and artifacts in
     * {@code artifactDir} (a folder every user of the registry reaches, created when missing).
     *
     * @throws AttuneException when the server cannot be reached or refuses the login
     */
    public static ModelRegistry postgres(String jdbcUrl, String user, String password, Path artifactDir) {
        Objects.requireNonNull(artifactDir, "artifactDir");
        RegistryStore store = RegistryStore.postgres(jdbcUrl, user, password);
        return open(store, artifactDir);
    }

    /** A registry over any store, with its artifacts in {@code artifactDir} (created when missing). */
    public static ModelRegistry open(RegistryStore store, Path artifactDir) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(artifactDir, "artifactDir");
        try {
            Files.createDirectories(artifactDir);
        } catch (IOException e) {
            throw new AttuneException("cannot create the artifact folder " + artifactDir + ": " + e.getMessage(), e);
        }
        return new ModelRegistry(store, artifactDir);
    }

    /**
     * Registers the file {@code artifact} as the next version of {@code registration.model()} (1 for a
     * new model), or returns the existing version when the model already has these exact bytes (its
     * metrics and provenance stay as first registered).
     *
     * @throws IllegalArgumentException when {@code artifact} is not a readable file
     * @throws AttuneException          when the database or the artifact folder cannot be written
     */
    public ModelVersion register(Path artifact, Registration registration, Change change) {
        Objects.requireNonNull(artifact, "artifact");
        Objects.requireNonNull(registration, "registration");
        Objects.requireNonNull(change, "change");
        if (!Files.isRegularFile(artifact)) {
            throw new IllegalArgumentException("the artifact to register must be a file, got " + artifact
                    + (Files.exists(artifact) ? " (not a regular file)" : " (no such file)"));
        }
        Path folder = artifacts.resolve(registration.model());
        Path incoming = folder.resolve(INCOMING + UUID.randomUUID());
        try {
            Files.createDirectories(folder);
            Incoming pending = copyHashing(artifact, incoming, folder);
            return store.register(registration, pending, change, clock.instant());
        } catch (IOException e) {
            throw new AttuneException("cannot copy " + artifact + " into the artifact folder " + folder + ": "
                    + e.getMessage(), e);
        } finally {
            try {
                Files.deleteIfExists(incoming);
            } catch (IOException e) {
                // Left behind, it is an unreferenced file: verify never reads it and the next run ignores it.
            }
        }
    }

    /** The names of the models ever registered, in order. */
    public List<String> models() {
        return store.models();
    }

    /** The model's versions in order of registration; empty for an unknown model. */
    public List<ModelVersion> versions(String model) {
        return store.versions(Objects.requireNonNull(model, "model"));
    }

    /**
     * One version of a model.
     *
     * @throws IllegalArgumentException when the model has no such version
     */
    public ModelVersion version(String model, int version) {
        Objects.requireNonNull(model, "model");
        return store.version(model, version).orElseThrow(() -> {
            List<String> numbers = versions(model).stream().map(v -> Integer.toString(v.version())).toList();
            return new IllegalArgumentException(numbers.isEmpty() && !models().contains(model)
                    ? "there is no model '" + model + "' in the registry; models are: " + String.join(", ", models())
                    : "model '" + model + "' has no version " + version + "; its versions are: " + String.join(", ", numbers));
        });
    }

    /** The version of a model that a stage holds: for archived, the newest archived one. */
    public Optional<ModelVersion> inStage(String model, Stage stage) {
        Objects.requireNonNull(stage, "stage");
        List<ModelVersion> held = versions(model).stream().filter(v -> v.stage().equals(Optional.of(stage))).toList();
        return held.isEmpty() ? Optional.empty() : Optional.of(held.get(held.size() - 1));
    }

    /**
     * Moves a version into {@code stage}. In staging or production it replaces the version there,
     * which is archived; a version leaving staging for production leaves staging empty.
     *
     * @return the version as it now stands
     * @throws IllegalArgumentException when the model or version does not exist, or the version is in that stage already
     */
    public ModelVersion promote(String model, int version, Stage stage, Change change) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(change, "change");
        return store.promote(model, version, stage, change, clock.instant());
    }

    /**
     * Puts back the version that {@code stage} (staging or production) held before its current one; the
     * current one is archived. Repeated rollbacks walk further back; versions pruned meanwhile, and
     * the one the other live stage holds, are passed over.
     *
     * @return the version now in the stage
     * @throws IllegalArgumentException when {@code stage} is archived or the model does not exist
     * @throws IllegalStateException    when the stage is empty or held no earlier version
     */
    public ModelVersion rollback(String model, Stage stage, Change change) {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(change, "change");
        return store.rollback(model, stage, change, clock.instant());
    }

    /**
     * Removes, in every model, the archived versions that {@code retention} selects, with their
     * artifacts. Versions in staging or production, and versions never promoted, are never removed.
     *
     * @return the versions removed
     */
    public List<ModelVersion> prune(Retention retention, Change change) {
        Objects.requireNonNull(retention, "retention");
        Objects.requireNonNull(change, "change");
        Instant now = clock.instant();
        Optional<Instant> cutoff = retention.olderThan().map(now::minus);
        List<ModelVersion> removed = new ArrayList<>();
        for (String model : models()) {
            removed.addAll(store.prune(model, archived ->
                    (retention.keepLast().isPresent() && archived.newestRank() >= retention.keepLast().getAsInt())
                            || (cutoff.isPresent() && archived.archivedSince().isBefore(cutoff.get())),
                    change, now, sha256 -> delete(artifacts.resolve(model).resolve(sha256))));
        }
        return List.copyOf(removed);
    }

    /** The model's audit log, oldest first. */
    public List<AuditEntry> auditLog(String model) {
        return store.audit(Optional.of(Objects.requireNonNull(model, "model")));
    }

    /** Every model's audit log, oldest first. */
    public List<AuditEntry> auditLog() {
        return store.audit(Optional.empty());
    }

    /** Where a version's artifact is stored. */
    public Path artifact(ModelVersion version) {
        return artifacts.resolve(version.model()).resolve(version.sha256());
    }

    /** Checks that every version's artifact is present and still hashes to its SHA-256. */
    public Verification verify() {
        List<ModelVersion> all = new ArrayList<>();
        for (String model : models()) {
            all.addAll(versions(model));
        }
        return verify(all);
    }

    /** Checks that each of the model's versions' artifacts is present and still hashes to its SHA-256. */
    public Verification verify(String model) {
        return verify(versions(model));
    }

    private Verification verify(List<ModelVersion> versions) {
        List<Verification.Problem> problems = new ArrayList<>();
        for (ModelVersion version : versions) {
            Path file = artifact(version);
            if (!Files.isRegularFile(file)) {
                problems.add(new Verification.Problem(version, file, Verification.Kind.MISSING,
                        version.label() + ": its artifact " + file + " is missing"));
                continue;
            }
            String actual;
            try {
                actual = sha256(file);
            } catch (IOException e) {
                throw new AttuneException("cannot read the artifact " + file + " of " + version.label() + ": "
                        + e.getMessage(), e);
            }
            if (!actual.equals(version.sha256())) {
                problems.add(new Verification.Problem(version, file, Verification.Kind.CORRUPTED,
                        version.label() + ": its artifact " + file + " hashes to " + actual + ", not to the registered "
                                + version.sha256()));
            }
        }
        return new Verification(versions.size(), problems);
    }

    /** Where the metadata is: the database file or the JDBC URL. */
    public String location() {
        return store.location();
    }

    /** The folder that holds the artifacts. */
    public Path artifactFolder() {
        return artifacts;
    }

    /** Closes the store. */
    @Override
    public void close() {
        store.close();
    }

    /** The SHA-256 of a file's bytes, as 64 lower-case hex digits. */
    public static String sha256(Path file) throws IOException {
        MessageDigest digest = sha256Digest();
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), digest)) {
            in.transferTo(OutputStream.nullOutputStream());
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    private static MessageDigest sha256Digest() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java runtime has SHA-256", e);
        }
    }

    /** Copies {@code source} to {@code incoming}, hashing it on the way, and forces it to disk. */
    private static Incoming copyHashing(Path source, Path incoming, Path folder) throws IOException {
        MessageDigest digest = sha256Digest();
        long size;
        try (InputStream in = new DigestInputStream(Files.newInputStream(source), digest);
                FileChannel out = FileChannel.open(incoming, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            size = in.transferTo(java.nio.channels.Channels.newOutputStream(out));
            // On disk before the row that names it can commit: a crash must not leave a short file.
            out.force(true);
        }
        return new Incoming(HexFormat.of().formatHex(digest.digest()), size, incoming, folder);
    }

    private static void delete(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException e) {
            throw new AttuneException("cannot delete the pruned artifact " + file + ": " + e.getMessage(), e);
        }
    }

    /** A hashed copy under a temporary name, moved to its SHA-256's name when the registration commits. */
    private record Incoming(String sha256, long sizeBytes, Path temporary, Path folder)
            implements RegistryStore.PendingArtifact {
        @Override
        public boolean moveIntoPlace() {
            Path target = folder.resolve(sha256);
            if (Files.isRegularFile(target)) {
                return false;
            }
            try {
                Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE);
                forceDirectory(folder);
                return true;
            } catch (FileAlreadyExistsException e) {
                return false;
            } catch (AtomicMoveNotSupportedException e) {
                throw new AttuneException("the artifact folder " + folder + " cannot rename files atomically;"
                        + " put the registry on a local or POSIX file system", e);
            } catch (IOException e) {
                throw new AttuneException("cannot move the artifact " + sha256 + " into " + folder + ": "
                        + e.getMessage(), e);
            }
        }

        @Override
        public void moveBack() {
            try {
                Files.move(folder.resolve(sha256), temporary, StandardCopyOption.ATOMIC_MOVE);
            } catch (NoSuchFileException e) {
                // Nothing was left in place.
            } catch (IOException e) {
                throw new AttuneException("cannot take back the artifact " + sha256 + " from " + folder + ": "
                        + e.getMessage(), e);
            }
        }

        private static void forceDirectory(Path folder) {
            // The rename is durable only once the folder's entry is on disk.
            try (FileChannel dir = FileChannel.open(folder, StandardOpenOption.READ)) {
                dir.force(true);
            } catch (IOException e) {
                // Some file systems cannot open a folder for syncing; the rename itself stands.
            }
        }
    }
}

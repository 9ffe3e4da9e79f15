package dev.attune.registry;

import dev.attune.AttuneException;
import dev.attune.deploy.ModelPackage;
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
import java.security.PublicKey;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.stream.Stream;

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
 * <p>A deployment package ({@code *.attune}, from {@code attune-deploy}) registers itself:
 * {@link #register(Path, Change)} verifies it, takes the model's name, metrics and provenance from its
 * manifest, and {@link #verify()} checks its seal again later. Files in the artifact folder that no
 * version refers to (left by a killed registration) are reported by {@link #verify()} and removed by
 * {@link #prune} once they are provably unused.
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
    /**
     * The provenance key under which a package's version records the SHA-256 of the package's manifest
     * ({@code ModelPackage.contentSha256()}); {@link #verify()} checks the seal of every version that has it.
     */
    public static final String PACKAGE_SHA256 = "package.contentSha256";
    /**
     * How long a registration's temporary copy ({@code .incoming-*}) must have gone unwritten before
     * {@link #prune} removes it. A registration writes its copy before it takes the model's lock and
     * waits for the lock at most a few minutes, so holding the lock does not prove a copy unused; an
     * hour without a write does.
     */
    public static final Duration LEFTOVER_AGE = Duration.ofHours(1);
    private static final String INCOMING = ".incoming-";
    private static final Pattern SHA256_NAME = Pattern.compile("[0-9a-f]{64}");

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
        return register(artifact, registration, change, Optional.empty());
    }

    /**
     * Verifies the deployment package {@code packageFile} ({@code ModelPackage.load}) and registers it
     * as the next version of the model its manifest names, with the manifest's metrics (those that are
     * numbers) and provenance ({@code Provenance.asText()}), plus {@value #PACKAGE_SHA256} and
     * {@code package.attuneVersion}. The same package file twice is one version.
     *
     * @throws IllegalArgumentException when {@code packageFile} is not a readable file
     * @throws AttuneException          when the package is damaged, tampered with or of a newer format (the
     *                                  message names the entry), or the registry cannot be written
     */
    public ModelVersion register(Path packageFile, Change change) {
        Objects.requireNonNull(packageFile, "packageFile");
        Objects.requireNonNull(change, "change");
        requireFile(packageFile, "package");
        return register(ModelPackage.load(packageFile), change);
    }

    /**
     * As {@link #register(Path, Change)}, for a registry that accepts only packages signed by
     * {@code publicKey}'s private key; the signer's key id is recorded as {@code package.signedBy}.
     *
     * @throws AttuneException also when the package is unsigned, signed by another key, or its signature
     *                         does not verify
     */
    public ModelVersion register(Path packageFile, PublicKey publicKey, Change change) {
        Objects.requireNonNull(packageFile, "packageFile");
        Objects.requireNonNull(publicKey, "publicKey");
        Objects.requireNonNull(change, "change");
        requireFile(packageFile, "package");
        return register(ModelPackage.load(packageFile, publicKey), change);
    }

    /**
     * Registers a package already loaded (and so verified): its file is copied and must still hash to
     * what was verified, so a file rewritten in between is refused rather than registered unverified.
     *
     * @throws AttuneException when the file changed since it was loaded, or the registry cannot be written
     */
    public ModelVersion register(ModelPackage pkg, Change change) {
        Objects.requireNonNull(pkg, "pkg");
        Objects.requireNonNull(change, "change");
        requireFile(pkg.path(), "package");
        return register(pkg.path(), registration(pkg), change, Optional.of(pkg.fileSha256()));
    }

    /** What a package's manifest says, as a registration. */
    static Registration registration(ModelPackage pkg) {
        Map<String, Double> metrics = new LinkedHashMap<>();
        // A metric the evaluation could not compute is null in the manifest: absent here rather than NaN.
        pkg.metrics().forEach((name, value) -> {
            if (Double.isFinite(value)) {
                metrics.put(name, value);
            }
        });
        Map<String, String> provenance = new LinkedHashMap<>();
        pkg.provenance().ifPresent(p -> provenance.putAll(p.asText()));
        provenance.put(PACKAGE_SHA256, pkg.contentSha256());
        provenance.put("package.attuneVersion", pkg.attuneVersion());
        if (pkg.signatureVerified()) {
            provenance.put("package.signedBy", pkg.signerKeyId().orElseThrow());
        }
        return new Registration(pkg.name(), metrics, provenance);
    }

    private static void requireFile(Path file, String what) {
        if (!Files.isRegularFile(file)) {
            throw new IllegalArgumentException("the " + what + " to register must be a file, got " + file
                    + (Files.exists(file) ? " (not a regular file)" : " (no such file)"));
        }
    }

    private ModelVersion register(Path artifact, Registration registration, Change change, Optional<String> expected) {
        requireFile(artifact, "artifact");
        Path folder = artifacts.resolve(registration.model());
        Path incoming = folder.resolve(INCOMING + UUID.randomUUID());
        try {
            Files.createDirectories(folder);
            Incoming pending = copyHashing(artifact, incoming, folder);
            if (expected.isPresent() && !expected.get().equals(pending.sha256())) {
                throw new AttuneException("the package " + artifact + " changed while it was registered: it was"
                        + " verified with SHA-256 " + expected.get() + ", its copy hashes to " + pending.sha256()
                        + "; register it again once nothing writes to it");
            }
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
     * Then removes the leftover files that are provably unused: a file named by a SHA-256 that no
     * version refers to, checked while holding the model's lock (no registration can be moving it in),
     * and a registration's temporary copy unwritten for {@link #LEFTOVER_AGE}. In the folder of a model
     * that has no version at all, both kinds go only after that age.
     *
     * @return the versions removed
     */
    public List<ModelVersion> prune(Retention retention, Change change) {
        return pruneWithLeftovers(retention, change).versions();
    }

    /** What {@link #prune} removed: versions, and leftover files. */
    record Pruned(List<ModelVersion> versions, List<Verification.Leftover> leftovers) {
    }

    Pruned pruneWithLeftovers(Retention retention, Change change) {
        List<ModelVersion> removed = pruneVersions(retention, change);
        return new Pruned(removed, removeLeftovers());
    }

    private List<ModelVersion> pruneVersions(Retention retention, Change change) {
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

    /**
     * The files in the artifact folder that no version refers to, as {@link #verify()} reports them. Read
     * without the lock: a file a registration is moving in at this moment may show up once.
     */
    public List<Verification.Leftover> leftovers() {
        List<Verification.Leftover> found = new ArrayList<>();
        for (String model : modelFolders()) {
            found.addAll(leftovers(model));
        }
        return List.copyOf(found);
    }

    private List<Verification.Leftover> leftovers(String model) {
        Set<String> referenced = new java.util.HashSet<>();
        versions(model).forEach(v -> referenced.add(v.sha256()));
        return leftovers(model, referenced);
    }

    private List<Verification.Leftover> leftovers(String model, Set<String> referenced) {
        Path folder = artifacts.resolve(model);
        List<Verification.Leftover> found = new ArrayList<>();
        if (!Files.isDirectory(folder)) {
            return found;
        }
        try (Stream<Path> files = Files.list(folder)) {
            for (Path file : (Iterable<Path>) files.sorted()::iterator) {
                String name = file.getFileName().toString();
                Verification.LeftoverKind kind = name.startsWith(INCOMING) ? Verification.LeftoverKind.INCOMING
                        : SHA256_NAME.matcher(name).matches() && !referenced.contains(name)
                        ? Verification.LeftoverKind.UNREFERENCED : null;
                if (kind != null && Files.isRegularFile(file)) {
                    try {
                        found.add(new Verification.Leftover(model, file, kind,
                                Files.getLastModifiedTime(file).toInstant()));
                    } catch (NoSuchFileException e) {
                        // Gone meanwhile: moved into place or removed by another process.
                    }
                }
            }
        } catch (IOException e) {
            throw new AttuneException("cannot list the artifact folder " + folder + ": " + e.getMessage(), e);
        }
        return found;
    }

    /** The model folders in the artifact folder: the names a model could have, whether or not it has rows. */
    private List<String> modelFolders() {
        try (Stream<Path> dirs = Files.list(artifacts)) {
            return dirs.filter(Files::isDirectory).map(d -> d.getFileName().toString()).filter(name -> {
                try {
                    Registration.checkModelName(name);
                    return true;
                } catch (IllegalArgumentException e) {
                    return false;
                }
            }).sorted().toList();
        } catch (IOException e) {
            throw new AttuneException("cannot list the artifact folder " + artifacts + ": " + e.getMessage(), e);
        }
    }

    private List<Verification.Leftover> removeLeftovers() {
        Instant cutoff = clock.instant().minus(LEFTOVER_AGE);
        List<Verification.Leftover> removed = new ArrayList<>();
        for (String model : modelFolders()) {
            boolean locked = store.withReferences(model, referenced -> {
                for (Verification.Leftover leftover : leftovers(model, referenced)) {
                    // Under the lock an unreferenced artifact is unused; a temporary copy may still be written.
                    if (leftover.kind() == Verification.LeftoverKind.UNREFERENCED || leftover.modified().isBefore(cutoff)) {
                        removeLeftover(leftover, removed);
                    }
                }
            });
            if (!locked) {
                // No row to lock: a first registration of this model may be under way, so only age proves disuse.
                for (Verification.Leftover leftover : leftovers(model, Set.of())) {
                    if (leftover.modified().isBefore(cutoff)) {
                        removeLeftover(leftover, removed);
                    }
                }
            }
        }
        return List.copyOf(removed);
    }

    private static void removeLeftover(Verification.Leftover leftover, List<Verification.Leftover> removed) {
        try {
            if (Files.deleteIfExists(leftover.file())) {
                removed.add(leftover);
            }
        } catch (IOException e) {
            throw new AttuneException("cannot remove the leftover file " + leftover.file() + ": " + e.getMessage(), e);
        }
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

    /**
     * Checks that every version's artifact is present and still hashes to its SHA-256, that every
     * deployment package among them still passes its own seal, and lists the leftover files.
     */
    public Verification verify() {
        List<ModelVersion> all = new ArrayList<>();
        for (String model : models()) {
            all.addAll(versions(model));
        }
        return new Verification(all.size(), problems(all), leftovers());
    }

    /** {@link #verify()} for one model's versions and folder. */
    public Verification verify(String model) {
        Objects.requireNonNull(model, "model");
        List<ModelVersion> versions = versions(model);
        return new Verification(versions.size(), problems(versions), leftovers(model));
    }

    private List<Verification.Problem> problems(List<ModelVersion> versions) {
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
            Optional<String> seal = Optional.ofNullable(version.provenance().get(PACKAGE_SHA256))
                    .flatMap(digest -> sealProblem(file, digest));
            if (!actual.equals(version.sha256())) {
                problems.add(new Verification.Problem(version, file, Verification.Kind.CORRUPTED,
                        version.label() + ": its artifact " + file + " hashes to " + actual + ", not to the registered "
                                + version.sha256() + seal.map(m -> "; as a deployment package: " + m).orElse("")));
            } else if (seal.isPresent()) {
                problems.add(new Verification.Problem(version, file, Verification.Kind.CORRUPTED,
                        version.label() + ": its deployment package " + file + " no longer verifies: " + seal.get()));
            }
        }
        return problems;
    }

    /** Why a registered package no longer passes its seal (naming the entry), or empty when it does. */
    private static Optional<String> sealProblem(Path file, String contentSha256) {
        ModelPackage loaded;
        try {
            loaded = ModelPackage.load(file);
        } catch (AttuneException e) {
            return Optional.of(e.getMessage());
        }
        return loaded.contentSha256().equals(contentSha256) ? Optional.empty()
                : Optional.of("its manifest's SHA-256 is " + loaded.contentSha256() + ", not the registered " + contentSha256);
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

package dev.attune.registry;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.function.Predicate;

/**
 * Where the registry keeps its metadata: models, versions with their metrics and provenance, stages,
 * stage history and the audit log. Each changing method is one transaction that holds the model's
 * lock, so two processes changing the same model take turns and lose no update. The artifact files
 * themselves are {@link ModelRegistry}'s job; the store calls back to move them in or out while it
 * holds the lock.
 *
 * <p>The one implementation is JDBC over SQLite ({@link #sqlite}) or PostgreSQL ({@link #postgres}),
 * with the schema created and migrated by Flyway when the store opens.
 */
public interface RegistryStore extends AutoCloseable {
    /**
     * Registers {@code artifact} as the model's next version, or returns the version that already has
     * its SHA-256. Moves the artifact into place after taking the lock and before committing.
     */
    ModelVersion register(Registration registration, PendingArtifact artifact, Change change, Instant at);

    /** The names of the models ever registered, in order. */
    List<String> models();

    /** The model's versions in order; empty for an unknown model. */
    List<ModelVersion> versions(String model);

    /** One version, if the model has it. */
    Optional<ModelVersion> version(String model, int version);

    /**
     * Moves a version into a stage; a live stage's former version is archived.
     *
     * @throws IllegalArgumentException when the version does not exist or is in that stage already
     */
    ModelVersion promote(String model, int version, Stage stage, Change change, Instant at);

    /**
     * Puts back the version that a live stage held before its current one.
     *
     * @throws IllegalStateException when the stage is empty or held no earlier version that still exists
     */
    ModelVersion rollback(String model, Stage stage, Change change, Instant at);

    /**
     * Removes the model's archived versions that {@code pruned} selects from the archived versions
     * (newest first), then calls {@code removeArtifact} for each SHA-256 that no version refers to any
     * more, holding the model's lock.
     *
     * @return the versions removed
     */
    List<ModelVersion> prune(String model, Predicate<ArchivedVersion> pruned, Change change, Instant at,
            java.util.function.Consumer<String> removeArtifact);

    /**
     * Runs {@code sweep} with the SHA-256s that the model's versions refer to, holding the model's lock:
     * while it runs, no registration moves an artifact into the model's folder and no prune removes one,
     * so a file named by a SHA-256 outside the set is provably unused. Returns false, without running
     * {@code sweep}, when the model does not exist.
     */
    boolean withReferences(String model, java.util.function.Consumer<java.util.Set<String>> sweep);

    /** The model's audit log in order, or every model's (by time) when {@code model} is empty. */
    List<AuditEntry> audit(Optional<String> model);

    /** Where the store is, for messages: the database file or the JDBC URL without credentials. */
    String location();

    /** Releases what the store holds open. */
    @Override
    void close();

    /**
     * The SQLite store in {@code databaseFile}, created and migrated when needed.
     *
     * @param readOnly open the file read-only: reading works, every change fails with an AttuneException
     */
    static RegistryStore sqlite(Path databaseFile, boolean readOnly) {
        return JdbcRegistryStore.sqlite(databaseFile, readOnly);
    }

    /** The PostgreSQL store at {@code jdbcUrl} ({@code jdbc:postgresql://host:port/database}), migrated when needed. */
    static RegistryStore postgres(String jdbcUrl, String user, String password) {
        return JdbcRegistryStore.postgres(jdbcUrl, user, password);
    }

    /**
     * An artifact written to a temporary name, waiting to be moved into place by a registration.
     */
    interface PendingArtifact {
        /** Its SHA-256, 64 lower-case hex digits. */
        String sha256();

        /** Its size in bytes. */
        long sizeBytes();

        /** Moves it into place; returns false when an identical artifact was there already. */
        boolean moveIntoPlace();

        /** Undoes {@link #moveIntoPlace} that returned true, when the registration does not commit. */
        void moveBack();
    }

    /**
     * An archived version as retention sees it.
     *
     * @param version       the version
     * @param newestRank    0 for the model's newest archived version, 1 for the next, ...
     * @param archivedSince when it was archived
     */
    record ArchivedVersion(ModelVersion version, int newestRank, Instant archivedSince) {
    }
}

package dev.attune.registry;

import dev.attune.AttuneException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.FlywayException;
import org.postgresql.ds.PGSimpleDataSource;
import org.sqlite.SQLiteConfig;
import org.sqlite.SQLiteDataSource;
import org.sqlite.SQLiteOpenMode;

/**
 * The registry's metadata over JDBC, on SQLite or PostgreSQL, with one schema migrated by Flyway.
 *
 * <p>Every change runs in one transaction that first takes the model's lock: on SQLite the database's
 * write lock ({@code BEGIN IMMEDIATE}, waiting up to {@link #BUSY_TIMEOUT_MS} for another process), on
 * PostgreSQL the model's row ({@code SELECT ... FOR UPDATE}). Version numbers, stage history and audit
 * entries are computed under that lock, so two processes take turns and no update is lost. A
 * transaction that the database aborts for a conflict (busy, serialization failure, deadlock) is
 * retried from the start.
 */
final class JdbcRegistryStore implements RegistryStore {
    static final int BUSY_TIMEOUT_MS = 30_000;
    private static final int ATTEMPTS = 5;
    private static final String MIGRATIONS = "classpath:db/migration/attune-registry";
    private static final String HISTORY_TABLE = "attune_registry_schema_history";

    private enum Vendor { SQLITE, POSTGRES }

    private final Vendor vendor;
    private final DataSource writes;
    private final DataSource reads;
    private final String location;

    private JdbcRegistryStore(Vendor vendor, DataSource writes, DataSource reads, String location) {
        this.vendor = vendor;
        this.writes = writes;
        this.reads = reads;
        this.location = location;
    }

    static JdbcRegistryStore sqlite(Path databaseFile, boolean readOnly) {
        Objects.requireNonNull(databaseFile, "databaseFile");
        Path file = databaseFile.toAbsolutePath();
        if (readOnly && !Files.isRegularFile(file)) {
            throw new AttuneException("no registry database at " + file + "; a read-only registry opens an existing"
                    + " one: create it by opening the registry read-write first");
        }
        String url = "jdbc:sqlite:" + file;
        JdbcRegistryStore store = new JdbcRegistryStore(Vendor.SQLITE,
                sqliteSource(url, readOnly, SQLiteConfig.TransactionMode.IMMEDIATE),
                sqliteSource(url, readOnly, SQLiteConfig.TransactionMode.DEFERRED), file.toString());
        store.migrate(readOnly);
        return store;
    }

    private static DataSource sqliteSource(String url, boolean readOnly, SQLiteConfig.TransactionMode mode) {
        SQLiteConfig config = new SQLiteConfig();
        config.setBusyTimeout(BUSY_TIMEOUT_MS);
        config.setTransactionMode(mode);
        config.enforceForeignKeys(true);
        if (readOnly) {
            // The open flag, not the file mode: a write-protected file is writable to root, the flag is not.
            config.setReadOnly(true);
            config.resetOpenMode(SQLiteOpenMode.CREATE);
        }
        SQLiteDataSource source = new SQLiteDataSource(config);
        source.setUrl(url);
        return source;
    }

    static JdbcRegistryStore postgres(String jdbcUrl, String user, String password) {
        Objects.requireNonNull(jdbcUrl, "jdbcUrl");
        Objects.requireNonNull(user, "user");
        Objects.requireNonNull(password, "password");
        if (!jdbcUrl.startsWith("jdbc:postgresql:")) {
            throw new IllegalArgumentException("a PostgreSQL registry needs a jdbc:postgresql://host:port/database URL,"
                    + " got '" + jdbcUrl + "'");
        }
        PGSimpleDataSource source = new PGSimpleDataSource();
        source.setURL(jdbcUrl);
        source.setUser(user);
        source.setPassword(password);
        source.setConnectTimeout(10);
        source.setApplicationName("attune-registry");
        JdbcRegistryStore store = new JdbcRegistryStore(Vendor.POSTGRES, source, source, jdbcUrl.replaceAll("\\?.*", ""));
        store.migrate(false);
        return store;
    }

    private void migrate(boolean readOnly) {
        Flyway flyway = Flyway.configure(JdbcRegistryStore.class.getClassLoader())
                .dataSource(writes)
                .locations(MIGRATIONS)
                .table(HISTORY_TABLE)
                // Through SLF4J, as the rest of Attune logs: the application decides what is shown.
                .loggers("slf4j")
                .load();
        try {
            if (readOnly) {
                int pending = flyway.info().pending().length;
                if (pending > 0) {
                    throw new AttuneException("the registry database " + location + " needs " + pending + " schema"
                            + " migration(s) that a read-only registry cannot apply; open it read-write once");
                }
            } else {
                flyway.migrate();
            }
        } catch (FlywayException e) {
            throw new AttuneException("cannot open the registry database " + location + ": " + rootMessage(e)
                    + hint(e), e);
        }
    }

    @Override
    public ModelVersion register(Registration registration, PendingArtifact artifact, Change change, Instant at) {
        String model = registration.model();
        return write("register a version of '" + model + "'", c -> {
            try (PreparedStatement ps = c.prepareStatement(
                    "INSERT INTO registry_models (name, next_version, created_at) VALUES (?, 1, ?) ON CONFLICT (name) DO NOTHING")) {
                ps.setString(1, model);
                ps.setLong(2, at.toEpochMilli());
                ps.executeUpdate();
            }
            int next = lock(c, model).orElseThrow();
            try (PreparedStatement ps = c.prepareStatement(
                    "SELECT version FROM registry_versions WHERE model = ? AND sha256 = ?")) {
                ps.setString(1, model);
                ps.setString(2, artifact.sha256());
                try (ResultSet rs = ps.executeQuery()) {
                    if (rs.next()) {
                        return load(c, model, OptionalInt.of(rs.getInt(1))).get(0);
                    }
                }
            }
            boolean moved = artifact.moveIntoPlace();
            try {
                insertVersion(c, registration, next, artifact, change, at);
                audit(c, model, at, change, AuditEntry.Action.REGISTER, null, null, next);
                return load(c, model, OptionalInt.of(next)).get(0);
            } catch (SQLException | RuntimeException e) {
                // Still under the lock: no one can have come to rely on the file we just moved in.
                if (moved) {
                    artifact.moveBack();
                }
                throw e;
            }
        });
    }

    private static void insertVersion(Connection c, Registration registration, int version, PendingArtifact artifact,
            Change change, Instant at) throws SQLException {
        String model = registration.model();
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO registry_versions (model, version, sha256,"
                + " size_bytes, stage, stage_since, registered_at, registered_by) VALUES (?, ?, ?, ?, NULL, NULL, ?, ?)")) {
            ps.setString(1, model);
            ps.setInt(2, version);
            ps.setString(3, artifact.sha256());
            ps.setLong(4, artifact.sizeBytes());
            ps.setLong(5, at.toEpochMilli());
            ps.setString(6, change.who());
            ps.executeUpdate();
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO registry_metrics (model, version, position,"
                + " metric_name, metric_value) VALUES (?, ?, ?, ?, ?)")) {
            int position = 0;
            for (Map.Entry<String, Double> metric : registration.metrics().entrySet()) {
                ps.setString(1, model);
                ps.setInt(2, version);
                ps.setInt(3, position++);
                ps.setString(4, metric.getKey());
                ps.setDouble(5, metric.getValue());
                ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO registry_provenance (model, version, position,"
                + " entry_key, entry_value) VALUES (?, ?, ?, ?, ?)")) {
            int position = 0;
            for (Map.Entry<String, String> entry : registration.provenance().entrySet()) {
                ps.setString(1, model);
                ps.setInt(2, version);
                ps.setInt(3, position++);
                ps.setString(4, entry.getKey());
                ps.setString(5, entry.getValue());
                ps.executeUpdate();
            }
        }
        try (PreparedStatement ps = c.prepareStatement("UPDATE registry_models SET next_version = ? WHERE name = ?")) {
            ps.setInt(1, version + 1);
            ps.setString(2, model);
            ps.executeUpdate();
        }
    }

    @Override
    public List<String> models() {
        return read("list the models", c -> {
            List<String> names = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM registry_models ORDER BY name");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            return List.copyOf(names);
        });
    }

    @Override
    public List<ModelVersion> versions(String model) {
        return read("list the versions of '" + model + "'", c -> load(c, model, OptionalInt.empty()));
    }

    @Override
    public Optional<ModelVersion> version(String model, int version) {
        return read("read " + model + ":" + version,
                c -> load(c, model, OptionalInt.of(version)).stream().findFirst());
    }

    @Override
    public ModelVersion promote(String model, int version, Stage stage, Change change, Instant at) {
        return write("promote " + model + ":" + version + " to " + stage.label(), c -> {
            requireModel(c, model);
            ModelVersion target = requireVersion(c, model, version);
            if (target.stage().equals(Optional.of(stage))) {
                throw new IllegalArgumentException(target.label() + " is in " + stage.label() + " already; promote"
                        + " another version, or roll " + stage.label() + " back");
            }
            Integer from = null;
            if (stage.live()) {
                Optional<ModelVersion> current = inStage(c, model, stage);
                if (current.isPresent()) {
                    setStage(c, model, current.get().version(), Stage.ARCHIVED, at);
                    from = current.get().version();
                }
            }
            setStage(c, model, version, stage, at);
            if (stage.live()) {
                pushHistory(c, model, stage, version, at);
            }
            audit(c, model, at, change, AuditEntry.Action.PROMOTE, stage, from, version);
            return requireVersion(c, model, version);
        });
    }

    @Override
    public ModelVersion rollback(String model, Stage stage, Change change, Instant at) {
        if (!stage.live()) {
            throw new IllegalArgumentException("rollback applies to staging or production, got " + stage.label()
                    + "; to bring an archived version back, promote it");
        }
        return write("roll back " + stage.label() + " of '" + model + "'", c -> {
            requireModel(c, model);
            ModelVersion current = inStage(c, model, stage).orElseThrow(() -> new IllegalStateException(
                    "no version of '" + model + "' is in " + stage.label() + ", so there is nothing to roll back;"
                    + " promote a version first"));
            Stage other = stage == Stage.STAGING ? Stage.PRODUCTION : Stage.STAGING;
            Optional<ModelVersion> otherLive = inStage(c, model, other);
            Integer previous = null;
            int previousSeq = -1;
            try (PreparedStatement ps = c.prepareStatement("SELECT h.seq, h.version FROM registry_stage_history h"
                    + " JOIN registry_versions v ON v.model = h.model AND v.version = h.version"
                    + " WHERE h.model = ? AND h.stage = ? AND h.undone = 0 ORDER BY h.seq DESC")) {
                ps.setString(1, model);
                ps.setString(2, stage.label());
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        int v = rs.getInt(2);
                        // The current version, and one that now serves the other live stage, are not candidates.
                        if (v != current.version() && !otherLive.map(o -> o.version() == v).orElse(false)) {
                            previousSeq = rs.getInt(1);
                            previous = v;
                            break;
                        }
                    }
                }
            }
            if (previous == null) {
                throw new IllegalStateException(current.label() + " is the only version " + stage.label() + " has held"
                        + " that still exists (pruned versions and the one in " + other.label() + " do not count),"
                        + " so there is no previous version to roll back to");
            }
            try (PreparedStatement ps = c.prepareStatement("UPDATE registry_stage_history SET undone = 1"
                    + " WHERE model = ? AND stage = ? AND seq > ? AND undone = 0")) {
                ps.setString(1, model);
                ps.setString(2, stage.label());
                ps.setInt(3, previousSeq);
                ps.executeUpdate();
            }
            setStage(c, model, current.version(), Stage.ARCHIVED, at);
            setStage(c, model, previous, stage, at);
            audit(c, model, at, change, AuditEntry.Action.ROLLBACK, stage, current.version(), previous);
            return requireVersion(c, model, previous);
        });
    }

    @Override
    public List<ModelVersion> prune(String model, Predicate<ArchivedVersion> pruned, Change change, Instant at,
            Consumer<String> removeArtifact) {
        List<ModelVersion> removed = write("prune archived versions of '" + model + "'", c -> {
            if (lock(c, model).isEmpty()) {
                return List.of();
            }
            Map<Integer, Long> since = new LinkedHashMap<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT version, stage_since FROM registry_versions"
                    + " WHERE model = ? AND stage = 'archived' ORDER BY version DESC")) {
                ps.setString(1, model);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        since.put(rs.getInt(1), rs.getLong(2));
                    }
                }
            }
            List<ModelVersion> selected = new ArrayList<>();
            int rank = 0;
            for (Map.Entry<Integer, Long> entry : since.entrySet()) {
                ModelVersion version = requireVersion(c, model, entry.getKey());
                if (pruned.test(new ArchivedVersion(version, rank++, Instant.ofEpochMilli(entry.getValue())))) {
                    selected.add(version);
                }
            }
            for (ModelVersion version : selected) {
                delete(c, "registry_metrics", model, version.version());
                delete(c, "registry_provenance", model, version.version());
                // The stage condition guards the rule, whatever the selection: never a version a stage holds.
                try (PreparedStatement ps = c.prepareStatement("DELETE FROM registry_versions"
                        + " WHERE model = ? AND version = ? AND stage = 'archived'")) {
                    ps.setString(1, model);
                    ps.setInt(2, version.version());
                    if (ps.executeUpdate() != 1) {
                        throw new IllegalStateException(version.label() + " left the archive while being pruned");
                    }
                }
                audit(c, model, at, change, AuditEntry.Action.PRUNE, null, version.version(), null);
            }
            return List.copyOf(selected);
        });
        if (!removed.isEmpty()) {
            // Files go after the rows are committed, under the lock again, and only when no version
            // (say, the same bytes registered again meanwhile) refers to them: a version never lacks its file.
            write("remove the artifacts of pruned versions of '" + model + "'", c -> {
                lock(c, model);
                for (String sha256 : removed.stream().map(ModelVersion::sha256).collect(Collectors.toSet())) {
                    try (PreparedStatement ps = c.prepareStatement(
                            "SELECT 1 FROM registry_versions WHERE model = ? AND sha256 = ?")) {
                        ps.setString(1, model);
                        ps.setString(2, sha256);
                        try (ResultSet rs = ps.executeQuery()) {
                            if (!rs.next()) {
                                removeArtifact.accept(sha256);
                            }
                        }
                    }
                }
                return null;
            });
        }
        return removed;
    }

    @Override
    public boolean withReferences(String model, Consumer<java.util.Set<String>> sweep) {
        return write("sweep the artifact folder of '" + model + "'", c -> {
            if (lock(c, model).isEmpty()) {
                return false;
            }
            java.util.Set<String> referenced = new java.util.HashSet<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT sha256 FROM registry_versions WHERE model = ?")) {
                ps.setString(1, model);
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        referenced.add(rs.getString(1));
                    }
                }
            }
            sweep.accept(java.util.Set.copyOf(referenced));
            return true;
        });
    }

    @Override
    public List<AuditEntry> audit(Optional<String> model) {
        return read("read the audit log", c -> {
            String sql = "SELECT model, seq, at, actor, action, stage, from_version, to_version, reason FROM registry_audit"
                    + (model.isPresent() ? " WHERE model = ? ORDER BY seq" : " ORDER BY at, model, seq");
            List<AuditEntry> entries = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement(sql)) {
                if (model.isPresent()) {
                    ps.setString(1, model.get());
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String stage = rs.getString(6);
                        entries.add(new AuditEntry(rs.getString(1), rs.getInt(2), Instant.ofEpochMilli(rs.getLong(3)),
                                rs.getString(4), AuditEntry.Action.valueOf(rs.getString(5)),
                                Optional.ofNullable(stage).map(Stage::parse), optionalInt(rs, 7), optionalInt(rs, 8),
                                rs.getString(9)));
                    }
                }
            }
            return List.copyOf(entries);
        });
    }

    @Override
    public String location() {
        return location;
    }

    @Override
    public void close() {
        // Connections are opened per operation and closed after it: nothing is held between calls.
    }

    // --- transactions -------------------------------------------------------------------------

    @FunctionalInterface
    private interface Work<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> T write(String what, Work<T> work) {
        for (int attempt = 1; ; attempt++) {
            try (Connection c = writes.getConnection()) {
                c.setAutoCommit(false);
                boolean committed = false;
                try {
                    T result = work.run(c);
                    c.commit();
                    committed = true;
                    return result;
                } finally {
                    if (!committed) {
                        rollbackQuietly(c);
                    }
                }
            } catch (SQLException e) {
                if (attempt >= ATTEMPTS || !retryable(e)) {
                    throw failure(what, e);
                }
                backOff(attempt);
            }
        }
    }

    private <T> T read(String what, Work<T> work) {
        try (Connection c = reads.getConnection()) {
            // One transaction, so a version and its metrics come from the same snapshot.
            c.setAutoCommit(false);
            if (vendor == Vendor.POSTGRES) {
                c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
                c.setReadOnly(true);
            }
            try {
                return work.run(c);
            } finally {
                rollbackQuietly(c);
            }
        } catch (SQLException e) {
            throw failure(what, e);
        }
    }

    private static void rollbackQuietly(Connection c) {
        try {
            c.rollback();
        } catch (SQLException ignored) {
            // The connection is closed next; the database drops the transaction with it.
        }
    }

    private boolean retryable(SQLException e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException s) {
                String state = s.getSQLState();
                if (vendor == Vendor.POSTGRES && ("40001".equals(state) || "40P01".equals(state))) {
                    return true;
                }
                String message = String.valueOf(s.getMessage());
                if (vendor == Vendor.SQLITE && (message.contains("SQLITE_BUSY") || message.contains("SQLITE_LOCKED"))) {
                    return true;
                }
            }
        }
        return false;
    }

    private static void backOff(int attempt) {
        try {
            Thread.sleep(20L * attempt + (long) (Math.random() * 50));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AttuneException("interrupted while waiting to retry a registry transaction", e);
        }
    }

    private AttuneException failure(String what, SQLException e) {
        return new AttuneException("cannot " + what + " in the registry database " + location + ": "
                + rootMessage(e) + hint(e), e);
    }

    private static String rootMessage(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            t = t.getCause();
        }
        return t == e ? String.valueOf(e.getMessage()) : e.getMessage() + " (" + t.getMessage() + ")";
    }

    private static String hint(Throwable e) {
        String text = rootMessage(e).toLowerCase(java.util.Locale.ROOT);
        if (text.contains("readonly") || text.contains("read-only") || text.contains("read only")) {
            return "; the database is read-only (opened read-only, or the file or server refuses writes):"
                    + " open it read-write to change the registry";
        }
        if (text.contains("connection") || text.contains("connect") || text.contains("refused")) {
            return "; check that the database server runs and that the host, port and database name are right";
        }
        if (text.contains("authentication") || text.contains("password")) {
            return "; check the user name and password";
        }
        return "";
    }

    // --- rows -----------------------------------------------------------------------------------

    /** Takes the model's lock; empty when the model does not exist. Returns its next version number. */
    private Optional<Integer> lock(Connection c, String model) throws SQLException {
        // SQLite holds the whole database's write lock since BEGIN IMMEDIATE; PostgreSQL locks the row.
        String sql = "SELECT next_version FROM registry_models WHERE name = ?"
                + (vendor == Vendor.POSTGRES ? " FOR UPDATE" : "");
        try (PreparedStatement ps = c.prepareStatement(sql)) {
            ps.setString(1, model);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(rs.getInt(1)) : Optional.empty();
            }
        }
    }

    private void requireModel(Connection c, String model) throws SQLException {
        if (lock(c, model).isEmpty()) {
            List<String> names = new ArrayList<>();
            try (PreparedStatement ps = c.prepareStatement("SELECT name FROM registry_models ORDER BY name");
                    ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    names.add(rs.getString(1));
                }
            }
            throw new IllegalArgumentException("there is no model '" + model + "' in the registry; models are: "
                    + (names.isEmpty() ? "(none)" : String.join(", ", names)));
        }
    }

    private ModelVersion requireVersion(Connection c, String model, int version) throws SQLException {
        List<ModelVersion> found = load(c, model, OptionalInt.of(version));
        if (found.isEmpty()) {
            String versions = load(c, model, OptionalInt.empty()).stream().map(v -> Integer.toString(v.version()))
                    .collect(Collectors.joining(", "));
            throw new IllegalArgumentException("model '" + model + "' has no version " + version + "; its versions are: "
                    + (versions.isEmpty() ? "(none)" : versions));
        }
        return found.get(0);
    }

    private Optional<ModelVersion> inStage(Connection c, String model, Stage stage) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT version FROM registry_versions WHERE model = ? AND stage = ?")) {
            ps.setString(1, model);
            ps.setString(2, stage.label());
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? Optional.of(requireVersion(c, model, rs.getInt(1))) : Optional.empty();
            }
        }
    }

    private static void setStage(Connection c, String model, int version, Stage stage, Instant at) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "UPDATE registry_versions SET stage = ?, stage_since = ? WHERE model = ? AND version = ?")) {
            ps.setString(1, stage.label());
            ps.setLong(2, at.toEpochMilli());
            ps.setString(3, model);
            ps.setInt(4, version);
            ps.executeUpdate();
        }
    }

    private static void pushHistory(Connection c, String model, Stage stage, int version, Instant at) throws SQLException {
        int seq;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM registry_stage_history WHERE model = ? AND stage = ?")) {
            ps.setString(1, model);
            ps.setString(2, stage.label());
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                seq = rs.getInt(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO registry_stage_history (model, stage, seq, version,"
                + " entered_at, undone) VALUES (?, ?, ?, ?, ?, 0)")) {
            ps.setString(1, model);
            ps.setString(2, stage.label());
            ps.setInt(3, seq);
            ps.setInt(4, version);
            ps.setLong(5, at.toEpochMilli());
            ps.executeUpdate();
        }
    }

    private static void audit(Connection c, String model, Instant at, Change change, AuditEntry.Action action,
            Stage stage, Integer from, Integer to) throws SQLException {
        int seq;
        try (PreparedStatement ps = c.prepareStatement(
                "SELECT COALESCE(MAX(seq), 0) + 1 FROM registry_audit WHERE model = ?")) {
            ps.setString(1, model);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                seq = rs.getInt(1);
            }
        }
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO registry_audit (model, seq, at, actor, action,"
                + " stage, from_version, to_version, reason) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)")) {
            ps.setString(1, model);
            ps.setInt(2, seq);
            ps.setLong(3, at.toEpochMilli());
            ps.setString(4, change.who());
            ps.setString(5, action.name());
            if (stage == null) {
                ps.setNull(6, Types.VARCHAR);
            } else {
                ps.setString(6, stage.label());
            }
            setInteger(ps, 7, from);
            setInteger(ps, 8, to);
            ps.setString(9, change.why());
            ps.executeUpdate();
        }
    }

    private static void delete(Connection c, String table, String model, int version) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("DELETE FROM " + table + " WHERE model = ? AND version = ?")) {
            ps.setString(1, model);
            ps.setInt(2, version);
            ps.executeUpdate();
        }
    }

    private static void setInteger(PreparedStatement ps, int index, Integer value) throws SQLException {
        if (value == null) {
            ps.setNull(index, Types.INTEGER);
        } else {
            ps.setInt(index, value);
        }
    }

    private static OptionalInt optionalInt(ResultSet rs, int column) throws SQLException {
        int value = rs.getInt(column);
        return rs.wasNull() ? OptionalInt.empty() : OptionalInt.of(value);
    }

    /** The model's versions (or the one asked for) with their metrics and provenance, by version. */
    private static List<ModelVersion> load(Connection c, String model, OptionalInt only) throws SQLException {
        String filter = only.isPresent() ? " AND version = ?" : "";
        Map<Integer, Map<String, Double>> metrics = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT version, metric_name, metric_value FROM registry_metrics"
                + " WHERE model = ?" + filter + " ORDER BY version, position")) {
            bind(ps, model, only);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    metrics.computeIfAbsent(rs.getInt(1), v -> new LinkedHashMap<>()).put(rs.getString(2), rs.getDouble(3));
                }
            }
        }
        Map<Integer, Map<String, String>> provenance = new LinkedHashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT version, entry_key, entry_value FROM registry_provenance"
                + " WHERE model = ?" + filter + " ORDER BY version, position")) {
            bind(ps, model, only);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    provenance.computeIfAbsent(rs.getInt(1), v -> new LinkedHashMap<>()).put(rs.getString(2), rs.getString(3));
                }
            }
        }
        List<ModelVersion> versions = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT version, sha256, size_bytes, stage, registered_at,"
                + " registered_by FROM registry_versions WHERE model = ?" + filter + " ORDER BY version")) {
            bind(ps, model, only);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    int version = rs.getInt(1);
                    versions.add(new ModelVersion(model, version, rs.getString(2), rs.getLong(3),
                            Optional.ofNullable(rs.getString(4)).map(Stage::parse),
                            Instant.ofEpochMilli(rs.getLong(5)), rs.getString(6),
                            metrics.getOrDefault(version, Map.of()), provenance.getOrDefault(version, Map.of())));
                }
            }
        }
        return List.copyOf(versions);
    }

    private static void bind(PreparedStatement ps, String model, OptionalInt only) throws SQLException {
        ps.setString(1, model);
        if (only.isPresent()) {
            ps.setInt(2, only.getAsInt());
        }
    }
}

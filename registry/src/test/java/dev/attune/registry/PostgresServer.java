package dev.attune.registry;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A real PostgreSQL server for the tests: the one at {@code ATTUNE_TEST_POSTGRES_URL} when that is set
 * (with {@code ATTUNE_TEST_POSTGRES_USER} and {@code ATTUNE_TEST_POSTGRES_PASSWORD}), otherwise a
 * throwaway cluster made with Debian's {@code postgresql} binaries in a temporary folder, listening on
 * a free port of 127.0.0.1 and stopped when the test JVM exits. Each test gets a schema of its own.
 * Fails, never skips, when neither is available.
 */
final class PostgresServer {
    private static final Path BINARIES = Path.of("/usr/lib/postgresql");
    private static PostgresServer shared;

    private final String baseUrl;
    private final String user;
    private final String password;
    private final AtomicInteger schemas = new AtomicInteger();

    private PostgresServer(String baseUrl, String user, String password) {
        this.baseUrl = baseUrl;
        this.user = user;
        this.password = password;
    }

    /** The server, started on first use. */
    static synchronized PostgresServer get() {
        if (shared == null) {
            String url = System.getenv("ATTUNE_TEST_POSTGRES_URL");
            if (url != null && !url.isBlank()) {
                shared = new PostgresServer(url, env("ATTUNE_TEST_POSTGRES_USER", "postgres"),
                        env("ATTUNE_TEST_POSTGRES_PASSWORD", ""));
            } else {
                shared = startThrowawayCluster();
            }
        }
        return shared;
    }

    String user() {
        return user;
    }

    String password() {
        return password;
    }

    /** The URL of a new, empty schema of its own. */
    String freshSchemaUrl() {
        String schema = "attune_test_" + ProcessHandle.current().pid() + "_" + schemas.incrementAndGet();
        try (Connection c = DriverManager.getConnection(baseUrl, user, password);
                Statement s = c.createStatement()) {
            s.execute("CREATE SCHEMA " + schema);
        } catch (SQLException e) {
            throw new AssertionError("cannot create a schema on the test PostgreSQL server " + baseUrl + ": " + e, e);
        }
        return baseUrl + (baseUrl.contains("?") ? "&" : "?") + "currentSchema=" + schema;
    }

    /** A port on 127.0.0.1 where nothing listens (it was free a moment ago). */
    static int freePort() {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        } catch (IOException e) {
            throw new AssertionError("no free port on 127.0.0.1", e);
        }
    }

    private static String env(String name, String otherwise) {
        String value = System.getenv(name);
        return value == null ? otherwise : value;
    }

    private static PostgresServer startThrowawayCluster() {
        Path bin = binaries();
        try {
            Path root = Files.createTempDirectory("attune-pg-");
            Path data = root.resolve("data");
            Path log = Files.createTempFile("attune-pg-", ".log");
            boolean asRoot = "root".equals(System.getProperty("user.name"));
            if (asRoot) {
                // initdb refuses to run as root: the cluster belongs to the postgres system user.
                UserPrincipal postgres = root.getFileSystem().getUserPrincipalLookupService().lookupPrincipalByName("postgres");
                Files.setOwner(root, postgres);
            }
            int port = freePort();
            run(asRoot, log, bin.resolve("initdb").toString(), "-D", data.toString(), "-U", "attune", "-A", "trust",
                    "-E", "UTF8", "--no-sync");
            run(asRoot, log, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-l", root.resolve("server.log").toString(),
                    "-w", "-t", "60", "-o", "-p " + port + " -k " + root + " -c listen_addresses=127.0.0.1"
                            + " -c fsync=off -c full_page_writes=off -c max_connections=50", "start");
            Runtime.getRuntime().addShutdownHook(new Thread(() -> {
                try {
                    run(asRoot, log, bin.resolve("pg_ctl").toString(), "-D", data.toString(), "-m", "immediate", "-w", "stop");
                } finally {
                    deleteTree(root);
                    deleteTree(log);
                }
            }));
            return new PostgresServer("jdbc:postgresql://127.0.0.1:" + port + "/postgres", "attune", "");
        } catch (IOException e) {
            throw new AssertionError("cannot set up a throwaway PostgreSQL cluster: " + e, e);
        }
    }

    private static Path binaries() {
        try (Stream<Path> versions = Files.isDirectory(BINARIES) ? Files.list(BINARIES) : Stream.empty()) {
            return versions.map(v -> v.resolve("bin"))
                    .filter(b -> Files.isExecutable(b.resolve("initdb")) && Files.isExecutable(b.resolve("pg_ctl")))
                    .max(Comparator.comparing(b -> versionOf(b.getParent().getFileName().toString())))
                    .orElseThrow(() -> new AssertionError("the PostgreSQL tests need a PostgreSQL server: no initdb"
                            + " and pg_ctl under " + BINARIES + "/<version>/bin. Install Debian's server with"
                            + " `apt-get install postgresql` (.ci/run does), or point ATTUNE_TEST_POSTGRES_URL,"
                            + " ATTUNE_TEST_POSTGRES_USER and ATTUNE_TEST_POSTGRES_PASSWORD at a server of yours"));
        } catch (IOException e) {
            throw new AssertionError("cannot list " + BINARIES, e);
        }
    }

    private static int versionOf(String name) {
        try {
            return Integer.parseInt(name);
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static void run(boolean asPostgres, Path log, String... command) {
        List<String> line = new ArrayList<>();
        if (asPostgres) {
            line.addAll(List.of("runuser", "-u", "postgres", "--"));
        }
        line.addAll(List.of(command));
        try {
            Process process = new ProcessBuilder(line).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile())).start();
            if (!process.waitFor(120, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                throw new AssertionError("timed out: " + line);
            }
            if (process.exitValue() != 0) {
                throw new AssertionError("failed with exit code " + process.exitValue() + ": " + line + "\n"
                        + Files.readString(log));
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run " + line + ": " + e, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted: " + line, e);
        }
    }

    private static void deleteTree(Path path) {
        try (Stream<Path> all = Files.walk(path)) {
            all.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // A temporary folder; the system cleans it up in the end.
        }
    }
}

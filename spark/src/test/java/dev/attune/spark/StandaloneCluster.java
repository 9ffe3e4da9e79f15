package dev.attune.spark;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * A Spark standalone cluster on this machine for tests: a master and workers started as child JVMs
 * from the test class path, with a Spark home laid out as Spark's own distribution has it (a
 * {@code RELEASE} file and a {@code jars/} folder) from the class path's jars. Attune, ND4J and their
 * native libraries are left out of {@code jars/}: an application puts them on its executors with
 * {@link #attuneClassPath()} (as {@code spark.executor.extraClassPath}), or, to see what executors
 * without them do, leaves them out.
 */
final class StandaloneCluster implements AutoCloseable {
    private final Path home;
    private final int port;
    private final Process master;
    private final List<Process> workers = new ArrayList<>();
    private final List<String> attune = new ArrayList<>();

    StandaloneCluster(Path dir, int workerCount) {
        try {
            home = Files.createDirectories(dir.resolve("spark-home"));
            Files.writeString(home.resolve("RELEASE"), "Spark laid out from the test class path\n");
            Path jars = Files.createDirectories(home.resolve("jars"));
            for (String entry : System.getProperty("java.class.path").split(File.pathSeparator)) {
                Path p = Path.of(entry);
                if (isAttune(entry) || !entry.endsWith(".jar")) {
                    attune.add(p.toAbsolutePath().toString());
                } else if (!Files.exists(jars.resolve(p.getFileName()))) {
                    Files.createSymbolicLink(jars.resolve(p.getFileName()), p.toAbsolutePath());
                }
            }
            port = freePort();
            master = start("master", "org.apache.spark.deploy.master.Master", "--host", "127.0.0.1", "--port",
                    String.valueOf(port), "--webui-port", String.valueOf(freePort()));
            awaitPort(port);
            for (int i = 0; i < workerCount; i++) {
                Path work = Files.createDirectories(dir.resolve("work-" + i));
                workers.add(start("worker-" + i, "org.apache.spark.deploy.worker.Worker", "--host", "127.0.0.1",
                        "--cores", "1", "--memory", "2g", "--webui-port", String.valueOf(freePort()), "--work-dir",
                        work.toString(), url()));
            }
        } catch (IOException e) {
            close();
            throw new UncheckedIOException(e);
        }
    }

    private static boolean isAttune(String entry) {
        return entry.contains("/dev/attune/") || entry.contains("/org/nd4j/") || entry.contains("/org/deeplearning4j/")
                || entry.contains("/org/bytedeco/") || entry.contains("/target/");
    }

    /** The master's URL. */
    String url() {
        return "spark://127.0.0.1:" + port;
    }

    /** The class path entries that hold Attune, ND4J and its native backend (left out of {@code jars/}). */
    String attuneClassPath() {
        return String.join(File.pathSeparator, attune);
    }

    /** The process of the executor the given worker runs, if any. */
    Optional<ProcessHandle> executorOf(int worker) {
        return workers.get(worker).descendants()
                .filter(p -> p.info().commandLine().orElse("").contains("CoarseGrainedExecutorBackend")).findFirst();
    }

    private Process start(String name, String main, String... args) throws IOException {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-Xmx512m");
        for (String flag : System.getProperty("spark.add.opens", "").split(" ")) {
            if (!flag.isBlank()) {
                cmd.add(flag);
            }
        }
        cmd.add("-cp");
        cmd.add(System.getProperty("java.class.path"));
        cmd.add(main);
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(logs().resolve(name + ".log").toFile());
        pb.environment().put("SPARK_HOME", home.toString());
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        pb.environment().put("SPARK_LOCAL_IP", "127.0.0.1");
        // Spark's launcher reads the Scala version from a build directory unless told (a distribution tells it too).
        pb.environment().put("SPARK_SCALA_VERSION", "2.12");
        return pb.start();
    }

    /** Where the master's and workers' logs go: beside the Spark home, or where {@code attune.cluster.logs} says. */
    private Path logs() throws IOException {
        String to = System.getProperty("attune.cluster.logs");
        return to == null ? home.getParent() : Files.createDirectories(Path.of(to));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void awaitPort(int port) throws IOException {
        long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < end) {
            try (Socket s = new Socket("127.0.0.1", port)) {
                return;
            } catch (IOException notYet) {
                try {
                    Thread.sleep(200);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new IOException("interrupted", e);
                }
            }
        }
        throw new IOException("the Spark master did not listen on port " + port + " within 60 s");
    }

    @Override
    public void close() {
        List<Process> all = new ArrayList<>(workers);
        if (master != null) {
            all.add(master);
        }
        for (Process p : all) {
            p.descendants().forEach(ProcessHandle::destroyForcibly);
            p.destroyForcibly();
        }
        for (Process p : all) {
            try {
                p.waitFor(20, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}

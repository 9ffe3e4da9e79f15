package dev.attune.monitoring;

import static java.util.Objects.requireNonNull;

import dev.attune.AttuneException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;

/**
 * Prometheus alerting rules over the series of {@link ServingMetrics}, shipped with the library, and
 * their check by Prometheus's own {@code promtool}.
 *
 * <p>The rules ({@link #text()}, the resource {@value #RESOURCE}), each per model and version:
 * <ul>
 *   <li>{@code AttuneServingHighErrorRate} (critical): more than 5% of the accepted requests got no answer
 *       (failed batch, timeout, cancelled) over 5 minutes, for 5 minutes;</li>
 *   <li>{@code AttuneServingSlowRequests} (warning): the 95th percentile latency above 0.5 s, for 10 minutes;</li>
 *   <li>{@code AttuneServingQueueNearFull} (warning): the queue more than 80% full, for 2 minutes;</li>
 *   <li>{@code AttuneDriftWarning} (warning) and {@code AttuneDriftAlert} (critical): the latest drift report
 *       at warn level for 30 minutes, or at alert level for 15 minutes.</li>
 * </ul>
 * Write them where Prometheus reads its {@code rule_files} with {@link #write(Path)}. To change a
 * threshold, edit a copy and {@link #check(Path) check} it before deploying: a rules file Prometheus
 * cannot load makes it refuse its whole configuration, or drop the rules silently on a reload. The
 * check runs {@code promtool check rules}, the authority on what Prometheus loads (PromQL included, which
 * no YAML check sees), and throws with promtool's own message naming the file and the line;
 * {@link #test(Path)} runs {@code promtool test rules} on unit tests of the rules.
 */
public final class AlertRules {
    /** The class path resource of the rules. */
    public static final String RESOURCE = "/dev/attune/monitoring/attune-alerts.yml";

    private static final long TIMEOUT_SECONDS = 120;

    private AlertRules() {
    }

    /** The rules, as YAML for Prometheus's {@code rule_files}. */
    public static String text() {
        try (InputStream in = AlertRules.class.getResourceAsStream(RESOURCE)) {
            if (in == null) {
                throw new IllegalStateException("the resource " + RESOURCE + " is missing from the attune-monitoring jar;"
                        + " use an unmodified jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new AttuneException("cannot read the resource " + RESOURCE + ": " + e, e);
        }
    }

    /**
     * Writes the rules to {@code file} (replacing it), for Prometheus's {@code rule_files}.
     *
     * @return the file
     * @throws AttuneException when it cannot be written
     */
    public static Path write(Path file) {
        requireNonNull(file, "file");
        try {
            Path parent = file.toAbsolutePath().getParent();
            if (parent != null) {
                Files.createDirectories(parent);
            }
            Files.writeString(file, text(), StandardCharsets.UTF_8);
            return file;
        } catch (IOException e) {
            throw new AttuneException("cannot write the alerting rules to " + file.toAbsolutePath() + ": " + e, e);
        }
    }

    /**
     * Checks a rules file with {@code promtool check rules}, found on the {@code PATH}.
     *
     * @throws AttuneException when the file is missing, when promtool refuses it (the message names the
     *     file and holds promtool's, which names the line and the fault), or when promtool is not installed
     */
    public static void check(Path rulesFile) {
        check(rulesFile, promtool());
    }

    /** As {@link #check(Path)}, with the promtool at {@code promtool}. */
    public static void check(Path rulesFile, Path promtool) {
        Path file = existing(rulesFile, "alerting rules file");
        run(List.of(requireNonNull(promtool, "promtool").toString(), "check", "rules", file.toString()), file,
                "the alerting rules file " + file + " does not pass 'promtool check rules'", "fix the file and check"
                        + " it again; Prometheus would not load it");
    }

    /**
     * Runs the unit tests of a rules file with {@code promtool test rules} (the test file names the
     * rules files it tests, relative to itself), with promtool found on the {@code PATH}.
     *
     * @throws AttuneException when the file is missing, a test fails or does not parse (the message holds
     *     promtool's, naming the alert, the time and what was expected and got), or promtool is not installed
     */
    public static void test(Path testFile) {
        test(testFile, promtool());
    }

    /** As {@link #test(Path)}, with the promtool at {@code promtool}. */
    public static void test(Path testFile, Path promtool) {
        Path file = existing(testFile, "rules test file");
        run(List.of(requireNonNull(promtool, "promtool").toString(), "test", "rules", file.toString()), file,
                "the rules tests " + file + " do not pass 'promtool test rules'", "fix the rules or their tests");
    }

    /**
     * The promtool on the {@code PATH}.
     *
     * @throws AttuneException when there is none
     */
    static Path promtool() {
        return findOnPath("promtool").orElseThrow(() -> new AttuneException("promtool is not installed (not found"
                + " on the PATH " + System.getenv("PATH") + "); install Prometheus's promtool (Debian and Ubuntu:"
                + " apt-get install prometheus; elsewhere the release archive from prometheus.io), or pass its path"));
    }

    static Optional<Path> findOnPath(String program) {
        String path = System.getenv("PATH");
        if (path == null) {
            return Optional.empty();
        }
        for (String dir : path.split(java.io.File.pathSeparator)) {
            if (dir.isEmpty()) {
                continue;
            }
            Path p = Path.of(dir, program);
            if (Files.isRegularFile(p) && Files.isExecutable(p)) {
                return Optional.of(p);
            }
        }
        return Optional.empty();
    }

    private static Path existing(Path file, String what) {
        requireNonNull(file, what);
        if (!Files.isRegularFile(file)) {
            throw new AttuneException("no " + what + " at " + file.toAbsolutePath() + "; give the path of a YAML file");
        }
        return file.toAbsolutePath();
    }

    private static void run(List<String> command, Path file, String failure, String fix) {
        Path out;
        try {
            out = Files.createTempFile("attune-promtool-", ".txt");
        } catch (IOException e) {
            throw new AttuneException("cannot make a temporary file for the output of " + command.get(0) + ": " + e, e);
        }
        try {
            Process p;
            try {
                // Run in the file's directory, where the rule files a test file names are.
                p = new ProcessBuilder(command).directory(file.getParent().toFile()).redirectErrorStream(true)
                        .redirectOutput(out.toFile()).start();
            } catch (IOException e) {
                throw new AttuneException("cannot run " + command.get(0) + " (" + e.getMessage() + "); install"
                        + " Prometheus's promtool (Debian and Ubuntu: apt-get install prometheus), or pass its path", e);
            }
            try {
                p.getOutputStream().close();
                if (!p.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    throw new AttuneException(command.get(0) + " did not finish within " + TIMEOUT_SECONDS + " s on "
                            + file + "; it was stopped");
                }
            } catch (InterruptedException e) {
                p.destroyForcibly();
                Thread.currentThread().interrupt();
                throw new AttuneException("interrupted while " + command.get(0) + " ran on " + file, e);
            } catch (IOException e) {
                p.destroyForcibly();
                throw new AttuneException("cannot run " + command.get(0) + " on " + file + ": " + e, e);
            }
            if (p.exitValue() != 0) {
                String output = Files.readString(out, StandardCharsets.UTF_8).strip();
                throw new AttuneException(failure + " (exit " + p.exitValue() + "):\n" + output + "\n" + fix);
            }
        } catch (IOException e) {
            throw new AttuneException("cannot read the output of " + command.get(0) + " on " + file + ": " + e, e);
        } finally {
            try {
                Files.deleteIfExists(out);
            } catch (IOException ignored) {
                // a temporary file left behind is not the caller's failure
            }
        }
    }
}

package dev.attune.benchmarks;

import dev.attune.internal.io.Json;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The two OpenBLAS builds Debian's PyTorch peer runs with, and the running of a peer script in one of
 * them. Debian's torch calls whichever {@code libblas.so.3} the system links: the pthread build
 * ({@code libopenblas0-pthread}, whose threads compete with torch's OpenMP pool) unless told
 * otherwise, or the OpenMP build ({@code libopenblas0-openmp}, which shares torch's pool), chosen for
 * the peer's process alone by {@code LD_LIBRARY_PATH}. Each run reports the BLAS libraries the peer
 * process actually mapped, so that results name the build rather than assume it.
 */
final class PeerConfigurations {
    /** Where Debian's {@code libopenblas0-openmp} puts its {@code libblas.so.3}. */
    static final Path OPENMP_DIR = Path.of("/usr/lib/x86_64-linux-gnu/openblas-openmp");

    /**
     * One way of running the peer.
     *
     * @param name        the key in tables and results ({@code pthread}, {@code openmp})
     * @param label       the column heading
     * @param environment the variables set for the peer's process on top of what it inherits
     */
    record Configuration(String name, String label, Map<String, String> environment) {
    }

    /** Debian's default: the system's {@code libblas.so.3}, the pthread OpenBLAS where that is what is installed. */
    static final Configuration PTHREAD = new Configuration("pthread", "PyTorch, pthread OpenBLAS", Map.of());
    /** The OpenMP OpenBLAS, for the peer's process only. */
    static final Configuration OPENMP = new Configuration("openmp", "PyTorch, OpenMP OpenBLAS",
            Map.of("LD_LIBRARY_PATH", OPENMP_DIR.toString()));

    /**
     * One peer run: the figure its JSON line reports under the key asked for, and the BLAS libraries it had mapped.
     *
     * @param value the figure (a rate, or for the embedding check the row count)
     * @param blas  the paths of the BLAS and LAPACK libraries in the peer's process
     * @param peakRssMib the peer process's peak resident memory in MiB ({@code peak_rss_mib}), NaN when not reported
     */
    record Run(double value, List<String> blas, double peakRssMib) {
    }

    private PeerConfigurations() {
    }

    /** Null when the OpenMP build is installed in {@code dir}, else why it is not used and how to install it. */
    static String openmpMissing(Path dir) {
        Path lib = dir.resolve("libblas.so.3");
        return Files.exists(lib) ? null
                : "OpenMP OpenBLAS not found (no " + lib + "): its column is skipped; install Debian's libopenblas0-openmp to compare";
    }

    /** The configurations to run: pthread always, OpenMP unless {@code openmpMissing} says why not. */
    static List<Configuration> available(String openmpMissing) {
        return openmpMissing == null ? List.of(PTHREAD, OPENMP) : List.of(PTHREAD);
    }

    /** The variables the peer's process gets in a configuration: the thread variables it inherits plus the configuration's own. */
    static Map<String, Object> childVariables(Configuration c, Map<String, String> inherited) {
        Map<String, String> env = new LinkedHashMap<>(inherited);
        env.putAll(c.environment());
        Map<String, Object> m = RunEnvironment.threadVariables(env);
        m.put("LD_LIBRARY_PATH", env.get("LD_LIBRARY_PATH"));
        return m;
    }

    /**
     * Runs a peer script in a configuration and reads its last JSON line.
     *
     * @param key the numeric field to return ({@code examples_per_s}, {@code tokens_per_s}, {@code rows})
     * @throws IllegalStateException when the script fails or prints no such field
     */
    static Run run(String key, Configuration c, List<String> command) {
        try {
            ProcessBuilder pb = new ProcessBuilder(command).redirectErrorStream(true);
            pb.environment().putAll(c.environment());
            Process p = pb.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(30, TimeUnit.MINUTES) || p.exitValue() != 0) {
                p.destroyForcibly();
                throw new IllegalStateException("the PyTorch side (" + c.name() + ") failed: " + out);
            }
            return parse(key, out, c.name());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Runs the peer once in each configuration for a round (in the given order on even rounds, reversed
     * on odd ones), stores each rate under its configuration in {@code rates} and adds the BLAS
     * libraries each run reported to {@code blasSeen}.
     *
     * @param rates    per configuration name, one slot per round
     * @param blasSeen per configuration name, the distinct BLAS libraries seen so far
     */
    static void round(String key, List<Configuration> configurations, int round, List<String> command,
                      Map<String, double[]> rates, Map<String, List<String>> blasSeen) {
        round(key, configurations, round, command, rates, blasSeen, null);
    }

    /**
     * {@link #round(String, List, int, List, Map, Map)}, also keeping in {@code peakRss} (per configuration
     * name, one slot per round) each run's peak resident memory in MiB.
     */
    static void round(String key, List<Configuration> configurations, int round, List<String> command,
                      Map<String, double[]> rates, Map<String, List<String>> blasSeen, Map<String, double[]> peakRss) {
        List<Configuration> order = new ArrayList<>(configurations);
        if (round % 2 == 1) {
            java.util.Collections.reverse(order);
        }
        for (Configuration c : order) {
            Run run = run(key, c, command);
            rates.get(c.name())[round] = run.value();
            if (peakRss != null) {
                peakRss.computeIfAbsent(c.name(), k -> new double[rates.get(c.name()).length])[round] = run.peakRssMib();
            }
            List<String> seen = blasSeen.computeIfAbsent(c.name(), k -> new ArrayList<>());
            run.blas().stream().filter(b -> !seen.contains(b)).forEach(seen::add);
        }
    }

    /**
     * The figure under {@code key} and the {@code blas} list of the last line of {@code out} that is a JSON object.
     *
     * @throws IllegalStateException naming the configuration and the output when there is no such line or field
     */
    static Run parse(String key, String out, String configuration) {
        String[] lines = out.strip().split("\n");
        for (int i = lines.length - 1; i >= 0; i--) {
            String line = lines[i].strip();
            if (!line.startsWith("{")) {
                continue;
            }
            Object parsed;
            try {
                parsed = Json.parse(line, 4);
            } catch (IllegalArgumentException e) {
                continue;
            }
            if (parsed instanceof Map<?, ?> m && m.get(key) instanceof Number n) {
                List<String> blas = new ArrayList<>();
                if (m.get("blas") instanceof List<?> l) {
                    l.forEach(x -> blas.add(String.valueOf(x)));
                }
                double rss = m.get("peak_rss_mib") instanceof Number r ? r.doubleValue() : Double.NaN;
                return new Run(n.doubleValue(), List.copyOf(blas), rss);
            }
        }
        throw new IllegalStateException("the PyTorch side (" + configuration + ") printed no JSON line with \"" + key
                + "\": " + out);
    }
}

package dev.attune.benchmarks;

import dev.attune.internal.io.AtomicFiles;
import dev.attune.internal.io.Json;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The conditions of a job's run for its {@code results.json} (thread settings, Java, the native BLAS
 * libraries loaded, the load average before and after), and the atomic write of that file.
 */
final class RunEnvironment {
    /** The environment variables that set the threads of OpenMP, OpenBLAS and MKL. */
    private static final List<String> THREAD_PREFIXES = List.of("OMP_", "OPENBLAS_", "GOTO", "MKL_");

    private RunEnvironment() {
    }

    /**
     * The load average now: the 1, 5 and 15 minute figures of {@code /proc/loadavg}, or where that file
     * cannot be read, the 1 minute figure of {@code OperatingSystemMXBean.getSystemLoadAverage()}.
     */
    static Map<String, Object> loadAverage() {
        Path proc = Path.of("/proc/loadavg");
        if (Files.isReadable(proc)) {
            try {
                return parseLoadAverage(Files.readString(proc, StandardCharsets.US_ASCII));
            } catch (IOException | IllegalArgumentException e) {
                // fall back to the JVM's figure below
            }
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", "OperatingSystemMXBean.getSystemLoadAverage()");
        m.put("1min", ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        return m;
    }

    /**
     * The 1, 5 and 15 minute load averages of a {@code /proc/loadavg} line ({@code "1.52 1.61 1.70 3/412 9876"}).
     *
     * @throws IllegalArgumentException when the line does not start with three numbers
     */
    static Map<String, Object> parseLoadAverage(String line) {
        String[] f = line.trim().split("\\s+");
        if (f.length < 3) {
            throw new IllegalArgumentException("a /proc/loadavg line starts with three load averages; got '" + line.strip() + "'");
        }
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("source", "/proc/loadavg");
        try {
            m.put("1min", Double.parseDouble(f[0]));
            m.put("5min", Double.parseDouble(f[1]));
            m.put("15min", Double.parseDouble(f[2]));
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("a /proc/loadavg line starts with three load averages; got '" + line.strip() + "'", e);
        }
        return m;
    }

    /**
     * The run's environment: the thread settings ({@link BaseModels#threadSettings()}), the thread
     * variables set, Java's version, vendor and VM, the operating system, the native BLAS libraries
     * this process has loaded, and the load average before and after.
     */
    static Map<String, Object> environment(Map<String, Object> loadBefore, Map<String, Object> loadAfter) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("threadSettings", BaseModels.threadSettings());
        m.put("threadVariables", threadVariables(System.getenv()));
        m.put("cores", Runtime.getRuntime().availableProcessors());
        m.put("javaVersion", System.getProperty("java.version"));
        m.put("javaVendor", System.getProperty("java.vendor"));
        m.put("javaVm", System.getProperty("java.vm.name") + " " + System.getProperty("java.vm.version"));
        m.put("os", System.getProperty("os.name") + " " + System.getProperty("os.version") + " " + System.getProperty("os.arch"));
        m.put("nativeBlas", blasLibraries(Path.of("/proc/self/maps")));
        m.put("loadAverageBefore", loadBefore);
        m.put("loadAverageAfter", loadAfter);
        return m;
    }

    /** The variables of {@code env} that set OpenMP, OpenBLAS or MKL threads, sorted by name. */
    static Map<String, Object> threadVariables(Map<String, String> env) {
        Map<String, Object> m = new TreeMap<>();
        env.forEach((k, v) -> {
            if (THREAD_PREFIXES.stream().anyMatch(k::startsWith)) {
                m.put(k, v);
            }
        });
        return new LinkedHashMap<>(m);
    }

    /** The BLAS and LAPACK libraries a process has mapped, from its {@code maps} file (empty where there is none). */
    static List<String> blasLibraries(Path maps) {
        try {
            return blasLibraries(Files.readString(maps, StandardCharsets.UTF_8));
        } catch (IOException | SecurityException e) {
            return List.of();
        }
    }

    /** The distinct paths of the lines of a {@code /proc/<pid>/maps} text that name a BLAS or LAPACK library. */
    static List<String> blasLibraries(String maps) {
        List<String> paths = new ArrayList<>();
        for (String line : maps.split("\n")) {
            int slash = line.indexOf('/');
            if (slash < 0) {
                continue;
            }
            String path = line.substring(slash).strip();
            String name = path.substring(path.lastIndexOf('/') + 1).toLowerCase(java.util.Locale.ROOT);
            if ((name.contains("blas") || name.contains("lapack")) && !paths.contains(path)) {
                paths.add(path);
            }
        }
        return paths;
    }

    /**
     * Resets this process's peak resident memory (Linux's {@code VmHWM}) to its present resident memory, by
     * writing 5 to {@code /proc/self/clear_refs}; false when the system does not allow it (the peak then
     * counts from the process's start).
     */
    static boolean resetPeakResident() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
            return true;
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            return false;
        }
    }

    /** This process's peak resident memory in MiB ({@code VmHWM} of {@code /proc/self/status}), NaN where there is none. */
    static double peakResidentMib() {
        try {
            return peakResidentMib(Files.readString(Path.of("/proc/self/status")));
        } catch (IOException e) {
            return Double.NaN;
        }
    }

    /** The {@code VmHWM} line of a {@code /proc/<pid>/status} text in MiB, NaN when it has none. */
    static double peakResidentMib(String status) {
        for (String line : status.split("\n")) {
            if (line.startsWith("VmHWM:")) {
                String[] parts = line.substring(6).trim().split("\\s+");
                return Long.parseLong(parts[0]) / 1024.0;
            }
        }
        return Double.NaN;
    }

    /** Writes the results as Attune's JSON ({@link Json#write}), whole or not at all. */
    static void write(Path file, Map<String, Object> results) throws IOException {
        String text = Json.write(results);
        AtomicFiles.write(file, tmp -> Files.writeString(tmp, text, StandardCharsets.UTF_8));
    }
}

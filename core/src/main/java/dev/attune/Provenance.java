package dev.attune;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.InputStream;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.nd4j.linalg.factory.Nd4j;

/**
 * How a result was made: enough to make it again. Immutable.
 *
 * @param config every option of the run, by name, as text
 * @param seed the run's seed
 * @param baseModel the fingerprint of the base model's architecture and weights
 * @param trainData the fingerprint of the training data
 * @param validationData the fingerprint of the validation data, empty without one
 * @param attuneVersion the library version
 * @param dl4jVersion the Deeplearning4j / ND4J version
 * @param javaVersion the Java runtime version
 * @param backend the ND4J backend and its thread count
 * @param os the operating system and architecture
 * @param startedAt when training started
 * @param warnings what the run warned about (each as {@code "<topic>: <message>"}, for example
 *     validation examples that copy training examples under {@link LeakagePolicy#WARN}), empty when nothing
 */
public record Provenance(Map<String, String> config, long seed, String baseModel, String trainData,
                         String validationData, String attuneVersion, String dl4jVersion, String javaVersion,
                         String backend, String os, Instant startedAt, List<String> warnings) {
    private static final Properties VERSIONS = versions();

    /** Validates and copies. */
    public Provenance {
        config = Map.copyOf(requireNonNull(config, "config"));
        requireNonNull(baseModel, "baseModel");
        requireNonNull(trainData, "trainData");
        requireNonNull(validationData, "validationData");
        requireNonNull(startedAt, "startedAt");
        warnings = List.copyOf(requireNonNull(warnings, "warnings"));
    }

    static Provenance capture(Map<String, String> config, long seed, String baseModel, String trainData,
                              String validationData, Instant startedAt, List<String> warnings) {
        return new Provenance(config, seed, baseModel, trainData, validationData, libraryVersion(),
                VERSIONS.getProperty("dl4j.version", "unknown"), System.getProperty("java.version"), currentBackend(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"), startedAt, warnings);
    }

    /** This provenance with one more warning at the end. */
    Provenance withWarning(String warning) {
        List<String> more = new java.util.ArrayList<>(warnings);
        more.add(requireNonNull(warning, "warning"));
        return new Provenance(config, seed, baseModel, trainData, validationData, attuneVersion, dl4jVersion,
                javaVersion, backend, os, startedAt, more);
    }

    /**
     * Every field as text, in a stable order (config entries as {@code config.<option>}, warnings one
     * per line).
     */
    public Map<String, String> asText() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("seed", String.valueOf(seed));
        m.put("baseModel", baseModel);
        m.put("trainData", trainData);
        m.put("validationData", validationData);
        m.put("attuneVersion", attuneVersion);
        m.put("dl4jVersion", dl4jVersion);
        m.put("javaVersion", javaVersion);
        m.put("backend", backend);
        m.put("os", os);
        m.put("startedAt", startedAt.toString());
        m.put("warnings", String.join("\n", warnings));
        new java.util.TreeMap<>(config).forEach((k, v) -> m.put("config." + k, v));
        return m;
    }

    /** The Attune library version. */
    public static String libraryVersion() {
        return VERSIONS.getProperty("attune.version", "unknown");
    }

    /** The ND4J backend in use, for example {@code "CpuBackend (threads=2)"}. */
    public static String currentBackend() {
        Object threads = Nd4j.getExecutioner().getEnvironmentInformation().get("omp.threads");
        return Nd4j.getBackend().getClass().getSimpleName() + " (threads=" + threads + ")";
    }

    private static Properties versions() {
        Properties p = new Properties();
        try (InputStream in = Provenance.class.getResourceAsStream("attune.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (IOException e) {
            throw new AttuneException("cannot read attune.properties from the Attune jar", e);
        }
        return p;
    }
}

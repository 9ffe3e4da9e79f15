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
 * @param resultModel the {@link Network#fingerprint() fingerprint} of the result's model
 *     ({@link FineTuneResult#model()}: its architecture and every weight, adapters merged), empty when
 *     unknown (a provenance made before the run finished, or by an Attune that did not record it)
 * @param resultAdapter the {@link dev.attune.spi.AdapterWeights#fingerprint() fingerprint} of the trained
 *     adapter's tensors ({@link FineTuneResult#adapters()}), which the merged model's fingerprint does not
 *     pin down; empty without an adapter
 */
public record Provenance(Map<String, String> config, long seed, String baseModel, String trainData,
                         String validationData, String attuneVersion, String dl4jVersion, String javaVersion,
                         String backend, String os, Instant startedAt, List<String> warnings, String resultModel,
                         String resultAdapter) {
    private static final Properties VERSIONS = versions();

    /** Validates and copies. */
    public Provenance {
        config = Map.copyOf(requireNonNull(config, "config"));
        requireNonNull(baseModel, "baseModel");
        requireNonNull(trainData, "trainData");
        requireNonNull(validationData, "validationData");
        requireNonNull(startedAt, "startedAt");
        warnings = List.copyOf(requireNonNull(warnings, "warnings"));
        requireNonNull(resultModel, "resultModel");
        requireNonNull(resultAdapter, "resultAdapter");
    }

    /**
     * A provenance that records no result: what a run knows before it trains, or what an Attune that
     * did not record the result's fingerprints wrote.
     */
    public Provenance(Map<String, String> config, long seed, String baseModel, String trainData,
                      String validationData, String attuneVersion, String dl4jVersion, String javaVersion,
                      String backend, String os, Instant startedAt, List<String> warnings) {
        this(config, seed, baseModel, trainData, validationData, attuneVersion, dl4jVersion, javaVersion, backend, os,
                startedAt, warnings, "", "");
    }

    static Provenance capture(Map<String, String> config, long seed, String baseModel, String trainData,
                              String validationData, Instant startedAt, List<String> warnings) {
        return new Provenance(config, seed, baseModel, trainData, validationData, libraryVersion(),
                dl4jLibraryVersion(), System.getProperty("java.version"), currentBackend(),
                System.getProperty("os.name") + " " + System.getProperty("os.arch"), startedAt, warnings);
    }

    /** This provenance with one more warning at the end. */
    Provenance withWarning(String warning) {
        List<String> more = new java.util.ArrayList<>(warnings);
        more.add(requireNonNull(warning, "warning"));
        return new Provenance(config, seed, baseModel, trainData, validationData, attuneVersion, dl4jVersion,
                javaVersion, backend, os, startedAt, more, resultModel, resultAdapter);
    }

    /** This provenance with the fingerprints of the run's result (the adapter's empty without one). */
    Provenance withResult(String model, String adapter) {
        return new Provenance(config, seed, baseModel, trainData, validationData, attuneVersion, dl4jVersion,
                javaVersion, backend, os, startedAt, warnings, requireNonNull(model, "model"),
                requireNonNull(adapter, "adapter"));
    }

    /**
     * Every field as text, in a stable order (config entries as {@code config.<option>}, warnings one
     * per line); {@link #fromText} reads it back.
     */
    public Map<String, String> asText() {
        Map<String, String> m = new java.util.LinkedHashMap<>();
        m.put("seed", String.valueOf(seed));
        m.put("baseModel", baseModel);
        m.put("trainData", trainData);
        m.put("validationData", validationData);
        m.put("resultModel", resultModel);
        m.put("resultAdapter", resultAdapter);
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

    /**
     * Reads a provenance back from {@link #asText()}'s form (as evaluation reports and the model
     * registry keep it). {@code resultModel} and {@code resultAdapter} may be absent (empty then), as in
     * the text of an Attune that did not record them; every other key must be there.
     *
     * @throws IllegalArgumentException naming the key, when one is missing or unknown, or the seed or the
     *     start time cannot be read
     */
    public static Provenance fromText(Map<String, String> text) {
        return ProvenanceText.read(requireNonNull(text, "text"));
    }

    /** {@link #asText()} as a JSON object, one string per key, that {@link #parse} reads back. */
    public String toJson() {
        return ProvenanceText.json(this);
    }

    /**
     * Reads a provenance from a JSON object of {@link #asText()}'s keys and string values, as
     * {@link #toJson()} writes it and as an evaluation report's {@code provenance} object holds it.
     *
     * @throws IllegalArgumentException when the text is not such an object (naming the line and column, or
     *     the key), or as {@link #fromText}
     */
    public static Provenance parse(String json) {
        return ProvenanceText.parse(requireNonNull(json, "json"));
    }

    /** The Attune library version. */
    public static String libraryVersion() {
        return VERSIONS.getProperty("attune.version", "unknown");
    }

    /** The Deeplearning4j / ND4J version Attune was built with. */
    static String dl4jLibraryVersion() {
        return VERSIONS.getProperty("dl4j.version", "unknown");
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

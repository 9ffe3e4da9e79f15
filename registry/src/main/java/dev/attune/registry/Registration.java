package dev.attune.registry;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * What is registered with an artifact: the model's name, its metrics (for example from its
 * evaluation) and its provenance (seed, data fingerprint, versions, command). Immutable: each
 * {@code with...} returns a new registration.
 *
 * @param model      the model's name: 1 to 100 letters, digits, {@code .}, {@code _} or {@code -},
 *                   beginning with a letter or digit (it names the model's artifact folder)
 * @param metrics    metric name to a finite value
 * @param provenance provenance key to value
 */
public record Registration(String model, Map<String, Double> metrics, Map<String, String> provenance) {
    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]{0,99}");

    /** Checks the name, the metric values and the keys, and copies both maps (their order is kept). */
    public Registration {
        checkModelName(model);
        Objects.requireNonNull(metrics, "metrics");
        Objects.requireNonNull(provenance, "provenance");
        metrics.forEach((name, value) -> {
            checkKey("metric name", name);
            Objects.requireNonNull(value, "value of metric " + name);
            if (!Double.isFinite(value)) {
                throw new IllegalArgumentException("metric '" + name + "' must be a finite number, got " + value);
            }
        });
        provenance.forEach((key, value) -> {
            checkKey("provenance key", key);
            Objects.requireNonNull(value, "value of provenance entry " + key);
        });
        metrics = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(metrics));
        provenance = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(provenance));
    }

    /** A registration of the model {@code model} with no metrics and no provenance yet. */
    public static Registration of(String model) {
        return new Registration(model, Map.of(), Map.of());
    }

    /** This registration with one more metric (replacing one of the same name). */
    public Registration withMetric(String name, double value) {
        Map<String, Double> more = new LinkedHashMap<>(metrics);
        more.put(name, value);
        return new Registration(model, more, provenance);
    }

    /** This registration with one more provenance entry (replacing one of the same key). */
    public Registration withProvenance(String key, String value) {
        Map<String, String> more = new LinkedHashMap<>(provenance);
        more.put(key, value);
        return new Registration(model, metrics, more);
    }

    /**
     * Checks a model name as the registry stores it.
     *
     * @throws IllegalArgumentException when it is not 1 to 100 letters, digits, '.', '_' or '-' beginning with a letter or digit
     */
    static String checkModelName(String model) {
        Objects.requireNonNull(model, "model");
        if (!NAME.matcher(model).matches()) {
            throw new IllegalArgumentException("a model name is 1 to 100 letters, digits, '.', '_' or '-', beginning with"
                    + " a letter or digit, got '" + model + "'; for example 'german-credit'");
        }
        return model;
    }

    private static void checkKey(String what, String key) {
        Objects.requireNonNull(key, what);
        if (key.isBlank() || key.length() > 200) {
            throw new IllegalArgumentException("a " + what + " is 1 to 200 characters and not blank, got '" + key + "'");
        }
    }
}

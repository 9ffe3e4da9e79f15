package dev.attune.registry;

import java.time.Instant;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * One registered version of a model, as the registry stores it.
 *
 * @param model        the model's name
 * @param version      its number: 1, 2, ... in order of registration, never reused
 * @param sha256       the artifact's SHA-256 as 64 lower-case hex digits
 * @param sizeBytes    the artifact's size
 * @param stage        the stage it is in, empty when it was never promoted
 * @param registeredAt when it was registered
 * @param registeredBy who registered it
 * @param metrics      its metrics, as registered
 * @param provenance   its provenance, as registered
 */
public record ModelVersion(String model, int version, String sha256, long sizeBytes, Optional<Stage> stage,
        Instant registeredAt, String registeredBy, Map<String, Double> metrics, Map<String, String> provenance) {
    /** Checks the fields and copies both maps. */
    public ModelVersion {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(registeredAt, "registeredAt");
        Objects.requireNonNull(registeredBy, "registeredBy");
        metrics = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(metrics));
        provenance = java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(provenance));
    }

    /** {@code model:version}, as the command line and messages name a version. */
    public String label() {
        return model + ":" + version;
    }
}

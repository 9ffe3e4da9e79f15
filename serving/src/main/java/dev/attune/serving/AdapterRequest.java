package dev.attune.serving;

import static java.util.Objects.requireNonNull;

/**
 * One request to a multi-adapter service: the adapter to answer with and one example's feature row.
 *
 * @param adapter the adapter's name in the {@link AdapterStore}, or {@code null} for the base model
 * @param features the example's feature values
 */
public record AdapterRequest(String adapter, float[] features) {
    /** Checks that there are features. */
    public AdapterRequest {
        requireNonNull(features, "features");
    }

    /** A request for the base model alone. */
    public static AdapterRequest base(float[] features) {
        return new AdapterRequest(null, features);
    }
}

package dev.attune.registry;

import java.util.Arrays;
import java.util.Locale;
import java.util.Objects;
import java.util.stream.Collectors;

/**
 * Where a model version stands. {@link #STAGING} and {@link #PRODUCTION} are live stages: each holds
 * at most one version of a model at a time, and promoting another version there archives the one it
 * replaces. {@link #ARCHIVED} holds any number of versions; only archived versions are ever pruned.
 */
public enum Stage {
    /** The version being tried before production; at most one per model. */
    STAGING,
    /** The version that serves; at most one per model. */
    PRODUCTION,
    /** Retired versions, kept for rollback until pruned. */
    ARCHIVED;

    /** The stage's name as stored and as typed on the command line: {@code staging}, {@code production}, {@code archived}. */
    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Whether the stage holds at most one version of a model (staging and production). */
    public boolean live() {
        return this != ARCHIVED;
    }

    /**
     * The stage of a label, ignoring case.
     *
     * @throws IllegalArgumentException for any other text, listing the stages
     */
    public static Stage parse(String label) {
        Objects.requireNonNull(label, "label");
        for (Stage stage : values()) {
            if (stage.label().equalsIgnoreCase(label.trim())) {
                return stage;
            }
        }
        throw new IllegalArgumentException("unknown stage '" + label + "'; stages are: "
                + Arrays.stream(values()).map(Stage::label).collect(Collectors.joining(", ")));
    }
}

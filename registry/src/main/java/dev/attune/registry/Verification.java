package dev.attune.registry;

import java.nio.file.Path;
import java.util.List;
import java.util.Objects;

/**
 * What {@link ModelRegistry#verify} found: how many versions it checked and each one whose artifact is
 * missing or no longer hashes to its SHA-256.
 *
 * @param checked  the number of versions checked
 * @param problems one per version that failed
 */
public record Verification(int checked, List<Problem> problems) {
    /** Copies the problems. */
    public Verification {
        problems = List.copyOf(problems);
    }

    /** Whether every checked artifact is present and intact. */
    public boolean ok() {
        return problems.isEmpty();
    }

    /**
     * One version whose artifact failed the check.
     *
     * @param version  the version
     * @param artifact where its artifact should be
     * @param kind     what is wrong
     * @param message  what is wrong, for a person
     */
    public record Problem(ModelVersion version, Path artifact, Kind kind, String message) {
        /** Checks that nothing is null. */
        public Problem {
            Objects.requireNonNull(version, "version");
            Objects.requireNonNull(artifact, "artifact");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(message, "message");
        }
    }

    /** What can be wrong with a stored artifact. */
    public enum Kind {
        /** The file is not there. */
        MISSING,
        /** The file's bytes do not hash to the version's SHA-256. */
        CORRUPTED
    }
}

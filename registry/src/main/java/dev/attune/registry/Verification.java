package dev.attune.registry;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Objects;

/**
 * What {@link ModelRegistry#verify} found: how many versions it checked, each one whose artifact is
 * missing, no longer hashes to its SHA-256 or, for a deployment package, no longer passes the
 * package's own seal, and the leftover files in the artifact folder that no version refers to.
 *
 * @param checked   the number of versions checked
 * @param problems  one per version that failed
 * @param leftovers files no version refers to: harmless, removed by {@link ModelRegistry#prune} once
 *                  they are provably unused
 */
public record Verification(int checked, List<Problem> problems, List<Leftover> leftovers) {
    /** Copies both lists. */
    public Verification {
        problems = List.copyOf(problems);
        leftovers = List.copyOf(leftovers);
    }

    /** A verification that found no leftover files. */
    public Verification(int checked, List<Problem> problems) {
        this(checked, problems, List.of());
    }

    /**
     * Whether every checked artifact is present and intact. Leftover files do not count: no version
     * depends on them.
     */
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
        /**
         * The file's bytes do not hash to the version's SHA-256, or the deployment package it holds no
         * longer passes its own seal.
         */
        CORRUPTED
    }

    /**
     * A file in a model's artifact folder that no version refers to.
     *
     * @param model    the model whose folder holds it
     * @param file     the file
     * @param kind     what it is
     * @param modified when it was last written
     */
    public record Leftover(String model, Path file, LeftoverKind kind, Instant modified) {
        /** Checks that nothing is null. */
        public Leftover {
            Objects.requireNonNull(model, "model");
            Objects.requireNonNull(file, "file");
            Objects.requireNonNull(kind, "kind");
            Objects.requireNonNull(modified, "modified");
        }
    }

    /** The kinds of leftover file. */
    public enum LeftoverKind {
        /**
         * A file named by a SHA-256 that no version refers to: moved into place by a registration that
         * did not commit, or left when its version went another way.
         */
        UNREFERENCED,
        /**
         * A registration's temporary copy ({@code .incoming-*}): in use while that registration runs,
         * left behind when its process was killed.
         */
        INCOMING
    }
}

package dev.attune.registry;

import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * One change to the registry: who made it, when, why, and which versions it moved.
 *
 * @param model       the model changed
 * @param sequence    the entry's number in the model's log, from 1
 * @param at          when the change was committed
 * @param who         who made it
 * @param action      what it was
 * @param stage       the stage it concerned (empty for a registration or a prune)
 * @param fromVersion the version the stage held before (for a prune, the version removed)
 * @param toVersion   the version the stage holds after (for a registration, the new version)
 * @param why         the reason given
 */
public record AuditEntry(String model, int sequence, Instant at, String who, Action action, Optional<Stage> stage,
        OptionalInt fromVersion, OptionalInt toVersion, String why) {
    /** Checks that nothing is null. */
    public AuditEntry {
        Objects.requireNonNull(model, "model");
        Objects.requireNonNull(at, "at");
        Objects.requireNonNull(who, "who");
        Objects.requireNonNull(action, "action");
        Objects.requireNonNull(stage, "stage");
        Objects.requireNonNull(fromVersion, "fromVersion");
        Objects.requireNonNull(toVersion, "toVersion");
        Objects.requireNonNull(why, "why");
    }

    /** The kinds of change the log records. */
    public enum Action {
        /** A new version was registered. */
        REGISTER,
        /** A version was moved into a stage. */
        PROMOTE,
        /** A stage went back to the version it held before. */
        ROLLBACK,
        /** An archived version and its artifact were removed. */
        PRUNE
    }
}

package dev.attune.registry;

import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;

/**
 * Which archived versions {@link ModelRegistry#prune} removes: those beyond the newest {@code keepLast}
 * archived versions of each model, and those archived for longer than {@code olderThan}. A version
 * in staging or production, or never promoted, is never pruned.
 *
 * @param keepLast  how many archived versions of each model to keep (the highest version numbers)
 * @param olderThan how long a version may stay archived before it is pruned
 */
public record Retention(OptionalInt keepLast, Optional<Duration> olderThan) {
    /** Checks that at least one rule is given and that both are in range. */
    public Retention {
        Objects.requireNonNull(keepLast, "keepLast");
        Objects.requireNonNull(olderThan, "olderThan");
        if (keepLast.isEmpty() && olderThan.isEmpty()) {
            throw new IllegalArgumentException("a retention needs keepLast(n) or olderThan(age), got neither");
        }
        if (keepLast.isPresent() && keepLast.getAsInt() < 0) {
            throw new IllegalArgumentException("keepLast must be 0 or more archived versions, got " + keepLast.getAsInt());
        }
        if (olderThan.isPresent() && olderThan.get().isNegative()) {
            throw new IllegalArgumentException("olderThan must not be negative, got " + olderThan.get());
        }
    }

    /** Keeps the newest {@code n} archived versions of each model; prunes the other archived ones. */
    public static Retention keepLast(int n) {
        return new Retention(OptionalInt.of(n), Optional.empty());
    }

    /** Prunes the versions archived for longer than {@code age}. */
    public static Retention olderThan(Duration age) {
        return new Retention(OptionalInt.empty(), Optional.of(Objects.requireNonNull(age, "age")));
    }

    /** This retention that also prunes the versions archived for longer than {@code age}. */
    public Retention orOlderThan(Duration age) {
        return new Retention(keepLast, Optional.of(Objects.requireNonNull(age, "age")));
    }
}

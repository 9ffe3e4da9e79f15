package dev.attune.registry;

import java.util.Objects;

/**
 * Who makes a change to the registry and why, as the audit log records it (the registry adds when).
 *
 * @param who the person or system making the change, not blank
 * @param why the reason, may be empty
 */
public record Change(String who, String why) {
    /** Checks both texts. */
    public Change {
        Objects.requireNonNull(who, "who");
        Objects.requireNonNull(why, "why");
        if (who.isBlank()) {
            throw new IllegalArgumentException("a change needs who makes it, got a blank name; pass a user or service name");
        }
        if (who.length() > 200) {
            throw new IllegalArgumentException("who makes a change is at most 200 characters, got " + who.length());
        }
    }

    /** A change by {@code who} for the reason {@code why}. */
    public static Change by(String who, String why) {
        return new Change(who, why);
    }
}

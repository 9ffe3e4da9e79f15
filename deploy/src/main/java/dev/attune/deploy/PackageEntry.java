package dev.attune.deploy;

import static java.util.Objects.requireNonNull;

/**
 * One file of a package, as its manifest lists it.
 *
 * @param name the entry's path inside the package, such as {@code model/model.zip}
 * @param size its length in bytes
 * @param sha256 the SHA-256 of its bytes, in lower-case hex
 */
public record PackageEntry(String name, long size, String sha256) {
    /** Validates. */
    public PackageEntry {
        requireNonNull(name, "name");
        requireNonNull(sha256, "sha256");
        if (size < 0) {
            throw new IllegalArgumentException("an entry's size is at least 0, got " + size + " for " + name);
        }
    }
}

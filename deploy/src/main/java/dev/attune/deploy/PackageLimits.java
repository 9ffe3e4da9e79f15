package dev.attune.deploy;

/**
 * How much a package may hold when it is read: checked from the zip's directory before anything is
 * inflated, and again while each entry is inflated (a directory that understates a size does not get
 * past them), so that a zip bomb is refused after at most one limit's worth of bytes.
 *
 * @param maxEntries the most entries (files) a package may have
 * @param maxEntryBytes the most bytes one entry may inflate to
 * @param maxTotalBytes the most bytes all entries together may inflate to
 */
public record PackageLimits(int maxEntries, long maxEntryBytes, long maxTotalBytes) {
    /**
     * The limits {@link ModelPackage#load(java.nio.file.Path)} applies: 64 entries (a package has at
     * most 10), 4 GiB per entry and 8 GiB in all (a BERT-base model is under 0.5 GiB).
     */
    public static final PackageLimits DEFAULT = new PackageLimits(64, 4L << 30, 8L << 30);

    /**
     * Validates.
     *
     * @throws IllegalArgumentException when a limit is below 1, or the total is below one entry's limit
     */
    public PackageLimits {
        if (maxEntries < 1 || maxEntryBytes < 1 || maxTotalBytes < 1) {
            throw new IllegalArgumentException("package limits must be at least 1, got maxEntries " + maxEntries
                    + ", maxEntryBytes " + maxEntryBytes + ", maxTotalBytes " + maxTotalBytes);
        }
        if (maxTotalBytes < maxEntryBytes) {
            throw new IllegalArgumentException("maxTotalBytes (" + maxTotalBytes + ") is below maxEntryBytes ("
                    + maxEntryBytes + "); the total must allow at least one entry of the largest size");
        }
    }
}
